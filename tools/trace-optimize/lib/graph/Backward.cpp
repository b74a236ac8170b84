//===- Backward.cpp - The backward pass -----------------------------------===//
#include "graph/Backward.h"

#include <cstdint>
#include <utility>

namespace traceopt {

Subgraph backward(const TraceSet &T) {
  // Without parameters the subgraph is empty: the graph of a large trace
  // need not be built to find that out.
  if (T.Params.empty())
    return Subgraph();
  return backward(T, buildGraph(T));
}

GraphPass backwardPass(const TraceSet &T) {
  GraphPass P;
  if (T.Params.empty())
    return P;
  P.G = buildGraph(T);
  P.Sub = backward(T, P.G);
  P.Built = true;
  return P;
}

Subgraph backward(const TraceSet &T, const Graph &G) {
  Subgraph S;
  const size_t N = T.Nodes.size();
  enum : uint8_t { Reaches = 1, Reached = 2, Emitted = 4, OnStack = 8, Listed = 16 };
  RecycledVector<uint8_t> Mark(N, 0);
  RecycledVector<uint32_t> Work;

  // 1. Everything the feedback depends on: reverse reachability over inputs,
  //    from the nodes feedback names (each producer of a value built from
  //    parts of several outputs among them) and the outputs of runs that
  //    got run-level feedback.
  std::vector<size_t> FeedbackNodes;
  auto Start = [&](size_t I) {
    if (I != TraceSet::npos && !(Mark[I] & Reaches)) {
      Mark[I] |= Reaches;
      Work.push_back(uint32_t(I));
      FeedbackNodes.push_back(I);
    }
  };
  for (size_t F = 0; F < G.FeedbackNode.size(); ++F) {
    Start(G.FeedbackNode[F]);
    if (F + 1 < G.FeedbackDerivedBegin.size())
      for (uint32_t E = G.FeedbackDerivedBegin[F]; E < G.FeedbackDerivedBegin[F + 1]; ++E)
        Start(G.FeedbackDerivedIdx[E]);
  }
  bool AnyRunFeedback = false;
  for (uint8_t R : G.RunFeedback)
    AnyRunFeedback |= R != 0;
  if (AnyRunFeedback)
    for (size_t I = 0; I < N; ++I)
      if (!(Mark[I] & Reaches) && isRunOutput(T, G, I)) {
        Mark[I] |= Reaches;
        Work.push_back(uint32_t(I));
      }
  while (!Work.empty()) {
    uint32_t I = Work.back();
    Work.pop_back();
    for (uint32_t E = G.InputBegin[I]; E < G.InputBegin[I + 1]; ++E) {
      uint32_t J = G.InputIdx[E];
      if (!(Mark[J] & Reaches)) {
        Mark[J] |= Reaches;
        Work.push_back(J);
      }
    }
  }

  // 2. The parameters read there, and forward reachability from their
  //    readers. A node outside step 1's set cannot lead back into it (that
  //    set is closed under inputs), so the walk stays inside it.
  std::vector<uint8_t> ParamSeen(T.Params.size(), 0);
  for (size_t I = 0; I < N; ++I) {
    if (!(Mark[I] & Reaches) || G.ParamBegin[I] == G.ParamBegin[I + 1])
      continue;
    for (uint32_t E = G.ParamBegin[I]; E < G.ParamBegin[I + 1]; ++E)
      ParamSeen[G.ParamIdx[E]] = 1;
    Mark[I] |= Reached;
    Work.push_back(uint32_t(I));
  }
  while (!Work.empty()) {
    uint32_t I = Work.back();
    Work.pop_back();
    for (uint32_t E = G.UserBegin[I]; E < G.UserBegin[I + 1]; ++E) {
      uint32_t J = G.UserIdx[E];
      if ((Mark[J] & Reaches) && !(Mark[J] & Reached)) {
        Mark[J] |= Reached;
        Work.push_back(J);
      }
    }
  }

  auto InSub = [&](size_t I) { return (Mark[I] & (Reaches | Reached)) == (Reaches | Reached); };

  // A call that threw inside a call of the subgraph stays, although no
  // parameter may reach it: its exception explains its caller's result. A
  // parent's index is below its children's in a file, so one pass also
  // keeps a chain of calls the exception passed through.
  for (size_t I = 0; I < N; ++I)
    if ((Mark[I] & Reaches) && !InSub(I) && T.Nodes[I].threw() && G.Parent[I] != NoIndex && InSub(G.Parent[I]))
      Mark[I] |= Reached;

  // 3. Topological order of the intersection: iterative post-order over
  //    inputs, so every input is emitted before its users.
  size_t Size = 0;
  for (size_t I = 0; I < N; ++I)
    Size += InSub(I);
  S.Nodes.reserve(Size);
  RecycledVector<std::pair<uint32_t, uint32_t>> Stack; // (node, next input edge)
  for (size_t Root = 0; Root < N; ++Root) {
    if (!InSub(Root) || (Mark[Root] & Emitted))
      continue;
    Stack.push_back({uint32_t(Root), G.InputBegin[Root]});
    Mark[Root] |= OnStack;
    while (!Stack.empty()) {
      auto &[I, E] = Stack.back();
      if (E < G.InputBegin[I + 1]) {
        uint32_t J = G.InputIdx[E++];
        if (InSub(J) && !(Mark[J] & (Emitted | OnStack))) {
          Mark[J] |= OnStack;
          Stack.push_back({J, G.InputBegin[J]});
        }
        continue;
      }
      Mark[I] = uint8_t((Mark[I] | Emitted) & ~OnStack);
      S.Nodes.push_back(I);
      Stack.pop_back();
    }
  }

  // Parameters in order of first use along the topological order.
  std::vector<uint8_t> ParamListed(T.Params.size(), 0);
  for (size_t I : S.Nodes)
    for (uint32_t E = G.ParamBegin[I]; E < G.ParamBegin[I + 1]; ++E) {
      uint32_t P = G.ParamIdx[E];
      if (ParamSeen[P] && !ParamListed[P]) {
        ParamListed[P] = 1;
        S.Params.push_back(P);
      }
    }
  for (size_t F : FeedbackNodes)
    if (InSub(F)) {
      S.Outputs.push_back(F);
      Mark[F] |= Listed;
    }
  if (AnyRunFeedback)
    for (size_t I : S.Nodes)
      if (isRunOutput(T, G, I) && !(Mark[I] & Listed))
        S.RunOutputs.push_back(I);
  return S;
}

} // namespace traceopt
