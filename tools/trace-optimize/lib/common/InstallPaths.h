//===- InstallPaths.h - Files trace-optimize finds next to itself -*- C++ -*-===//
//
// The runtime's headers, which the fallback compile command of a patched file
// needs: the source tree's when trace-optimize runs from the build tree, else
// the installed ones, found relative to the executable.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEOPT_INSTALLPATHS_H
#define TRACEOPT_INSTALLPATHS_H

#include <string>

namespace traceopt {

/// The directory that holds trace/trace.hpp and trace/abi.hpp, or "" when the
/// running executable cannot be located.
const std::string &runtimeIncludeDir();

} // namespace traceopt

#endif // TRACEOPT_INSTALLPATHS_H
