//===- ApplyTest.cpp - hashing, patch planning, diff, backups, undo -------===//
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

std::string makeTempDir() { return fixtures::makeTempDir("trace-opt-apply"); }

TEST(Fnv1a64, KnownValues) {
  // Reference values of the 64-bit FNV-1a function.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(formatHash(fnv1a64("a")), "fnv1a64:af63dc4c8601ec8c");
}

TEST(PlanPatches, AppliesSeveralEditsFromTheEnd) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp";
  std::string Text = "double A = 1.0;\ndouble B = 2.0;\ndouble C = 3.0;\n";
  writeText(F, Text);
  std::vector<Edit> Edits = {editFor(F, Text, "3.0", "30.25"), editFor(F, Text, "1.0", "0.5")};
  std::string Err;
  auto P = planPatches(Edits, Err);
  ASSERT_TRUE(P) << Err;
  ASSERT_EQ(P->Files.size(), 1u);
  EXPECT_EQ(P->Files[0].Patched, "double A = 0.5;\ndouble B = 2.0;\ndouble C = 30.25;\n");
  // New ranges point at the new text in the patched file.
  const FilePatch &FP = P->Files[0];
  ASSERT_EQ(FP.NewRanges.size(), 2u);
  EXPECT_EQ(FP.Patched.substr(FP.NewRanges[0].first, FP.NewRanges[0].second - FP.NewRanges[0].first), "0.5");
  EXPECT_EQ(FP.Patched.substr(FP.NewRanges[1].first, FP.NewRanges[1].second - FP.NewRanges[1].first), "30.25");
  // Planning writes nothing.
  EXPECT_EQ(readText(F), Text);
}

TEST(PlanPatches, HashMismatchNamesFileAndLine) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp";
  std::string Text = "double A = 1.0;\n";
  writeText(F, Text);
  Edit E = editFor(F, Text, "1.0", "2.0");
  E.Line = 7;
  writeText(F, "double A = 1.5;\n");
  std::string Err;
  EXPECT_FALSE(planPatches({E}, Err));
  EXPECT_NE(Err.find(F + ":7: source changed since the trace was recorded"), std::string::npos) << Err;
}

TEST(StaleRange, SaysWhyTheRecordedTextIsGone) {
  std::string Text = "double A = 1.0;\n";
  Edit E = editFor("/src/x.cpp", Text, "1.0", "2.0");
  E.Line = 3;
  EXPECT_FALSE(staleRange(Text, E));
  std::optional<std::string> Changed = staleRange("double A = 1.5;\n", E);
  ASSERT_TRUE(Changed);
  EXPECT_EQ(Changed->find("/src/x.cpp:3: source changed since the trace was recorded: the text of"), 0u) << *Changed;
  std::optional<std::string> Short = staleRange("double", E);
  ASSERT_TRUE(Short);
  EXPECT_NE(Short->find("beyond the end of the file (6 bytes)"), std::string::npos) << *Short;
}

TEST(PlanPatches, RejectsOverlapAndOutOfRange) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp";
  std::string Text = "int X = 12345;\n";
  writeText(F, Text);
  Edit A = editFor(F, Text, "123", "1");
  Edit B = editFor(F, Text, "2345", "2");
  std::string Err;
  EXPECT_FALSE(planPatches({A, B}, Err));
  EXPECT_NE(Err.find("overlap"), std::string::npos) << Err;
  Edit C = A;
  C.Begin = 100;
  C.End = 104;
  EXPECT_FALSE(planPatches({C}, Err));
  EXPECT_NE(Err.find("beyond the end of the file"), std::string::npos) << Err;
}

TEST(UnifiedDiff, ShowsChangedLinesWithContext) {
  std::string Old = "a\nb\nc\nd\ne\nf\ng\nh\n";
  std::string New = "a\nb\nc\nD\ne\nf\ng\nh\n";
  std::string D = unifiedDiff("x.cpp", Old, New, 2);
  EXPECT_EQ(D, "--- a/x.cpp\n+++ b/x.cpp\n@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f\n");
  EXPECT_EQ(unifiedDiff("x.cpp", Old, Old), "");
}

TEST(UnifiedDiff, InsertionAndMissingNewline) {
  std::string D = unifiedDiff("y", "x\n", "x\ny");
  EXPECT_EQ(D, "--- a/y\n+++ b/y\n@@ -1,1 +1,2 @@\n x\n+y\n\\ No newline at end of file\n");
}

TEST(BackupStore, CommitUndoRoundTripKeepsMode) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp", G = Dir + "/y.cpp";
  std::string TextF = "int A = 1;\n", TextG = "int B = 2;\n";
  writeText(F, TextF);
  writeText(G, TextG);
  ::chmod(F.c_str(), 0640);
  std::string Err;
  auto P = planPatches({editFor(F, TextF, "1", "10"), editFor(G, TextG, "2", "20")}, Err);
  ASSERT_TRUE(P) << Err;
  BackupStore Store(Dir + "/work");
  auto Step = Store.commit(*P, "test", Err);
  ASSERT_TRUE(Step) << Err;
  EXPECT_EQ(*Step, 1u);
  EXPECT_EQ(readText(F), "int A = 10;\n");
  EXPECT_EQ(readText(G), "int B = 20;\n");
  struct stat St;
  ASSERT_EQ(::stat(F.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 0777, 0640u);
  EXPECT_EQ(Store.appliedSteps(), std::vector<unsigned>{1});

  std::string Report;
  ASSERT_TRUE(Store.undo(false, /*DryRun=*/true, Report, Err)) << Err;
  EXPECT_EQ(readText(F), "int A = 10;\n"); // dry run wrote nothing
  Report.clear();
  ASSERT_TRUE(Store.undo(false, false, Report, Err)) << Err;
  EXPECT_EQ(readText(F), TextF);
  EXPECT_EQ(readText(G), TextG);
  ASSERT_EQ(::stat(F.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 0777, 0640u);
  EXPECT_TRUE(Store.appliedSteps().empty());
  EXPECT_FALSE(Store.undo(false, false, Report, Err));
  EXPECT_NE(Err.find("nothing to undo"), std::string::npos);
}

TEST(BackupStore, UndoRefusesWhenFileChangedUnlessForced) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp";
  std::string Text = "int A = 1;\n";
  writeText(F, Text);
  std::string Err, Report;
  auto P = planPatches({editFor(F, Text, "1", "2")}, Err);
  ASSERT_TRUE(P);
  BackupStore Store(Dir + "/work");
  ASSERT_TRUE(Store.commit(*P, "t", Err));
  writeText(F, "int A = 3; // edited by hand\n");
  EXPECT_FALSE(Store.undo(false, false, Report, Err));
  EXPECT_NE(Err.find("changed since step 1"), std::string::npos) << Err;
  EXPECT_TRUE(Store.undo(true, false, Report, Err)) << Err;
  EXPECT_EQ(readText(F), Text);
}

TEST(BackupStore, RestoreBeforeUndoesLaterSteps) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/x.cpp";
  std::string V0 = "int A = 0;\n";
  writeText(F, V0);
  BackupStore Store(Dir + "/work");
  std::string Err;
  std::string Cur = V0;
  for (int I = 1; I <= 3; ++I) {
    std::string Old = std::to_string(I - 1), New = std::to_string(I);
    auto P = planPatches({editFor(F, Cur, Old, New)}, Err);
    ASSERT_TRUE(P) << Err;
    ASSERT_TRUE(Store.commit(*P, "s", Err)) << Err;
    Cur = readText(F);
  }
  EXPECT_EQ(Cur, "int A = 3;\n");
  ASSERT_TRUE(Store.restoreBefore(2, Err)) << Err;
  EXPECT_EQ(readText(F), "int A = 1;\n");
  EXPECT_EQ(Store.appliedSteps(), std::vector<unsigned>{1});
}

TEST(WriteFileAtomic, LeavesNoTemporaryFiles) {
  std::string Dir = makeTempDir();
  std::string F = Dir + "/out.txt", Err;
  ASSERT_TRUE(writeFileAtomic(F, "hello", Err)) << Err;
  EXPECT_EQ(readText(F), "hello");
  EXPECT_FALSE(writeFileAtomic(Dir + "/missing-dir/out.txt", "x", Err));
  EXPECT_NE(Err.find("missing-dir"), std::string::npos);
}

} // namespace
