//===- BackwardTest.cpp - The backward pass -------------------------------===//
#include "Backward.h"

#include <gtest/gtest.h>

using namespace traceopt;

namespace {

/// Builds a TraceSet in memory: sites 0 ("f", trainable code:f) and 1 ("g",
/// plain); one value parameter var:k.
class Builder {
public:
  Builder() {
    T.Sites.push_back({"f()", "f", "int f()", "a.cpp", "", "code:f()", 1, {}});
    T.Sites.push_back({"g()", "g", "int g()", "a.cpp", "", "", 2, {}});
    Param F;
    F.Id = "code:f()";
    F.Kind = "code";
    Param K;
    K.Id = "var:k";
    K.Kind = "value";
    Param Unused;
    Unused.Id = "var:unused";
    Unused.Kind = "value";
    T.Params = {F, K, Unused};
    T.IdToIndex.resize(1);
  }

  /// Adds node \p Id of site \p Site reading the outputs of \p From.
  Builder &node(uint64_t Id, int Site, std::vector<uint64_t> From = {}, uint64_t Parent = 0,
                bool ReadsK = false, unsigned Instance = 0) {
    if (T.IdToIndex.size() <= Instance)
      T.IdToIndex.resize(Instance + 1);
    T.IdToIndex[Instance].insert(Id, T.Nodes.size());
    Node N;
    N.Id = Id;
    N.Site = Site;
    N.Parent = Parent;
    N.Instance = Instance;
    N.Finished = true;
    for (uint64_t Fr : From) {
      Arg A;
      A.Name = "x";
      A.From = Fr;
      N.Args.push_back(A);
    }
    if (ReadsK) {
      Arg G;
      G.Name = "var:k";
      N.Globals.push_back(G);
    }
    T.Nodes.push_back(std::move(N));
    return *this;
  }
  Builder &feedback(uint64_t Id, unsigned Instance = 0) {
    Feedback F;
    F.Node = Id;
    F.Instance = Instance;
    F.Text = "fb";
    T.Feedbacks.push_back(F);
    return *this;
  }

  TraceSet T;
};

std::vector<uint64_t> ids(const TraceSet &T, const std::vector<size_t> &Idx) {
  std::vector<uint64_t> Out;
  for (size_t I : Idx)
    Out.push_back(T.Nodes[I].Id);
  return Out;
}

TEST(Backward, ChainFromParamToFeedback) {
  // 1 (g) -> 2 (f, trainable) -> 3 (g) -> 4 (g, feedback) -> 5 (g, after the feedback)
  Builder B;
  B.node(1, 1).node(2, 0, {1}).node(3, 1, {2}).node(4, 1, {3}).node(5, 1, {4}).feedback(4);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(S.Params, (std::vector<std::string>{"code:f()"}));
  EXPECT_EQ(ids(B.T, S.Outputs), (std::vector<uint64_t>{4}));
}

TEST(Backward, DiamondKeepsBothPathsInTopologicalOrder) {
  //      2 (g) 
  //   1 <     > 4 (g, feedback)      1 is trainable f
  //      3 (g)
  // Listed in an order that is not topological: 4 first.
  Builder B;
  B.node(4, 1, {2, 3}).node(3, 1, {1}).node(2, 1, {1}).node(1, 0).node(9, 1).feedback(4);
  Subgraph S = backward(B.T);
  std::vector<uint64_t> Order = ids(B.T, S.Nodes);
  ASSERT_EQ(Order.size(), 4u);
  EXPECT_EQ(Order.front(), 1u);
  EXPECT_EQ(Order.back(), 4u);
  EXPECT_EQ(S.Params.size(), 1u);
}

TEST(Backward, InputsWithoutParamsAreNotPartOfTheSubgraph) {
  // 1 (g) and 2 (f) both feed 3 (feedback); only 2 lies on a path from a parameter.
  Builder B;
  B.node(1, 1).node(2, 0).node(3, 1, {1, 2}).feedback(3);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{2, 3}));
}

TEST(Backward, ChildCallsFeedTheirParent) {
  // 1 (g, feedback) calls 2 (f, trainable): 2 feeds 1.
  Builder B;
  B.node(1, 1).node(2, 0, {}, 1).feedback(1);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{2, 1}));
}

TEST(Backward, TrainableGlobalsAreInputs) {
  Builder B;
  B.node(1, 1, {}, 0, /*ReadsK=*/true).node(2, 1, {1}).feedback(2);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(S.Params, (std::vector<std::string>{"var:k"}));
}

TEST(Backward, FeedbackWithoutNodeGoesToLatestTopLevelCall) {
  // Top-level 1 (f), top-level 3 (g) with child 4 (f); feedback node 0 -> 3.
  Builder B;
  B.node(1, 0).node(3, 1).node(4, 0, {}, 3).feedback(0);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{4, 3}));
  EXPECT_EQ(ids(B.T, S.Outputs), (std::vector<uint64_t>{3}));
}

TEST(Backward, InstancesDoNotMix) {
  // Node id 1 exists in both runs; the data-flow edge of run 1 stays in run 1.
  Builder B;
  B.node(1, 0, {}, 0, false, 0).node(1, 1, {}, 0, false, 1).node(2, 1, {1}, 0, false, 1).feedback(2, 1);
  Subgraph S = backward(B.T);
  EXPECT_TRUE(S.Nodes.empty()); // Run 1's node 1 is plain g: no parameter reaches the feedback.
  EXPECT_TRUE(S.Params.empty());
  B.feedback(1, 0);
  S = backward(B.T);
  EXPECT_EQ(S.Nodes, (std::vector<size_t>{0}));
}

TEST(Backward, NothingWithoutFeedback) {
  Builder B;
  B.node(1, 0).node(2, 1, {1});
  Subgraph S = backward(B.T);
  EXPECT_TRUE(S.Nodes.empty());
  EXPECT_TRUE(S.Params.empty());
}

TEST(Backward, CyclesFromBadInputDoNotHang) {
  Builder B;
  B.node(1, 0, {2}).node(2, 1, {1}).feedback(2);
  Subgraph S = backward(B.T);
  EXPECT_EQ(S.Nodes.size(), 2u);
}

TEST(Backward, MillionNodeChainFinishes) {
  // Linear time: a quadratic pass would not finish in the test's time.
  const uint64_t N = 1000000;
  Builder B;
  B.T.Nodes.reserve(N);
  B.T.IdToIndex[0].reserve(N);
  B.node(1, 0);
  for (uint64_t I = 2; I <= N; ++I)
    B.node(I, 1, {I - 1});
  B.feedback(N);
  Subgraph S = backward(B.T);
  ASSERT_EQ(S.Nodes.size(), N);
  EXPECT_EQ(B.T.Nodes[S.Nodes.front()].Id, 1u);
  EXPECT_EQ(B.T.Nodes[S.Nodes.back()].Id, N);
}

} // namespace
