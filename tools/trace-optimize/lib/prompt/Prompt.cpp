//===- Prompt.cpp - The optimization problem as an LLM prompt -------------===//
#include "prompt/Prompt.h"
#include "patch/Check.h"
#include "graph/Graph.h"
#include "patch/Lex.h"
#include "prompt/PromptText.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace traceopt {

size_t estimateTokens(std::string_view Text) { return (Text.size() + 3) / 4; }

namespace {

bool isSpace(char C) { return C == ' ' || C == '\t' || C == '\n' || C == '\r' || C == '\f' || C == '\v'; }

std::string_view trim(std::string_view S) {
  while (!S.empty() && isSpace(S.front()))
    S.remove_prefix(1);
  while (!S.empty() && isSpace(S.back()))
    S.remove_suffix(1);
  return S;
}

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
/// node of the whole trace. A subgraph much smaller than the trace (the
/// usual case) is hashed, so that the table's size follows the subgraph.
class NameTable {
public:
  NameTable(size_t Nodes, size_t Named) {
    if (Named > Nodes / 16)
      Slot.assign(Nodes, ~0u);
    else
      Sparse.reserve(Named);
  }
  void set(size_t Node, std::string Name) {
    if (Slot.empty())
      Sparse[Node] = unsigned(Names.size());
    else
      Slot[Node] = unsigned(Names.size());
    Names.push_back(std::move(Name));
  }
  const std::string &get(size_t Node) const {
    static const std::string None;
    if (Slot.empty()) {
      auto It = Sparse.find(Node);
      return It == Sparse.end() ? None : Names[It->second];
    }
    return Node < Slot.size() && Slot[Node] != ~0u ? Names[Slot[Node]] : None;
  }

private:
  std::vector<unsigned> Slot;
  std::unordered_map<size_t, unsigned> Sparse;
  std::vector<std::string> Names;
};

std::string typed(std::string_view Type, std::string_view Name, std::string_view Value) {
  if (Type.empty())
    return fmt::format("{}={}", Name, Value);
  return fmt::format("({}) {}={}", Type, Name, Value);
}

/// The lines of the source files the prompt quotes, each file read once.
class SourceFiles {
public:
  /// The lines of \p Path, or null when it cannot be read.
  const std::vector<std::string> *lines(const std::string &Path) {
    auto [It, New] = Files.try_emplace(Path);
    if (New) {
      std::ifstream In(Path, std::ios::binary);
      if (In) {
        It->second = std::make_unique<std::vector<std::string>>();
        std::string Line;
        while (std::getline(In, Line)) {
          if (!Line.empty() && Line.back() == '\r')
            Line.pop_back();
          It->second->push_back(std::move(Line));
        }
      }
    }
    return It->second.get();
  }

private:
  std::unordered_map<std::string, std::unique_ptr<std::vector<std::string>>> Files;
};

/// "/abs/dir/x.cpp" -> "x.cpp": the prompt names files briefly.
std::string_view baseName(std::string_view Path) {
  size_t Slash = Path.rfind('/');
  return Slash == std::string_view::npos ? Path : Path.substr(Slash + 1);
}

/// A node's result as "(type) name=value". An exception is followed by the
/// line that threw, marked, when the trace says where it was thrown.
std::string resultLine(const TraceSet &T, size_t I, const CallView &N, const std::string &Name, size_t Cap,
                       SourceFiles &Sources) {
  if (T.Nodes[I].threw()) {
    std::string Type(N.excType().value_or("?"));
    std::string What = cutMiddle(N.excWhat().value_or(""), Cap);
    std::string Line = fmt::format("{}={}", Name, fmt::format(text::ExceptionResult, Type, What));
    if (const ThrowSite *W = T.throwSite(I)) {
      const std::vector<std::string> *Lines = Sources.lines(std::string(W->File));
      std::string Where = Lines && W->Line >= 1 && W->Line <= Lines->size()
                              ? fmt::format(text::ThrowLine, baseName(W->File), W->Line,
                                            trim((*Lines)[W->Line - 1]), Type, What)
                              : fmt::format(text::ThrowPlace, baseName(W->File), W->Line);
      while (!Where.empty() && Where.back() == ' ') // An empty what() leaves a space.
        Where.pop_back();
      Line += "\n" + Where;
    }
    return Line;
  }
  if (!T.Nodes[I].finished())
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
  bool IsOutput = false;            ///< Feedback names it: its result is never left out.
  bool IsRunOutput = false;         ///< Only run-level feedback is about it.
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

/// The standard File is compiled with, from the same commands the check of a new definition
/// compiles (findCompileCommands), so that the prompt asks for what the check accepts.
std::string standardConstraint(const std::string &Name, const std::string &File, const std::vector<TuArgs> &Tus,
                               const std::string &CompileCommandsDir) {
  auto Described = [](const CompileCommand &C) {
    LanguageStandard S = languageStandard(C.Args);
    if (C.Guessed)
      return fmt::format(text::StandardAssumed, S.describe());
    return S.Given ? fmt::format(text::StandardGiven, S.describe(), S.flag())
                   : fmt::format(text::StandardDefault, S.describe());
  };
  // Standard as described -> the units built with it, in the order the trace lists them.
  std::vector<std::pair<std::string, std::vector<std::string>>> Groups;
  std::vector<CompileCommand> Cmds = findCompileCommands(File, Tus, CompileCommandsDir);
  for (const CompileCommand &C : Cmds) {
    std::string D = Described(C);
    auto It = std::find_if(Groups.begin(), Groups.end(), [&](const auto &G) { return G.first == D; });
    if (It == Groups.end())
      It = Groups.insert(Groups.end(), {D, {}});
    It->second.push_back(std::string(baseName(C.MainFile)));
  }
  if (Groups.size() == 1)
    return fmt::format(text::FileStandard, Name, baseName(File), Groups.front().first,
                       languageStandard(Cmds.front().Args).describe());
  std::string Units;
  for (size_t I = 0; I < Groups.size(); ++I) {
    std::string Files;
    for (const std::string &F : Groups[I].second)
      Files += (Files.empty() ? "" : ", ") + F;
    Units += (I ? " and " : "") + fmt::format(text::StandardOfUnits, Groups[I].first, Files);
  }
  return fmt::format(text::HeaderStandards, Name, baseName(File), Units);
}

} // namespace

std::string withoutTrainableAttribute(std::string_view S) { return stripTrainable(std::string(S)); }

std::vector<std::string> includedHeaders(std::string_view FileText) {
  return includeDirectives(std::string(FileText));
}

Prompt buildPrompt(const TraceSet &T, const Subgraph &G, const PromptOptions &O, const Memory *M) {
  return buildPrompt(T, buildGraph(T), G, O, M);
}

Prompt buildPrompt(const TraceSet &T, const GraphPass &Pass, const PromptOptions &O, const Memory *M) {
  if (!Pass.Built)
    return buildPrompt(T, Pass.Sub, O, M);
  return buildPrompt(T, Pass.G, Pass.Sub, O, M);
}

Prompt buildPrompt(const TraceSet &T, const Graph &Gr, const Subgraph &G, const PromptOptions &O, const Memory *M) {
  Prompt P;
  P.System = text::System;
  Namer Names;
  SourceFiles Sources;
  const bool ManyRuns = T.IdToIndex.size() > 1;

  std::vector<TuArgs> Tus;
  for (const TuInfo &Tu : T.Tus)
    Tus.push_back({Tu.File, Tu.Directory, Tu.Args});

  // Variables first: their names are what the reply refers to. Calls name
  // a parameter by id: ParamName finds its name and the parameter from it.
  struct NamedParam {
    std::string Name;
    const Param *Prm;
  };
  std::unordered_map<std::string, NamedParam> ParamName;
  std::vector<std::string> Variables, Constraints;
  for (uint32_t Index : G.Params) {
    const Param *Prm = &T.Params[Index];
    const std::string &Id = Prm->Id;
    bool Code = Prm->Kind == "code";
    std::string Name = Names.fresh(Code ? "__code" : shortName(Prm->Name));
    ParamName[Id] = {Name, Prm};
    P.NameToParamId[Name] = Id;
    if (Code) {
      Variables.push_back(fmt::format("(code) {}: {}", Name, withoutTrainableAttribute(Prm->Text)));
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
    if (Code) {
      // The checker rejects what this forbids; say so, and what the file
      // already offers, before the LLM writes code that needs more.
      Constraints.push_back(fmt::format(text::ScopeConstraint, Name, text::SuggestionScopeRule));
      if (const std::vector<std::string> *Lines = Sources.lines(Prm->File)) {
        std::string Text;
        for (const std::string &L : *Lines)
          Text += L + "\n";
        std::string Joined;
        for (const std::string &H : includedHeaders(Text))
          Joined += (Joined.empty() ? "" : ", ") + H;
        Constraints.push_back(Joined.empty()
                                  ? fmt::format(text::FileIncludesNothing, Name, baseName(Prm->File))
                                  : fmt::format(text::FileIncludes, Name, baseName(Prm->File), Joined));
      }
      Constraints.push_back(standardConstraint(Name, Prm->File, Tus, O.CompileCommandsDir));
    }
  }

  // Results of the calls in the subgraph.
  // Node index -> its result's name ("" when the node is not in the subgraph).
  NameTable OutName(T.Nodes.size(), G.Nodes.size());
  std::unordered_map<size_t, char> IsOutput;
  for (size_t I : G.Outputs)
    IsOutput[I] = 1;
  for (size_t I : G.RunOutputs)
    IsOutput[I] = 2;
  auto OutputKind = [&](size_t I) {
    auto It = IsOutput.find(I);
    return It == IsOutput.end() ? 0 : It->second;
  };
  for (size_t I : G.Nodes) {
    const Node &N = T.Nodes[I];
    std::string Base = N.Site >= 0 ? shortName(T.Sites[size_t(N.Site)].Name) : "call";
    OutName.set(I, Names.fresh(Base));
  }

  // The producers of a value built from parts of several outputs, by the
  // names of those in the problem; the others (outside it, not in the trace,
  // or beyond the runtime's bound on the list) are only counted, so that the
  // value never looks built from fewer outputs than it was.
  auto DescribeParts = [&](const DerivedRef *Begin, const DerivedRef *End, uint64_t Omitted,
                           unsigned Instance) -> std::string {
    std::string Named;
    uint64_t Unnamed = Omitted;
    for (const DerivedRef *D = Begin; D != End; ++D) {
      size_t J = D->Index != NoIndex ? D->Index : T.indexOf(Instance, D->Id);
      const std::string &DName = OutName.get(J);
      if (DName.empty())
        ++Unnamed;
      else
        Named += (Named.empty() ? "" : ", ") + DName;
    }
    if (Named.empty())
      return Unnamed == 1 ? std::string(text::DerivedUnnamedOne) : fmt::format(text::DerivedUnnamed, Unnamed);
    return Unnamed ? fmt::format(text::DerivedNamedAndMore, Named, Unnamed) : fmt::format(text::DerivedNamed, Named);
  };

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
    B.IsOutput = OutputKind(I) == 1;
    B.IsRunOutput = OutputKind(I) == 2;
    B.Instance = T.instance(I);
    std::vector<std::string> CallArgs;
    // The call's values: decoded from the file for a node of a binary trace.
    CallView V = T.call(I);
    auto AddArg = [&](const Arg &A, size_t ArgIndex, std::string ArgName) {
      size_t From = A.From ? T.indexOf(B.Instance, A.From) : TraceSet::npos;
      const std::string &Producer = OutName.get(From);
      if (!Producer.empty() && !A.Modified) {
        CallArgs.push_back(fmt::format("{}={}", ArgName, Producer));
        return;
      }
      const ArgExtra *X = A.HasExtra ? V.extra(ArgIndex) : nullptr;
      // The trainable variable itself, as the Python reference shows a
      // parameter node passed to an operator.
      if (X && !X->FromParam.empty())
        if (auto It = ParamName.find(std::string(X->FromParam)); It != ParamName.end()) {
          CallArgs.push_back(fmt::format("{}={}", ArgName, It->second.Name));
          return;
        }
      std::string In = Names.fresh(shortName(ArgName));
      CallArgs.push_back(fmt::format("{}={}", ArgName, In));
      B.InputArgs.push_back(ArgIndex);
      B.InputNames.push_back(In);
      std::string Note = !Producer.empty() ? fmt::format(text::ModifiedFrom, Producer) : "";
      if (X && (X->NumDerived || X->DerivedOmitted)) {
        auto Parts = V.derived(*X);
        Note += fmt::format(text::DerivedFrom,
                            DescribeParts(Parts.begin(), Parts.end(), X->DerivedOmitted, B.Instance));
      }
      B.InputNotes.push_back(std::move(Note));
    };
    auto Args = V.args();
    if (const Arg *This = V.thisArg())
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
        CallArgs.push_back(fmt::format("__code={}", It->second.Name));
    for (const Arg &Gl : V.globals())
      if (auto It = ParamName.find(std::string(Gl.Name)); It != ParamName.end())
        CallArgs.push_back(fmt::format("{}={}", shortName(It->second.Prm->Name), It->second.Name));
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

  // Feedback is always shown in full. Run-level feedback is about the whole
  // run and is never put under a call, even one of its outputs; feedback on
  // a value built from parts of several outputs is put under none of them
  // alone, since no one of them is the value it judged.
  std::vector<std::string> FeedbackLines;
  for (size_t F = 0; F < T.Feedbacks.size(); ++F) {
    const Feedback &Fb = T.Feedbacks[F];
    std::string Line;
    if (ManyRuns)
      Line += fmt::format(text::FeedbackRun, Fb.Instance + 1);
    if (Fb.onDerivedValue()) {
      const DerivedRef *Begin = Fb.Derived.data();
      Line += fmt::format(text::DerivedFeedback,
                          DescribeParts(Begin, Begin + Fb.Derived.size(), Fb.DerivedOmitted, Fb.Instance), Fb.Text);
    } else if (Fb.runLevel() && !Fb.Unattributed.empty()) {
      Line += fmt::format(text::UnattributedFeedback, Fb.Unattributed, Fb.Text);
    } else if (Fb.runLevel()) {
      Line += fmt::format(text::RunFeedback, Fb.Text);
    } else {
      size_t Node = F < Gr.FeedbackNode.size() ? Gr.FeedbackNode[F] : TraceSet::npos;
      if (!OutName.get(Node).empty())
        Line += OutName.get(Node) + ": ";
      Line += Fb.Text;
    }
    if (Fb.Score)
      Line += fmt::format(text::FeedbackScore, *Fb.Score);
    if (Fb.Success)
      Line += text::FeedbackSuccess;
    FeedbackLines.push_back(std::move(Line));
  }
  P.VariablesText = joinLines(Variables);
  P.FeedbackText = FeedbackLines.empty() ? text::NoFeedback : joinLines(FeedbackLines);

  // The lines block K contributes at value cap Cap. A result the feedback
  // names goes to #Outputs even when its block is left out (\p Elided).
  struct Lines {
    std::vector<std::string> Code, In, Other, Out;
  };
  auto BlockLines = [&](size_t K, size_t Cap, Lines &L, bool Elided = false) {
    const NodeBlock &B = Blocks[K];
    size_t I = G.Nodes[K];
    if (Elided && !B.IsOutput)
      return;
    CallView V = T.call(I);
    if (Elided) {
      L.Out.push_back(resultLine(T, I, V, B.OutName, Cap, Sources));
      return;
    }
    L.Code.push_back(B.Code);
    auto Args = V.args();
    for (size_t A = 0; A < B.InputArgs.size(); ++A) {
      const Arg &Ar = B.InputArgs[A] == Args.size() ? *V.thisArg() : Args[B.InputArgs[A]];
      L.In.push_back(typed(Ar.Type, B.InputNames[A], cutMiddle(Ar.Value, Cap)) + B.InputNotes[A]);
    }
    (B.IsOutput || B.IsRunOutput ? L.Out : L.Other).push_back(resultLine(T, I, V, B.OutName, Cap, Sources));
  };

  // Renders the elidable sections keeping blocks [0, Head) and [size - Tail,
  // size). Every section that loses values to the cut says so where they
  // would be, as #Code does.
  auto Render = [&](size_t Cap, size_t Head, size_t Tail, std::string &Code, std::string &Inputs,
                    std::string &Others, std::string &Outputs) {
    Lines L;
    size_t NB = Blocks.size();
    bool Elide = Head + Tail < NB;
    unsigned LastRun = ~0u;
    for (size_t K = 0; K < NB; ++K) {
      if (Elide && K == Head) {
        size_t Calls = NB - Head - Tail, InCount = 0, OtherCount = 0, OutCount = 0;
        for (size_t E = Head; E < NB - Tail; ++E) {
          const NodeBlock &B = Blocks[E];
          InCount += B.InputArgs.size();
          OtherCount += !B.IsOutput && !B.IsRunOutput;
          OutCount += B.IsRunOutput;
          BlockLines(E, Cap, L, /*Elided=*/true);
        }
        L.Code.push_back(fmt::format(text::ElidedCalls, Calls));
        L.In.push_back(fmt::format(text::ElidedValues, InCount, Calls));
        L.Other.push_back(fmt::format(text::ElidedValues, OtherCount, Calls));
        if (OutCount)
          L.Out.push_back(fmt::format(text::ElidedValues, OutCount, Calls));
        K = NB - Tail;
        if (K >= NB)
          break;
      }
      if (ManyRuns && Blocks[K].Instance != LastRun) {
        L.Code.push_back(fmt::format(text::RunSeparator, Blocks[K].Instance + 1));
        LastRun = Blocks[K].Instance;
      }
      BlockLines(K, Cap, L);
    }
    Code = joinLines(L.Code);
    Inputs = joinLines(L.In);
    Others = joinLines(L.Other);
    Outputs = joinLines(L.Out);
  };

  auto Assemble = [&](const std::string &Code, const std::string &Inputs, const std::string &Others,
                      const std::string &Outputs) {
    std::string U;
    section(U, text::HeadInstruction, text::Instruction);
    section(U, text::HeadCode, Code);
    section(U, text::HeadDocumentation, joinLines(Docs));
    section(U, text::HeadVariables, P.VariablesText);
    section(U, text::HeadConstraints, joinLines(Constraints));
    section(U, text::HeadInputs, Inputs);
    section(U, text::HeadOthers, Others);
    section(U, text::HeadOutputs, Outputs);
    section(U, text::HeadFeedback, P.FeedbackText);
    return U;
  };

  const size_t Budget = O.TokenBudget;
  auto Fits = [&](const std::string &U) { return estimateTokens(P.System) + estimateTokens(U) <= Budget; };
  const size_t BudgetChars = Budget * 4;
  // The results feedback names are printed whatever is cut: count them as fixed.
  size_t OutputChars = 0;
  for (size_t K = 0; K < Blocks.size(); ++K)
    if (Blocks[K].IsOutput)
      OutputChars +=
          resultLine(T, G.Nodes[K], T.call(G.Nodes[K]), Blocks[K].OutName, O.MaxValueChars, Sources).size() + 1;
  const size_t FixedChars = P.System.size() + Assemble("", "", "", "").size() + OutputChars;
  // First shorten values, then leave out middle calls; never the variables,
  // constraints, named outputs or feedback. Sizes are summed per block so
  // that the search for the cut never renders the whole graph more than once
  // per cap.
  std::vector<size_t> Caps = {O.MaxValueChars};
  for (size_t C : {size_t(200), size_t(60)})
    if (C < Caps.back())
      Caps.push_back(C);
  std::vector<size_t> Prefix(Blocks.size() + 1, 0);
  size_t Cap = Caps.front();
  for (size_t C : Caps) {
    Cap = C;
    for (size_t K = 0; K < Blocks.size(); ++K) {
      Lines L;
      BlockLines(K, Cap, L);
      if (Blocks[K].IsOutput)
        L.Out.clear();
      size_t Size = ManyRuns && (K == 0 || Blocks[K].Instance != Blocks[K - 1].Instance) ? 12 : 0;
      for (auto *Part : {&L.Code, &L.In, &L.Other, &L.Out})
        for (const std::string &Line : *Part)
          Size += Line.size() + 1;
      Prefix[K + 1] = Prefix[K] + Size;
    }
    if (FixedChars + Prefix.back() + 32 <= BudgetChars)
      break;
  }
  size_t NB = Blocks.size(), Keep = NB / 2 + 1;
  if (FixedChars + Prefix.back() + 32 > BudgetChars) {
    // Largest K such that the K first and K last blocks fit, with room for
    // the elision lines.
    const size_t ElisionChars = 360;
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
  std::string Code, Inputs, Others, Outputs, Problem;
  while (true) {
    if (2 * Keep >= NB)
      Render(Cap, NB, 0, Code, Inputs, Others, Outputs);
    else
      Render(Cap, Keep, Keep, Code, Inputs, Others, Outputs);
    Problem = Assemble(Code, Inputs, Others, Outputs);
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
