//===- InstallPaths.cpp - Files trace-optimize finds next to itself -------===//
//
// Only the executable in the build tree uses the source tree's headers; any
// other copy (installed, moved, packaged) looks where the install layout puts
// them relative to itself, so it never reads a path baked in at build time.
//
//===----------------------------------------------------------------------===//

#include "common/InstallPaths.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#if !defined(TRACEOPT_RUNTIME_INCLUDE) || !defined(TRACEOPT_BUILD_BIN_DIR) || !defined(TRACEOPT_BIN_TO_INCLUDE)
#error "tools/trace-optimize/CMakeLists.txt defines where the headers are"
#endif

namespace traceopt {
namespace {

std::string realPath(llvm::StringRef Path) {
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Path, Real))
    return Path.str();
  return std::string(Real);
}

std::string findRuntimeInclude() {
  // Any function of this program locates it; /proc/self/exe on Linux.
  std::string Exe = llvm::sys::fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&runtimeIncludeDir));
  if (Exe.empty())
    return "";
  llvm::SmallString<256> Dir(realPath(Exe));
  llvm::sys::path::remove_filename(Dir);
  if (Dir == realPath(TRACEOPT_BUILD_BIN_DIR))
    return TRACEOPT_RUNTIME_INCLUDE;
  llvm::sys::path::append(Dir, TRACEOPT_BIN_TO_INCLUDE);
  return realPath(Dir);
}

} // namespace

const std::string &runtimeIncludeDir() {
  static const std::string Dir = findRuntimeInclude();
  return Dir;
}

} // namespace traceopt
