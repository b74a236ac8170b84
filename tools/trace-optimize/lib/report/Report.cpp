//===- Report.cpp - an optimization's history as one HTML page ------------===//
#include "report/Report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace traceopt {

std::string htmlEscape(std::string_view Text) {
  std::string Out;
  Out.reserve(Text.size() + Text.size() / 8);
  for (char C : Text) {
    switch (C) {
    case '&':
      Out += "&amp;";
      break;
    case '<':
      Out += "&lt;";
      break;
    case '>':
      Out += "&gt;";
      break;
    case '"':
      Out += "&quot;";
      break;
    case '\'':
      Out += "&#39;";
      break;
    default:
      Out += C;
    }
  }
  return Out;
}

namespace {

/// Up to 3 significant digits, as the loop prints scores.
std::string num(double V) { return fmt::format("{:.3g}", V); }

/// SVG coordinates, to a tenth of a pixel.
std::string px(double V) { return fmt::format("{:.1f}", V); }

std::string scoreText(const std::optional<double> &S) { return S ? num(*S) : std::string("no score"); }

std::string money(double V) { return fmt::format("{:.4f}", V); }

/// What the report derives from the history: each candidate's status, the best one, costs.
struct Analysis {
  const History &H;
  const ReportOptions &O;
  /// "final", "kept" (an ancestor of a final candidate: its step is in place), "rolled back",
  /// or "evaluated" (neither: a search's candidate that was not taken further, or a run that
  /// ended without an end record).
  std::map<std::string, std::string> Status;
  /// The index of the best candidate: the highest score, else the first success.
  std::optional<size_t> Best;
  /// Plot abscissa of each candidate: its iteration, after the iterations of earlier runs.
  std::vector<unsigned> X;
  unsigned MaxX = 0;
  /// The step that made each candidate (index into H.Steps).
  std::map<std::string, size_t> MadeBy;

  Analysis(const History &H, const ReportOptions &O) : H(H), O(O) {
    std::map<std::string, const HistoryCandidate *> ById;
    for (const HistoryCandidate &C : H.Candidates)
      ById.emplace(C.Id, &C);
    std::set<std::string> RolledBack, Kept;
    for (const HistoryRun &R : H.Runs) {
      RolledBack.insert(R.RolledBack.begin(), R.RolledBack.end());
      // The final candidate and its ancestors are the versions in place.
      std::set<std::string> Seen;
      for (auto It = ById.find(R.Final); It != ById.end() && Seen.insert(It->first).second;
           It = ById.find(It->second->Parent))
        Kept.insert(It->first);
    }
    for (const HistoryRun &R : H.Runs)
      if (!R.Final.empty())
        Status[R.Final] = "final";
    for (const HistoryCandidate &C : H.Candidates) {
      if (Status.count(C.Id))
        continue;
      Status[C.Id] = RolledBack.count(C.Id) ? "rolled back" : Kept.count(C.Id) ? "kept" : "evaluated";
    }
    for (size_t I = 0; I < H.Candidates.size(); ++I) {
      const HistoryCandidate &C = H.Candidates[I];
      if (C.Score && (!Best || !H.Candidates[*Best].Score || *C.Score > *H.Candidates[*Best].Score))
        Best = I;
      else if (!Best && C.Success)
        Best = I;
    }
    // Runs follow each other on the axis; a candidate of a run not recorded goes with the last.
    std::map<std::string, unsigned> Offset, Width;
    for (const HistoryCandidate &C : H.Candidates)
      Width[C.Run] = std::max(Width[C.Run], C.Iteration + 1);
    unsigned Next = 0;
    for (const HistoryRun &R : H.Runs) {
      Offset[R.Id] = Next;
      Next += Width[R.Id];
    }
    for (const HistoryCandidate &C : H.Candidates) {
      unsigned Base = Offset.count(C.Run) ? Offset[C.Run] : 0;
      X.push_back(Base + C.Iteration);
      MaxX = std::max(MaxX, X.back());
    }
    for (size_t I = 0; I < H.Steps.size(); ++I)
      if (!H.Steps[I].Child.empty())
        MadeBy.emplace(H.Steps[I].Child, I);
  }

  std::optional<double> attemptCost(const HistoryAttempt &A) const {
    if (A.Cost)
      return A.Cost;
    if (!O.PricePrompt || !O.PriceCompletion)
      return std::nullopt;
    return (double(A.PromptTokens) * *O.PricePrompt + double(A.CompletionTokens) * *O.PriceCompletion) / 1e6;
  }

  std::optional<double> stepCost(const HistoryStep &S) const {
    if (S.Cost)
      return S.Cost;
    double Sum = 0;
    for (const HistoryAttempt &A : S.Attempts) {
      std::optional<double> C = attemptCost(A);
      if (!C)
        return std::nullopt;
      Sum += *C;
    }
    return Sum;
  }

  std::string stepAnchor(size_t I) const { return fmt::format("step-{}", I + 1); }
};

const char *const Style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:.2em 1.2em}dl.summary dt{color:#555}
dl.summary dd{margin:0}
.scroll{overflow-x:auto}
svg text{font:12px system-ui,sans-serif;fill:#222}
.axis{stroke:#444}.grid{stroke:#e4e4e4}.tick{fill:#555}.axis-label{font-weight:bold}
.best-so-far{fill:none;stroke:#8ab;stroke-width:1.5}
circle.point{stroke:#fff;stroke-width:1}
.kept{fill:#2a7ab8}.final{fill:#1a9a4a}.rolled-back{fill:#c0392b}.evaluated{fill:#888}
.noscore{fill:none;stroke:#888}
.best-mark{fill:none;stroke:#e6a100;stroke-width:3}.best-label{font-weight:bold}
g.node rect{stroke:#333;stroke-width:1}g.node text{fill:#fff}g.node.best rect{stroke:#e6a100;stroke-width:3}
g.node.rolled-back rect,g.node.dead rect{stroke-dasharray:4 2}g.node.dead rect{fill:#ddd}g.node.dead text{fill:#333}
.edge{stroke:#666;stroke-width:1.5;fill:none}.edge.rolled-back,.edge.dead{stroke-dasharray:4 3}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
tr:target{background:#fff6d5}
details{margin:.4em 0}details.step{border:1px solid #ccc;border-radius:4px;padding:.3em .6em}
details.step>summary{cursor:pointer;font-weight:bold}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.diff .add{color:#11650f;background:#e6ffec}.diff .del{color:#a0111f;background:#ffebe9}
.diff .hunk{color:#6f42c1}.diff .file{font-weight:bold}
.attempt{border-left:4px solid #888;padding-left:.6em;margin:.6em 0}
.attempt.applied{border-color:#1a9a4a}.attempt.refused,.attempt.rolled-back,.attempt.error{border-color:#c0392b}
.error,.problem{color:#a0111f}
)";

/// Opens the <details> that holds the element the address names (a link from the plot or the
/// lineage), so that following one shows its step or candidate.
const char *const Script = R"(
function traceOpenTarget(){var id;try{id=decodeURIComponent(location.hash.slice(1));}catch(x){return;}
var e=id?document.getElementById(id):null;for(;e;e=e.parentElement)if(e.tagName==='DETAILS')e.open=true;}
window.addEventListener('hashchange',traceOpenTarget);traceOpenTarget();
)";

std::string cssClass(const std::string &Status) {
  std::string C = Status;
  std::replace(C.begin(), C.end(), ' ', '-');
  return C;
}

void renderSummary(const Analysis &A, std::string &Out) {
  const History &H = A.H;
  uint64_t Prompt = 0, Completion = 0;
  unsigned Requests = 0, Applied = 0;
  double Cost = 0;
  bool CostKnown = true;
  for (const HistoryStep &S : H.Steps) {
    Applied += S.Status == "applied";
    for (const HistoryAttempt &T : S.Attempts) {
      Prompt += T.PromptTokens;
      Completion += T.CompletionTokens;
      ++Requests;
    }
    if (std::optional<double> C = A.stepCost(S))
      Cost += *C;
    else
      CostKnown = false;
  }
  auto Row = [&](const std::string &Name, const std::string &Html) {
    Out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", Name, Html);
  };
  Out += "<dl class=\"summary\" id=\"summary\">\n";
  Row("runs", std::to_string(H.Runs.size()));
  Row("candidates evaluated", fmt::format("<span id=\"summary-candidates\">{}</span>", H.Candidates.size()));
  Row("steps", fmt::format("{} ({} applied)", H.Steps.size(), Applied));
  Row("LLM requests", std::to_string(Requests));
  Row("tokens", fmt::format("<span id=\"summary-tokens\">{}</span> ({} prompt, {} completion)", Prompt + Completion,
                            Prompt, Completion));
  Row("cost", CostKnown ? money(Cost) : "unknown (no price recorded; see --price)");
  if (A.Best) {
    const HistoryCandidate &B = H.Candidates[*A.Best];
    Row("best", fmt::format("<a href=\"#cand-{0}\">candidate {0}</a>: <span id=\"summary-best\">{1}</span>{2}",
                            htmlEscape(B.Id), scoreText(B.Score), B.Success ? ", success" : ""));
  } else {
    Row("best", "none (no candidate has a score)");
  }
  for (const HistoryRun &R : H.Runs) {
    std::string What = R.Ended ? htmlEscape(R.StopReason) : "no end record (the loop was stopped or is running)";
    if (!R.Final.empty())
      What += fmt::format("; final version: <a href=\"#cand-{0}\">candidate {0}</a>{1}", htmlEscape(R.Final),
                          R.Restored ? " (the best, restored)" : "");
    Row(fmt::format("run {}", htmlEscape(R.Id)),
        fmt::format("{}<br><small>{} · <code>{}</code> · {}</small>", What, htmlEscape(R.Time), htmlEscape(R.RunCmd),
                    htmlEscape(R.Llm)));
  }
  Out += "</dl>\n";
}

void renderPlot(const Analysis &A, std::string &Out) {
  const History &H = A.H;
  if (H.Candidates.empty()) {
    Out += "<p>No candidate was evaluated.</p>\n";
    return;
  }
  const double W = 760, Ht = 320, L = 64, R = 24, T = 20, B = 52;
  double Lo = 0, Hi = 1;
  bool Any = false;
  for (const HistoryCandidate &C : H.Candidates)
    if (C.Score) {
      Lo = Any ? std::min(Lo, *C.Score) : *C.Score;
      Hi = Any ? std::max(Hi, *C.Score) : *C.Score;
      Any = true;
    }
  // Scores in [0, 1] (the usual share of passing cases) keep the whole range; others get a margin.
  if (!Any || (Lo >= 0 && Hi <= 1)) {
    Lo = 0;
    Hi = 1;
  } else if (Hi - Lo < 1e-12) {
    Lo -= 1;
    Hi += 1;
  } else {
    double Pad = (Hi - Lo) * 0.05;
    Lo -= Pad;
    Hi += Pad;
  }
  unsigned Span = std::max(A.MaxX, 1u);
  auto Sx = [&](double X) { return L + (W - L - R) * X / Span; };
  auto Sy = [&](double Y) { return Ht - B - (Ht - T - B) * (Y - Lo) / (Hi - Lo); };
  Out += fmt::format("<div class=\"scroll\"><svg id=\"score-plot\" xmlns=\"http://www.w3.org/2000/svg\" "
                     "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
                     "aria-label=\"score of each candidate by iteration\">\n",
                     W, Ht);
  // Axes, ticks and grid.
  for (unsigned I = 0; I <= 4; ++I) {
    double V = Lo + (Hi - Lo) * I / 4;
    Out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
                       "<text class=\"tick\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
                       px(L), px(W - R), px(Sy(V)), px(L - 6), px(Sy(V) + 4), num(V));
  }
  unsigned Every = std::max(1u, (A.MaxX + 1 + 19) / 20);
  for (unsigned X = 0; X <= A.MaxX; X += Every)
    Out += fmt::format("<line class=\"axis\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
                       "<text class=\"tick\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
                       px(Sx(X)), px(Ht - B), px(Ht - B + 5), px(Ht - B + 18), X);
  Out += fmt::format("<line class=\"axis\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
                     "<line class=\"axis\" x1=\"{0}\" x2=\"{0}\" y1=\"{3}\" y2=\"{2}\"/>\n",
                     px(L), px(W - R), px(Ht - B), px(T));
  Out += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">iteration{}</text>\n",
                     px((L + W - R) / 2), px(Ht - 10), H.Runs.size() > 1 ? " (runs one after the other)" : "");
  Out += fmt::format("<text class=\"axis-label\" transform=\"translate(16 {}) rotate(-90)\" "
                     "text-anchor=\"middle\">score</text>\n",
                     px((T + Ht - B) / 2));
  // The best score so far, per run.
  std::map<std::string, std::string> Lines;
  std::map<std::string, std::optional<double>> BestSoFar;
  for (size_t I = 0; I < H.Candidates.size(); ++I) {
    const HistoryCandidate &C = H.Candidates[I];
    std::optional<double> &S = BestSoFar[C.Run];
    if (C.Score && (!S || *C.Score > *S))
      S = C.Score;
    if (S)
      Lines[C.Run] += fmt::format("{},{} ", px(Sx(A.X[I])), px(Sy(*S)));
  }
  for (const auto &[Run, Points] : Lines)
    Out += fmt::format("<polyline class=\"best-so-far\" points=\"{}\"><title>best score so far, run {}</title>"
                       "</polyline>\n",
                       Points.substr(0, Points.size() - 1), htmlEscape(Run));
  for (size_t I = 0; I < H.Candidates.size(); ++I) {
    const HistoryCandidate &C = H.Candidates[I];
    std::string Status = A.Status.at(C.Id);
    std::string Title = fmt::format("candidate {} (iteration {}): {}{}, {}", C.Id, C.Iteration, scoreText(C.Score),
                                    C.Success ? ", success" : "", Status);
    if (C.Score)
      Out += fmt::format("<a href=\"#cand-{0}\"><circle class=\"point {1}\" data-id=\"{0}\" data-score=\"{2}\" "
                         "cx=\"{3}\" cy=\"{4}\" r=\"5\"><title>{5}</title></circle></a>\n",
                         htmlEscape(C.Id), cssClass(Status), num(*C.Score), px(Sx(A.X[I])), px(Sy(*C.Score)),
                         htmlEscape(Title));
    else
      Out += fmt::format("<a href=\"#cand-{0}\"><rect class=\"point noscore\" data-id=\"{0}\" x=\"{1}\" y=\"{2}\" "
                         "width=\"8\" height=\"8\"><title>{3}</title></rect></a>\n",
                         htmlEscape(C.Id), px(Sx(A.X[I]) - 4), px(Ht - B - 4), htmlEscape(Title));
  }
  if (A.Best && H.Candidates[*A.Best].Score) {
    const HistoryCandidate &C = H.Candidates[*A.Best];
    double Cx = Sx(A.X[*A.Best]), Cy = Sy(*C.Score);
    Out += fmt::format("<circle id=\"best-point\" class=\"best-mark\" cx=\"{}\" cy=\"{}\" r=\"10\"/>"
                       "<text class=\"best-label\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">best {} ({})</text>\n",
                       px(Cx), px(Cy), px(Cx + (Cx > W / 2 ? -14 : 14)), px(Cy < T + 20 ? Cy + 24 : Cy - 12),
                       Cx > W / 2 ? "end" : "start", num(*C.Score), htmlEscape(C.Id));
  }
  Out += "</svg></div>\n<p><small>Each point is one evaluated candidate (blue: kept, green: final, red: rolled "
         "back, grey: evaluated only; a square: no score); the line is the best score so far. A point links to its "
         "candidate.</small></p>\n";
}

/// The lineage as a tree drawn left to right: a node per candidate, and one per step that made
/// no evaluated candidate.
void renderLineage(const Analysis &A, std::string &Out) {
  const History &H = A.H;
  struct Node {
    std::string Id, Label, Sub, Class, Link, Title;
    int Parent = -1;
    unsigned Depth = 0, Row = 0;
    std::vector<size_t> Children;
  };
  std::vector<Node> Nodes;
  std::map<std::string, size_t> Index;
  for (const HistoryCandidate &C : H.Candidates) {
    if (Index.count(C.Id))
      continue;
    Node N;
    N.Id = C.Id;
    N.Label = C.Id;
    N.Sub = scoreText(C.Score) + (C.Success ? " ✓" : "");
    N.Class = cssClass(A.Status.at(C.Id));
    N.Link = "cand-" + C.Id;
    N.Title = fmt::format("candidate {}: {}, {}", C.Id, scoreText(C.Score), A.Status.at(C.Id));
    Index[C.Id] = Nodes.size();
    Nodes.push_back(std::move(N));
  }
  for (const HistoryCandidate &C : H.Candidates) {
    size_t I = Index[C.Id];
    auto P = Index.find(C.Parent);
    if (P != Index.end() && P->second != I && Nodes[I].Parent < 0) {
      Nodes[I].Parent = int(P->second);
      Nodes[P->second].Children.push_back(I);
    }
  }
  // Steps that made no evaluated candidate end their branch.
  for (size_t S = 0; S < H.Steps.size(); ++S) {
    const HistoryStep &St = H.Steps[S];
    auto P = Index.find(St.Parent);
    if (P == Index.end() || (!St.Child.empty() && Index.count(St.Child)))
      continue;
    Node N;
    N.Label = St.Status == "applied" ? "not run" : "×";
    N.Sub = St.Status;
    N.Class = "dead";
    N.Link = A.stepAnchor(S);
    N.Title = fmt::format("step {} from candidate {}: {}", S + 1, St.Parent,
                          St.Status == "applied" ? "applied, but its run left no trace" : St.Status);
    N.Parent = int(P->second);
    Nodes[P->second].Children.push_back(Nodes.size());
    Nodes.push_back(std::move(N));
  }
  if (Nodes.empty()) {
    Out += "<p>No candidate was evaluated.</p>\n";
    return;
  }
  // Depth first: a first child stays on its parent's row, the others open rows below.
  unsigned Rows = 0, MaxDepth = 0;
  std::vector<std::pair<size_t, unsigned>> Stack;
  for (size_t I = Nodes.size(); I-- > 0;)
    if (Nodes[I].Parent < 0)
      Stack.push_back({I, 0});
  std::vector<bool> Placed(Nodes.size());
  bool First = true;
  for (size_t Next = 0;;) {
    if (Stack.empty()) {
      // Candidates whose parents form a cycle (a damaged history) have no root: each such
      // group starts a row of its own.
      while (Next < Nodes.size() && Placed[Next])
        ++Next;
      if (Next == Nodes.size())
        break;
      Nodes[Next].Parent = -1;
      Stack.push_back({Next, 0});
    }
    auto [I, Depth] = Stack.back();
    Stack.pop_back();
    if (Placed[I])
      continue;
    Placed[I] = true;
    Node &N = Nodes[I];
    N.Depth = Depth;
    MaxDepth = std::max(MaxDepth, Depth);
    if (N.Parent >= 0 && Nodes[size_t(N.Parent)].Children.front() == I)
      N.Row = Nodes[size_t(N.Parent)].Row;
    else
      N.Row = First ? 0 : ++Rows;
    First = false;
    for (size_t C = N.Children.size(); C-- > 0;)
      Stack.push_back({N.Children[C], Depth + 1});
  }
  const double NodeW = 92, NodeH = 40, GapX = 36, GapY = 18, Pad = 10;
  auto X = [&](const Node &N) { return Pad + N.Depth * (NodeW + GapX); };
  auto Y = [&](const Node &N) { return Pad + N.Row * (NodeH + GapY); };
  double W = 2 * Pad + (MaxDepth + 1) * NodeW + MaxDepth * GapX, Ht = 2 * Pad + (Rows + 1) * NodeH + Rows * GapY;
  Out += fmt::format("<div class=\"scroll\"><svg id=\"lineage\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                     "height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"lineage of the candidates\">\n",
                     px(W), px(Ht));
  for (const Node &N : Nodes) {
    if (N.Parent < 0)
      continue;
    const Node &P = Nodes[size_t(N.Parent)];
    double X1 = X(P) + NodeW, Y1 = Y(P) + NodeH / 2, X2 = X(N), Y2 = Y(N) + NodeH / 2;
    Out += fmt::format("<path class=\"edge {}\" data-from=\"{}\" data-to=\"{}\" d=\"M{} {} C{} {} {} {} {} {}\"/>\n",
                       N.Class, htmlEscape(P.Id), htmlEscape(N.Id), px(X1), px(Y1), px(X1 + GapX / 2), px(Y1),
                       px(X2 - GapX / 2), px(Y2), px(X2), px(Y2));
  }
  std::string BestId = A.Best ? H.Candidates[*A.Best].Id : "";
  for (const Node &N : Nodes)
    Out += fmt::format("<a href=\"#{0}\"><g class=\"node {1}{2}\"{3}><title>{4}</title>"
                       "<rect class=\"{1}\" x=\"{5}\" y=\"{6}\" width=\"{7}\" height=\"{8}\" rx=\"5\"/>"
                       "<text x=\"{9}\" y=\"{10}\" text-anchor=\"middle\">{11}</text>"
                       "<text x=\"{9}\" y=\"{12}\" text-anchor=\"middle\">{13}</text></g></a>\n",
                       htmlEscape(N.Link), N.Class, !N.Id.empty() && N.Id == BestId ? " best" : "",
                       N.Id.empty() ? "" : " data-id=\"" + htmlEscape(N.Id) + "\"", htmlEscape(N.Title), px(X(N)),
                       px(Y(N)), NodeW, NodeH, px(X(N) + NodeW / 2), px(Y(N) + 16), htmlEscape(N.Label), px(Y(N) + 32),
                       htmlEscape(N.Sub));
  Out += "</svg></div>\n<p><small>Each box is a candidate (its id and score), linked to the one it was made from; "
         "dashed: rolled back, or a step that made no candidate. The best has a gold border.</small></p>\n";
}

void renderCandidates(const Analysis &A, std::string &Out) {
  const History &H = A.H;
  Out += "<table id=\"candidates\"><tr><th>candidate</th><th>from</th><th>iteration</th><th>score</th>"
         "<th>success</th><th>status</th><th>made by</th><th>trace</th></tr>\n";
  for (const HistoryCandidate &C : H.Candidates) {
    auto Made = A.MadeBy.find(C.Id);
    Out += fmt::format(
        "<tr id=\"cand-{0}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td>"
        "<td>{5}</td><td>{6}</td><td><code>{7}</code></td></tr>\n",
        htmlEscape(C.Id), C.Parent.empty() ? "" : fmt::format("<a href=\"#cand-{0}\">{0}</a>", htmlEscape(C.Parent)),
        C.Iteration, scoreText(C.Score), C.Success ? "yes" : "", A.Status.at(C.Id),
        Made == A.MadeBy.end() ? std::string() : fmt::format("<a href=\"#{0}\">{0}</a>", A.stepAnchor(Made->second)),
        htmlEscape(C.Trace));
  }
  Out += "</table>\n";
}

/// A unified diff with its lines coloured.
std::string renderDiff(const std::string &Diff) {
  std::string Out = "<pre class=\"diff\">";
  size_t Pos = 0;
  while (Pos < Diff.size()) {
    size_t Nl = Diff.find('\n', Pos);
    std::string_view Line(Diff.data() + Pos, (Nl == std::string::npos ? Diff.size() : Nl) - Pos);
    Pos = Nl == std::string::npos ? Diff.size() : Nl + 1;
    const char *Class = Line.rfind("+++", 0) == 0 || Line.rfind("---", 0) == 0 ? "file"
                        : Line.rfind("@@", 0) == 0                             ? "hunk"
                        : Line.rfind("+", 0) == 0                              ? "add"
                        : Line.rfind("-", 0) == 0                              ? "del"
                                                                               : nullptr;
    Out += Class ? fmt::format("<span class=\"{}\">{}</span>\n", Class, htmlEscape(Line)) : htmlEscape(Line) + "\n";
  }
  return Out + "</pre>\n";
}

void renderSteps(const Analysis &A, std::string &Out) {
  const History &H = A.H;
  if (H.Steps.empty()) {
    Out += "<p>No step was taken.</p>\n";
    return;
  }
  for (size_t I = 0; I < H.Steps.size(); ++I) {
    const HistoryStep &S = H.Steps[I];
    std::optional<double> Cost = A.stepCost(S);
    std::string To = S.Child.empty() ? "" : fmt::format(" → {}", htmlEscape(S.Child));
    Out += fmt::format("<details class=\"step\" id=\"{}\"><summary>step {}: candidate {}{}, {}{}, {} request{}, {} "
                       "tokens{}</summary>\n",
                       A.stepAnchor(I), I + 1, htmlEscape(S.Parent), To, htmlEscape(S.Status),
                       S.BackupStep ? fmt::format(" (backup {})", *S.BackupStep) : "", S.Attempts.size(),
                       S.Attempts.size() == 1 ? "" : "s", S.tokens(), Cost ? ", cost " + money(*Cost) : "");
    if (!S.Error.empty())
      Out += "<pre class=\"error\">" + htmlEscape(S.Error) + "</pre>\n";
    if (!S.Diff.empty())
      Out += "<h4>diff written</h4>\n" + renderDiff(S.Diff);
    Out += fmt::format("<details class=\"prompt\"><summary>prompt ({} + {} characters)</summary>\n"
                       "<h4>system</h4><pre>{}</pre>\n<h4>user</h4><pre>{}</pre></details>\n",
                       S.System.size(), S.User.size(), htmlEscape(S.System), htmlEscape(S.User));
    for (size_t K = 0; K < S.Attempts.size(); ++K) {
      const HistoryAttempt &T = S.Attempts[K];
      std::optional<double> C = A.attemptCost(T);
      Out += fmt::format("<div class=\"attempt {}\"><h4>request {}: {}</h4><p>{} prompt + {} completion tokens{}, "
                         "{:.1f} s</p>\n",
                         cssClass(T.Outcome), K + 1, htmlEscape(T.Outcome), T.PromptTokens, T.CompletionTokens,
                         C ? ", cost " + money(*C) : "", T.Seconds);
      // The first request is the prompt above; later ones are repair requests.
      if (K > 0)
        Out += "<details><summary>repair request</summary><pre>" + htmlEscape(T.Request) + "</pre></details>\n";
      Out += "<details open><summary>reply</summary><pre class=\"reply\">" + htmlEscape(T.Reply) + "</pre></details>\n";
      if (!T.Problem.empty())
        Out += "<p>check:</p><pre class=\"problem\">" + htmlEscape(T.Problem) + "</pre>\n";
      Out += "</div>\n";
    }
    Out += "</details>\n";
  }
}

void renderBest(const Analysis &A, std::string &Out) {
  if (!A.Best) {
    Out += "<p>No candidate has a score.</p>\n";
    return;
  }
  const HistoryCandidate &C = A.H.Candidates[*A.Best];
  Out += fmt::format("<p>Candidate <a href=\"#cand-{0}\">{0}</a> (iteration {1}): {2}{3}, {4}.</p>\n", htmlEscape(C.Id),
                     C.Iteration, scoreText(C.Score), C.Success ? ", success" : "", A.Status.at(C.Id));
  if (C.Params.empty())
    Out += "<p>Its trace records no parameter text.</p>\n";
  for (const auto &[Id, Text] : C.Params)
    Out += fmt::format("<h3><code>{}</code></h3>\n<pre class=\"param\">{}</pre>\n", htmlEscape(Id), htmlEscape(Text));
}

} // namespace

std::string renderReport(const History &H, const ReportOptions &O) {
  Analysis A(H, O);
  std::string Title = "trace-optimize report" + (O.Title.empty() ? "" : ": " + O.Title);
  std::string Out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                    // Nothing is ever loaded: the page is all there is.
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                    "'unsafe-inline'; script-src 'unsafe-inline'\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  Out += "<title>" + htmlEscape(Title) + "</title>\n<style>" + Style + "</style>\n</head><body>\n";
  Out += "<h1>" + htmlEscape(Title) + "</h1>\n";
  renderSummary(A, Out);
  Out += "<h2 id=\"scores\">Score per iteration</h2>\n";
  renderPlot(A, Out);
  Out += "<h2 id=\"lineage-title\">Lineage</h2>\n";
  renderLineage(A, Out);
  Out += "<h2>Candidates</h2>\n";
  renderCandidates(A, Out);
  Out += "<h2 id=\"steps\">Steps</h2>\n";
  renderSteps(A, Out);
  Out += "<h2 id=\"best\">Best candidate</h2>\n";
  renderBest(A, Out);
  Out += "<script>" + std::string(Script) + "</script>\n</body></html>\n";
  return Out;
}

} // namespace traceopt
