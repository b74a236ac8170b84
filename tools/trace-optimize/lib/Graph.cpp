//===- Graph.cpp - Edges of the execution graph ---------------------------===//
#include "Graph.h"

#include <string_view>
#include <unordered_map>

namespace traceopt {

namespace {

/// Fills a CSR array from a count pass and a fill pass of \p Visit, which
/// calls its argument with (node, target) for every edge.
template <class F> void buildCsr(size_t N, std::vector<size_t> &Begin, std::vector<size_t> &Idx, F &&Visit) {
  Begin.assign(N + 1, 0);
  Visit([&](size_t From, size_t) { ++Begin[From + 1]; });
  for (size_t I = 0; I < N; ++I)
    Begin[I + 1] += Begin[I];
  Idx.resize(Begin[N]);
  std::vector<size_t> Fill(Begin.begin(), Begin.end() - 1);
  Visit([&](size_t From, size_t To) { Idx[Fill[From]++] = To; });
}

} // namespace

Graph buildGraph(const TraceSet &T) {
  Graph G;
  size_t N = T.Nodes.size();
  G.Parent.assign(N, TraceSet::npos);
  for (size_t I = 0; I < N; ++I) {
    const Node &Nd = T.Nodes[I];
    if (Nd.Parent)
      G.Parent[I] = T.indexOf(Nd.Instance, Nd.Parent);
    if (G.Parent[I] == I)
      G.Parent[I] = TraceSet::npos;
  }

  // Inputs: producers of arguments and `this`, and the calls made inside.
  // Ids are resolved once into an edge list; both CSR arrays are built from it.
  std::vector<std::pair<size_t, size_t>> Edges; // (user, input)
  Edges.reserve(N);
  for (size_t I = 0; I < N; ++I) {
    const Node &Nd = T.Nodes[I];
    for (const Arg &A : Nd.Args) {
      if (!A.From)
        continue;
      size_t J = T.indexOf(Nd.Instance, A.From);
      if (J != TraceSet::npos && J != I)
        Edges.push_back({I, J});
    }
    if (Nd.This && Nd.This->From) {
      size_t J = T.indexOf(Nd.Instance, Nd.This->From);
      if (J != TraceSet::npos && J != I)
        Edges.push_back({I, J});
    }
    if (G.Parent[I] != TraceSet::npos)
      Edges.push_back({G.Parent[I], I});
  }
  buildCsr(N, G.InputBegin, G.InputIdx, [&](auto &&Edge) {
    for (const auto &[User, Input] : Edges)
      Edge(User, Input);
  });
  buildCsr(N, G.UserBegin, G.UserIdx, [&](auto &&Edge) {
    for (const auto &[User, Input] : Edges)
      Edge(Input, User);
  });
  Edges.clear();
  Edges.shrink_to_fit();

  std::unordered_map<std::string_view, size_t> ParamIndex;
  for (size_t I = 0; I < T.Params.size(); ++I)
    ParamIndex.emplace(T.Params[I].Id, I);
  buildCsr(N, G.ParamBegin, G.ParamIdx, [&](auto &&Edge) {
    for (size_t I = 0; I < N; ++I) {
      const Node &Nd = T.Nodes[I];
      if (Nd.Site >= 0 && !T.Sites[size_t(Nd.Site)].ParamId.empty()) {
        auto It = ParamIndex.find(T.Sites[size_t(Nd.Site)].ParamId);
        if (It != ParamIndex.end())
          Edge(I, It->second);
      }
      for (const Arg &Gl : Nd.Globals) {
        auto It = ParamIndex.find(Gl.Name);
        if (It != ParamIndex.end())
          Edge(I, It->second);
      }
    }
  });

  // Feedback given without a value goes to the latest top-level call of its run.
  std::vector<size_t> LastTop(T.IdToIndex.size(), TraceSet::npos);
  for (size_t I = 0; I < N; ++I)
    if (!T.Nodes[I].Parent && T.Nodes[I].Instance < LastTop.size())
      LastTop[T.Nodes[I].Instance] = I;
  G.FeedbackNode.reserve(T.Feedbacks.size());
  for (const Feedback &F : T.Feedbacks) {
    if (F.Node)
      G.FeedbackNode.push_back(T.indexOf(F.Instance, F.Node));
    else
      G.FeedbackNode.push_back(F.Instance < LastTop.size() ? LastTop[F.Instance] : TraceSet::npos);
  }
  return G;
}

} // namespace traceopt
