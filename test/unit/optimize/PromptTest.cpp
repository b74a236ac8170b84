//===- PromptTest.cpp - Building the prompt -------------------------------===//
#include "prompt/Prompt.h"
#include "graph/Graph.h"
#include "prompt/PromptText.h"
#include "run/Loop.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace traceopt;

namespace {

/// A chain of \p N calls of trainable `step`, fed one into the next, with
/// feedback on the last.
TraceSet chain(size_t N, const std::string &Value = "1") {
  TraceSet T;
  T.Sites.push_back({"step(int)", "step", "int step(int)", "a.cpp", "Adds one.", "code:step(int)", 1, {"x"}});
  Param P;
  P.Id = "code:step(int)";
  P.Kind = "code";
  P.Name = "step";
  P.Text = "int step(int x) { return x + 1; }";
  P.Signature = "int step(int x)";
  Param G;
  G.Id = "var:limit";
  G.Kind = "value";
  G.Name = "cfg::limit";
  G.Type = "int";
  G.Value = "7";
  G.Constraint = "between 1 and 10";
  T.Params = {P, G};
  T.IdToIndex.resize(1);
  for (size_t I = 1; I <= N; ++I) {
    NodeInit Nd;
    Nd.Id = I;
    Nd.Site = 0;
    Nd.Finished = true;
    Nd.setReturn("int", Value);
    Arg A;
    A.Name = "x";
    A.Type = "int";
    A.Value = Value;
    A.From = I - 1;
    std::vector<Arg> Globals;
    if (I == 1) {
      Arg Gl;
      Gl.Name = "var:limit";
      Globals.push_back(Gl);
    }
    T.IdToIndex[0].insert(I, T.Nodes.size());
    T.addNode(Nd, {A}, nullptr, Globals);
  }
  Feedback F;
  F.Node = N;
  F.Text = "result is wrong";
  F.Score = 0.5;
  T.Feedbacks.push_back(F);
  return T;
}

TEST(Prompt, StepBuildsTheGraphOnce) {
  // The backward pass and the prompt of a step walk one graph: a million-node
  // trace would otherwise pay for building it twice.
  TraceSet T = chain(3);
  std::ostringstream Out, Err;
  size_t Before = graphsBuilt();
  StepResult R = optimizeStep(T, StepOptions(), nullptr, nullptr, {}, Out, Err);
  EXPECT_EQ(R.Status, StepStatus::NoLlm);
  EXPECT_EQ(graphsBuilt() - Before, 1u);
  // The same prompt as from a graph built apart.
  Prompt P = buildPrompt(T, backward(T), PromptOptions());
  EXPECT_EQ(Out.str(), P.System + "\n\n" + P.User + "\n");
}

TEST(Prompt, NamesMapBackToParams) {
  TraceSet T = chain(3);
  Prompt P = buildPrompt(T, backward(T), PromptOptions());
  EXPECT_EQ(P.NameToParamId.size(), 2u);
  EXPECT_EQ(P.NameToParamId["__code0"], "code:step(int)");
  EXPECT_EQ(P.NameToParamId["limit0"], "var:limit");
  EXPECT_NE(P.User.find("step2 = step(x=step1, __code=__code0)"), std::string::npos) << P.User;
  EXPECT_NE(P.User.find("step0 = step(x=x0, __code=__code0, limit=limit0)"), std::string::npos) << P.User;
  EXPECT_NE(P.User.find("limit0: between 1 and 10"), std::string::npos);
  EXPECT_EQ(P.VariablesText, "(code) __code0: int step(int x) { return x + 1; }\n(int) limit0=7");
  EXPECT_EQ(P.FeedbackText, "step2: result is wrong (score 0.5)");
  EXPECT_NE(P.System.find("\"suggestion\""), std::string::npos);
}

TEST(Prompt, BudgetElidesMiddleButKeepsEssentials) {
  TraceSet T = chain(2000);
  PromptOptions O;
  O.TokenBudget = 3000;
  Prompt P = buildPrompt(T, backward(T), O);
  EXPECT_LE(estimateTokens(P.System) + estimateTokens(P.User), O.TokenBudget);
  EXPECT_NE(P.User.find("calls left out"), std::string::npos);
  EXPECT_NE(P.User.find("step0 = step("), std::string::npos);
  EXPECT_NE(P.User.find("step1999 = step(x=step1998"), std::string::npos);
  EXPECT_NE(P.User.find("(code) __code0: int step(int x)"), std::string::npos);
  EXPECT_NE(P.User.find("#Outputs\n(int) step1999=1"), std::string::npos);
  EXPECT_NE(P.User.find("#Feedback\nstep1999: result is wrong"), std::string::npos);
}

TEST(Prompt, LongValuesAreCutInTheMiddle) {
  TraceSet T = chain(2, std::string(3000, 'v'));
  PromptOptions O;
  O.MaxValueChars = 100;
  Prompt P = buildPrompt(T, backward(T), O);
  EXPECT_NE(P.User.find(std::string(50, 'v') + "...[2900 chars left out]..." + std::string(50, 'v')),
            std::string::npos);
  EXPECT_EQ(P.User.find(std::string(101, 'v')), std::string::npos);
}

TEST(Prompt, MemoryComesFirstAndNeverDisplacesTheProblem) {
  TraceSet T = chain(3);
  Memory M;
  for (int I = 0; I < 5; ++I)
    M.Entries.push_back({"(int) limit0=" + std::to_string(I), "feedback " + std::to_string(I)});
  PromptOptions O;
  O.MemorySize = 2;
  Prompt P = buildPrompt(T, backward(T), O, &M);
  size_t History = P.User.find("#History");
  size_t Problem = P.User.find("#Instruction");
  ASSERT_NE(History, std::string::npos);
  ASSERT_NE(Problem, std::string::npos);
  EXPECT_LT(History, Problem);
  // Only the last two entries, oldest first.
  EXPECT_EQ(P.User.find("feedback 2"), std::string::npos);
  size_t A3 = P.User.find("Attempt 4:\nVariables:\n(int) limit0=3\nFeedback:\nfeedback 3");
  size_t A4 = P.User.find("Attempt 5:\nVariables:\n(int) limit0=4\nFeedback:\nfeedback 4");
  ASSERT_NE(A3, std::string::npos) << P.User;
  ASSERT_NE(A4, std::string::npos);
  EXPECT_LT(A3, A4);

  // Huge memory entries do not fit: they are left out, the problem stays.
  Memory Big;
  Big.Entries.push_back({std::string(100000, 'm'), "fb"});
  O.TokenBudget = 4000;
  Prompt P2 = buildPrompt(T, backward(T), O, &Big);
  EXPECT_EQ(P2.User.find("#History"), std::string::npos);
  EXPECT_NE(P2.User.find("#Feedback\nstep2: result is wrong"), std::string::npos);
  // Without MemorySize, memory is ignored.
  O.MemorySize = 0;
  EXPECT_EQ(buildPrompt(T, backward(T), O, &M).User.find("#History"), std::string::npos);
}

TEST(Prompt, EmptySubgraphStillShowsFeedback) {
  TraceSet T = chain(1);
  T.Sites[0].ParamId.clear();
  T.values(T.Nodes[0]).NumGlobals = 0;
  Subgraph G = backward(T);
  EXPECT_TRUE(G.Params.empty());
  Prompt P = buildPrompt(T, G, PromptOptions());
  EXPECT_NE(P.User.find("#Variables\n(none)"), std::string::npos);
  EXPECT_NE(P.User.find("#Feedback\nresult is wrong (score 0.5)"), std::string::npos) << P.User;
}

TEST(Prompt, TokenEstimate) {
  EXPECT_EQ(estimateTokens(""), 0u);
  EXPECT_EQ(estimateTokens("abcd"), 1u);
  EXPECT_EQ(estimateTokens("abcde"), 2u);
}

} // namespace

namespace {

TEST(Prompt, NamesStayUniqueWhenABaseEndsInADigit) {
  // A function "v1" and an argument "v": "v1" + counter must not collide with "v" + counter 10.
  TraceSet T = chain(12);
  T.Sites[0].Name = "ns::v1";
  for (Node &N : T.Nodes)
    T.args(N)[0].Name = "v";
  T.args(T.Nodes[0])[0].From = 0;
  Prompt P = buildPrompt(T, backward(T), PromptOptions());
  EXPECT_NE(P.User.find("v1_0 = ns::v1(v=v0, __code=__code0, limit=limit0)"), std::string::npos) << P.User;
  EXPECT_NE(P.User.find("v1_11 = ns::v1(v=v1_10, __code=__code0)"), std::string::npos) << P.User;
}

} // namespace

namespace {

/// The values of the true-graph tests: trainable `double scale(double x)`
/// reading nothing, trainable global `gain`, plain `offset`, `loss` and
/// `risky`; sites 0..3 in that order.
class GraphBuilder {
public:
  GraphBuilder() {
    T.Sites.push_back({"scale(double)", "scale", "double scale(double)", "a.cpp", "", "code:scale(double)", 1, {"x"}});
    T.Sites.push_back({"offset(double)", "offset", "double offset(double)", "a.cpp", "", "", 2, {"y"}});
    T.Sites.push_back({"loss(double)", "loss", "double loss(double)", "a.cpp", "", "", 3, {"v"}});
    T.Sites.push_back({"risky(double)", "risky", "double risky(double)", "a.cpp", "", "", 4, {"y"}});
    Param Code;
    Code.Id = "code:scale(double)";
    Code.Kind = "code";
    Code.Name = "scale";
    Code.File = "/nonexistent/dir/a.cpp";
    Code.Text = "[[trace::trainable(\"keep it linear\")]] double scale(double x) { return x * 3; }";
    Code.Signature = "double scale(double x)";
    Code.Constraint = "keep it linear";
    Param Gain;
    Gain.Id = "var:gain";
    Gain.Kind = "value";
    Gain.Name = "gain";
    Gain.Type = "double";
    Gain.Value = "0.5";
    T.Params = {Code, Gain};
    T.IdToIndex.resize(1);
  }

  /// Node \p Id of site \p Site with argument value \p Value from \p From.
  Node &node(uint64_t Id, int Site, std::string_view Value, uint64_t From = 0, uint64_t Parent = 0,
             std::string_view Ret = "1") {
    T.IdToIndex[0].insert(Id, T.Nodes.size());
    NodeInit N;
    N.Id = Id;
    N.Site = Site;
    N.Parent = Parent;
    N.Finished = true;
    N.setReturn("double", Ret);
    Arg A;
    A.Name = T.Sites[size_t(Site)].Params[0];
    A.Type = "double";
    A.Value = Value;
    A.From = From;
    return T.addNode(N, {A});
  }
  void feedback(uint64_t Node, std::string Text, std::optional<double> Score = std::nullopt,
                std::string Unattributed = "") {
    Feedback F;
    F.Node = Node;
    F.Text = std::move(Text);
    F.Score = Score;
    F.Unattributed = std::move(Unattributed);
    T.Feedbacks.push_back(F);
  }
  Prompt prompt(PromptOptions O = {}) { return buildPrompt(T, backward(T), O); }

  TraceSet T;
};

/// The text of section \p Head of \p User (up to the next blank line).
std::string sectionOf(const std::string &User, const std::string &Head) {
  size_t B = User.find(Head + "\n");
  if (B == std::string::npos)
    return "";
  B += Head.size() + 1;
  size_t E = User.find("\n\n", B);
  return User.substr(B, E == std::string::npos ? std::string::npos : E - B);
}

TEST(PromptGraph, FromParamShowsTheParameterAsTheInput) {
  // loss(offset(scale(gain))), gain passed from main as an argument.
  GraphBuilder B;
  B.node(1, 0, "0.5");
  B.T.setExtra(B.T.values(B.T.Nodes.back()).FirstArg, "var:gain", {});
  B.node(2, 1, "1.5", 1);
  B.node(3, 2, "2.5", 2);
  B.feedback(3, "too high", 0.25);
  Prompt P = B.prompt();
  EXPECT_EQ(sectionOf(P.User, "#Code"), "scale0 = scale(x=gain0, __code=__code0)\n"
                                        "offset0 = offset(y=scale0)\n"
                                        "loss0 = loss(v=offset0)")
      << P.User;
  EXPECT_EQ(sectionOf(P.User, "#Variables"),
            "(code) __code0: double scale(double x) { return x * 3; }\n(double) gain0=0.5");
  EXPECT_EQ(P.NameToParamId["gain0"], "var:gain");
  EXPECT_EQ(sectionOf(P.User, "#Inputs"), "(none)");
}

TEST(PromptGraph, DerivedInputsNameTheirProducers) {
  // risky's argument was built from parts of scale's and offset's results,
  // of one call outside the problem, and of two the runtime did not list.
  GraphBuilder B;
  B.node(1, 0, "2");
  B.node(2, 1, "6", 1);
  B.node(9, 3, "0"); // Not on a path from a parameter.
  B.node(3, 3, "{6, 7, 0}");
  B.T.setExtra(B.T.values(B.T.Nodes.back()).FirstArg, "", {1, 2, 9}, 2);
  B.feedback(3, "wrong");
  Prompt P = B.prompt();
  EXPECT_NE(P.User.find("risky0 = risky(y=y0)"), std::string::npos) << P.User;
  EXPECT_NE(P.User.find("(double) y0={6, 7, 0} (built from scale0, offset0 and 3 more)"), std::string::npos)
      << P.User;
  // None of the producers in the problem: a trainable call's argument built
  // from a plain call's result and one more the runtime did not list.
  GraphBuilder C;
  C.node(9, 3, "0");
  C.node(1, 0, "{0}");
  C.T.setExtra(C.T.values(C.T.Nodes.back()).FirstArg, "", {9}, 1);
  C.feedback(1, "wrong");
  EXPECT_NE(C.prompt().User.find("(double) x0={0} (built from 2 values not shown here)"), std::string::npos)
      << C.prompt().User;
}

TEST(PromptGraph, RunLevelFeedbackIsNeverUnderACall) {
  GraphBuilder B;
  B.node(1, 0, "2");
  B.node(2, 1, "6", 1);
  B.feedback(0, "3 of 5 checks pass", 0.1 * 6);
  B.feedback(0, "value 7 should be 8", std::nullopt, "not produced by a recorded call");
  B.feedback(0, "v is odd", std::nullopt, "produced by a call of parity that the call limit did not record");
  Prompt P = B.prompt();
  EXPECT_EQ(P.FeedbackText, "About the whole run: 3 of 5 checks pass (score 0.6)\n"
                            "Feedback on a value not produced by a recorded call: value 7 should be 8\n"
                            "Feedback on a value produced by a call of parity that the call limit did not "
                            "record: v is odd");
  // Both top-level calls are outputs of the run.
  EXPECT_EQ(sectionOf(P.User, "#Outputs"), "(double) scale0=1\n(double) offset0=1") << P.User;
  EXPECT_EQ(sectionOf(P.User, "#Others"), "(none)");
}

TEST(PromptGraph, FeedbackOnADerivedValueNamesItsProducers) {
  // v.push_back(scale(x)) twice, then feedback on v: both scale results are
  // what it judged; offset's call on the side is not. The runtime listed
  // two more producers than it wrote, and one was a plain call.
  GraphBuilder B;
  B.node(1, 0, "2", 0, 0, "6");
  B.node(2, 1, "6", 1);
  B.node(3, 0, "3", 0, 0, "9");
  B.node(4, 3, "0");
  Feedback F;
  F.Text = "the list should be sorted";
  F.Score = 0.5;
  F.Derived = {{1, NoIndex}, {3, NoIndex}, {4, NoIndex}};
  F.DerivedOmitted = 2;
  B.T.Feedbacks.push_back(F);
  Prompt P = B.prompt();
  EXPECT_EQ(P.FeedbackText, "On the value built from scale0, scale1 and 3 more: the list should be sorted (score 0.5)");
  EXPECT_EQ(sectionOf(P.User, "#Code"), "scale0 = scale(x=x0, __code=__code0)\nscale1 = scale(x=x1, __code=__code0)")
      << P.User;
  EXPECT_EQ(sectionOf(P.User, "#Outputs"), "(double) scale0=6\n(double) scale1=9") << P.User;
  // All producers listed and shown: no count; none shown: only the count.
  B.T.Feedbacks[0].Derived.pop_back();
  B.T.Feedbacks[0].DerivedOmitted = 0;
  EXPECT_EQ(B.prompt().FeedbackText, "On the value built from scale0, scale1: the list should be sorted (score 0.5)");
  B.T.Feedbacks[0].Derived = {{4, NoIndex}};
  EXPECT_EQ(B.prompt().FeedbackText, "On the value built from 1 value not shown here: the list should be sorted "
                                     "(score 0.5)");
}

TEST(PromptGraph, ScoresHaveSixSignificantDigits) {
  GraphBuilder B;
  B.node(1, 0, "2");
  B.feedback(1, "a", 0.59999999999999998);
  B.feedback(1, "b", 1.0 / 3);
  B.feedback(1, "c", 12345678.0);
  Prompt P = B.prompt();
  EXPECT_EQ(P.FeedbackText, "scale0: a (score 0.6)\nscale0: b (score 0.333333)\nscale0: c (score 1.23457e+07)");
}

TEST(PromptGraph, ExceptionShowsTheLineThatThrew) {
  std::string Path = testing::TempDir() + "/prompt-throw.cpp";
  {
    std::ofstream Out(Path);
    Out << "#include <stdexcept>\n"
           "double risky(double y) {\n"
           "    if (y == 0) throw std::domain_error(\"division by zero\");\n"
           "    return 1 / y;\n"
           "}\n";
  }
  // scale (trainable) feeds offset, which calls risky; risky threw.
  GraphBuilder B;
  B.node(1, 0, "2");
  B.node(2, 1, "6", 1);
  Node &R = B.node(3, 3, "0", 0, 2);
  B.T.setException(size_t(&R - B.T.Nodes.data()), B.T.save("std::domain_error"), B.T.save("division by zero"));
  B.T.setThrowSite(2, Path, 3);
  B.feedback(2, "offset failed");
  Prompt P = B.prompt();
  // The nested call that threw stays in #Code, with its exception as its result.
  EXPECT_EQ(sectionOf(P.User, "#Code"), "scale0 = scale(x=x0, __code=__code0)\n"
                                        "risky0 = risky(y=y0)\n"
                                        "offset0 = offset(y=scale0)  // calls risky0")
      << P.User;
  EXPECT_EQ(sectionOf(P.User, "#Others"),
            "(double) scale0=1\n"
            "risky0=(exception std::domain_error) division by zero\n"
            "  prompt-throw.cpp:3: if (y == 0) throw std::domain_error(\"division by zero\");   <--- "
            "(std::domain_error) division by zero")
      << P.User;

  // An unreadable file: only where it was thrown.
  B.T.setThrowSite(2, "/nonexistent/x.cpp", 12);
  EXPECT_NE(B.prompt().User.find("risky0=(exception std::domain_error) division by zero\n  (thrown at x.cpp:12)"),
            std::string::npos);
  // A line past the end of the file is not read either.
  B.T.setThrowSite(2, Path, 99);
  EXPECT_NE(B.prompt().User.find("(thrown at prompt-throw.cpp:99)"), std::string::npos);
  std::remove(Path.c_str());
}

TEST(PromptGraph, ElidedCallsAreMarkedInInputsAndOthers) {
  // A chain in which every call also takes an input, too long for the budget.
  TraceSet T = chain(600);
  for (Node &N : T.Nodes)
    T.args(N)[0].Modified = true;
  PromptOptions O;
  O.TokenBudget = 3000;
  Prompt P = buildPrompt(T, backward(T), O);
  std::string Code = sectionOf(P.User, "#Code"), Inputs = sectionOf(P.User, "#Inputs"),
              Others = sectionOf(P.User, "#Others");
  size_t Calls = Code.find(" calls left out to keep the prompt short) ...");
  ASSERT_NE(Calls, std::string::npos) << P.User;
  std::string Count = Code.substr(Code.rfind("... (", Calls) + 5, Calls - Code.rfind("... (", Calls) - 5);
  // Every left-out call had one input and one intermediate result.
  EXPECT_NE(Inputs.find("... (" + Count + " values of the " + Count + " calls left out"), std::string::npos) << Inputs;
  EXPECT_NE(Others.find("... (" + Count + " values of the " + Count + " calls left out"), std::string::npos) << Others;
  // The marks stand where the values would be: after the first calls' values.
  EXPECT_LT(Inputs.find("x0="), Inputs.find("left out"));
  EXPECT_LT(Others.find("step0="), Others.find("left out"));
  EXPECT_LE(estimateTokens(P.System) + estimateTokens(P.User), O.TokenBudget);
}

TEST(PromptGraph, CodeIsShownWithoutTheTrainableAttribute) {
  EXPECT_EQ(withoutTrainableAttribute("[[trace::trainable]] int f() { return 1; }"), "int f() { return 1; }");
  EXPECT_EQ(withoutTrainableAttribute("[[trace::trainable(\"be fast]]\")]] int f();"), "int f();");
  EXPECT_EQ(withoutTrainableAttribute("[[ trace :: trainable ]]\nint f() { return 1; }"), "int f() { return 1; }");
  EXPECT_EQ(withoutTrainableAttribute("template <class T>\n[[trace::trainable]]\nT f(T x) { return x; }"),
            "template <class T>\nT f(T x) { return x; }");
  EXPECT_EQ(withoutTrainableAttribute("[[nodiscard, trace::trainable(\"x\")]] int f();"), "[[nodiscard]] int f();");
  EXPECT_EQ(withoutTrainableAttribute("[[using trace: trainable, bundle]] int f();"), "[[using trace: bundle]] int f();");
  EXPECT_EQ(withoutTrainableAttribute("static [[trace::trainable]] int f();"), "static int f();");
  // Left alone: other attributes, look-alikes in strings and comments, and
  // brackets that are no attribute.
  for (const char *Same : {"[[nodiscard]] int f();", "int f() { return g(\"[[trace::trainable]]\"); }",
                           "int f() { // [[trace::trainable]]\n return a[[] { return 0; }()]; }",
                           "int f() { return R\"x([[trace::trainable]])x\"[0]; }"})
    EXPECT_EQ(withoutTrainableAttribute(Same), Same);
}

TEST(PromptGraph, ConstraintsListTheIncludesAndTheRule) {
  std::string Path = testing::TempDir() + "/prompt-includes.cpp";
  {
    std::ofstream Out(Path);
    Out << "// A file.\n#include <cmath>\n  #  include \"util.h\" // local\n/* #include <hidden>\n*/\n"
           "#define X 1\n#include_next <x>\n#include <vector>\n";
  }
  // A comment is one space before directives are seen: `*/ #include <c>`
  // starts a line that is a directive.
  EXPECT_EQ(includedHeaders("#include <a>\n/*\n#include <b>\n*/ #include <c>\n#include \"d.h\"\n"),
            (std::vector<std::string>{"<a>", "<c>", "\"d.h\""}));
  // Inside a raw string or a string, a line that looks like a directive is text.
  EXPECT_EQ(includedHeaders("const char *S = R\"(\n#include <not-a-header>\n)\";\n#include <vector>\n"),
            (std::vector<std::string>{"<vector>"}));
  GraphBuilder B;
  B.T.Params[0].File = Path;
  B.node(1, 0, "2");
  B.feedback(1, "wrong");
  std::string Constraints = sectionOf(B.prompt().User, "#Constraints");
  EXPECT_EQ(Constraints, "__code0: keep the function's name and signature exactly: `double scale(double x)`; the body "
                         "may change freely.\n"
                         "__code0: keep it linear\n"
                         "__code0: a suggestion may not add #include directives, macros or helper functions outside "
                         "the function.\n"
                         "__code0: its file prompt-includes.cpp includes <cmath>, \"util.h\", <vector>.\n"
                         "__code0: its file prompt-includes.cpp is compiled as C++17 (assumed: no compile command "
                         "of the file is recorded in the trace or found in a compile_commands.json); a new "
                         "definition must compile as C++17.");
  EXPECT_NE(Constraints.find(text::SuggestionScopeRule), std::string::npos);
  {
    std::ofstream Out(Path);
    Out << "int x;\n";
  }
  EXPECT_NE(B.prompt().User.find("__code0: its file prompt-includes.cpp has no #include lines."), std::string::npos);
  std::remove(Path.c_str());
  // An unreadable file: no claim about its includes (its standard is the check's, still said).
  EXPECT_EQ(B.prompt().User.find("prompt-includes.cpp includes"), std::string::npos);
  EXPECT_EQ(B.prompt().User.find("prompt-includes.cpp has no #include"), std::string::npos);
}

} // namespace
