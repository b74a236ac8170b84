//===- Dot.cpp - The execution graph as a Graphviz picture ----------------===//
#include "report/Dot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

extern char **environ;

namespace traceopt {

namespace {

/// One colour per highlighted parameter, in the order of Subgraph::Params;
/// red is kept for exceptions.
constexpr const char *Palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                   "#8c564b", "#e377c2", "#bcbd22", "#17becf"};
constexpr size_t PaletteSize = sizeof(Palette) / sizeof(Palette[0]);
/// Parameters beyond this many are drawn but not highlighted: a node's
/// parameters are one 64-bit mask.
constexpr size_t MaxHighlighted = 64;
constexpr const char *ExceptionColor = "#d62728";

std::string colorOf(size_t Bit) { return Palette[Bit % PaletteSize]; }

/// The length of the well-formed UTF-8 sequence at the start of \p S, or 0
/// when its first byte starts none (no overlong forms, no surrogates).
size_t utf8Length(std::string_view S) {
  auto B = [&](size_t I) { return uint8_t(S[I]); };
  auto Cont = [&](size_t I) { return I < S.size() && (B(I) & 0xC0) == 0x80; };
  uint8_t C = B(0);
  if (C < 0x80)
    return 1;
  if (C >= 0xC2 && C <= 0xDF)
    return Cont(1) ? 2 : 0;
  if (C >= 0xE0 && C <= 0xEF) {
    if (!Cont(1) || !Cont(2))
      return 0;
    if ((C == 0xE0 && B(1) < 0xA0) || (C == 0xED && B(1) > 0x9F))
      return 0;
    return 3;
  }
  if (C >= 0xF0 && C <= 0xF4) {
    if (!Cont(1) || !Cont(2) || !Cont(3))
      return 0;
    if ((C == 0xF0 && B(1) < 0x90) || (C == 0xF4 && B(1) > 0x8F))
      return 0;
    return 4;
  }
  return 0;
}

/// \p S cut to \p Width characters (code points, or bytes where the text
/// is not UTF-8) with "…" after a cut, and its line breaks kept for
/// appendDotEscaped to show as `\n`.
std::string clip(std::string_view S, size_t Width) {
  size_t Pos = 0, Chars = 0;
  while (Pos < S.size() && Chars < Width) {
    size_t L = utf8Length(S.substr(Pos));
    Pos += L ? L : 1;
    ++Chars;
  }
  std::string Out(S.substr(0, Pos));
  if (Pos < S.size())
    Out += "\u2026";
  return Out;
}

std::string plural(uint64_t N, std::string_view One, std::string_view Many) {
  return fmt::format("{} {}", N, N == 1 ? One : Many);
}

/// A label line break (centred) between lines already escaped.
constexpr std::string_view Br = "\\n";

struct Group {
  uint32_t Parent = NoIndex; ///< The group of the callers; NoIndex for a run's root.
  int32_t Site = -2;         ///< -2 for a run's root.
  uint32_t Instance = 0;
  uint32_t Depth = 0;
  uint32_t First = NoIndex, Last = NoIndex; ///< First and last call, indices into T.Nodes.
  uint64_t Count = 0, Threw = 0;
  /// Calls of groups left out under this one (their nearest drawn caller).
  uint64_t Hidden = 0;
  uint64_t Mask = 0;        ///< Highlighted parameters of its calls (bits of Subgraph::Params).
  uint32_t Drawn = NoIndex; ///< Its number among the drawn nodes, NoIndex if left out.
};

/// (caller group, function, position of the run among the caller's calls)
/// names a folded node.
struct GroupKey {
  uint32_t Parent;
  int32_t Site;
  uint32_t Run;
  bool operator==(const GroupKey &O) const { return Parent == O.Parent && Site == O.Site && Run == O.Run; }
};
struct GroupKeyHash {
  size_t operator()(const GroupKey &K) const {
    uint64_t H = (uint64_t(K.Parent) << 32 | uint32_t(K.Site)) * 0x9E3779B97F4A7C15ull;
    return size_t(H ^ (H >> 29) ^ (uint64_t(K.Run) * 0xC2B2AE3D27D4EB4Full));
  }
};

enum class EdgeKind : uint8_t { Data, Call };

struct Edge {
  uint32_t From, To;
  EdgeKind Kind;
  uint64_t Count = 0, Mask = 0;
};

class DotWriter {
public:
  DotWriter(const TraceSet &T, const Graph &G, const Subgraph &S, const DotOptions &O)
      : T(T), G(G), S(S), O(O), N(T.Nodes.size()) {
    Instances = std::max<size_t>({T.Files.size(), T.IdToIndex.size(), 1});
  }

  std::string render() {
    highlight();
    if (!fold(/*ByRun=*/true)) {
      // Too many even with loops folded: fold the calls of each function
      // under a caller into one, wherever they are in its body.
      ByFunction = true;
      fold(/*ByRun=*/false);
    }
    choose();
    collectEdges();
    write();
    return std::move(Out);
  }

private:
  /// Mask[I]: the parameters whose subgraph holds node I. The subgraph of
  /// parameter P is the nodes of S reachable in S from a node of S that
  /// reads P; S.Nodes is topological (inputs first), so one pass suffices.
  void highlight() {
    Mask.assign(N, 0);
    InSub.assign(N, 0);
    for (size_t I : S.Nodes)
      InSub[I] = 1;
    ParamBit.assign(T.Params.size(), -1);
    for (size_t B = 0; B < S.Params.size() && B < MaxHighlighted; ++B)
      ParamBit[S.Params[B]] = int(B);
    for (size_t I : S.Nodes) {
      uint64_t M = 0;
      for (uint32_t E = G.ParamBegin[I]; E < G.ParamBegin[I + 1]; ++E)
        if (int B = ParamBit[G.ParamIdx[E]]; B >= 0)
          M |= uint64_t(1) << B;
      for (uint32_t E = G.InputBegin[I]; E < G.InputBegin[I + 1]; ++E)
        if (InSub[G.InputIdx[E]])
          M |= Mask[G.InputIdx[E]];
      Mask[I] = M;
    }
    // A call that threw inside a call of the subgraph is there for its
    // caller's sake: it is its caller's colour.
    for (size_t I : S.Nodes)
      if (!Mask[I] && T.Nodes[I].threw() && G.Parent[I] != NoIndex)
        Mask[I] = Mask[G.Parent[I]];
    ParamCalls.assign(S.Params.size(), 0);
    for (size_t I : S.Nodes)
      for (uint64_t M = Mask[I]; M; M &= M - 1)
        ++ParamCalls[size_t(__builtin_ctzll(M))];
  }

  size_t callGroups() const { return Groups.size() - Instances; }

  /// Assigns every call its folded node. A parent comes before its calls in
  /// a trace, so the callers' node is known when a call is met. With
  /// \p ByRun, the k-th run of calls of one function under a call joins the
  /// node of the k-th run of the other calls of its caller's node with the
  /// same function at that position; else all calls of a function under a
  /// caller's node are one node. False when folding runs would leave more
  /// than the budget (it stops there).
  bool fold(bool ByRun) {
    Groups.clear();
    for (size_t R = 0; R < Instances; ++R) {
      Group Root;
      Root.Instance = uint32_t(R);
      Groups.push_back(Root);
    }
    GroupOf.assign(N, NoIndex);
    // Per caller (a call, or a run's top level at N + instance): the node of
    // its last call so far, and how many runs of calls it has started.
    std::vector<uint32_t> LastGroup(N + Instances, NoIndex), Runs(N + Instances, 0);
    std::unordered_map<GroupKey, uint32_t, GroupKeyHash> Index;
    for (size_t I = 0; I < N; ++I) {
      const Node &Nd = T.Nodes[I];
      uint32_t Parent = G.Parent[I];
      size_t Slot;
      uint32_t ParentGroup;
      if (Parent != NoIndex && Parent < I && GroupOf[Parent] != NoIndex) {
        Slot = Parent;
        ParentGroup = GroupOf[Parent];
      } else {
        unsigned Inst = std::min<size_t>(T.instance(I), Instances - 1);
        Slot = N + Inst;
        ParentGroup = Inst;
      }
      uint32_t Gr = LastGroup[Slot];
      if (Gr == NoIndex || Groups[Gr].Site != Nd.Site) {
        GroupKey K{ParentGroup, Nd.Site, ByRun ? Runs[Slot]++ : 0};
        auto [It, New] = Index.try_emplace(K, uint32_t(Groups.size()));
        Gr = It->second;
        if (New) {
          // Folding runs gives up at once when there are too many: each
          // function's calls under a caller are folded instead.
          if (ByRun && callGroups() == O.MaxNodes)
            return false;
          Group NewGroup;
          NewGroup.Parent = ParentGroup;
          NewGroup.Site = Nd.Site;
          NewGroup.Instance = Groups[ParentGroup].Instance;
          NewGroup.Depth = Groups[ParentGroup].Depth + 1;
          NewGroup.First = uint32_t(I);
          Groups.push_back(NewGroup);
        }
        LastGroup[Slot] = Gr;
      }
      Group &Into = Groups[Gr];
      GroupOf[I] = Gr;
      Into.Last = uint32_t(I);
      ++Into.Count;
      Into.Threw += Nd.threw();
      Into.Mask |= Mask[I];
    }
    return true;
  }

  /// Which nodes are drawn: all when they fit the budget; else the
  /// highlighted ones first, then the shallower, then the earlier. A node
  /// left out is counted in its nearest drawn caller.
  void choose() {
    std::vector<uint32_t> Order;
    for (uint32_t Gr = uint32_t(Instances); Gr < Groups.size(); ++Gr)
      Order.push_back(Gr);
    if (Order.size() > O.MaxNodes) {
      std::sort(Order.begin(), Order.end(), [&](uint32_t A, uint32_t B) {
        const Group &GA = Groups[A], &GB = Groups[B];
        if ((GA.Mask != 0) != (GB.Mask != 0))
          return GA.Mask != 0;
        if (GA.Depth != GB.Depth)
          return GA.Depth < GB.Depth;
        return A < B;
      });
      Order.resize(O.MaxNodes);
      std::sort(Order.begin(), Order.end());
    }
    for (uint32_t Gr : Order)
      Groups[Gr].Drawn = DrawnCount++;
    // Callers come before their calls: the nearest drawn caller of each
    // node is known when it is met.
    std::vector<uint32_t> Nearest(Groups.size());
    for (uint32_t Gr = 0; Gr < Groups.size(); ++Gr) {
      Group &Gp = Groups[Gr];
      if (Gr < Instances || Gp.Drawn != NoIndex) {
        Nearest[Gr] = Gr;
        continue;
      }
      Nearest[Gr] = Nearest[Gp.Parent];
      Groups[Nearest[Gr]].Hidden += Gp.Count;
      HiddenCalls += Gp.Count;
      ++HiddenGroups;
    }
  }

  void collectEdges() {
    std::unordered_map<uint64_t, uint32_t> Index;
    uint64_t LastKey = ~uint64_t(0);
    uint32_t LastEdge = 0;
    auto Add = [&](uint32_t From, uint32_t To, EdgeKind Kind, uint64_t M) {
      uint64_t Key = (uint64_t(From) << 33) | (uint64_t(To) << 1) | uint64_t(Kind);
      if (Key != LastKey) {
        auto [It, New] = Index.try_emplace(Key, uint32_t(Edges.size()));
        if (New)
          Edges.push_back({From, To, Kind});
        LastKey = Key;
        LastEdge = It->second;
      }
      ++Edges[LastEdge].Count;
      Edges[LastEdge].Mask |= M;
    };
    for (size_t I = 0; I < N; ++I) {
      uint32_t GI = Groups[GroupOf[I]].Drawn;
      for (uint32_t E = G.InputBegin[I]; E < G.InputBegin[I + 1]; ++E) {
        uint32_t J = G.InputIdx[E];
        uint32_t GJ = Groups[GroupOf[J]].Drawn;
        if (GI == NoIndex || GJ == NoIndex)
          continue;
        uint64_t M = InSub[I] && InSub[J] ? Mask[I] & Mask[J] : 0;
        // The graph makes a call an input of its caller; the picture draws
        // the caller above, with an edge to the call.
        if (G.Parent[J] == I)
          Add(GI, GJ, EdgeKind::Call, M);
        else
          Add(GJ, GI, EdgeKind::Data, M);
      }
    }
  }

  //===--- Text -----------------------------------------------------------===//

  void put(std::string_view S) { Out += S; }
  void esc(std::string_view S) { appendDotEscaped(Out, S); }

  /// The values of call \p I: "(a=1, b=2) → 3", or "throws E: what".
  std::string callText(size_t I) {
    CallView V = T.call(I);
    if (!V.Error.empty())
      return "(values unreadable)";
    std::string S = "(";
    size_t Shown = 0;
    for (const Arg &A : V.args()) {
      if (Shown == 4) {
        S += ", \u2026";
        break;
      }
      S += Shown++ ? ", " : "";
      if (!A.Name.empty())
        S += std::string(A.Name) + "=";
      S += clip(A.Value, O.MaxValueChars);
    }
    S += ")";
    if (V.threw()) {
      S += " throws " + clip(V.excType().value_or("an exception"), O.MaxValueChars);
      if (auto W = V.excWhat())
        S += ": " + clip(*W, O.MaxValueChars);
    } else if (auto R = V.ret()) {
      S += " \u2192 " + clip(*R, O.MaxValueChars);
    }
    return S;
  }

  std::string siteName(int32_t Site) const {
    if (Site < 0 || size_t(Site) >= T.Sites.size())
      return "(unknown function)";
    return T.Sites[size_t(Site)].Name;
  }

  /// The ids of the parameters in \p M, for a tooltip.
  std::string paramList(uint64_t M) const {
    std::string List;
    for (; M; M &= M - 1)
      List += (List.empty() ? "" : ", ") + T.Params[S.Params[size_t(__builtin_ctzll(M))]].Id;
    return List;
  }

  /// fillcolor and style of something highlighted for the parameters in
  /// \p M: one colour, or stripes of each.
  void fill(uint64_t M) {
    if (!M) {
      put(", style=\"filled\", fillcolor=\"white\"");
      return;
    }
    std::string Colors;
    for (uint64_t R = M; R; R &= R - 1)
      Colors += (Colors.empty() ? "" : ":") + colorOf(size_t(__builtin_ctzll(R))) + "55";
    put(fmt::format(", style=\"{}\", fillcolor=\"{}\"", (M & (M - 1)) ? "filled,striped" : "filled", Colors));
  }

  void edgeColor(uint64_t M) {
    std::string Colors;
    for (uint64_t R = M; R; R &= R - 1)
      Colors += (Colors.empty() ? "" : ":") + colorOf(size_t(__builtin_ctzll(R)));
    put(fmt::format(", color=\"{}\", penwidth=2", Colors));
  }

  void writeGroup(const Group &Gp) {
    put(fmt::format("  c{} [label=\"", Gp.Drawn));
    esc(siteName(Gp.Site));
    if (Gp.Count > 1)
      put(fmt::format(" \u00d7 {}", Gp.Count));
    put(Br);
    if (Gp.Count > 1)
      put("first ");
    esc(callText(Gp.First));
    if (Gp.Count > 1) {
      put(Br);
      put("last ");
      esc(callText(Gp.Last));
    }
    if (Gp.Threw && Gp.Count > 1)
      put(fmt::format("{}{} threw", Br, Gp.Threw));
    if (Gp.Hidden)
      put(fmt::format("{}+{} not drawn", Br, plural(Gp.Hidden, "call inside", "calls inside")));
    put("\"");
    fill(Gp.Mask);
    if (Gp.Threw)
      put(fmt::format(", color=\"{}\", penwidth=2", ExceptionColor));
    if (Gp.Mask) {
      put(", tooltip=\"on the path from ");
      esc(paramList(Gp.Mask));
      put(" to feedback\"");
    }
    put("];\n");
  }

  /// Feedback folded by what it is about: a drawn node, a run, or the set
  /// of nodes a value was built from.
  struct FeedbackNode {
    std::vector<uint32_t> From; ///< Drawn call nodes.
    std::string Key;
    unsigned Instance = 0;
    bool Run = false;
    size_t First = 0, Count = 0, Successes = 0, Scores = 0;
    double Sum = 0;
  };

  std::vector<FeedbackNode> collectFeedback() {
    std::vector<FeedbackNode> Nodes;
    std::unordered_map<std::string, size_t> Index;
    for (size_t F = 0; F < T.Feedbacks.size(); ++F) {
      const Feedback &Fb = T.Feedbacks[F];
      std::vector<uint32_t> From;
      auto AddFrom = [&](size_t I) {
        if (I == TraceSet::npos || I >= N)
          return;
        if (uint32_t D = Groups[GroupOf[I]].Drawn; D != NoIndex && std::find(From.begin(), From.end(), D) == From.end())
          From.push_back(D);
      };
      bool Run = false;
      if (F < G.FeedbackNode.size() && G.FeedbackNode[F] != TraceSet::npos) {
        AddFrom(G.FeedbackNode[F]);
      } else if (F + 1 < G.FeedbackDerivedBegin.size() && G.FeedbackDerivedBegin[F] < G.FeedbackDerivedBegin[F + 1]) {
        for (uint32_t E = G.FeedbackDerivedBegin[F]; E < G.FeedbackDerivedBegin[F + 1]; ++E)
          AddFrom(G.FeedbackDerivedIdx[E]);
      } else {
        Run = true;
      }
      std::sort(From.begin(), From.end());
      // Feedback on calls left out is one node per run, with no edge.
      std::string Key = Run            ? fmt::format("run {}", Fb.Instance)
                        : From.empty() ? fmt::format("undrawn {}", Fb.Instance)
                                       : "calls";
      for (uint32_t D : From)
        Key += fmt::format(" {}", D);
      auto [It, New] = Index.try_emplace(Key, Nodes.size());
      if (New) {
        FeedbackNode Nd;
        Nd.From = std::move(From);
        Nd.Key = Key;
        Nd.Instance = Fb.Instance;
        Nd.Run = Run;
        Nd.First = F;
        Nodes.push_back(std::move(Nd));
      }
      FeedbackNode &Nd = Nodes[It->second];
      ++Nd.Count;
      Nd.Successes += Fb.Success;
      if (Fb.Score) {
        ++Nd.Scores;
        Nd.Sum += *Fb.Score;
      }
    }
    return Nodes;
  }

  void writeFeedback(size_t K, const FeedbackNode &F) {
    const Feedback &First = T.Feedbacks[F.First];
    put(fmt::format("  f{} [shape=note, style=filled, fillcolor=\"#fff3b0\", label=\"", K));
    put(F.Run ? "feedback on the whole run" : F.From.empty() ? "feedback on calls not drawn" : "feedback");
    if (F.Count > 1)
      put(fmt::format(" \u00d7 {}", F.Count));
    put(Br);
    if (F.Count > 1)
      put("first: ");
    esc(clip(First.Text, 3 * O.MaxValueChars));
    if (F.Scores == 1)
      put(fmt::format("{}score {:.3g}", Br, F.Sum));
    else if (F.Scores)
      put(fmt::format("{}mean score {:.3g} ({} scores)", Br, F.Sum / double(F.Scores), F.Scores));
    if (F.Successes)
      put(fmt::format("{}{}", Br, F.Count == 1 ? std::string("success") : plural(F.Successes, "success", "successes")));
    put("\"];\n");
  }

  void writeRunOpen(unsigned R) {
    if (Instances < 2)
      return;
    put(fmt::format("  subgraph cluster_run{} {{\n  label=\"run {}: ", R, R + 1));
    esc(R < T.Files.size() ? T.Files[R] : std::string());
    put("\"; style=rounded; color=\"#999999\";\n");
  }

  void write() {
    std::vector<FeedbackNode> Feedback = collectFeedback();
    put("digraph trace {\n");
    size_t Drawn = DrawnCount;
    put("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=11, labelloc=t, label=\"");
    std::string Notes;
    if (ByFunction)
      Notes = "folded by function under each caller";
    if (HiddenCalls)
      Notes += fmt::format("{}{} in {} more {} not drawn: see --max-nodes", Notes.empty() ? "" : "; ",
                           plural(HiddenCalls, "call", "calls"), HiddenGroups, HiddenGroups == 1 ? "node" : "nodes");
    esc(fmt::format("{}, {} in {}{}; {}, {}", plural(Instances, "run", "runs"), plural(N, "call", "calls"),
                    plural(Drawn, "node", "nodes"), Notes.empty() ? Notes : " (" + Notes + ")",
                    plural(T.Params.size(), "parameter", "parameters"),
                    plural(T.Feedbacks.size(), "feedback", "feedbacks")));
    put("\"];\n");
    put("  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    put("  edge [fontname=\"Helvetica\", fontsize=9];\n");

    // Calls and feedback, in a cluster per run when there are several.
    for (unsigned R = 0; R < Instances; ++R) {
      writeRunOpen(R);
      for (uint32_t Gr = uint32_t(Instances); Gr < Groups.size(); ++Gr)
        if (Groups[Gr].Drawn != NoIndex && Groups[Gr].Instance == R)
          writeGroup(Groups[Gr]);
      for (size_t K = 0; K < Feedback.size(); ++K)
        if (Feedback[K].Instance == R || (R + 1 == Instances && Feedback[K].Instance >= Instances))
          writeFeedback(K, Feedback[K]);
      if (Instances >= 2)
        put("  }\n");
    }

    // Parameters: one node each, in the colour of their subgraph.
    for (size_t P = 0; P < T.Params.size(); ++P) {
      const Param &Pm = T.Params[P];
      int B = ParamBit[P];
      put(fmt::format("  p{} [shape=box, style=\"filled,bold\", fillcolor=\"{}\", label=\"", P,
                      B >= 0 ? colorOf(size_t(B)) + "99" : std::string("#eeeeee")));
      esc(fmt::format("parameter ({})", Pm.Kind));
      put(Br);
      esc(clip(Pm.Id, 3 * O.MaxValueChars));
      if (Pm.Kind != "code" && !(Pm.Value.empty() && Pm.Text.empty())) {
        put(Br);
        esc("= " + clip(Pm.Value.empty() ? Pm.Text : Pm.Value, O.MaxValueChars));
      }
      put(Br);
      if (B >= 0)
        esc(fmt::format("feedback reaches it through {}", plural(ParamCalls[size_t(B)], "call", "calls")));
      else if (std::find(S.Params.begin(), S.Params.end(), uint32_t(P)) != S.Params.end())
        esc("reached by feedback (not highlighted)");
      else
        esc("no feedback reaches it");
      put("\"];\n");
    }

    // Edges: data flow, caller to call, parameter reads, feedback.
    for (const Edge &E : Edges) {
      put(fmt::format("  c{} -> c{} [", E.From, E.To));
      if (E.Kind == EdgeKind::Call)
        put("style=dashed, arrowhead=empty");
      else
        put("style=solid");
      if (E.Mask)
        edgeColor(E.Mask);
      else
        put(E.Kind == EdgeKind::Call ? ", color=\"#888888\"" : ", color=\"#333333\"");
      if (E.Kind == EdgeKind::Data && E.Count > 1)
        put(fmt::format(", label=\"\u00d7 {}\"", E.Count));
      put("];\n");
    }
    writeParamEdges();
    for (size_t K = 0; K < Feedback.size(); ++K)
      for (uint32_t D : Feedback[K].From)
        put(fmt::format("  c{} -> f{} [color=\"#b8860b\"];\n", D, K));
    // Run-level feedback is about the run's top-level calls.
    for (size_t K = 0; K < Feedback.size(); ++K) {
      if (!Feedback[K].Run)
        continue;
      for (uint32_t Gr = uint32_t(Instances); Gr < Groups.size(); ++Gr)
        if (Groups[Gr].Drawn != NoIndex && Groups[Gr].Parent == Feedback[K].Instance)
          put(fmt::format("  c{} -> f{} [color=\"#b8860b\", style=dashed];\n", Groups[Gr].Drawn, K));
    }
    writeLegend();
    put("}\n");
  }

  void writeParamEdges() {
    std::unordered_map<uint64_t, size_t> Index;
    std::vector<std::pair<uint64_t, uint64_t>> List; // (param << 32 | drawn node, mask)
    uint64_t LastKey = ~uint64_t(0);
    size_t Last = 0;
    for (size_t I = 0; I < N; ++I) {
      uint32_t D = Groups[GroupOf[I]].Drawn;
      if (D == NoIndex)
        continue;
      for (uint32_t E = G.ParamBegin[I]; E < G.ParamBegin[I + 1]; ++E) {
        uint32_t P = G.ParamIdx[E];
        uint64_t Key = uint64_t(P) << 32 | D;
        int B = ParamBit[P];
        uint64_t M = B >= 0 && InSub[I] ? Mask[I] & (uint64_t(1) << B) : 0;
        if (Key != LastKey) {
          auto [It, New] = Index.try_emplace(Key, List.size());
          if (New)
            List.push_back({Key, 0});
          LastKey = Key;
          Last = It->second;
        }
        List[Last].second |= M;
      }
    }
    for (const auto &[Key, M] : List) {
      put(fmt::format("  p{} -> c{} [style=dotted", Key >> 32, Key & 0xFFFFFFFFu));
      if (M)
        edgeColor(M);
      else
        put(", color=\"#888888\"");
      put("];\n");
    }
  }

  void writeLegend() {
    put("  subgraph cluster_legend {\n  label=\"legend\"; style=dashed; color=\"#999999\"; fontsize=10;\n");
    put("  node [shape=plaintext, fontsize=9, style=\"\"];\n");
    put("  legend_data_a [label=\"producer\"]; legend_data_b [label=\"user\"];\n");
    put("  legend_data_a -> legend_data_b [label=\"data flow\", color=\"#333333\"];\n");
    put("  legend_call_a [label=\"caller\"]; legend_call_b [label=\"call\"];\n");
    put("  legend_call_a -> legend_call_b [label=\"calls\", style=dashed, arrowhead=empty, color=\"#888888\"];\n");
    put("  legend_param_a [label=\"parameter\"]; legend_param_b [label=\"reader\"];\n");
    put("  legend_param_a -> legend_param_b [label=\"reads\", style=dotted, color=\"#888888\"];\n");
    for (size_t B = 0; B < S.Params.size() && B < MaxHighlighted; ++B) {
      put(fmt::format("  legend_p{} [shape=box, style=filled, fillcolor=\"{}55\", label=\"", B, colorOf(B)));
      esc(fmt::format("blamed: {} (path to feedback, {})", clip(T.Params[S.Params[B]].Id, 3 * O.MaxValueChars),
                      plural(ParamCalls[B], "call", "calls")));
      put("\"];\n");
    }
    put("  legend_exc [shape=box, color=\"");
    put(ExceptionColor);
    put("\", penwidth=2, label=\"threw\"];\n");
    put("  }\n");
  }

  const TraceSet &T;
  const Graph &G;
  const Subgraph &S;
  const DotOptions &O;
  const size_t N;
  size_t Instances = 1;
  bool ByFunction = false;
  std::vector<uint64_t> Mask;
  std::vector<uint8_t> InSub;
  std::vector<int> ParamBit;
  std::vector<uint64_t> ParamCalls;
  std::vector<Group> Groups;
  std::vector<uint32_t> GroupOf;
  std::vector<Edge> Edges;
  uint32_t DrawnCount = 0;
  uint64_t HiddenCalls = 0, HiddenGroups = 0;
  std::string Out;
};

} // namespace

void appendDotEscaped(std::string &Dst, std::string_view Text) {
  static const char Hex[] = "0123456789abcdef";
  for (size_t I = 0; I < Text.size();) {
    unsigned char C = uint8_t(Text[I]);
    size_t L = utf8Length(Text.substr(I));
    if (L > 1) {
      Dst.append(Text.substr(I, L));
      I += L;
      continue;
    }
    ++I;
    // In DOT, `\` starts an escape of its own (`\n`, `\N`, `\G`, ...): a
    // backslash shown as text is written twice.
    switch (L ? C : 0x100) {
    case '"':
      Dst += "\\\"";
      break;
    case '\\':
      Dst += "\\\\";
      break;
    case '\n':
      Dst += "\\\\n";
      break;
    case '\t':
      Dst += "\\\\t";
      break;
    case '\r':
      Dst += "\\\\r";
      break;
    default:
      if (L && C >= 0x20 && C != 0x7F) {
        Dst += char(C);
        break;
      }
      Dst += "\\\\x";
      Dst += Hex[C >> 4];
      Dst += Hex[C & 15];
    }
  }
}

std::string renderDot(const TraceSet &T, const Graph &G, const Subgraph &S, const DotOptions &O) {
  DotOptions Opts = O;
  Opts.MaxNodes = std::max<size_t>(Opts.MaxNodes, 1);
  return DotWriter(T, G, S, Opts).render();
}

std::string findProgram(std::string_view Name) {
  const char *Path = std::getenv("PATH");
  std::string_view Dirs = Path ? Path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    size_t Colon = Dirs.find(':');
    std::string Dir(Dirs.substr(0, Colon));
    if (Dir.empty())
      Dir = ".";
    std::string Candidate = Dir + "/" + std::string(Name);
    struct stat St;
    if (::stat(Candidate.c_str(), &St) == 0 && S_ISREG(St.st_mode) && ::access(Candidate.c_str(), X_OK) == 0)
      return Candidate;
    if (Colon == std::string_view::npos)
      return "";
    Dirs.remove_prefix(Colon + 1);
  }
}

std::string graphvizMissing(const std::string &Format) {
  if (!findProgram("dot").empty())
    return "";
  return fmt::format("--format {} needs Graphviz's 'dot' program, which is not on PATH; install the package "
                     "'graphviz' (Debian: apt-get install graphviz), or write DOT text with --format dot",
                     Format);
}

bool runGraphviz(const std::string &Dot, const std::string &Format, const std::string &OutPath, std::string &Error) {
  std::string Program = findProgram("dot");
  if (Program.empty()) {
    Error = graphvizMissing(Format);
    return false;
  }
  int Pipe[2];
  if (::pipe2(Pipe, O_CLOEXEC) != 0) {
    Error = fmt::format("cannot run '{}': pipe: {}", Program, std::strerror(errno));
    return false;
  }
  std::vector<std::string> Argv = {Program, "-T" + Format};
  if (!OutPath.empty() && OutPath != "-") {
    Argv.push_back("-o");
    Argv.push_back(OutPath);
  }
  std::vector<char *> Ptrs;
  for (std::string &A : Argv)
    Ptrs.push_back(A.data());
  Ptrs.push_back(nullptr);
  posix_spawn_file_actions_t Actions;
  posix_spawn_file_actions_init(&Actions);
  posix_spawn_file_actions_adddup2(&Actions, Pipe[0], 0);
  pid_t Pid = 0;
  int Rc = posix_spawn(&Pid, Program.c_str(), &Actions, nullptr, Ptrs.data(), environ);
  posix_spawn_file_actions_destroy(&Actions);
  ::close(Pipe[0]);
  if (Rc != 0) {
    ::close(Pipe[1]);
    Error = fmt::format("cannot run '{}': {}", Program, std::strerror(Rc));
    return false;
  }
  // dot may stop reading early (a bad format): its exit status says why,
  // not a SIGPIPE of ours.
  struct sigaction Ignore = {}, Old = {};
  Ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &Ignore, &Old);
  size_t Done = 0;
  while (Done < Dot.size()) {
    ssize_t W = ::write(Pipe[1], Dot.data() + Done, Dot.size() - Done);
    if (W < 0 && errno == EINTR)
      continue;
    if (W <= 0)
      break;
    Done += size_t(W);
  }
  ::close(Pipe[1]);
  ::sigaction(SIGPIPE, &Old, nullptr);
  int Status = 0;
  while (::waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(Status) && WEXITSTATUS(Status) == 0 && Done == Dot.size())
    return true;
  Error = WIFEXITED(Status) ? fmt::format("'{} -T{}' failed with exit status {}", Program, Format, WEXITSTATUS(Status))
                            : fmt::format("'{} -T{}' was killed by signal {}", Program, Format,
                                          WIFSIGNALED(Status) ? WTERMSIG(Status) : 0);
  return false;
}

} // namespace traceopt
