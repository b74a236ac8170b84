//===- Graph.cpp - Edges of the execution graph ---------------------------===//
#include "graph/Graph.h"

#include <atomic>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace traceopt {

namespace {

/// Fills one CSR direction: counts per source, exclusive prefix sums, then
/// every edge at its source's cursor. The cursors end where the next source
/// starts, so shifting them by one restores the starts without a second
/// cursor array. \p Visit calls its argument with (source, target) for
/// every edge, in the same order both times.
template <class F>
void fillCsr(size_t N, RecycledVector<uint32_t> &Begin, RecycledVector<uint32_t> &Idx, F &&Visit) {
  Begin.assign(N + 1, 0);
  Visit([&](uint32_t From, uint32_t) { ++Begin[From]; });
  uint32_t Sum = 0;
  for (size_t I = 0; I <= N; ++I) {
    uint32_t Count = Begin[I];
    Begin[I] = Sum;
    Sum += Count;
  }
  Idx.resize(Sum);
  Visit([&](uint32_t From, uint32_t To) { Idx[Begin[From]++] = To; });
  for (size_t I = N; I > 0; --I)
    Begin[I] = Begin[I - 1];
  Begin[0] = 0;
}

/// The facts of each lazy node, for a walk over the nodes in order: Facts
/// is sorted by node, so no node's facts need a search.
class FactCursor {
public:
  explicit FactCursor(const TraceSet &T) : P(T.Facts.data()), E(T.Facts.data() + T.Facts.size()) {}
  ArgRange<const Fact> of(size_t I) {
    while (P < E && P->Node < I)
      ++P;
    const Fact *B = P;
    while (P < E && P->Node == I)
      ++P;
    return {B, size_t(P - B)};
  }

private:
  const Fact *P, *E;
};

} // namespace

static std::atomic<size_t> GraphsBuilt{0};

size_t graphsBuilt() { return GraphsBuilt.load(std::memory_order_relaxed); }

Graph buildGraph(const TraceSet &T) {
  GraphsBuilt.fetch_add(1, std::memory_order_relaxed);
  Graph G;
  const size_t N = T.Nodes.size();

  // The reader resolved the ids of parents and producers when it read them;
  // a set built by hand may leave them to be looked up here.
  auto Resolve = [&](size_t I, uint32_t Index, uint64_t Id) -> uint32_t {
    if (Index != NoIndex || !Id)
      return Index;
    size_t J = T.indexOf(T.instance(I), Id);
    return J == TraceSet::npos ? NoIndex : uint32_t(J);
  };

  // Inputs: producers of arguments and `this` (`from` and `derived`), and
  // the calls made inside. Both CSR directions are built from one edge list.
  using Edge = std::pair<uint32_t, uint32_t>; // (user, input)
  RecycledVector<Edge> Edges;
  Edges.reserve(N + T.Args.size() + T.Facts.size() + T.Derived.size());
  G.Parent.resize(N);
  // Few traces have extras: without any, no argument is looked at for them.
  const bool AnyExtras = !T.Extras.empty();
  FactCursor NodeFacts(T);
  for (size_t I = 0; I < N; ++I) {
    const Node &Nd = T.Nodes[I];
    uint32_t Self = uint32_t(I);
    uint32_t Parent = Nd.ParentIndex;
    if (Parent == NoIndex && !Nd.topLevel())
      Parent = Resolve(I, NoIndex, T.parentId(I));
    G.Parent[I] = Parent == Self ? NoIndex : Parent;
    if (Nd.lazy()) {
      // A node of a binary trace: only its values with facts.
      for (const Fact &F : NodeFacts.of(I)) {
        if (F.What == Fact::Global)
          continue;
        uint32_t J = F.FromIndex;
        if (J != NoIndex && J != Self)
          Edges.push_back({Self, J});
        for (const DerivedRef &D : T.derived(F)) {
          uint32_t K = Resolve(I, D.Index, D.Id);
          if (K != NoIndex && K != Self && K != J)
            Edges.push_back({Self, K});
        }
      }
      if (G.Parent[I] != NoIndex)
        Edges.push_back({G.Parent[I], Self});
      continue;
    }
    const CallValues &V = T.values(Nd);
    for (const Arg *A = T.Args.data() + V.FirstArg, *E = A + V.NumArgs + V.HasThis; A < E; ++A) {
      uint32_t J = Resolve(I, A->FromIndex, A->From);
      if (J != NoIndex && J != Self)
        Edges.push_back({Self, J});
      if (!AnyExtras || !A->HasExtra)
        continue;
      if (const ArgExtra *X = T.extra(size_t(A - T.Args.data())))
        for (const DerivedRef &D : T.derived(*X)) {
          uint32_t K = Resolve(I, D.Index, D.Id);
          if (K != NoIndex && K != Self && K != J)
            Edges.push_back({Self, K});
        }
    }
    if (G.Parent[I] != NoIndex)
      Edges.push_back({G.Parent[I], Self});
  }
  fillCsr(N, G.InputBegin, G.InputIdx, [&](auto &&Add) {
    for (const auto &[User, Input] : Edges)
      Add(User, Input);
  });
  fillCsr(N, G.UserBegin, G.UserIdx, [&](auto &&Add) {
    for (const auto &[User, Input] : Edges)
      Add(Input, User);
  });
  Edges = RecycledVector<Edge>();

  // Parameters: the site's code (looked up once per site) and the globals.
  std::unordered_map<std::string_view, uint32_t> ParamIndex;
  for (size_t I = 0; I < T.Params.size(); ++I)
    ParamIndex.emplace(T.Params[I].Id, uint32_t(I));
  auto FindParam = [&](std::string_view Id) {
    auto It = ParamIndex.find(Id);
    return It == ParamIndex.end() ? NoIndex : It->second;
  };
  std::vector<uint32_t> SiteParam(T.Sites.size(), NoIndex);
  for (size_t S = 0; S < T.Sites.size(); ++S)
    if (!T.Sites[S].ParamId.empty())
      SiteParam[S] = FindParam(T.Sites[S].ParamId);
  fillCsr(N, G.ParamBegin, G.ParamIdx, [&](auto &&Add) {
    FactCursor ParamFacts(T);
    for (size_t I = 0; I < N; ++I) {
      const Node &Nd = T.Nodes[I];
      if (Nd.Site >= 0 && size_t(Nd.Site) < SiteParam.size() && SiteParam[size_t(Nd.Site)] != NoIndex)
        Add(uint32_t(I), SiteParam[size_t(Nd.Site)]);
      if (Nd.lazy()) {
        // Globals first, then the arguments' `from_param`, as below.
        auto Facts = ParamFacts.of(I);
        for (const Fact &F : Facts)
          if (F.What == Fact::Global)
            if (uint32_t P = FindParam(T.param(F)); P != NoIndex)
              Add(uint32_t(I), P);
        for (const Fact &F : Facts)
          if (F.What != Fact::Global && F.Extra != NoIndex && !T.param(F).empty())
            if (uint32_t P = FindParam(T.param(F)); P != NoIndex)
              Add(uint32_t(I), P);
        continue;
      }
      for (const Arg &Gl : T.globals(Nd))
        if (uint32_t P = FindParam(Gl.Name); P != NoIndex)
          Add(uint32_t(I), P);
      // An argument that came from a trainable variable connects it like a
      // global the body reads.
      const CallValues &V = T.values(Nd);
      for (size_t A = V.FirstArg, E = AnyExtras ? A + V.NumArgs + V.HasThis : A; A < E; ++A)
        if (T.Args[A].HasExtra)
          if (const ArgExtra *X = T.extra(A); X && !X->FromParam.empty())
            if (uint32_t P = FindParam(X->FromParam); P != NoIndex)
              Add(uint32_t(I), P);
    }
  });

  G.FeedbackNode.reserve(T.Feedbacks.size());
  G.FeedbackDerivedBegin.reserve(T.Feedbacks.size() + 1);
  G.RunFeedback.assign(T.IdToIndex.size(), 0);
  for (const Feedback &F : T.Feedbacks) {
    G.FeedbackDerivedBegin.push_back(uint32_t(G.FeedbackDerivedIdx.size()));
    if (F.Node == 0)
      for (const DerivedRef &D : F.Derived) {
        size_t J = D.Index != NoIndex ? D.Index : T.indexOf(F.Instance, D.Id);
        if (J != TraceSet::npos)
          G.FeedbackDerivedIdx.push_back(uint32_t(J));
      }
    if (F.onDerivedValue() && G.FeedbackDerivedIdx.size() > G.FeedbackDerivedBegin.back()) {
      G.FeedbackNode.push_back(TraceSet::npos);
    } else if (F.Node == 0) {
      // Run-level, or on a value none of whose producers is in the trace:
      // about every output of the run.
      G.FeedbackNode.push_back(TraceSet::npos);
      if (F.Instance < G.RunFeedback.size())
        G.RunFeedback[F.Instance] = 1;
    } else {
      G.FeedbackNode.push_back(T.indexOf(F.Instance, F.Node));
    }
  }
  G.FeedbackDerivedBegin.push_back(uint32_t(G.FeedbackDerivedIdx.size()));
  return G;
}

bool isRunOutput(const TraceSet &T, const Graph &G, size_t I) {
  if (!T.Nodes[I].topLevel())
    return false;
  unsigned Instance = T.instance(I);
  return Instance < G.RunFeedback.size() && G.RunFeedback[Instance];
}

} // namespace traceopt
