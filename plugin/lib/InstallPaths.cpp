//===- InstallPaths.cpp - Files the plugin needs --------------------------===//
//
// The plugin is a shared object loaded by clang, so its own location comes
// from the dynamic loader (dladdr), not from the running executable, which is
// clang. Only the copy in the build tree uses the source tree's headers; any
// other copy (installed, moved, packaged) uses the headers at the same place
// relative to itself as in the install layout, so it never reads a source or
// build path baked in at build time.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/InstallPaths.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>

#if !defined(TRACE_ABI_HEADER) || !defined(TRACE_PLUGIN_BUILD_DIR) ||          \
    !defined(TRACE_PLUGIN_TO_INCLUDE)
#error "plugin/CMakeLists.txt defines where the runtime's headers are"
#endif

namespace trace_plugin {
namespace {

/// \p Path with symbolic links and `..` resolved, or as it is when it does
/// not exist.
std::string realPath(llvm::StringRef Path) {
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Path, Real))
    return Path.str();
  return std::string(Real);
}

std::string findAbiHeader() {
  Dl_info Info;
  if (!dladdr(reinterpret_cast<void *>(&abiHeaderPath), &Info) ||
      !Info.dli_fname)
    return TRACE_ABI_HEADER;
  // In an executable (trace-rewrite) the loader names it as it was started,
  // perhaps found through PATH: ask the system for its path instead.
  std::string Self = Info.dli_fname;
  if (Self.find('/') == std::string::npos)
    Self = llvm::sys::fs::getMainExecutable(
        nullptr, reinterpret_cast<void *>(&abiHeaderPath));
  llvm::SmallString<256> Dir(realPath(Self));
  llvm::sys::path::remove_filename(Dir);
  if (Dir == realPath(TRACE_PLUGIN_BUILD_DIR))
    return TRACE_ABI_HEADER;
  llvm::sys::path::append(Dir, TRACE_PLUGIN_TO_INCLUDE, "trace", "abi.hpp");
  // A missing header is reported by clang at the #include, with this path.
  return realPath(Dir);
}

} // namespace

const std::string &abiHeaderPath() {
  static const std::string Path = findAbiHeader();
  return Path;
}

} // namespace trace_plugin
