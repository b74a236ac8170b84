//===- FaultsTest.cpp - a step that fails while writing leaves no trace ---===//
//
// The network faults are injected by test/optimize/faults.test; these are the
// local ones that a lit test cannot provoke on purpose.
//
//===----------------------------------------------------------------------===//
#include "patch/Apply.h"
#include "PatchFixtures.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace traceopt;
using traceopt::fixtures::editFor;
using traceopt::fixtures::readText;
using traceopt::fixtures::writeText;

namespace {

std::string makeTempDir() { return fixtures::makeTempDir("trace-opt-faults"); }

/// A directory where writeFileAtomic wants its temporary file makes the write fail, even for
/// root, for whom permission bits would not.
void blockAtomicWrite(const std::string &Path) {
  std::string Temp = Path + ".trace-optimize.tmp." + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(Temp.c_str(), 0755), 0) << Temp;
}

TEST(Faults, ManifestThatCannotBeWrittenRestoresTheSources) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp", G = Dir + "/y.cpp";
  std::string TextF = "int A = 1;\n", TextG = "int B = 2;\n";
  writeText(F, TextF);
  writeText(G, TextG);
  std::string Err;
  auto P = planPatches({editFor(F, TextF, "1", "10"), editFor(G, TextG, "2", "20")}, Err);
  ASSERT_TRUE(P) << Err;
  BackupStore Store(Dir + "/work");
  ASSERT_TRUE(makeDirs(Dir + "/work/backups/1", Err)) << Err;
  blockAtomicWrite(Dir + "/work/backups/1/manifest.json");

  EXPECT_FALSE(Store.commit(*P, "test", Err));
  EXPECT_NE(Err.find("manifest.json"), std::string::npos) << Err;
  EXPECT_NE(Err.find("the sources were restored"), std::string::npos) << Err;
  // Without a manifest nothing could undo the step: it must not be applied at all.
  EXPECT_EQ(readText(F), TextF);
  EXPECT_EQ(readText(G), TextG);
  EXPECT_TRUE(Store.appliedSteps().empty());
  std::string Report;
  EXPECT_FALSE(Store.undo(false, false, Report, Err));
  EXPECT_NE(Err.find("nothing to undo"), std::string::npos) << Err;
}

TEST(Faults, SecondFileThatCannotBeWrittenRestoresTheFirst) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/a.cpp", G = Dir + "/b.cpp";
  std::string TextF = "int A = 1;\n", TextG = "int B = 2;\n";
  writeText(F, TextF);
  writeText(G, TextG);
  std::string Err;
  auto P = planPatches({editFor(F, TextF, "1", "10"), editFor(G, TextG, "2", "20")}, Err);
  ASSERT_TRUE(P) << Err;
  ASSERT_EQ(P->Files.size(), 2u);
  blockAtomicWrite(P->Files[1].File);

  BackupStore Store(Dir + "/work");
  EXPECT_FALSE(Store.commit(*P, "test", Err));
  EXPECT_EQ(readText(F), TextF);
  EXPECT_EQ(readText(G), TextG);
  EXPECT_TRUE(Store.appliedSteps().empty());
}

} // namespace
