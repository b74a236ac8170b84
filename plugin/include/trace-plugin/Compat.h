//===- trace-plugin/Compat.h - Clang version shims --------------*- C++ -*-===//
//
// The one place where the plugin adapts to differences between Clang
// releases. The plugin is built and tested against Clang 19; everything that
// names an API that moved between releases goes through here, so porting to
// another release touches this file only.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_COMPAT_H
#define TRACE_PLUGIN_COMPAT_H

#include "clang/Basic/Version.h"
#include "clang/Frontend/CompilerInstance.h"

namespace trace_plugin {

/// Gives \p CI its own diagnostics engine that reports to \p Client.
/// Clang 20 added a VFS parameter in front of the client.
inline void createDiagnosticsWith(clang::CompilerInstance &CI,
                                  clang::DiagnosticConsumer *Client) {
#if CLANG_VERSION_MAJOR >= 20
  CI.createDiagnostics(CI.getVirtualFileSystem(), Client,
                       /*ShouldOwnClient=*/true);
#else
  CI.createDiagnostics(Client, /*ShouldOwnClient=*/true);
#endif
}

} // namespace trace_plugin

#endif // TRACE_PLUGIN_COMPAT_H
