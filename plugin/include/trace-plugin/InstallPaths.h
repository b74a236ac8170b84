//===- trace-plugin/InstallPaths.h - Files the plugin needs -----*- C++ -*-===//
//
// Where the plugin finds the runtime's headers: next to itself in an
// installed tree (which may have been moved), in the source tree when it is
// loaded from the build tree.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_INSTALLPATHS_H
#define TRACE_PLUGIN_INSTALLPATHS_H

#include <string>

namespace trace_plugin {

/// The absolute path of trace/abi.hpp, which the plugin force-includes into
/// the translation units it rewrites.
const std::string &abiHeaderPath();

} // namespace trace_plugin

#endif // TRACE_PLUGIN_INSTALLPATHS_H
