//===- trace-plugin/Options.h - -fplugin-arg-trace-<opt> --------*- C++ -*-===//
//
// The plugin's options. Each option is one entry in the table in Options.cpp,
// so adding one means adding a field here and a row there.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_OPTIONS_H
#define TRACE_PLUGIN_OPTIONS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Regex.h"
#include <memory>
#include <string>
#include <vector>

namespace trace_plugin {

struct PluginOptions {
  /// Dump the rewritten text of every rewritten file to stdout.
  bool Print = false;
  /// Make every function defined in the main file or in a header of the
  /// project a bundle (same skip rules).
  bool All = false;
  /// With All: only functions whose qualified name matches.
  std::shared_ptr<llvm::Regex> Match;
  /// Never instrument functions whose qualified name matches.
  std::shared_ptr<llvm::Regex> Exclude;
  /// Warn about annotated functions that are left alone. Clang 19 gives a
  /// plugin no -W group of its own, so the switch is the plugin arguments
  /// `-fplugin-arg-trace-no-warn-skipped` / `-fplugin-arg-trace-warn-skipped`.
  bool WarnSkipped = true;
  /// In the nested parse, skip bodies of functions in system headers.
  bool SkipSystemBodies = true;
  /// Report on stderr what the plugin decided and how long it took.
  bool Verbose = false;
  /// Render the private and protected fields of records in bundles defined
  /// in the main file, even where the bundle may not name them (through
  /// explicit instantiations, which the access rules exempt; see
  /// RecordRenderers.cpp).
  bool PrivateFields = false;
  /// Under All: a function defined in a header whose body has no loop, no
  /// recursion and fewer than MinSize statements is left alone (0: no
  /// bound). Such functions (accessors, predicates, operator[]) are made to
  /// be inlined into hot loops, where a recorded call costs far more than
  /// the function itself. Annotated functions are never bounded.
  unsigned MinSize = 6;
  /// Folders whose files are never rewritten (third-party headers included
  /// with -I): absolute, without "." or "..", without a trailing separator.
  std::vector<std::string> ExcludeDirs;

  /// Parses one "-fplugin-arg-trace-<Arg>" value. Returns an error message,
  /// or an empty string on success.
  std::string parse(llvm::StringRef Arg);

  /// True if a function named \p QualifiedName passes match/exclude.
  bool selects(llvm::StringRef QualifiedName, bool Annotated) const;

  /// The folder of ExcludeDirs that holds \p AbsolutePath (absolute, without
  /// "." or ".."), or "" if none does.
  llvm::StringRef excludedBy(llvm::StringRef AbsolutePath) const;

  /// One line per option, for the error about an unknown option.
  static std::string help();
};

} // namespace trace_plugin

#endif // TRACE_PLUGIN_OPTIONS_H
