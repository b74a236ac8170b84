//===- PromptTest.cpp - Building the prompt -------------------------------===//
#include "Prompt.h"

#include <gtest/gtest.h>

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
    Node Nd;
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
  T.Nodes[0].NumGlobals = 0;
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
