//===- LoadBinary.cpp - Indexing a binary trace into a TraceSet -----------===//
//
// A binary trace is indexed rather than copied (FileReader::BinaryEvents):
// trace_read (lib/trace/BinaryTrace.h) decodes it once without rendering values, the
// set keeps a skeleton per call, where its records are and the data-flow
// facts, and the file stays mapped in a LazyFile for TraceSet::call to
// decode a call's values again, each field as reading the trace's JSON
// Lines export would give it. The file must not change while the set is in
// use: `run` writes every iteration's trace to a new file.
//
//===----------------------------------------------------------------------===//
#include "traceset/LazyFile.h"
#include "traceset/Loader.h"

#include "trace/BinaryTrace.h"
#include "trace/MappedFile.h"
#include "trace/TraceText.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace traceopt {
namespace loader {

/// The handler that builds a TraceSet from a binary trace. Each field is
/// filled as FileReader::handle fills it from the record's JSON export
/// (JsonDump.cpp), so both ways of reading a trace give the same set: a
/// field the export leaves out is left empty here too.
class FileReader::BinaryEvents final : public BinHandler {
public:
  BinaryEvents(FileReader &R, LazyFile &F) : R(R), T(R.T), F(F) {}

  bool site(const BinSite &S) override {
    auto [It, New] = R.SiteByKey.emplace(own(S.Key.Text), int(T.Sites.size()));
    if (New && T.Sites.size() >= Node::MaxSites) {
      Failure = fmt::format("too many functions (at most {} in all traces)", Node::MaxSites);
      return false;
    }
    if (New) {
      Site &Out = T.Sites.emplace_back();
      Out.Key = It->first;
      Out.Name = own(S.Name.Text);
      Out.Signature = own(S.Signature.Text);
      Out.File = own(S.File.Text);
      Out.Doc = own(S.Doc);
      Out.ParamId = own(S.Param.Text);
      Out.Line = unsigned(S.Line);
      for (std::string_view P : S.Params)
        Out.Params.push_back(own(P));
    }
    // Site indices count the file's site records from 0.
    SiteOf.push_back(It->second);
    return true;
  }

  bool param(const BinParam &P) override {
    if (P.Id.empty()) {
      Failure = "'param' record without 'id'";
      return false;
    }
    std::string Id = own(P.Id);
    if (T.findParam(Id))
      return true;
    bool Code = P.Kind == 0;
    Param &Out = T.Params.emplace_back();
    Out.Id = std::move(Id);
    Out.Kind = Code ? "code" : "value";
    Out.Name = own(P.Name.Text);
    Out.File = own(P.File.Text);
    Out.Hash = own(P.Hash.Text);
    Out.Text = own(P.Text.Text);
    // The export has no type or value for code, no signature for a value.
    if (Code) {
      Out.Signature = own(P.Signature.Text);
      Out.Value = Out.Text;
    } else {
      Out.Type = own(P.Type.Text);
      Out.Value = own(P.Value.Text);
    }
    Out.Constraint = own(P.Constraint.Text);
    Out.Line = unsigned(P.Line);
    Out.Begin = P.Begin;
    Out.End = P.End;
    return true;
  }

  bool tu(const BinTu &Tu) override {
    std::string File = own(Tu.File.Text);
    for (const TuInfo &Known : T.Tus)
      if (Known.File == File)
        return true;
    TuInfo &Out = T.Tus.emplace_back();
    Out.File = std::move(File);
    Out.Directory = own(Tu.Directory.Text);
    for (std::string_view A : Tu.Args)
      Out.Args.push_back(own(A));
    return true;
  }

  bool call(const BinCall &C) override {
    size_t NewFacts = C.NumArgs + (C.This != nullptr) + C.NumGlobals;
    for (size_t I = 0; C.Args && I < C.NumArgs; ++I)
      NewFacts += C.Args[I].NumDerived;
    for (size_t I = 0; I < C.NumGlobals; ++I)
      NewFacts += C.Globals[I].NumDerived;
    if (C.This)
      NewFacts += C.This->NumDerived;
    if (!addNode(C, NewFacts, 0))
      return false;
    size_t Index = T.Nodes.size() - 1;
    Node &N = T.Nodes.back();
    if (C.Irregular)
      F.Counts.push_back({uint32_t(Index - F.FirstNode), uint32_t(C.NumArgs + (C.This != nullptr) + C.NumGlobals)});
    // Skipping values, the arguments are left out when none has a flag.
    for (size_t I = 0; C.Args && I < C.NumArgs; ++I)
      fact(N, Index, C.Args[I], uint32_t(I), Fact::Argument);
    if (C.This)
      fact(N, Index, *C.This, uint32_t(C.NumArgs), Fact::This);
    for (size_t I = 0; I < C.NumGlobals; ++I)
      fact(N, Index, C.Globals[I], uint32_t(C.NumArgs + (C.This != nullptr) + I), Fact::Global);
    return true;
  }

  /// A leaf call has no fact: its node, where its records are, and that
  /// it returned.
  bool leafCall(const BinCall &C, const BinRet &Ret) override {
    if (!addNode(C, C.NumArgs, Ret.At, /*Leaf=*/true))
      return false;
    ++R.Finished;
    return true;
  }

  bool ret(const BinRet &Ret) override {
    size_t Index = T.IdToIndex[R.Instance].find(Ret.Node);
    if (Index == NodeIdMap::npos) {
      ++R.UnknownRets;
      return true;
    }
    Node &N = T.Nodes[Index];
    R.Finished += !N.finished();
    N.setFlag(Node::FinishedFlag, true);
    N.setFlag(Node::ThrewFlag, Ret.Kind == RetKind::Exception);
    size_t K = Index - F.FirstNode;
    F.setRetAt(K, Ret.At, F.callAt(K));
    if (Ret.Kind == RetKind::Exception && Ret.HasWhere && !Ret.File.empty() && Ret.Line) {
      R.ThrowSitesSorted = R.ThrowSitesSorted && (T.ThrowSites.empty() || T.ThrowSites.back().Node < Index);
      T.ThrowSites.push_back({uint32_t(Index), keep(Ret.File), unsigned(Ret.Line)});
    }
    return true;
  }

  bool feedback(const BinFeedback &F) override {
    Feedback &Out = T.Feedbacks.emplace_back();
    Out.Node = F.Node;
    Out.Text = own(F.Text);
    if (!F.Unattributed.Null)
      Out.Unattributed = own(F.Unattributed.Text);
    // The export writes a score that is not finite as null, which reads as
    // no score.
    if (F.HasScore && std::isfinite(F.Score))
      Out.Score = F.Score;
    Out.Success = F.Success;
    Out.Uncaught = F.Uncaught;
    Out.Instance = R.Instance;
    // The export shows derived_omitted only with a derived list.
    if (F.Node == 0 && F.NumDerived) {
      Out.Derived.reserve(F.NumDerived);
      for (size_t I = 0; I < F.NumDerived; ++I) {
        uint64_t Id = F.Derived[I];
        if (Id)
          Out.Derived.push_back({Id, R.resolve(Id)});
        else
          ++Out.DerivedOmitted;
      }
      Out.DerivedOmitted += F.DerivedOmitted;
    }
    return true;
  }

  bool end(const BinEnd &E) override {
    R.SawEnd = true;
    R.Dropped = E.Dropped;
    T.Lost[R.Instance] = E.Lost;
    return true;
  }

  void warning(std::string Message) override { T.Warnings.push_back(std::move(Message)); }

  void sizeHint(uint64_t Calls, uint64_t Values) override {
    // Room reserved beyond the need is never touched (large arrays are
    // mapped pages).
    (void)Values;
    T.Nodes.reserve(T.Nodes.size() + size_t(Calls));
    // A fact a call when each call's argument comes from an earlier call:
    // room for that many, so that growing does not copy them (and hold
    // both copies at once).
    T.Facts.reserve(T.Facts.size() + size_t(Calls));
    F.CallBase.reserve((size_t(Calls) >> LazyFile::BaseShift) + 1);
    F.CallDelta.reserve(size_t(Calls));
    F.RetDelta.reserve(size_t(Calls));
  }

  uint64_t resultAt(uint64_t Node) override {
    size_t Index = T.IdToIndex[R.Instance].find(Node);
    return Index == NodeIdMap::npos || Index < F.FirstNode
               ? 0
               : F.retAt(Index - F.FirstNode, T.Nodes[Index].finished());
  }

private:
  /// Appends the node of call \p C, which may have \p NewFacts facts, and
  /// where its records are; \p RetAt: where the record that ended it is
  /// (then it is finished), or 0.
  bool addNode(const BinCall &C, size_t NewFacts, uint64_t RetAt,
               bool Leaf = false) {
    size_t Index = T.Nodes.size();
    if (Index + T.Args.size() + T.Derived.size() + 1 + NewFacts >= NoIndex) {
      Failure =
          fmt::format("too many calls and arguments (at most {} in all traces)",
                      NoIndex - 1);
      return false;
    }
    if (C.NumArgs + (C.This != nullptr) + C.NumGlobals > Fact::MaxPos) {
      Failure = fmt::format("a call with more than {} values", Fact::MaxPos);
      return false;
    }
    if (!T.IdToIndex[R.Instance].insert(C.Node, Index)) {
      Failure = fmt::format("node {} is called twice", C.Node);
      return false;
    }
    Node &N = T.appendNode(NoIndex);
    N.ParentIndex = R.resolve(C.Parent);
    if (C.Parent && N.ParentIndex == NoIndex)
      T.ParentIds.push_back({uint32_t(Index), C.Parent});
    N.Site = SiteOf[C.Site->Index];
    N.Flags = uint8_t(Node::LazyFlag | (C.Parent ? 0 : Node::TopLevelFlag) |
                      (RetAt ? Node::FinishedFlag : 0));
    size_t K = Index - F.FirstNode;
    F.addCall(C.At);
    // A leaf call's result is found from its call.
    if (RetAt && !Leaf)
      F.setRetAt(K, RetAt, C.At);
    F.addId(K, C.Node);
    return true;
  }

  /// \p S in the set's text, as the JSON export would give it back: bytes
  /// that are not UTF-8 become U+FFFD.
  std::string_view keep(std::string_view S) { return R.keep(cleanUtf8(S, Scratch)); }
  std::string own(std::string_view S) { return std::string(cleanUtf8(S, Scratch)); }

  /// A parameter id of a value, kept once per string record (whose bytes
  /// are the same for every value naming it).
  std::string_view keepParam(std::string_view S) {
    auto [It, New] = Params.try_emplace(S.data(), std::string_view());
    if (New)
      It->second = keep(S);
    return It->second;
  }

  /// Keeps what the graph needs of value \p Pos of node \p Index: what the
  /// export writes of `from`, `derived` and `from_param` (a global's param
  /// is its name, not a from_param).
  void fact(Node &N, size_t Index, const BinValue &V, uint32_t Pos, Fact::Kind Kind) {
    bool FromParam = V.HasParam && Kind != Fact::Global;
    bool Derived = V.HasDerived && (V.NumDerived || V.DerivedOmitted);
    if (!V.From && !FromParam && !Derived && Kind != Fact::Global)
      return;
    N.setFlag(Node::FactsFlag, true);
    Fact &Out = T.Facts.emplace_back();
    Out.Node = uint32_t(Index);
    Out.Pos = Pos;
    Out.What = Kind;
    Out.FromIndex = R.resolve(V.From);
    // A producer named before its call: finish() looks it up again.
    if (V.From && Out.FromIndex == NoIndex)
      R.LaterFroms.push_back({uint32_t(T.Facts.size() - 1), V.From});
    Out.Modified = V.Modified;
    bool HasParam = V.HasParam && (Kind == Fact::Global || FromParam);
    if (!HasParam && !Derived)
      return;
    Out.Extra = uint32_t(T.FactExtras.size());
    FactExtra &X = T.FactExtras.emplace_back();
    if (HasParam)
      X.Param = keepParam(V.Param);
    if (Derived) {
      X.DerivedOmitted = V.DerivedOmitted;
      X.FirstDerived = uint32_t(T.Derived.size());
      X.NumDerived = V.NumDerived;
      for (uint32_t I = 0; I < V.NumDerived; ++I)
        T.Derived.push_back({V.Derived[I], R.resolve(V.Derived[I])});
    }
  }

  FileReader &R;
  TraceSet &T;
  LazyFile &F;
  std::vector<int> SiteOf; ///< Site index of the file -> index into T.Sites.
  std::unordered_map<const char *, std::string_view> Params;
  std::string Scratch;
};

bool FileReader::readBinary(std::shared_ptr<LazyFile> F, std::string &Error) {
  F->FirstNode = uint32_t(T.Nodes.size());
  F->Name = Name;
  BinaryEvents Events(*this, *F);
  F->Reader = std::make_unique<BinaryTraceReader>(F->Bytes, Name, Events);
  F->Reader->setSkipValues(true);
  if (F->Mapped)
    F->Reader->setReleaser([](void *Ctx, uint64_t Offset) { static_cast<MappedFile *>(Ctx)->release(Offset); },
                           &F->File);
  if (!F->Reader->read()) {
    Error = F->Reader->error();
    return false;
  }
  F->Reader->setReleaser(nullptr, nullptr);
  T.Lazy[Instance] = std::move(F);
  finish();
  return true;
}

} // namespace loader
} // namespace traceopt
