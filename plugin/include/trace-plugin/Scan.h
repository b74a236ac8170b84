//===- trace-plugin/Scan.h - Does a TU mention the attributes? --*- C++ -*-===//
//
// Most TUs of a program have no annotation. The nested parse costs about one
// more front-end run, so the plugin first decides cheaply whether any
// non-system file the TU includes spells trace::bundle or trace::trainable.
// The decision must not miss a header: an inline bundle defined in a header
// must be rewritten in every TU that includes it, or the program would hold
// two different definitions of one inline function.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_SCAN_H
#define TRACE_PLUGIN_SCAN_H

#include "trace-plugin/Options.h"

#include "clang/Frontend/CompilerInstance.h"
#include "llvm/ADT/StringRef.h"
#include <memory>

namespace trace_plugin {

/// True if \p Text contains "trace" "::" "bundle"/"trainable" as tokens
/// (whitespace allowed around "::"). Comments are not excluded: a false
/// positive only costs a nested parse.
bool mentionsTraceAttribute(llvm::StringRef Text);

/// Runs the preprocessor over the TU described by \p Invocation (directives
/// only, no macro expansion in ordinary text) and returns true as soon as a
/// file that is neither a system header nor under one of \p ExcludeDirs
/// (see PluginOptions::excludedBy) mentions a trace attribute.
bool scanIncludedFiles(std::shared_ptr<clang::CompilerInvocation> Invocation,
                       clang::CompilerInstance &Outer,
                       const PluginOptions &Opts);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_SCAN_H
