//===- BackwardTest.cpp - The backward pass -------------------------------===//
#include "graph/Backward.h"

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
    NodeInit N;
    N.Id = Id;
    N.Site = Site;
    N.Parent = Parent;
    N.Instance = Instance;
    N.Finished = true;
    std::vector<Arg> Args, Globals;
    for (uint64_t Fr : From) {
      Arg A;
      A.Name = "x";
      A.From = Fr;
      Args.push_back(A);
    }
    if (ReadsK) {
      Arg G;
      G.Name = "var:k";
      Globals.push_back(G);
    }
    T.addNode(N, Args, nullptr, Globals);
    return *this;
  }
  /// Adds node \p Id of site \p Site with one argument built from parts of
  /// the outputs of \p Derived and/or taken from the trainable variable
  /// \p FromParam.
  Builder &partsNode(uint64_t Id, int Site, std::vector<uint64_t> Derived, std::string_view FromParam = "",
                     uint64_t Parent = 0) {
    node(Id, Site, {0}, Parent);
    T.setExtra(T.values(T.Nodes.back()).FirstArg, FromParam, Derived);
    return *this;
  }
  /// The last node threw instead of returning.
  Builder &threw() {
    T.setException(T.Nodes.size() - 1, T.save("std::runtime_error"), T.save("boom"));
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
  /// Feedback on a value built from parts of the outputs of \p Producers
  /// (node 0 with a `derived` list, left for the graph to resolve).
  Builder &partsFeedback(std::vector<uint64_t> Producers, uint64_t Omitted = 0) {
    Feedback F;
    F.Text = "fb";
    for (uint64_t P : Producers)
      F.Derived.push_back({P, NoIndex});
    F.DerivedOmitted = Omitted;
    T.Feedbacks.push_back(F);
    return *this;
  }

  TraceSet T;
};

template <class V> std::vector<uint32_t> vec32(const V &X) { return std::vector<uint32_t>(X.begin(), X.end()); }

template <class Indices> std::vector<uint64_t> ids(const TraceSet &T, const Indices &Idx) {
  std::vector<uint64_t> Out;
  for (size_t I : Idx)
    Out.push_back(T.id(I));
  return Out;
}

/// The ids of the parameters the subgraph reaches, in its order.
std::vector<std::string> paramIds(const TraceSet &T, const Subgraph &S) {
  std::vector<std::string> Out;
  for (uint32_t P : S.Params)
    Out.push_back(T.Params[P].Id);
  return Out;
}

TEST(Backward, ChainFromParamToFeedback) {
  // 1 (g) -> 2 (f, trainable) -> 3 (g) -> 4 (g, feedback) -> 5 (g, after the feedback)
  Builder B;
  B.node(1, 1).node(2, 0, {1}).node(3, 1, {2}).node(4, 1, {3}).node(5, 1, {4}).feedback(4);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(paramIds(B.T, S), (std::vector<std::string>{"code:f()"}));
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
  EXPECT_EQ(paramIds(B.T, S), (std::vector<std::string>{"var:k"}));
}

TEST(Backward, RunLevelFeedbackIsAboutEveryTopLevelCall) {
  // Top-level 1 (f), top-level 3 (g) with child 4 (f), top-level 5 (g)
  // reading k, top-level 6 (g) reading nothing trainable; feedback node 0 is
  // about the whole run: every parameter the run used receives it.
  Builder B;
  B.node(1, 0).node(3, 1).node(4, 0, {}, 3).node(5, 1, {}, 0, /*ReadsK=*/true).node(6, 1).feedback(0);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{1, 4, 3, 5}));
  EXPECT_TRUE(S.Outputs.empty());
  EXPECT_EQ(ids(B.T, S.RunOutputs), (std::vector<uint64_t>{1, 3, 5}));
  EXPECT_EQ(paramIds(B.T, S), (std::vector<std::string>{"code:f()", "var:k"}));
  // A call that feedback also names is listed once, as a named output.
  B.feedback(3);
  S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Outputs), (std::vector<uint64_t>{3}));
  EXPECT_EQ(ids(B.T, S.RunOutputs), (std::vector<uint64_t>{1, 5}));
}

TEST(Backward, RunLevelFeedbackStaysInItsRun) {
  // Run 0 has run-level feedback, run 1 none: run 1's calls are not outputs.
  Builder B;
  B.node(1, 0, {}, 0, false, 0).node(1, 0, {}, 0, false, 1).feedback(0, 0);
  Subgraph S = backward(B.T);
  EXPECT_EQ(std::vector<size_t>(S.Nodes.begin(), S.Nodes.end()), (std::vector<size_t>{0}));
}

TEST(Backward, DerivedProducersAreEdges) {
  // 1 (f, trainable) and 2 (g) -> 3 (g) built from parts of both -> feedback.
  // Without the derived edges, nothing would reach the parameter.
  Builder B;
  B.node(1, 0).node(2, 1).partsNode(3, 1, {1, 2}).feedback(3);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(paramIds(B.T, S), (std::vector<std::string>{"code:f()"}));
  Graph G = buildGraph(B.T);
  EXPECT_EQ(vec32(G.InputIdx), (std::vector<uint32_t>{0, 1}));
}

TEST(Backward, FeedbackOnADerivedValueStartsAtEachProducer) {
  // v.push_back(f()) twice, then feedback on v: it starts at both f calls
  // (2 nested in g 1), which are its outputs, and not at the run's other
  // top-level calls (3, an f whose result was not part of v; 4 reading k).
  Builder B;
  B.node(1, 1).node(2, 0, {}, 1).node(3, 0).node(4, 1, {}, 0, /*ReadsK=*/true).node(5, 0).partsFeedback({2, 5});
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{2, 5}));
  EXPECT_EQ(ids(B.T, S.Outputs), (std::vector<uint64_t>{2, 5}));
  EXPECT_TRUE(S.RunOutputs.empty());
  EXPECT_EQ(paramIds(B.T, S), (std::vector<std::string>{"code:f()"}));
  // A producer the trace does not have is left out; the others still count.
  Builder C;
  C.node(1, 0).node(2, 1, {}, 0, /*ReadsK=*/true).partsFeedback({99, 1}, 3);
  S = backward(C.T);
  EXPECT_EQ(ids(C.T, S.Outputs), (std::vector<uint64_t>{1}));
  EXPECT_EQ(paramIds(C.T, S), (std::vector<std::string>{"code:f()"}));
  // With none of its producers in the trace, the value is about the whole
  // run, like feedback on a value no recorded call produced.
  Builder D;
  D.node(1, 0).node(2, 1, {}, 0, /*ReadsK=*/true).partsFeedback({99}, 1);
  S = backward(D.T);
  EXPECT_TRUE(S.Outputs.empty());
  EXPECT_EQ(ids(D.T, S.RunOutputs), (std::vector<uint64_t>{1, 2}));
}

TEST(Backward, FromParamConnectsTheParameter) {
  // g(k) with k passed as an argument: k is connected like a global g reads.
  Builder B;
  B.partsNode(1, 1, {}, "var:k").node(2, 1, {1}).feedback(2);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(paramIds(B.T, S), (std::vector<std::string>{"var:k"}));
  // An unknown parameter id connects nothing.
  Builder C;
  C.partsNode(1, 1, {}, "var:nope").feedback(1);
  EXPECT_TRUE(backward(C.T).Params.empty());
}

TEST(Backward, NestedCallThatThrewStays) {
  // 1 (g, feedback) calls 2 (g, threw; no parameter reaches it) and 3 (f):
  // 2's exception explains 1's result, so it stays; a nested call that
  // returned normally and that no parameter reaches does not.
  Builder B;
  B.node(1, 1).node(2, 1, {}, 1).threw().node(3, 0, {}, 1).node(4, 1, {}, 1).feedback(1);
  Subgraph S = backward(B.T);
  EXPECT_EQ(ids(B.T, S.Nodes), (std::vector<uint64_t>{2, 3, 1}));
  // Not when its caller is outside the subgraph.
  Builder C;
  C.node(1, 1).node(2, 1, {}, 1).threw().feedback(1);
  EXPECT_TRUE(backward(C.T).Nodes.empty());
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
  EXPECT_EQ(std::vector<size_t>(S.Nodes.begin(), S.Nodes.end()), (std::vector<size_t>{0}));
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
  EXPECT_EQ(B.T.id(S.Nodes.front()), 1u);
  EXPECT_EQ(B.T.id(S.Nodes.back()), N);
}

} // namespace

namespace {

template <class V> std::vector<uint32_t> vec(const V &X) { return std::vector<uint32_t>(X.begin(), X.end()); }

TEST(Graph, ReaderAndHandBuiltSetsGiveTheSameGraph) {
  // The reader resolves producers and parents while reading; a set built by
  // hand leaves them to buildGraph. 1 (f) feeds 2 (g) and its child 3 (g);
  // 4 names a producer that does not exist; feedback on 2.
  std::string Text =
      R"J({"k":"header","format":"trace-cpp","version":1})J" "\n"
      R"J({"k":"param","id":"code:f()","kind":"code","begin":0,"end":1})J" "\n"
      R"J({"k":"site","site":1,"key":"f()","name":"f","param":"code:f()"})J" "\n"
      R"J({"k":"site","site":2,"key":"g()","name":"g","param":null})J" "\n"
      R"J({"k":"call","node":1,"site":1,"parent":0,"args":[]})J" "\n"
      R"J({"k":"call","node":2,"site":2,"parent":0,"args":[{"name":"x","from":1}]})J" "\n"
      R"J({"k":"call","node":3,"site":2,"parent":2,"args":[{"name":"x","from":1}]})J" "\n"
      R"J({"k":"call","node":4,"site":2,"parent":0,"args":[{"name":"x","from":77}]})J" "\n"
      R"J({"k":"feedback","node":2,"text":"fb"})J" "\n";
  TraceSet Read;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "g.jsonl", Read, Error)) << Error;
  Builder B;
  B.node(1, 0).node(2, 1, {1}).node(3, 1, {1}, 2).node(4, 1, {77}).feedback(2);
  Graph G1 = buildGraph(Read), G2 = buildGraph(B.T);
  EXPECT_EQ(vec(G1.Parent), (std::vector<uint32_t>{NoIndex, NoIndex, 1, NoIndex}));
  EXPECT_EQ(vec(G1.Parent), vec(G2.Parent));
  // Inputs of 2: its argument's producer 1, then its child 3.
  EXPECT_EQ(vec(G1.InputBegin), (std::vector<uint32_t>{0, 0, 2, 3, 3}));
  EXPECT_EQ(vec(G1.InputIdx), (std::vector<uint32_t>{0, 2, 0}));
  EXPECT_EQ(vec(G1.UserBegin), (std::vector<uint32_t>{0, 2, 2, 3, 3}));
  EXPECT_EQ(vec(G1.UserIdx), (std::vector<uint32_t>{1, 2, 1}));
  EXPECT_EQ(vec(G1.InputBegin), vec(G2.InputBegin));
  EXPECT_EQ(vec(G1.InputIdx), vec(G2.InputIdx));
  EXPECT_EQ(vec(G1.UserBegin), vec(G2.UserBegin));
  EXPECT_EQ(vec(G1.UserIdx), vec(G2.UserIdx));
  EXPECT_EQ(vec(G1.ParamBegin), (std::vector<uint32_t>{0, 1, 1, 1, 1}));
  EXPECT_EQ(vec(G1.ParamIdx), (std::vector<uint32_t>{0}));
  EXPECT_EQ(G1.FeedbackNode, (std::vector<size_t>{1}));
  Subgraph S1 = backward(Read), S2 = backward(B.T);
  EXPECT_EQ(ids(Read, S1.Nodes), (std::vector<uint64_t>{1, 3, 2}));
  EXPECT_EQ(ids(Read, S1.Nodes), ids(B.T, S2.Nodes));
}

TEST(Graph, RebuildingGivesTheSameGraph) {
  // The arrays are large enough to be mapped directly; building again (as
  // every backward pass does) must give the same result.
  const uint64_t N = 600000;
  Builder B;
  B.node(1, 0);
  for (uint64_t I = 2; I <= N; ++I)
    B.node(I, 1, {I - 1}, I % 2 ? I - 1 : 0);
  B.feedback(N);
  Graph G1 = buildGraph(B.T);
  Graph G2 = buildGraph(B.T);
  EXPECT_EQ(G1.InputIdx.size(), N - 1 + (N - 1) / 2);
  EXPECT_TRUE(G1.InputIdx == G2.InputIdx);
  EXPECT_TRUE(G1.UserBegin == G2.UserBegin);
  EXPECT_EQ(G1.Parent[2], 1u);
  EXPECT_EQ(G1.Parent[1], NoIndex);
  Subgraph S = backward(B.T, G1);
  EXPECT_EQ(S.Nodes.size(), N);
}

} // namespace
