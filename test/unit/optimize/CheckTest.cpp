//===- CheckTest.cpp - clang-based signature and compile checks ----------===//
#include "Check.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace traceopt;

namespace {

struct Fixture {
  std::string Dir, File, Text;
  Edit E;
  Fixture(const std::string &Source, const std::string &Function) {
    char Tmpl[] = "/tmp/trace-opt-check-XXXXXX";
    Dir = ::mkdtemp(Tmpl);
    File = Dir + "/f.cpp";
    Text = Source;
    std::ofstream(File) << Text;
    E.File = File;
    E.ParamId = "code:test";
    E.Begin = Text.find(Function);
    E.End = Text.find("\n}\n", E.Begin) + 2;
    E.Hash = formatHash(fnv1a64(Text.substr(E.Begin, E.End - E.Begin)));
    E.IsCode = true;
    E.Line = 3;
  }
  CheckOutcome check(const std::string &NewText) {
    Edit N = E;
    N.NewText = NewText;
    std::string Err;
    auto P = planPatches({N}, Err);
    EXPECT_TRUE(P && P->Files.size() == 1) << Err;
    if (!P || P->Files.empty())
      return {};
    return checkPatch(P->Files[0], findCompileCommand(File, {}, ""));
  }
};

const char *const Source = "#include <vector>\n"
                           "namespace ns {\n"
                           "[[trace::trainable]] int pick(const std::vector<int> &v, int i) {\n"
                           "  return v[0];\n"
                           "}\n"
                           "}\n"
                           "int use() { return ns::pick({1, 2}, 1); }\n";

TEST(Check, AcceptsNewBodyWithSameSignature) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("[[trace::trainable]] int pick(const std::vector<int> &values, int index) {\n"
                           "  auto l = [&] { return values.at(index); };\n  return l();\n}");
  EXPECT_TRUE(C.Ok) << C.Problems;
}

TEST(Check, RejectsChangedSignature) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("[[trace::trainable]] long pick(const std::vector<int> &v, int i) {\n  return v[i];\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("changes the function's name or signature"), std::string::npos) << C.Problems;
  EXPECT_NE(C.Problems.find("ns::pick"), std::string::npos) << C.Problems;
}

TEST(Check, RejectsRenamedFunction) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("int helper() { return 1; }\n"
                           "[[trace::trainable]] int choose(const std::vector<int> &v, int i) {\n  return v[i];\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("ns::helper"), std::string::npos) << C.Problems;
}

TEST(Check, ReportsCompileErrorsWithLocation) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("[[trace::trainable]] int pick(const std::vector<int> &v, int i) {\n"
                           "  return undeclared_name;\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("does not compile"), std::string::npos) << C.Problems;
  EXPECT_NE(C.Problems.find("f.cpp:4:"), std::string::npos) << C.Problems;
  EXPECT_NE(C.Problems.find("undeclared_name"), std::string::npos) << C.Problems;
}

TEST(Check, NoFunctionInNewText) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("int pick_value = 3;");
  EXPECT_FALSE(C.Ok);
}

TEST(Check, UsesCc1ArgumentsFromTuRecord) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  // A tu record whose cc1 arguments define a macro the file needs.
  std::string Text = "int value() { return SCALE; }\n";
  std::ofstream(F.File) << Text;
  TuArgs Tu{F.File, F.Dir, {"-cc1", "-fsyntax-only", "-x", "c++", "-DSCALE=3", F.File}};
  CompileCommand Cmd = findCompileCommand(F.File, {Tu}, "");
  EXPECT_EQ(Cmd.Kind, CompileCommand::Cc1);
  ParseResult R = parseWithClang(Cmd, F.File, Text, {{0, Text.size()}});
  EXPECT_TRUE(R.Ran) << R.Diagnostics;
  EXPECT_EQ(R.Errors, 0u) << R.Diagnostics;
  ASSERT_TRUE(R.Functions[0]);
  EXPECT_EQ(R.Functions[0]->QualifiedName, "value");
  EXPECT_EQ(R.Functions[0]->Type, "int ()");
  // Without the macro (fallback command), the same file does not compile.
  ParseResult Plain = parseWithClang(findCompileCommand(F.File, {}, ""), F.File, Text, {});
  EXPECT_GT(Plain.Errors, 0u);
}

} // namespace

namespace {

TEST(Check, FindsCompileCommandsJson) {
  char Tmpl[] = "/tmp/trace-opt-ccdb-XXXXXX";
  std::string Dir = ::mkdtemp(Tmpl);
  std::string Src = Dir + "/a.cpp";
  std::ofstream(Src) << "int value() { return SCALE; }\n";
  ::mkdir((Dir + "/build").c_str(), 0755);
  std::ofstream(Dir + "/build/compile_commands.json")
      << "[{\"directory\": \"" << Dir << "/build\", \"file\": \"" << Src << "\", \"command\": \"/usr/bin/ccache /usr/bin/g++ -std=c++17 "
      << "-DSCALE=2 -c " << Src << " -o a.o\"}]";
  // Found in the build/ folder next to the file, without -p.
  CompileCommand Cmd = findCompileCommand(Src, {}, "");
  EXPECT_EQ(Cmd.Kind, CompileCommand::Driver);
  EXPECT_NE(Cmd.Origin.find("compile_commands.json"), std::string::npos) << Cmd.Origin;
  ParseResult R = parseWithClang(Cmd, Src, "#include <cstddef>\n#include <vector>\nint value() { return SCALE; }\n", {});
  EXPECT_TRUE(R.Ran) << R.Diagnostics;
  EXPECT_EQ(R.Errors, 0u) << R.Diagnostics;
  // The compile command's -o must not have written anything.
  struct stat St;
  EXPECT_NE(::stat((Dir + "/build/a.o").c_str(), &St), 0);
}

} // namespace
