//===- PatchFixtures.h - Files and edits for the patching unit tests ------===//
//
// Shared by ApplyTest.cpp and FaultsTest.cpp: a fresh folder, whole-file
// reads and writes, and an Edit that replaces one piece of a file's text.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_OPT_UNITTEST_PATCHFIXTURES_H
#define TRACE_OPT_UNITTEST_PATCHFIXTURES_H

#include "patch/Apply.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace traceopt::fixtures {

/// A new empty folder under /tmp named after \p Prefix.
inline std::string makeTempDir(const std::string &Prefix) {
  std::string Tmpl = "/tmp/" + Prefix + "-XXXXXX";
  const char *D = ::mkdtemp(Tmpl.data());
  EXPECT_NE(D, nullptr);
  return D ? D : "";
}

inline void writeText(const std::string &Path, const std::string &Text) {
  std::ofstream(Path, std::ios::binary) << Text;
}

inline std::string readText(const std::string &Path) {
  std::string S, E;
  EXPECT_TRUE(readFile(Path, S, E)) << E;
  return S;
}

/// An edit of \p File (whose text is \p Content) replacing the first \p Old
/// with \p New, with the hash a trace would have recorded for \p Old.
inline Edit editFor(const std::string &File, const std::string &Content,
                    const std::string &Old, const std::string &New) {
  Edit E;
  E.File = File;
  E.ParamId = "var:" + Old;
  E.Begin = Content.find(Old);
  E.End = E.Begin + Old.size();
  E.Hash = formatHash(fnv1a64(Old));
  E.NewText = New;
  E.Line = 1;
  return E;
}

} // namespace traceopt::fixtures

#endif // TRACE_OPT_UNITTEST_PATCHFIXTURES_H
