//===- Summary.cpp - A short, human-readable account of a trace -----------===//

#include "report/Summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace traceopt {

namespace {

std::string clip(std::string_view S, size_t Width) {
  std::string Out;
  for (char C : S) {
    if (Out.size() >= Width) {
      Out += "...";
      break;
    }
    Out += C == '\n' ? ' ' : C;
  }
  return Out;
}

std::string plural(size_t N, std::string_view One, std::string_view Many) {
  return fmt::format("{} {}", N, N == 1 ? One : Many);
}

/// "main.cpp:12" with the file's last component only: the full path is in the trace.
std::string where(const std::string &File, unsigned Line) {
  size_t Slash = File.rfind('/');
  return fmt::format("{}:{}", Slash == std::string::npos ? File : File.substr(Slash + 1), Line);
}

/// The producers of a value built from parts of several outputs, counted
/// per function in order of first appearance: "3 calls of f, 1 call of g
/// and 2 more" (more: not listed by the runtime or not in the trace). A
/// value filled by a loop has many producers of few functions.
std::string derivedParts(const TraceSet &T, const Feedback &F) {
  std::vector<std::pair<std::string_view, size_t>> PerFunction;
  uint64_t More = F.DerivedOmitted;
  for (const DerivedRef &D : F.Derived) {
    size_t I = D.Index != NoIndex ? D.Index : T.indexOf(F.Instance, D.Id);
    if (I == TraceSet::npos) {
      ++More;
      continue;
    }
    int Site = T.Nodes[I].Site;
    std::string_view Name = Site >= 0 ? std::string_view(T.Sites[size_t(Site)].Name) : "an unknown function";
    auto It = std::find_if(PerFunction.begin(), PerFunction.end(), [&](const auto &P) { return P.first == Name; });
    if (It == PerFunction.end())
      PerFunction.push_back({Name, 1});
    else
      ++It->second;
  }
  std::string Out;
  for (size_t P = 0; P < PerFunction.size(); ++P)
    Out += fmt::format("{}{} of {}", P == 0 ? "" : P + 1 < PerFunction.size() || More ? ", " : " and ",
                       plural(PerFunction[P].second, "call", "calls"), PerFunction[P].first);
  if (More)
    Out += Out.empty() ? plural(More, "call not in the trace", "calls not in the trace")
                       : fmt::format(" and {} more", More);
  return Out;
}

} // namespace

std::string summarize(const TraceSet &T, const Subgraph &G, const SummaryOptions &O) {
  size_t Unfinished = 0, Exceptions = 0, Edges = 0;
  std::vector<size_t> CallsPerSite(T.Sites.size(), 0);
  for (const Node &N : T.Nodes) {
    Unfinished += !N.finished();
    Exceptions += N.threw();
    if (N.Site >= 0 && size_t(N.Site) < CallsPerSite.size())
      ++CallsPerSite[N.Site];
    if (N.lazy())
      continue; // Its edges are counted from the facts below.
    for (const Arg &A : T.args(N))
      Edges += A.From != 0;
    const Arg *This = T.thisArg(N);
    Edges += This && This->From != 0;
    // `derived` producers are data-flow edges too.
    const CallValues &V = T.values(N);
    for (size_t A = V.FirstArg, E = A + V.NumArgs + V.HasThis; A < E; ++A)
      if (T.Args[A].HasExtra)
        if (const ArgExtra *X = T.extra(A))
          Edges += X->NumDerived;
  }
  for (const Fact &F : T.Facts)
    if (F.What != Fact::Global)
      Edges += (F.FromIndex != NoIndex) + T.derived(F).size();

  std::string S;
  S += fmt::format("{}, {} of {}, {} between them, {}", plural(T.Files.size(), "run", "runs"),
                   plural(T.Nodes.size(), "call", "calls"), plural(T.Sites.size(), "function", "functions"),
                   plural(Edges, "data-flow edge", "data-flow edges"),
                   plural(Exceptions, "exception", "exceptions"));
  if (Unfinished)
    S += fmt::format(", {} unfinished", Unfinished);
  S += "\n";

  if (!T.Sites.empty()) {
    S += "functions:\n";
    for (size_t I = 0; I < T.Sites.size(); ++I) {
      const Site &Si = T.Sites[I];
      S += fmt::format("  {:<40} {:>8}  {}{}\n", clip(Si.Key, 60), plural(CallsPerSite[I], "call", "calls"),
                       where(Si.File, Si.Line), Si.ParamId.empty() ? "" : "  (trainable)");
    }
  }

  S += fmt::format("trainable parameters: {}\n", T.Params.size());
  for (const Param &P : T.Params) {
    if (P.Kind == "code")
      S += fmt::format("  (code) {:<33} {}\n", clip(P.Name, 40), where(P.File, P.Line));
    else
      S += fmt::format("  ({}) {} = {}  {}\n", P.Type, P.Name, clip(P.Value.empty() ? P.Text : P.Value, O.MaxWidth),
                       where(P.File, P.Line));
  }

  size_t Successes = 0, RunLevel = 0, OnDerived = 0;
  for (const Feedback &F : T.Feedbacks) {
    Successes += F.Success;
    OnDerived += F.onDerivedValue();
    RunLevel += F.runLevel() && F.Unattributed.empty() && !F.onDerivedValue();
  }
  std::string Counts;
  if (RunLevel)
    Counts += fmt::format("{} about the whole run", RunLevel);
  if (OnDerived)
    Counts += fmt::format("{}{} on {} built from several calls", Counts.empty() ? "" : ", ", OnDerived,
                          OnDerived == 1 ? "a value" : "values");
  if (Successes)
    Counts += fmt::format("{}{} reporting success", Counts.empty() ? "" : ", ", Successes);
  S += fmt::format("feedback: {}{}\n", T.Feedbacks.size(), Counts.empty() ? Counts : " (" + Counts + ")");
  size_t Shown = 0;
  for (const Feedback &F : T.Feedbacks) {
    if (Shown == O.MaxFeedback) {
      S += fmt::format("  ... and {} more\n", T.Feedbacks.size() - Shown);
      break;
    }
    ++Shown;
    std::string Score = F.Score ? fmt::format(" [score {:.6g}]", *F.Score) : std::string();
    // Run-level feedback is about the whole run, not about one call: say so,
    // and why a value's feedback could not be given to the call behind it.
    // Feedback on a value built from several calls names those calls.
    std::string About;
    if (F.onDerivedValue())
      About = fmt::format("on the value built from {}: ", clip(derivedParts(T, F), O.MaxWidth));
    else if (F.runLevel())
      About = F.Unattributed.empty() ? "about the whole run: "
                                     : fmt::format("on a value {}: ", clip(F.Unattributed, O.MaxWidth));
    S += fmt::format("  {}{}{}{}\n", About, F.Success ? "success: " : "", clip(F.Text, O.MaxWidth), Score);
  }

  S += fmt::format("feedback reaches {} through {}", plural(G.Params.size(), "parameter", "parameters"),
                   plural(G.Nodes.size(), "call", "calls"));
  S += G.Params.empty() ? "\n" : ":";
  for (size_t I = 0; I < G.Params.size(); ++I)
    S += fmt::format("{} {}", I ? "," : "", T.Params[G.Params[I]].Id);
  if (!G.Params.empty())
    S += "\n";
  return S;
}

} // namespace traceopt
