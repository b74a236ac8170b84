//===- CheckTest.cpp - clang-based signature and compile checks ----------===//
#include "patch/Check.h"

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

namespace {

/// prepareSuggestion with a code parameter; Problem is kept for the assertions.
struct Prepared {
  std::optional<std::string> Text;
  std::string Problem;
};
Prepared prepare(const std::string &Original, const std::string &Suggested, bool IsCode = true) {
  Prepared P;
  P.Text = prepareSuggestion("code:f(int)", IsCode, Original, Suggested, P.Problem);
  return P;
}

TEST(PrepareSuggestion, PutsBackTheAttributeWithItsArgument) {
  std::string Original = "[[trace::trainable(\"must stay O(1)\")]]\nint f(int x) {\n  return x;\n}";
  Prepared P = prepare(Original, "int f(int x) {\n  return x + 1;\n}");
  ASSERT_TRUE(P.Text) << P.Problem;
  EXPECT_EQ(*P.Text, "[[trace::trainable(\"must stay O(1)\")]]\nint f(int x) {\n  return x + 1;\n}");
  // Shown without the attribute and returned unchanged, the original comes back byte for byte.
  Prepared Same = prepare(Original, "int f(int x) {\n  return x;\n}");
  ASSERT_TRUE(Same.Text) << Same.Problem;
  EXPECT_EQ(*Same.Text, Original);
}

TEST(PrepareSuggestion, PutsBackTheAttributeWhereTheOriginalHasIt) {
  // After the same tokens: other attributes keep their order.
  Prepared P = prepare("[[nodiscard]] [[trace::trainable]] int f(int x) { return x; }",
                       "[[nodiscard]]   int f(int x) { return 2 * x; }");
  ASSERT_TRUE(P.Text) << P.Problem;
  EXPECT_EQ(*P.Text, "[[nodiscard]]   [[trace::trainable]] int f(int x) { return 2 * x; }");
  // A template header comes first, however it is spaced.
  P = prepare("template <class T>\n[[trace::trainable]] T f(T x) { return x; }",
              "template<class T> T f(T x) { return x + x; }");
  ASSERT_TRUE(P.Text) << P.Problem;
  EXPECT_EQ(*P.Text, "template<class T> [[trace::trainable]] T f(T x) { return x + x; }");
  // When the prefix differs, after the template header still.
  P = prepare("template <class T, class U = std::pair<T, T>>\n[[nodiscard]] [[trace::trainable]] T f(T x) { return x; }",
              "template <class T, class U = std::pair<T, T>> T f(T x) { return x; }");
  ASSERT_TRUE(P.Text) << P.Problem;
  EXPECT_EQ(*P.Text, "template <class T, class U = std::pair<T, T>> [[trace::trainable]] T f(T x) { return x; }");
  // Written in a group with another attribute, it comes back on its own.
  P = prepare("[[nodiscard, trace::trainable(\"c\")]] int f(int x) { return x; }",
              "[[nodiscard]] int f(int x) { return x; }");
  ASSERT_TRUE(P.Text) << P.Problem;
  EXPECT_EQ(*P.Text, "[[trace::trainable(\"c\")]] [[nodiscard]] int f(int x) { return x; }");
}

TEST(PrepareSuggestion, KeepsAnAttributeTheSuggestionHas) {
  std::string Original = "[[trace::trainable(\"c\")]] int f(int x) { return x; }";
  for (std::string Suggested : {"[[trace::trainable(\"c\")]] int f(int x) { return 1; }",
                                "[[trace::trainable( \"c\" )]]\nint f(int x) { return 1; }",
                                "[[using trace: trainable(\"c\")]] int f(int x) { return 1; }"}) {
    Prepared P = prepare(Original, Suggested);
    ASSERT_TRUE(P.Text) << Suggested << ": " << P.Problem;
    EXPECT_EQ(*P.Text, Suggested);
  }
  // A function without the attribute in its range (it sits on a declaration) may get a bare one.
  Prepared P = prepare("int f(int x) { return x; }", "[[trace::trainable]] int f(int x) { return 1; }");
  ASSERT_TRUE(P.Text) << P.Problem;
}

TEST(PrepareSuggestion, RefusesAChangedArgument) {
  std::string Original = "[[trace::trainable(\"must stay O(1)\")]] int f(int x) { return x; }";
  for (std::string Suggested : {"[[trace::trainable]] int f(int x) { return 1; }",
                                "[[trace::trainable(\"anything goes\")]] int f(int x) { return 1; }",
                                "[[nodiscard, trace::trainable(\"O(n)\")]] int f(int x) { return 1; }"}) {
    Prepared P = prepare(Original, Suggested);
    EXPECT_FALSE(P.Text) << Suggested;
    EXPECT_NE(P.Problem.find("changes the argument of the [[trace::trainable]] attribute"), std::string::npos)
        << P.Problem;
    EXPECT_NE(P.Problem.find("the definition has `[[trace::trainable(\"must stay O(1)\")]]`"), std::string::npos)
        << P.Problem;
  }
  Prepared P = prepare("[[trace::trainable]] int f(int x) { return x; }",
                       "[[trace::trainable(\"new rule\")]] int f(int x) { return 1; }");
  EXPECT_FALSE(P.Text);
}

TEST(PrepareSuggestion, RefusesPreprocessorDirectivesAndNamesThem) {
  std::string Original = "[[trace::trainable]] int f(int x) { return x; }";
  struct Case {
    std::string Suggested, Named;
  } Cases[] = {
      {"#include <algorithm>\nint f(int x) { return std::max(x, 0); }", "`#include <algorithm>`"},
      {"#define LIMIT 30\nint f(int x) { return x < LIMIT ? x : LIMIT; }", "`#define LIMIT 30`"},
      {"int f(int x) {\n#undef  assert\n  return x;\n}", "`#undef assert`"},
      {"int f(int x) { return x; }\n  #  pragma once", "`# pragma once`"},
      {"#define TWICE(a) \\\n  ((a) * 2)\nint f(int x) { return TWICE(x); }", "`#define TWICE(a) ((a) * 2)`"},
  };
  for (const Case &C : Cases) {
    Prepared P = prepare(Original, C.Suggested);
    EXPECT_FALSE(P.Text) << C.Suggested;
    EXPECT_NE(P.Problem.find("adds the preprocessor directive " + C.Named), std::string::npos) << P.Problem;
    EXPECT_NE(P.Problem.find("may not add #include directives"), std::string::npos) << P.Problem;
  }
  // A value suggestion may not add one either.
  Prepared V = prepare("0.5", "g(1)\n#include <cstdlib>\n", /*IsCode=*/false);
  EXPECT_FALSE(V.Text);
  EXPECT_NE(V.Problem.find("The new value for code:f(int) adds the preprocessor directive `#include <cstdlib>`"),
            std::string::npos)
      << V.Problem;
}

TEST(PrepareSuggestion, DirectivesOfTheOriginalAndLookalikesPass) {
  // The original's own directive may stay.
  Prepared P = prepare("[[trace::trainable]] int f(int x) {\n#ifdef FAST\n  return x;\n#endif\n  return 0;\n}",
                       "int f(int x) {\n#ifdef FAST\n  return x * 2;\n#endif\n  return 1;\n}");
  ASSERT_TRUE(P.Text) << P.Problem;
  // '#' in comments, strings, raw strings and the middle of a line is no directive, and
  // "[[trace::trainable]]" in a comment is no attribute.
  std::string Suggested = "// [[trace::trainable]]\n/*\n#include <x>\n*/\nint f(int x) {\n"
                          "  const char *s = \"\\n#define A\";\n  const char *r = R\"(\n#define B\n)\";\n"
                          "  return x # 0;\n}";
  P = prepare("[[trace::trainable]] int f(int x) { return x; }", Suggested);
  ASSERT_TRUE(P.Text) << P.Problem;
  EXPECT_EQ(P.Text->find("// [[trace::trainable]]\n/*\n#include <x>\n*/\n[[trace::trainable]] int f"), 0u) << *P.Text;
}

TEST(Check, RefusesDeclarationsOutsideTheFunction) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("[[trace::trainable]] int pick(const std::vector<int> &v, int i) {\n  return v[i];\n}\n"
                           "int evil() { return 42; }");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("declares the function 'ns::evil' outside the function ns::pick"), std::string::npos)
      << C.Problems;
  EXPECT_NE(C.Problems.find("The rule: "), std::string::npos) << C.Problems;
  // The function is still recognised when the helper comes first: no complaint about its name.
  C = F.check("static int scale = 2;\nusing namespace std;\nstruct Helper { int k; };\n"
              "[[trace::trainable]] int pick(const vector<int> &v, int i) {\n  return v[i] * scale;\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_EQ(C.Problems.find("changes the function's name"), std::string::npos) << C.Problems;
  EXPECT_NE(C.Problems.find("declares the variable 'ns::scale', the using-directive 'std' and the struct "
                            "'ns::Helper' outside the function ns::pick"),
            std::string::npos)
      << C.Problems;
}

TEST(Check, AllowsLambdasAndLocalClassesInsideTheFunction) {
  Fixture F(Source, "[[trace::trainable]] int pick");
  CheckOutcome C = F.check("[[trace::trainable]] int pick(const std::vector<int> &v, int i) {\n"
                           "  struct Local { static int twice(int x) { return 2 * x; } };\n"
                           "  auto at = [&](int k) { struct In { int y; }; return In{v.at(k)}.y; };\n"
                           "  return Local::twice(at(i));\n}");
  EXPECT_TRUE(C.Ok) << C.Problems;
}

TEST(Check, DeclarationsInAnInClassRangeAreFound) {
  std::string Text = "struct S {\n"
                     "  [[trace::trainable]] int get() const {\n    return 1;\n  }\n"
                     "  int other() const { return 2; }\n"
                     "};\n";
  char Tmpl[] = "/tmp/trace-opt-check-XXXXXX";
  std::string Dir = ::mkdtemp(Tmpl);
  std::string File = Dir + "/s.cpp";
  std::ofstream(File) << Text;
  Edit E;
  E.File = File;
  E.ParamId = "code:S::get() const";
  E.Begin = Text.find("[[trace");
  E.End = Text.find("\n  }\n") + 4;
  E.Hash = formatHash(fnv1a64(Text.substr(E.Begin, E.End - E.Begin)));
  E.IsCode = true;
  E.NewText = "int helper() const { return 3; }\n  [[trace::trainable]] int get() const {\n    return helper();\n  }";
  std::string Err;
  auto P = planPatches({E}, Err);
  ASSERT_TRUE(P && P->Files.size() == 1) << Err;
  CheckOutcome C = checkPatch(P->Files[0], findCompileCommand(File, {}, ""));
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("declares the member function 'S::helper' outside the function S::get"),
            std::string::npos)
      << C.Problems;
}

TEST(Check, ComparesSpecifiersAndAttributes) {
  const char *Header = "#include <vector>\n"
                       "[[nodiscard]] [[trace::trainable]] inline int pick(const std::vector<int> &v, int i) {\n"
                       "  return v[0];\n"
                       "}\n"
                       "int use() { return pick({1, 2}, 1); }\n";
  Fixture F(Header, "[[nodiscard]]");
  // The same specifiers and attributes, spelled with other spacing and order: fine.
  CheckOutcome C = F.check("[[ nodiscard ]]  inline int pick(const std::vector<int> &v, int i) {\n  return v[i];\n}");
  EXPECT_TRUE(C.Ok) << C.Problems;
  // Dropping `inline` would break the link of a header included twice.
  C = F.check("[[nodiscard]] int pick(const std::vector<int> &v, int i) {\n  return v[i];\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("The new code for code:test changes the declaration of pick: it drops `inline`. Keep "
                            "the definition's specifiers and attributes exactly as they are (it has `inline`, "
                            "`[[nodiscard]]`)"),
            std::string::npos)
      << C.Problems;
  C = F.check("[[nodiscard]] static constexpr int pick(const std::vector<int> &v, int i) {\n  return i;\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("it drops `inline` and adds `static` and `constexpr`"), std::string::npos) << C.Problems;
  C = F.check("inline int pick(const std::vector<int> &v, int i) __attribute__((noinline)) {\n  return i;\n}");
  EXPECT_FALSE(C.Ok);
  C = F.check("__attribute__((noinline)) inline int pick(const std::vector<int> &v, int i) {\n  return i;\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("it drops `[[nodiscard]]` and adds `__attribute__((noinline))`"), std::string::npos)
      << C.Problems;
  // noexcept is part of the type: a changed signature.
  C = F.check("[[nodiscard]] inline int pick(const std::vector<int> &v, int i) noexcept {\n  return i;\n}");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("changes the function's name or signature"), std::string::npos) << C.Problems;
}

TEST(Check, ComparesVirtualAndOverrideOfAMember) {
  std::string Text = "struct B { virtual int get() const { return 0; } };\n"
                     "struct S : B {\n"
                     "  [[trace::trainable]] int get() const override {\n    return 1;\n  }\n"
                     "};\n";
  char Tmpl[] = "/tmp/trace-opt-check-XXXXXX";
  std::string Dir = ::mkdtemp(Tmpl);
  std::string File = Dir + "/s.cpp";
  std::ofstream(File) << Text;
  Edit E;
  E.File = File;
  E.ParamId = "code:S::get() const";
  E.Begin = Text.find("[[trace");
  E.End = Text.find("\n  }\n") + 4;
  E.Hash = formatHash(fnv1a64(Text.substr(E.Begin, E.End - E.Begin)));
  E.IsCode = true;
  auto Check = [&](const std::string &New) {
    Edit N = E;
    N.NewText = New;
    std::string Err;
    auto P = planPatches({N}, Err);
    EXPECT_TRUE(P && P->Files.size() == 1) << Err;
    return checkPatch(P->Files[0], findCompileCommand(File, {}, ""));
  };
  CheckOutcome C = Check("int get() const override {\n    return 2;\n  }");
  EXPECT_TRUE(C.Ok) << C.Problems;
  C = Check("virtual int get() const {\n    return 2;\n  }");
  EXPECT_FALSE(C.Ok);
  EXPECT_NE(C.Problems.find("it drops `override` and adds `virtual`"), std::string::npos) << C.Problems;
}

} // namespace

namespace {

/// Two units, a.cpp and b.cpp, that include h.h, which defines `f` as Header says.
struct LinkFixture {
  std::string Dir, Header, Text;
  explicit LinkFixture(const std::string &HeaderText) : Text(HeaderText) {
    char Tmpl[] = "/tmp/trace-opt-link-XXXXXX";
    Dir = ::mkdtemp(Tmpl);
    Header = Dir + "/h.h";
    std::ofstream(Header) << Text;
    std::ofstream(Dir + "/a.cpp") << "#include \"h.h\"\nint a() { return f(); }\n";
    std::ofstream(Dir + "/b.cpp") << "#include \"h.h\"\nint b() { return f() + 1; }\n";
  }
  CompileCommand unit(const std::string &Name) const {
    CompileCommand C;
    C.Kind = CompileCommand::Driver;
    C.Directory = Dir;
    C.Args = {"clang++", "-std=c++17", "-c", Dir + "/" + Name};
    C.Origin = "test";
    C.MainFile = Dir + "/" + Name;
    return C;
  }
  /// Checks the link of the header with f's definition replaced by NewText.
  LinkOutcome link(const std::string &NewText, const std::vector<std::string> &Units) {
    Edit E;
    E.File = Header;
    E.ParamId = "code:f()";
    E.Begin = Text.find("int f()");
    while (E.Begin > 0 && Text[E.Begin - 1] != '\n')
      --E.Begin;
    E.End = Text.find("\n}\n", E.Begin) + 2;
    E.Hash = formatHash(fnv1a64(Text.substr(E.Begin, E.End - E.Begin)));
    E.IsCode = true;
    E.NewText = NewText;
    std::string Err;
    auto P = planPatches({E}, Err);
    EXPECT_TRUE(P.has_value()) << Err;
    if (!P)
      return {};
    std::vector<CompileCommand> Cmds;
    for (const std::string &U : Units)
      Cmds.push_back(unit(U));
    return checkLink(*P, Cmds);
  }
};

} // namespace

TEST(CheckLink, NamesASymbolDefinedTwiceAndBothUnits) {
  LinkFixture F("inline int f() {\n  return 1;\n}\n");
  LinkOutcome L = F.link("int f() {\n  return 2;\n}", {"a.cpp", "b.cpp"});
  EXPECT_TRUE(L.Ran);
  EXPECT_FALSE(L.Ok);
  EXPECT_NE(L.Problem.find("`f()` is defined in both " + F.Dir + "/a.cpp and " + F.Dir + "/b.cpp"), std::string::npos)
      << L.Problem;
  EXPECT_NE(L.Problem.find("multiple definition of `f()'"), std::string::npos) << L.Problem;
  // The temporary objects are not what the message names.
  EXPECT_EQ(L.Problem.find("trace-link"), std::string::npos) << L.Problem;
}

TEST(CheckLink, AcceptsADefinitionThatStaysInline) {
  LinkFixture F("inline int f() {\n  return 1;\n}\n");
  LinkOutcome L = F.link("inline int f() {\n  return 2;\n}", {"a.cpp", "b.cpp"});
  EXPECT_TRUE(L.Ran);
  EXPECT_TRUE(L.Ok) << L.Problem;
  EXPECT_TRUE(L.Notes.empty());
}

TEST(CheckLink, OneUnitLinksNothing) {
  LinkFixture F("inline int f() {\n  return 1;\n}\n");
  LinkOutcome L = F.link("int f() {\n  return 2;\n}", {"a.cpp"});
  EXPECT_FALSE(L.Ran);
  EXPECT_TRUE(L.Ok);
}

TEST(CheckLink, AFailureTheOriginalHasTooIsANote) {
  // The header already defines f in both units: not the suggestion's doing.
  LinkFixture F("int f() {\n  return 1;\n}\n");
  LinkOutcome L = F.link("int f() {\n  return 2;\n}", {"a.cpp", "b.cpp"});
  EXPECT_TRUE(L.Ok) << L.Problem;
  ASSERT_EQ(L.Notes.size(), 1u);
  EXPECT_NE(L.Notes[0].find("do not link without the patch either"), std::string::npos) << L.Notes[0];
}
