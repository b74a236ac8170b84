//===- TraceSet.cpp - The loaded traces, and sets built by hand -----------===//
#include "traceset/TraceSet.h"

#include <algorithm>
#include <cstring>

namespace traceopt {

void CallResult::setReturn(std::optional<std::string_view> Type, std::optional<std::string_view> Value) {
  ResultParts = uint8_t((Type ? HasRetType : 0) | (Value ? HasRet : 0));
  ResultType = Type.value_or(std::string_view());
  ResultValue = Value.value_or(std::string_view());
}

void CallResult::setException(std::optional<std::string_view> Type, std::optional<std::string_view> What) {
  ResultParts = uint8_t((Type ? HasExcType : 0) | (What ? HasExcWhat : 0));
  ResultType = Type.value_or(std::string_view());
  ResultValue = What.value_or(std::string_view());
}

TextPool::~TextPool() {
  for (auto [Block, Size] : Blocks)
    deallocateLarge(Block, Size, false);
}

std::string_view TextPool::save(std::string_view S) {
  if (S.empty())
    return std::string_view();
  if (S.size() > Left) {
    // Blocks grow so that a small trace stays small and a large one needs
    // few blocks; a string longer than a block gets a block of its own.
    size_t Size = Blocks.empty() ? size_t(64) << 10 : std::min(Capacity, size_t(8) << 20);
    Size = std::max(Size, S.size());
    Next = static_cast<char *>(allocateLarge(Size, false));
    Blocks.push_back({Next, Size});
    Left = Size;
    Capacity += Size;
  }
  std::memcpy(Next, S.data(), S.size());
  std::string_view Saved(Next, S.size());
  Next += S.size();
  Left -= S.size();
  return Saved;
}

std::string_view TraceSet::save(std::string_view S) {
  if (!Text)
    Text = std::make_shared<TextPool>();
  return Text->save(S);
}

/// Gives \p To the result or exception of \p From (the same object is
/// fine), its strings copied into \p T's text.
static void copyResult(TraceSet &T, const CallResult &From, CallResult &To) {
  auto Save = [&](std::optional<std::string_view> S) -> std::optional<std::string_view> {
    if (S)
      return T.save(*S);
    return std::nullopt;
  };
  if (From.threw())
    To.setException(Save(From.excType()), Save(From.excWhat()));
  else
    To.setReturn(Save(From.retType()), Save(From.ret()));
}

Node &TraceSet::addNode(const NodeInit &N, const std::vector<Arg> &NodeArgs, const Arg *This,
                        const std::vector<Arg> &NodeGlobals) {
  size_t Index = Nodes.size();
  Node &Out = appendNode(uint32_t(Calls.size()));
  CallValues &V = Calls.emplace_back();
  V.Id = N.Id;
  V.Instance = uint16_t(N.Instance);
  V.FirstArg = uint32_t(Args.size());
  V.NumArgs = uint32_t(NodeArgs.size());
  V.HasThis = This != nullptr;
  V.NumGlobals = uint32_t(NodeGlobals.size());
  auto Add = [&](const Arg &A) {
    Arg &Copy = Args.emplace_back(A);
    Copy.Name = save(A.Name);
    Copy.Type = save(A.Type);
    Copy.Value = save(A.Value);
  };
  for (const Arg &A : NodeArgs)
    Add(A);
  if (This)
    Add(*This);
  for (const Arg &A : NodeGlobals)
    Add(A);
  copyResult(*this, N, V);
  Out.Site = N.Site;
  Out.setFlag(Node::FinishedFlag, N.Finished);
  Out.setFlag(Node::ThrewFlag, N.threw());
  Out.setFlag(Node::TopLevelFlag, N.Parent == 0);
  if (N.Parent) {
    size_t P = indexOf(N.Instance, N.Parent);
    if (P != npos && P != Index)
      Out.ParentIndex = uint32_t(P);
    else
      ParentIds.push_back({uint32_t(Index), N.Parent});
  }
  return Out;
}

void TraceSet::setException(size_t NodeIndex, std::optional<std::string_view> Type,
                            std::optional<std::string_view> What) {
  Node &N = Nodes[NodeIndex];
  values(N).setException(Type, What);
  N.setFlag(Node::ThrewFlag, true);
}

Node &TraceSet::appendNode(uint32_t Call) {
  if (Call != NoIndex && CallOf.size() < Nodes.size())
    CallOf.resize(Nodes.size(), NoIndex);
  if (Call != NoIndex || !CallOf.empty())
    CallOf.push_back(Call);
  return Nodes.emplace_back();
}

ArgRange<const Fact> TraceSet::facts(size_t I) const {
  const Node &N = Nodes[I];
  if (!N.lazy() || !N.hasFacts())
    return {Facts.data(), 0};
  // Few nodes have facts: a search instead of an index per node.
  const Fact *B = std::lower_bound(Facts.data(), Facts.data() + Facts.size(), I,
                                   [](const Fact &F, size_t X) { return F.Node < X; });
  const Fact *E = B;
  while (E < Facts.data() + Facts.size() && E->Node == I)
    ++E;
  return {B, size_t(E - B)};
}

uint64_t TraceSet::parentId(size_t I) const {
  const Node &N = Nodes[I];
  if (N.topLevel())
    return 0;
  if (N.ParentIndex != NoIndex)
    return id(N.ParentIndex);
  auto It = std::lower_bound(ParentIds.begin(), ParentIds.end(), I,
                             [](const std::pair<uint32_t, uint64_t> &P, size_t X) { return P.first < X; });
  return It != ParentIds.end() && It->first == I ? It->second : 0;
}

const ArgExtra *TraceSet::extra(size_t ArgIndex) const {
  auto It = std::lower_bound(Extras.begin(), Extras.end(), ArgIndex,
                             [](const ArgExtra &E, size_t I) { return E.ArgIndex < I; });
  return It != Extras.end() && It->ArgIndex == ArgIndex ? &*It : nullptr;
}

const ThrowSite *TraceSet::throwSite(size_t NodeIndex) const {
  auto It = std::lower_bound(ThrowSites.begin(), ThrowSites.end(), NodeIndex,
                             [](const ThrowSite &S, size_t I) { return S.Node < I; });
  return It != ThrowSites.end() && It->Node == NodeIndex ? &*It : nullptr;
}

void TraceSet::setExtra(size_t ArgIndex, std::string_view FromParam, const std::vector<uint64_t> &DerivedIds,
                        uint64_t DerivedOmitted) {
  ArgExtra E;
  E.ArgIndex = uint32_t(ArgIndex);
  E.FromParam = save(FromParam);
  E.FirstDerived = uint32_t(Derived.size());
  E.NumDerived = uint32_t(DerivedIds.size());
  E.DerivedOmitted = DerivedOmitted;
  for (uint64_t Id : DerivedIds)
    Derived.push_back({Id, NoIndex});
  auto It = std::lower_bound(Extras.begin(), Extras.end(), ArgIndex,
                             [](const ArgExtra &X, size_t I) { return X.ArgIndex < I; });
  if (It != Extras.end() && It->ArgIndex == ArgIndex)
    *It = E;
  else
    Extras.insert(It, E);
  Args[ArgIndex].HasExtra = true;
}

void TraceSet::setThrowSite(size_t NodeIndex, std::string_view File, unsigned Line) {
  ThrowSite S{uint32_t(NodeIndex), save(File), Line};
  auto It = std::lower_bound(ThrowSites.begin(), ThrowSites.end(), NodeIndex,
                             [](const ThrowSite &X, size_t I) { return X.Node < I; });
  if (It != ThrowSites.end() && It->Node == NodeIndex)
    *It = S;
  else
    ThrowSites.insert(It, S);
}

const Param *TraceSet::findParam(std::string_view Id) const {
  for (const Param &P : Params)
    if (P.Id == Id)
      return &P;
  return nullptr;
}

const Site *TraceSet::findSite(std::string_view Key) const {
  for (const Site &S : Sites)
    if (S.Key == Key)
      return &S;
  return nullptr;
}

size_t TraceSet::indexOf(unsigned Instance, uint64_t Id) const {
  if (Instance >= IdToIndex.size())
    return npos;
  return IdToIndex[Instance].find(Id);
}

bool TraceSet::materialize(std::string &Error) {
  // Values are appended for the lazy nodes; CallOf then names an entry for
  // every node.
  if (CallOf.size() < Nodes.size())
    CallOf.resize(Nodes.size(), NoIndex);
  for (size_t I = 0; I < Nodes.size(); ++I) {
    if (!Nodes[I].lazy())
      continue;
    CallView V = call(I);
    if (!V.Error.empty()) {
      Error = V.Error;
      return false;
    }
    uint64_t Id = id(I);
    unsigned Inst = instance(I);
    CallValues &C = Calls.emplace_back();
    static_cast<CallResult &>(C) = V;
    C.Id = Id;
    C.Instance = uint16_t(Inst);
    C.FirstArg = uint32_t(Args.size());
    C.NumArgs = uint32_t(V.args().size());
    C.HasThis = V.thisArg() != nullptr;
    C.NumGlobals = uint32_t(V.globals().size());
    size_t Total = C.NumArgs + C.HasThis + C.NumGlobals;
    for (size_t P = 0; P < Total; ++P) {
      Arg A = V.Values[P];
      A.Name = save(A.Name);
      A.Type = save(A.Type);
      A.Value = save(A.Value);
      Args.push_back(A);
      if (const ArgExtra *X = V.extra(P)) {
        std::vector<uint64_t> Ids;
        for (const DerivedRef &D : V.derived(*X))
          Ids.push_back(D.Id);
        size_t FirstD = Derived.size();
        setExtra(Args.size() - 1, X->FromParam, Ids, X->DerivedOmitted);
        // The producers are resolved already.
        for (size_t D = 0; D < Ids.size(); ++D)
          Derived[FirstD + D].Index = V.derived(*X)[D].Index;
      }
    }
    CallValues &Kept = Calls.back();
    copyResult(*this, Kept, Kept);
    CallOf[I] = uint32_t(Calls.size() - 1);
    Nodes[I].setFlag(Node::LazyFlag, false);
    Nodes[I].setFlag(Node::FactsFlag, false);
  }
  Facts.clear();
  return true;
}

} // namespace traceopt
