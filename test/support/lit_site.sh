# Sourced by the stage scripts (test/sanitize/run.sh, test/dogfood/run.sh) that run the lit tests
# against another build than the main one.
#
# write_lit_site DIR CLANGXX BIN LIB writes DIR/lit.site.cfg.py for the tests under test/: programs
# compiled with CLANGXX and linked with the runtime in LIB, tools from BIN. The caller sets $src,
# $llvm_bin, $plugin and $python.
write_lit_site() {
  mkdir -p "$1"
  cat >"$1/lit.site.cfg.py" <<PY
config.trace_src_root = "$src"
config.trace_obj_root = "$1"
config.llvm_tools_dir = "$llvm_bin"
config.clangxx = "$2"
config.trace_plugin = "$plugin"
config.trace_bin = "$3"
config.trace_lib = "$4"
config.python = "$(command -v "$python")"
lit_config.load_config(config, "$src/test/lit.cfg.py")
PY
}
