//===- Prompt.cpp - The optimization problem as an LLM prompt -------------===//
#include "Prompt.h"
#include "Graph.h"
#include "PromptText.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <cctype>

namespace traceopt {

size_t estimateTokens(std::string_view Text) { return (Text.size() + 3) / 4; }

namespace {

/// Cuts the middle out of a long value, keeping both ends (where the
/// difference between expected and actual usually shows).
std::string cutMiddle(std::string_view S, size_t Cap) {
  if (S.size() <= Cap || Cap == 0)
    return std::string(S);
  size_t Head = Cap / 2, Tail = Cap - Head;
  // Do not split a UTF-8 sequence.
  while (Head > 0 && (static_cast<unsigned char>(S[Head]) & 0xC0) == 0x80)
    --Head;
  size_t TailStart = S.size() - Tail;
  while (TailStart < S.size() && (static_cast<unsigned char>(S[TailStart]) & 0xC0) == 0x80)
    ++TailStart;
  return fmt::format("{}{}{}", S.substr(0, Head), fmt::format(text::ValueCut, TailStart - Head), S.substr(TailStart));
}

/// "ns::S::f<int>" -> "f": the last component outside template brackets,
/// made into an identifier.
std::string shortName(std::string_view Qualified) {
  int Depth = 0;
  size_t Start = 0;
  for (size_t I = 0; I < Qualified.size(); ++I) {
    char C = Qualified[I];
    if (C == '<' || C == '(')
      ++Depth;
    else if ((C == '>' || C == ')') && Depth > 0)
      --Depth;
    else if (C == ':' && Depth == 0 && I + 1 < Qualified.size() && Qualified[I + 1] == ':')
      Start = I + 2;
  }
  std::string_view Last = Qualified.substr(std::min(Start, Qualified.size()));
  if (size_t Lt = Last.find('<'); Lt != std::string_view::npos && Last.substr(0, 8) != "operator")
    Last = Last.substr(0, Lt);
  std::string Out;
  for (char C : Last) {
    bool Ident = std::isalnum(static_cast<unsigned char>(C)) || C == '_';
    if (Ident)
      Out += C;
    else if (!Out.empty() && Out.back() != '_')
      Out += '_';
  }
  while (!Out.empty() && Out.back() == '_' && Out.size() > 1 && Out != "_")
    Out.pop_back();
  if (Out.empty() || std::isdigit(static_cast<unsigned char>(Out[0])))
    Out = "v" + Out;
  return Out;
}

/// Hands out names "<base><n>" that are unique within one prompt. A base
/// ending in a digit gets a '_' before the counter ("x1" -> "x1_0"), so two
/// bases can never produce the same name and no set of used names is needed.
class Namer {
public:
  std::string fresh(const std::string &Base) {
    unsigned &N = Next[Base];
    bool Sep = !Base.empty() && std::isdigit(static_cast<unsigned char>(Base.back()));
    return Base + (Sep ? "_" : "") + std::to_string(N++);
  }

private:
  std::unordered_map<std::string, unsigned> Next;
};

/// Names of the nodes in the subgraph, by node index, without a string per
/// node of the whole trace.
class NameTable {
public:
  explicit NameTable(size_t Nodes) : Slot(Nodes, ~0u) {}
  void set(size_t Node, std::string Name) {
    Slot[Node] = unsigned(Names.size());
    Names.push_back(std::move(Name));
  }
  const std::string &get(size_t Node) const {
    static const std::string None;
    return Node < Slot.size() && Slot[Node] != ~0u ? Names[Slot[Node]] : None;
  }

private:
  std::vector<unsigned> Slot;
  std::vector<std::string> Names;
};

std::string typed(std::string_view Type, std::string_view Name, std::string_view Value) {
  if (Type.empty())
    return fmt::format("{}={}", Name, Value);
  return fmt::format("({}) {}={}", Type, Name, Value);
}

/// A node's result as "(type) name=value".
std::string resultLine(const Node &N, const std::string &Name, size_t Cap) {
  if (N.threw())
    return fmt::format("{}={}", Name,
                       fmt::format(text::ExceptionResult, N.excType().value_or("?"), cutMiddle(N.excWhat().value_or(""), Cap)));
  if (!N.Finished)
    return fmt::format("{}={}", Name, text::NoResult);
  if (!N.ret())
    return fmt::format("{} {}", text::VoidResult, Name);
  return typed(N.retType().value_or(""), Name, cutMiddle(*N.ret(), Cap));
}

/// What one node of the subgraph contributes to the elidable sections.
struct NodeBlock {
  std::string Code;                 ///< Its #Code line.
  std::vector<size_t> InputArgs;    ///< Argument indices shown as inputs (Args.size() = `this`).
  std::vector<std::string> InputNames, InputNotes;
  bool IsOutput = false;
  std::string OutName;
  unsigned Instance = 0;
};

std::string joinLines(const std::vector<std::string> &Lines) {
  if (Lines.empty())
    return text::NoneLine;
  std::string Out;
  for (const std::string &L : Lines) {
    if (!Out.empty())
      Out += '\n';
    Out += L;
  }
  return Out;
}

void section(std::string &Out, const char *Head, const std::string &Body) {
  if (!Out.empty())
    Out += "\n\n";
  Out += Head;
  Out += '\n';
  Out += Body;
}

} // namespace

Prompt buildPrompt(const TraceSet &T, const Subgraph &G, const PromptOptions &O, const Memory *M) {
  Prompt P;
  P.System = text::System;
  Graph Gr = buildGraph(T);
  Namer Names;
  const bool ManyRuns = T.IdToIndex.size() > 1;

  // Variables first: their names are what the reply refers to.
  std::unordered_map<std::string, std::string> ParamName;
  std::vector<std::string> Variables, Constraints;
  for (const std::string &Id : G.Params) {
    const Param *Prm = T.findParam(Id);
    if (!Prm)
      continue;
    bool Code = Prm->Kind == "code";
    std::string Name = Names.fresh(Code ? "__code" : shortName(Prm->Name));
    ParamName[Id] = Name;
    P.NameToParamId[Name] = Id;
    if (Code) {
      Variables.push_back(fmt::format("(code) {}: {}", Name, Prm->Text));
      std::string Sig = Prm->Signature;
      if (Sig.empty())
        if (const Site *S = T.findSite(Id.substr(Id.find(':') + 1)))
          Sig = S->Signature;
      Constraints.push_back(fmt::format(text::KeepSignature, Name, Sig));
    } else {
      // An enum rendered without names ("Mode(0)") reads better as written ("Mode::Slow").
      std::string Shown = Prm->Value;
      if (Shown.empty() || (Shown.rfind(Prm->Type + "(", 0) == 0 && !Prm->Text.empty() &&
                            Prm->Text.find("::") != std::string::npos &&
                            Prm->Text.find_first_of("(){}\"' ") == std::string::npos))
        Shown = Prm->Text;
      Variables.push_back(typed(Prm->Type, Name, Shown));
      Constraints.push_back(fmt::format(text::KeepType, Name, Prm->Type.empty() ? "(unknown)" : Prm->Type));
    }
    if (!Prm->Constraint.empty())
      Constraints.push_back(fmt::format(text::UserConstraint, Name, Prm->Constraint));
  }

  // Results of the calls in the subgraph.
  // Node index -> its result's name ("" when the node is not in the subgraph).
  NameTable OutName(T.Nodes.size());
  std::vector<char> IsOutput(T.Nodes.size(), 0);
  for (size_t I : G.Outputs)
    IsOutput[I] = 1;
  for (size_t I : G.Nodes) {
    const Node &N = T.Nodes[I];
    std::string Base = N.Site >= 0 ? shortName(T.Sites[size_t(N.Site)].Name) : "call";
    OutName.set(I, Names.fresh(Base));
  }

  // One block per node: its code line and the inputs it brings in.
  std::vector<NodeBlock> Blocks;
  Blocks.reserve(G.Nodes.size());
  std::vector<std::string> Docs;
  std::unordered_set<int> DocSites;
  for (size_t I : G.Nodes) {
    const Node &N = T.Nodes[I];
    const Site *S = N.Site >= 0 ? &T.Sites[size_t(N.Site)] : nullptr;
    NodeBlock B;
    B.OutName = OutName.get(I);
    B.IsOutput = IsOutput[I] != 0;
    B.Instance = N.Instance;
    std::vector<std::string> CallArgs;
    auto AddArg = [&](const Arg &A, size_t ArgIndex, std::string ParamName) {
      size_t From = A.From ? T.indexOf(N.Instance, A.From) : TraceSet::npos;
      const std::string &Producer = OutName.get(From);
      if (!Producer.empty() && !A.Modified) {
        CallArgs.push_back(fmt::format("{}={}", ParamName, Producer));
        return;
      }
      std::string In = Names.fresh(shortName(ParamName));
      CallArgs.push_back(fmt::format("{}={}", ParamName, In));
      B.InputArgs.push_back(ArgIndex);
      B.InputNames.push_back(In);
      B.InputNotes.push_back(!Producer.empty() ? fmt::format(text::ModifiedFrom, Producer) : "");
    };
    auto Args = T.args(N);
    if (const Arg *This = T.thisArg(N))
      AddArg(*This, Args.size(), "this");
    for (size_t A = 0; A < Args.size(); ++A) {
      std::string Name(Args[A].Name);
      if (Name.empty() && S && A < S->Params.size())
        Name = S->Params[A];
      if (Name.empty())
        Name = fmt::format("arg{}", A);
      AddArg(Args[A], A, Name);
    }
    if (S && !S->ParamId.empty())
      if (auto It = ParamName.find(S->ParamId); It != ParamName.end())
        CallArgs.push_back(fmt::format("__code={}", It->second));
    for (const Arg &Gl : T.globals(N))
      if (auto It = ParamName.find(std::string(Gl.Name)); It != ParamName.end()) {
        const Param *Prm = T.findParam(Gl.Name);
        CallArgs.push_back(fmt::format("{}={}", shortName(Prm ? std::string_view(Prm->Name) : Gl.Name), It->second));
      }
    std::string Inside;
    for (size_t E = Gr.InputBegin[I]; E < Gr.InputBegin[I + 1]; ++E) {
      size_t J = Gr.InputIdx[E];
      if (Gr.Parent[J] != I || OutName.get(J).empty())
        continue;
      Inside += (Inside.empty() ? "" : ", ") + OutName.get(J);
    }
    std::string Callee = S ? S->Name : "<unknown function>";
    B.Code = fmt::format("{} = {}(", B.OutName, Callee);
    for (size_t A = 0; A < CallArgs.size(); ++A)
      B.Code += (A ? ", " : "") + CallArgs[A];
    B.Code += ")";
    if (!Inside.empty())
      B.Code += fmt::format(text::CallsInside, Inside);
    if (S && DocSites.insert(N.Site).second) {
      std::string Doc = fmt::format("[{}] {}", S->Name, S->Signature.empty() ? S->Key : S->Signature);
      if (!S->Doc.empty())
        Doc += ": " + S->Doc;
      Docs.push_back(std::move(Doc));
    }
    Blocks.push_back(std::move(B));
  }

  // Outputs and feedback are always shown in full (values capped as given).
  std::vector<std::string> Outputs;
  for (size_t I : G.Outputs)
    Outputs.push_back(resultLine(T.Nodes[I], OutName.get(I), O.MaxValueChars));
  std::vector<std::string> FeedbackLines;
  for (size_t F = 0; F < T.Feedbacks.size(); ++F) {
    const Feedback &Fb = T.Feedbacks[F];
    std::string Line;
    if (ManyRuns)
      Line += fmt::format(text::FeedbackRun, Fb.Instance + 1);
    size_t Node = F < Gr.FeedbackNode.size() ? Gr.FeedbackNode[F] : TraceSet::npos;
    if (!OutName.get(Node).empty())
      Line += OutName.get(Node) + ": ";
    Line += Fb.Text;
    if (Fb.Score)
      Line += fmt::format(text::FeedbackScore, *Fb.Score);
    if (Fb.Success)
      Line += text::FeedbackSuccess;
    FeedbackLines.push_back(std::move(Line));
  }
  P.VariablesText = joinLines(Variables);
  P.FeedbackText = FeedbackLines.empty() ? text::NoFeedback : joinLines(FeedbackLines);

  // The lines block K contributes at value cap Cap.
  auto BlockLines = [&](size_t K, size_t Cap, std::vector<std::string> &CodeL, std::vector<std::string> &InL,
                        std::vector<std::string> &OtherL) {
    const NodeBlock &B = Blocks[K];
    const Node &N = T.Nodes[G.Nodes[K]];
    CodeL.push_back(B.Code);
    for (size_t A = 0; A < B.InputArgs.size(); ++A) {
      auto Args = T.args(N);
      const Arg &Ar = B.InputArgs[A] == Args.size() ? *T.thisArg(N) : Args[B.InputArgs[A]];
      InL.push_back(typed(Ar.Type, B.InputNames[A], cutMiddle(Ar.Value, Cap)) + B.InputNotes[A]);
    }
    if (!B.IsOutput)
      OtherL.push_back(resultLine(N, B.OutName, Cap));
  };

  // Renders the elidable sections keeping blocks [0, Head) and [size - Tail, size).
  auto Render = [&](size_t Cap, size_t Head, size_t Tail, std::string &Code, std::string &Inputs,
                    std::string &Others) {
    std::vector<std::string> CodeL, InL, OtherL;
    size_t NB = Blocks.size();
    bool Elide = Head + Tail < NB;
    unsigned LastRun = ~0u;
    for (size_t K = 0; K < NB; ++K) {
      if (Elide && K == Head) {
        size_t Count = NB - Head - Tail;
        CodeL.push_back(fmt::format(text::ElidedCalls, Count));
        OtherL.push_back(fmt::format(text::ElidedValues, Count));
        K = NB - Tail;
        if (K >= NB)
          break;
      }
      if (ManyRuns && Blocks[K].Instance != LastRun) {
        CodeL.push_back(fmt::format(text::RunSeparator, Blocks[K].Instance + 1));
        LastRun = Blocks[K].Instance;
      }
      BlockLines(K, Cap, CodeL, InL, OtherL);
    }
    Code = joinLines(CodeL);
    Inputs = joinLines(InL);
    Others = joinLines(OtherL);
  };

  auto Assemble = [&](const std::string &Code, const std::string &Inputs, const std::string &Others) {
    std::string U;
    section(U, text::HeadInstruction, text::Instruction);
    section(U, text::HeadCode, Code);
    section(U, text::HeadDocumentation, joinLines(Docs));
    section(U, text::HeadVariables, P.VariablesText);
    section(U, text::HeadConstraints, joinLines(Constraints));
    section(U, text::HeadInputs, Inputs);
    section(U, text::HeadOthers, Others);
    section(U, text::HeadOutputs, joinLines(Outputs));
    section(U, text::HeadFeedback, P.FeedbackText);
    return U;
  };

  const size_t Budget = O.TokenBudget;
  auto Fits = [&](const std::string &U) { return estimateTokens(P.System) + estimateTokens(U) <= Budget; };
  const size_t BudgetChars = Budget * 4;
  const size_t FixedChars = P.System.size() + Assemble("", "", "").size();
  // First shorten values, then leave out middle calls; never the variables,
  // constraints, outputs or feedback. Sizes are summed per block so that the
  // search for the cut never renders the whole graph more than once per cap.
  std::vector<size_t> Caps = {O.MaxValueChars};
  for (size_t C : {size_t(200), size_t(60)})
    if (C < Caps.back())
      Caps.push_back(C);
  std::vector<size_t> Prefix(Blocks.size() + 1, 0);
  size_t Cap = Caps.front();
  for (size_t C : Caps) {
    Cap = C;
    std::vector<std::string> CodeL, InL, OtherL;
    for (size_t K = 0; K < Blocks.size(); ++K) {
      CodeL.clear();
      InL.clear();
      OtherL.clear();
      BlockLines(K, Cap, CodeL, InL, OtherL);
      size_t Size = ManyRuns && (K == 0 || Blocks[K].Instance != Blocks[K - 1].Instance) ? 12 : 0;
      for (auto *L : {&CodeL, &InL, &OtherL})
        for (const std::string &Line : *L)
          Size += Line.size() + 1;
      Prefix[K + 1] = Prefix[K] + Size;
    }
    if (FixedChars + Prefix.back() + 32 <= BudgetChars)
      break;
  }
  size_t NB = Blocks.size(), Keep = NB / 2 + 1;
  if (FixedChars + Prefix.back() + 32 > BudgetChars) {
    // Largest K such that the K first and K last blocks fit, with room for
    // the two elision lines.
    const size_t ElisionChars = 160;
    auto Cost = [&](size_t K) { return FixedChars + ElisionChars + Prefix[K] + (Prefix[NB] - Prefix[NB - K]); };
    size_t Lo = 0, Hi = NB / 2;
    while (Lo < Hi) {
      size_t Mid = (Lo + Hi + 1) / 2;
      if (Cost(Mid) <= BudgetChars)
        Lo = Mid;
      else
        Hi = Mid - 1;
    }
    Keep = Lo;
  }
  std::string Code, Inputs, Others, Problem;
  while (true) {
    if (2 * Keep >= NB)
      Render(Cap, NB, 0, Code, Inputs, Others);
    else
      Render(Cap, Keep, Keep, Code, Inputs, Others);
    Problem = Assemble(Code, Inputs, Others);
    if (Fits(Problem) || Keep == 0)
      break;
    Keep = std::min(Keep - 1, Keep * 9 / 10); // Estimates were off; shrink until it fits.
  }

  // Memory goes in front, newest entries first, only in what budget is left.
  std::string History;
  if (M && O.MemorySize && !M->Entries.empty()) {
    size_t Used = estimateTokens(P.System) + estimateTokens(Problem);
    size_t First = M->Entries.size() - std::min<size_t>(O.MemorySize, M->Entries.size());
    std::vector<std::string> Kept;
    for (size_t E = M->Entries.size(); E-- > First;) {
      const auto &[Vars, Fb] = M->Entries[E];
      std::string Block = fmt::format("{}\n{}\n{}\n{}\n{}", fmt::format(text::HistoryAttempt, E + 1),
                                      text::HistoryVariables, Vars, text::HistoryFeedback, Fb);
      size_t Cost = estimateTokens(Block) + 1;
      if (Used + Cost + estimateTokens(text::HistoryIntro) + estimateTokens(text::CurrentProblem) + 8 > Budget)
        break;
      Used += Cost;
      Kept.push_back(std::move(Block));
    }
    if (!Kept.empty()) {
      std::reverse(Kept.begin(), Kept.end());
      std::string Body = text::HistoryIntro;
      for (const std::string &K : Kept)
        Body += "\n\n" + K;
      section(History, text::HeadHistory, Body);
      History += "\n\n";
      History += text::CurrentProblem;
      History += "\n\n";
    }
  }
  P.User = History + Problem;
  return P;
}

} // namespace traceopt
