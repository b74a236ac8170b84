//===- TraceSet.cpp - Reading trace files ---------------------------------===//
//
// JSON Lines: a hand-written scanner instead of a JSON DOM: one record is
// read field by field into a reused Record of views into the line, so
// reading is linear. What the result keeps is copied into the TraceSet's
// text pool, a few large blocks, rather than into a std::string per value:
// with millions of calls, allocations and the page faults of scattered
// small objects cost more than parsing (docs/performance.md). The file
// itself is not kept.
//
// A binary trace is indexed instead (FileReader::BinaryEvents): trace_read
// (lib/trace/BinaryTrace.h) decodes it once without rendering values, the
// set keeps a skeleton per call, where its records are and the data-flow
// facts, and the file stays mapped in a LazyFile for TraceSet::call to
// decode a call's values again, each field as reading the trace's JSON
// Lines export would give it. The file must not change while the set is in
// use: `run` writes every iteration's trace to a new file.
//
//===----------------------------------------------------------------------===//
#include "traceset/TraceSet.h"

#include "trace/BinaryTrace.h"
#include "trace/MappedFile.h"
#include "trace/TraceText.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <unordered_map>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace traceopt {

namespace {

constexpr size_t HugePage = size_t(2) << 20;

size_t roundToHugePages(size_t Bytes) { return (Bytes + HugePage - 1) & ~(HugePage - 1); }

/// Recycled large blocks freed recently, kept for the next recycled
/// allocation. A backward pass builds its graph afresh each time; without
/// reuse, every pass at a million nodes has the kernel zero about 40 MB of
/// new pages, which makes the per-node time grow with the trace although
/// the work is linear. Bounded, so that little stays resident for nothing.
class BlockCache {
public:
  static constexpr size_t Limit = size_t(128) << 20;

  /// A cached block of exactly \p Size bytes, or null. Only exact sizes:
  /// a structure built again asks for the same sizes, and cutting a larger
  /// block down would leave the request it was freed by without one.
  void *take(size_t Size) {
    std::lock_guard<std::mutex> Guard(Lock);
    for (size_t I = 0; I < Blocks.size(); ++I)
      if (Blocks[I].second == Size) {
        void *Block = Blocks[I].first;
        Blocks.erase(Blocks.begin() + std::ptrdiff_t(I));
        Total -= Size;
        return Block;
      }
    return nullptr;
  }

  /// Keeps \p Block if there is room; false if the caller must unmap it.
  bool put(void *Block, size_t Size) {
    std::lock_guard<std::mutex> Guard(Lock);
    if (Total + Size > Limit)
      return false;
    Blocks.push_back({Block, Size});
    Total += Size;
    return true;
  }

private:
  std::mutex Lock;
  std::vector<std::pair<void *, size_t>> Blocks;
  size_t Total = 0;
};

/// Never destroyed: arrays in static storage may be freed after it would be.
BlockCache &blockCache() {
  static BlockCache *Cache = new BlockCache;
  return *Cache;
}

} // namespace

void *allocateLarge(size_t Bytes, bool Recycle) {
  if (Bytes < 2 * HugePage)
    return ::operator new(Bytes);
  size_t Size = roundToHugePages(Bytes);
  if (Recycle)
    if (void *Block = blockCache().take(Size))
      return Block;
  // Map one huge page more than needed and cut the ends off, so that the
  // array starts on a huge-page boundary.
  void *Map = ::mmap(nullptr, Size + HugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (Map == MAP_FAILED)
    throw std::bad_alloc();
  uintptr_t Raw = reinterpret_cast<uintptr_t>(Map);
  uintptr_t Aligned = (Raw + HugePage - 1) & ~uintptr_t(HugePage - 1);
  if (Aligned > Raw)
    ::munmap(Map, Aligned - Raw);
  if (size_t Tail = Raw + Size + HugePage - (Aligned + Size))
    ::munmap(reinterpret_cast<void *>(Aligned + Size), Tail);
  ::madvise(reinterpret_cast<void *>(Aligned), Size, MADV_HUGEPAGE);
  return reinterpret_cast<void *>(Aligned);
}

void deallocateLarge(void *P, size_t Bytes, bool Recycle) {
  if (Bytes < 2 * HugePage) {
    ::operator delete(P);
    return;
  }
  size_t Size = roundToHugePages(Bytes);
  if (!Recycle || !blockCache().put(P, Size))
    ::munmap(P, Size);
}

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

/// Ids are (thread << 32) | sequence: mix the bits so that consecutive
/// sequences of several threads spread over the table.
static size_t mixId(uint64_t Id) {
  Id ^= Id >> 33;
  Id *= 0xff51afd7ed558ccdull;
  Id ^= Id >> 33;
  return size_t(Id);
}

void NodeIdMap::reserve(size_t N) {
  if (!Hashed) {
    Reserved = N;
    return;
  }
  size_t Want = 16;
  while (Want < N + N / 2 + 1)
    Want *= 2;
  if (Want > Slots.size())
    grow(Want);
}

void NodeIdMap::grow(size_t MinSlots) {
  LargeVector<Slot> Old = std::move(Slots);
  Slots = LargeVector<Slot>(MinSlots, Slot{0, 0});
  Count = 0;
  for (const Slot &S : Old)
    if (S.Id)
      insertSlot(S.Id, S.Index);
}

void NodeIdMap::toSlots() {
  Hashed = true;
  std::vector<Run> Old = std::move(Runs);
  Runs.clear();
  Sorted.clear();
  reserve(std::max(Reserved, Count + 1));
  Count = 0;
  for (const Run &R : Old)
    for (uint32_t K = 0; K < R.Count; ++K)
      insertSlot(R.FirstId + K, R.FirstIndex + K);
}

size_t NodeIdMap::findRun(uint64_t Id) const {
  // The run found last, then the last one: a reader looks up the calls of
  // the thread it is reading.
  if (LastFound < Runs.size()) {
    const Run &R = Runs[LastFound];
    if (Id - R.FirstId < R.Count)
      return LastFound;
  }
  if (!Runs.empty() && Id - Runs.back().FirstId < Runs.back().Count)
    return LastFound = Runs.size() - 1;
  auto It = std::upper_bound(Sorted.begin(), Sorted.end(), Id,
                             [&](uint64_t X, uint32_t R) { return X < Runs[R].FirstId; });
  if (It == Sorted.begin())
    return npos;
  const Run &R = Runs[*std::prev(It)];
  if (Id - R.FirstId >= R.Count)
    return npos;
  return LastFound = *std::prev(It);
}

bool NodeIdMap::insert(uint64_t Id, size_t Index) {
  if (Id == 0)
    return false;
  if (Hashed)
    return insertSlot(Id, Index);
  if (!Runs.empty()) {
    Run &R = Runs.back();
    if (Id == R.FirstId + R.Count && Index == size_t(R.FirstIndex) + R.Count && Id < Limit && R.Count < UINT32_MAX) {
      ++R.Count;
      ++Count;
      return true;
    }
  }
  if (findRun(Id) != npos)
    return false;
  // Sparse ids make a run per id: hash them instead.
  if (Runs.size() >= 1024 && Runs.size() * 8 > Count) {
    toSlots();
    return insertSlot(Id, Index);
  }
  Runs.push_back({Id, uint32_t(Index), 1});
  auto It = std::upper_bound(Sorted.begin(), Sorted.end(), Id,
                             [&](uint64_t X, uint32_t R) { return X < Runs[R].FirstId; });
  It = Sorted.insert(It, uint32_t(Runs.size() - 1));
  ++It;
  Limit = It == Sorted.end() ? ~uint64_t(0) : Runs[*It].FirstId;
  ++Count;
  return true;
}

bool NodeIdMap::insertSlot(uint64_t Id, size_t Index) {
  if ((Count + 1) * 3 > Slots.size() * 2)
    grow(Slots.empty() ? 16 : Slots.size() * 2);
  size_t Mask = Slots.size() - 1;
  for (size_t I = mixId(Id) & Mask;; I = (I + 1) & Mask) {
    if (Slots[I].Id == Id)
      return false;
    if (Slots[I].Id == 0) {
      Slots[I] = {Id, uint32_t(Index)};
      ++Count;
      return true;
    }
  }
}

void NodeIdMap::prefetch(uint64_t Id) const {
  if (Hashed && !Slots.empty())
    __builtin_prefetch(&Slots[mixId(Id) & (Slots.size() - 1)], 1);
}

size_t NodeIdMap::find(uint64_t Id) const {
  if (Id == 0)
    return npos;
  if (!Hashed) {
    size_t R = findRun(Id);
    return R == npos ? npos : size_t(Runs[R].FirstIndex) + (Id - Runs[R].FirstId);
  }
  if (Slots.empty())
    return npos;
  size_t Mask = Slots.size() - 1;
  for (size_t I = mixId(Id) & Mask;; I = (I + 1) & Mask) {
    if (Slots[I].Id == Id)
      return Slots[I].Index;
    if (Slots[I].Id == 0)
      return npos;
  }
}

/// A binary trace whose values a TraceSet decodes when asked for.
struct LazyFile {
  std::string Name;
  MappedFile File;  ///< The bytes, mapped (loadTraces)...
  std::string Copy; ///< ...or copied (parseTraceText).
  std::string_view Bytes;
  bool Mapped = false;
  /// The reader of the first pass, kept for its tables (sites, types,
  /// strings, blocks): decodeCall and decodeRet use them.
  std::unique_ptr<BinaryTraceReader> Reader;
  uint32_t FirstNode = 0; ///< Index of the file's first node in TraceSet::Nodes.

  // Where each call's records are, by node index K - FirstNode, in about
  // 4 bytes a call: the kernel zeroes every byte kept per call, and these
  // are most of what a call costs besides its Node.

  /// The enter record of call K is CallBase[K >> BaseShift] for the first
  /// call of a group, else CallDelta[K] bytes after the previous call's
  /// (FarDelta: see FarCalls). Offsets grow with K, and a call of a usual
  /// trace takes tens of bytes, so 16 bits nearly always hold the step.
  static constexpr unsigned BaseShift = 6;
  static constexpr uint16_t FarDelta = 0xFFFF;
  std::vector<uint64_t> CallBase;
  LargeVector<uint16_t> CallDelta;
  /// (K, offset) of the calls whose step is FarDelta, by K.
  std::vector<std::pair<uint32_t, uint64_t>> FarCalls;
  uint64_t LastCall = 0;

  uint64_t callAt(size_t K) const {
    // While reading, most lookups are of the call read last (a result that
    // closes it, an argument that it produced).
    if (K + 1 == CallDelta.size())
      return LastCall;
    size_t First = K & ~((size_t(1) << BaseShift) - 1);
    uint64_t At = CallBase[K >> BaseShift];
    for (size_t J = First + 1; J <= K; ++J) {
      uint16_t D = CallDelta[J];
      if (D != FarDelta) {
        At += D;
        continue;
      }
      At = std::lower_bound(FarCalls.begin(), FarCalls.end(), uint32_t(J),
                            [](const std::pair<uint32_t, uint64_t> &P, uint32_t X) { return P.first < X; })
               ->second;
    }
    return At;
  }
  void addCall(uint64_t At) {
    size_t K = CallDelta.size();
    if (!(K & ((size_t(1) << BaseShift) - 1))) {
      CallBase.push_back(At);
      CallDelta.push_back(0);
    } else if (At - LastCall < FarDelta) {
      CallDelta.push_back(uint16_t(At - LastCall));
    } else {
      CallDelta.push_back(FarDelta);
      FarCalls.push_back({uint32_t(K), At});
    }
    LastCall = At;
  }

  /// By K: how far after the enter record the record that ended the call
  /// is; 0: none, FarDelta: in FarRets (a call with many calls inside),
  /// AfterValues: in FarRets, or else the record after the call's values.
  /// A call past the end has no entry, like AfterValues. A leaf call
  /// (BinHandler::leafCall) needs none, and while the other calls are few
  /// (calls cut by the end of their block) they are kept in FarRets: a
  /// trace of leaf calls keeps no array.
  static constexpr uint16_t AfterValues = FarDelta - 1;
  LargeVector<uint16_t> RetDelta;
  std::unordered_map<uint32_t, uint64_t> FarRets;

  /// Where call K, \p Finished or not, ended; 0 if unknown.
  uint64_t retAt(size_t K, bool Finished) const {
    if (!Finished)
      return 0;
    uint16_t D = K < RetDelta.size() ? RetDelta[K] : AfterValues;
    if (D != FarDelta && D != AfterValues)
      return D ? callAt(K) + D : 0;
    if (!FarRets.empty())
      if (auto It = FarRets.find(uint32_t(K)); It != FarRets.end())
        return It->second;
    return D == AfterValues ? Reader->leafResultAt(callAt(K)) : 0;
  }
  /// Call K ended at \p At; a leaf call needs no entry.
  void setRetAt(size_t K, uint64_t At, uint64_t CallAt) {
    if (RetDelta.size() <= K) {
      if ((FarRets.size() + 1) * 16 <= K) {
        FarRets[uint32_t(K)] = At;
        return;
      }
      RetDelta.resize(K + 1, AfterValues);
    }
    uint64_t D = At - CallAt;
    if (D && D < AfterValues) {
      RetDelta[K] = uint16_t(D);
      return;
    }
    RetDelta[K] = FarDelta;
    FarRets[uint32_t(K)] = At;
  }

  /// Node ids by K: (first K, its id) of each run of consecutive ids, by K.
  std::vector<std::pair<uint32_t, uint64_t>> IdRuns;
  uint64_t idAt(size_t K) const {
    auto It = std::upper_bound(IdRuns.begin(), IdRuns.end(), uint32_t(K),
                               [](uint32_t X, const std::pair<uint32_t, uint64_t> &P) { return X < P.first; });
    --It;
    return It->second + (K - It->first);
  }
  void addId(size_t K, uint64_t Id) {
    if (IdRuns.empty() || IdRuns.back().second + (K - IdRuns.back().first) != Id)
      IdRuns.push_back({uint32_t(K), Id});
  }
  /// Irregular calls (BinCall::Irregular): (node index - FirstNode, number
  /// of values), by node.
  std::vector<std::pair<uint32_t, uint32_t>> Counts;
};

uint64_t TraceSet::id(size_t I) const {
  if (!CallOf.empty() && CallOf[I] != NoIndex)
    return Calls[CallOf[I]].Id;
  const LazyFile &F = *Lazy[instance(I)];
  return F.idAt(I - F.FirstNode);
}

unsigned TraceSet::instance(size_t I) const {
  if (!CallOf.empty() && CallOf[I] != NoIndex)
    return Calls[CallOf[I]].Instance;
  // A lazy node: files are read one after the other, each into a range of
  // nodes.
  auto It = std::upper_bound(InstanceBegin.begin(), InstanceBegin.end(), uint32_t(I));
  return unsigned(It - InstanceBegin.begin()) - 1;
}

/// What a CallView owns of a decoded call: the texts its views point into.
struct CallView::Owned {
  std::string Text;
  std::vector<Arg> Args;
  std::vector<ArgExtra> Extras; ///< ArgIndex: the value's position.
  std::vector<DerivedRef> Derived;
};

CallView::CallView() = default;
CallView::CallView(CallView &&) noexcept = default;
CallView &CallView::operator=(CallView &&) noexcept = default;
CallView::~CallView() = default;

const ArgExtra *CallView::extra(size_t Pos) const {
  if (!Own)
    return Set && Values && Values[Pos].HasExtra ? Set->extra(FirstArg + Pos) : nullptr;
  for (const ArgExtra &E : Own->Extras)
    if (E.ArgIndex == Pos)
      return &E;
  return nullptr;
}

ArgRange<const DerivedRef> CallView::derived(const ArgExtra &E) const {
  if (!Own)
    return Set->derived(E);
  return {Own->Derived.data() + E.FirstDerived, E.NumDerived};
}

namespace {

/// Builds a CallView from a call decoded again (BinaryTraceReader::decodeCall
/// and decodeRet): each field as FileReader::BinaryEvents would have kept it
/// when the whole trace was read (and as the JSON export shows it), the
/// data-flow facts from the first pass.
class DecodeEvents final : public BinHandler {
public:
  DecodeEvents(CallView::Owned &O, CallResult &Result) : O(O), Result(Result) {}

  bool call(const BinCall &C) override {
    auto Add = [&](const BinValue &V, std::string_view Name) {
      Arg &A = O.Args.emplace_back();
      Pending.push_back({text(Name), text(V.Type), text(V.Text)});
      (void)A;
    };
    for (size_t I = 0; I < C.NumArgs; ++I)
      Add(C.Args[I], C.Args[I].Name);
    if (C.This)
      Add(*C.This, std::string_view());
    for (size_t I = 0; I < C.NumGlobals; ++I)
      Add(C.Globals[I], C.Globals[I].HasParam ? C.Globals[I].Param : std::string_view());
    NumArgs = uint32_t(C.NumArgs);
    HasThis = C.This != nullptr;
    NumGlobals = uint32_t(C.NumGlobals);
    return true;
  }

  bool ret(const BinRet &R) override {
    switch (R.Kind) {
    case RetKind::Value:
      RetParts = {text(R.Value->Type), text(R.Value->Text), true, true};
      break;
    case RetKind::Void:
      RetParts = {{}, {}, false, false};
      break;
    case RetKind::NotCaptured:
      RetParts = {{}, text("<not captured>"), false, true};
      break;
    case RetKind::Unfinished:
      RetParts = {{}, text("<not finished>"), false, true};
      break;
    case RetKind::Exception:
      // The JSON reader gives every exception a `what`, empty when absent.
      RetParts = {text(R.ExcType), text(R.What), true, true};
      Threw = true;
      break;
    }
    return true;
  }

  /// Turns the positions into views once the text no longer grows.
  void finish() {
    auto View = [&](std::pair<size_t, size_t> P) { return std::string_view(O.Text.data() + P.first, P.second); };
    for (size_t I = 0; I < O.Args.size(); ++I) {
      O.Args[I].Name = View(Pending[I][0]);
      O.Args[I].Type = View(Pending[I][1]);
      O.Args[I].Value = View(Pending[I][2]);
    }
    if (Threw)
      Result.setException(View(RetParts.Type), View(RetParts.Value));
    else if (RetParts.HasValue)
      Result.setReturn(RetParts.HasType ? std::optional<std::string_view>(View(RetParts.Type)) : std::nullopt,
                       View(RetParts.Value));
  }

  uint32_t NumArgs = 0, NumGlobals = 0;
  bool HasThis = false;

private:
  /// Appends \p S cleaned as the export would: bytes that are not UTF-8
  /// become U+FFFD. Returns where it is.
  std::pair<size_t, size_t> text(std::string_view S) {
    size_t Begin = O.Text.size();
    O.Text += cleanUtf8(S, Scratch);
    return {Begin, O.Text.size() - Begin};
  }

  struct Parts {
    std::pair<size_t, size_t> Type, Value;
    bool HasType = false, HasValue = false;
  };
  CallView::Owned &O;
  CallResult &Result;
  std::vector<std::array<std::pair<size_t, size_t>, 3>> Pending;
  Parts RetParts;
  bool Threw = false;
  std::string Scratch;
};

} // namespace

CallView TraceSet::call(size_t I) const {
  CallView V;
  const Node &N = Nodes[I];
  if (!N.lazy()) {
    const CallValues &C = Calls[CallOf[I]];
    V.Set = this;
    V.FirstArg = C.FirstArg;
    V.Values = Args.data() + C.FirstArg;
    V.NumArgs = C.NumArgs;
    V.HasThis = C.HasThis;
    V.NumGlobals = C.NumGlobals;
    static_cast<CallResult &>(V) = C;
    return V;
  }
  V.Own = std::make_unique<CallView::Owned>();
  LazyFile &F = *Lazy[instance(I)];
  size_t K = I - F.FirstNode;
  uint32_t Count = UINT32_MAX;
  auto It = std::lower_bound(F.Counts.begin(), F.Counts.end(), uint32_t(K),
                             [](const std::pair<uint32_t, uint32_t> &P, uint32_t X) { return P.first < X; });
  if (It != F.Counts.end() && It->first == K)
    Count = It->second;
  DecodeEvents D(*V.Own, V);
  uint64_t Id = F.idAt(K), RetAt = F.retAt(K, N.finished());
  if (!F.Reader->decodeCall(F.callAt(K), Id, parentId(I), Count, D, V.Error) ||
      (RetAt && !F.Reader->decodeRet(RetAt, Id, D, V.Error))) {
    V.Own->Args.clear();
    return V;
  }
  D.finish();
  V.Values = V.Own->Args.data();
  V.NumArgs = D.NumArgs;
  V.HasThis = D.HasThis;
  V.NumGlobals = D.NumGlobals;
  // From, modified and the extras as the first pass found them: a wildcard
  // `from` holds only if the value renders as its producer's output.
  for (const Fact &Fa : facts(I)) {
    if (Fa.Pos >= V.Own->Args.size())
      continue;
    Arg &A = V.Own->Args[Fa.Pos];
    A.From = Fa.FromIndex != NoIndex ? id(Fa.FromIndex) : 0;
    A.FromIndex = Fa.FromIndex;
    A.Modified = Fa.Modified;
    std::string_view Param = param(Fa);
    bool FromParam = !Param.empty() && Fa.What != Fact::Global;
    auto Parts = derived(Fa);
    if (!FromParam && Parts.empty() && !derivedOmitted(Fa))
      continue;
    ArgExtra &E = V.Own->Extras.emplace_back();
    E.ArgIndex = Fa.Pos;
    E.FromParam = FromParam ? Param : std::string_view();
    E.DerivedOmitted = derivedOmitted(Fa);
    E.FirstDerived = uint32_t(V.Own->Derived.size());
    E.NumDerived = uint32_t(Parts.size());
    for (const DerivedRef &R : derived(Fa))
      V.Own->Derived.push_back(R);
    A.HasExtra = true;
  }
  return V;
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

namespace {

/// The decoded form of the escaped strings of one line. The scanner hands
/// out views into the line itself, or into one of these strings when the
/// text had escapes; std::deque keeps them in place as it grows, and they
/// keep their capacity from line to line.
class Scratch {
public:
  std::string &next() {
    if (Used == Strings.size())
      Strings.emplace_back();
    std::string &S = Strings[Used++];
    S.clear();
    return S;
  }
  void reset() { Used = 0; }

private:
  std::deque<std::string> Strings;
  size_t Used = 0;
};

/// A pull scanner over one JSON text. Errors are kept as a message with the
/// column; the caller adds file:line. Strings are views valid until the
/// line's Scratch is reset.
class Scanner {
public:
  Scanner(const char *B, const char *E, Scratch &Decoded) : Begin(B), P(B), End(E), Decoded(Decoded) {}

  bool failed() const { return !Error.empty(); }
  const std::string &error() const { return Error; }
  size_t column() const { return size_t(P - Begin) + 1; }

  bool fail(std::string_view What) {
    if (Error.empty())
      Error = fmt::format("column {}: {}", column(), What);
    return false;
  }

  void ws() {
    while (P < End && (*P == ' ' || *P == '\t' || *P == '\r' || *P == '\n'))
      ++P;
  }
  bool atEnd() {
    ws();
    return P == End;
  }
  char peek() {
    ws();
    return P < End ? *P : '\0';
  }
  bool consume(char C) {
    // The writer puts no whitespace between tokens: test for C first.
    if ((P < End && *P == C) || peek() == C) {
      ++P;
      return true;
    }
    return false;
  }
  bool expect(char C) {
    if (consume(C))
      return true;
    return expected(C);
  }

  /// Consumes `null` if it is next.
  bool null() {
    ws();
    if (End - P >= 4 && std::memcmp(P, "null", 4) == 0) {
      P += 4;
      return true;
    }
    return false;
  }

  bool string(std::string_view &Out) {
    if (!expect('"'))
      return false;
    const char *Start = P;
    skipPlain();
    if (P < End && *P == '"') {
      // No escapes (the usual case): a view into the line.
      Out = std::string_view(Start, size_t(P - Start));
      ++P;
      return true;
    }
    std::string &Buf = Decoded.next();
    Buf.assign(Start, P);
    while (true) {
      if (P == End)
        return fail("unterminated string");
      char C = *P++;
      if (C == '"') {
        Out = Buf;
        return true;
      }
      if (C != '\\')
        return --P, fail("control character inside a string");
      if (P == End)
        return fail("unterminated escape");
      switch (*P++) {
      case '"': Buf += '"'; break;
      case '\\': Buf += '\\'; break;
      case '/': Buf += '/'; break;
      case 'b': Buf += '\b'; break;
      case 'f': Buf += '\f'; break;
      case 'n': Buf += '\n'; break;
      case 'r': Buf += '\r'; break;
      case 't': Buf += '\t'; break;
      case 'u': {
        uint32_t Cp;
        if (!hex4(Cp))
          return false;
        if (Cp >= 0xD800 && Cp < 0xDC00 && End - P >= 6 && P[0] == '\\' && P[1] == 'u') {
          P += 2;
          uint32_t Lo;
          if (!hex4(Lo))
            return false;
          if (Lo >= 0xDC00 && Lo < 0xE000)
            Cp = 0x10000 + ((Cp - 0xD800) << 10) + (Lo - 0xDC00);
        }
        appendUtf8(Buf, Cp);
        break;
      }
      default:
        --P;
        return fail("invalid escape in a string");
      }
      const char *Run = P;
      skipPlain();
      Buf.append(Run, P);
    }
  }

  /// The characters of a number token.
  bool numberToken(std::string_view &Tok) {
    ws();
    const char *Start = P;
    while (P < End && (std::isdigit(static_cast<unsigned char>(*P)) || *P == '-' || *P == '+' || *P == '.' ||
                       *P == 'e' || *P == 'E'))
      ++P;
    if (P == Start)
      return fail(P == End ? "expected a number but the line ends" : "expected a number");
    Tok = std::string_view(Start, size_t(P - Start));
    return true;
  }

  bool u64(uint64_t &V) {
    // Fast path: up to 19 digits cannot overflow, and the next character
    // ends the number. Anything else is left to the general path below.
    const char *Start = P;
    uint64_t X = 0;
    while (P < End && P - Start < 19 && unsigned(*P - '0') < 10)
      X = X * 10 + uint64_t(*P++ - '0');
    if (P > Start && (P == End || (!std::isdigit(static_cast<unsigned char>(*P)) && *P != '-' && *P != '+' &&
                                   *P != '.' && *P != 'e' && *P != 'E'))) {
      V = X;
      return true;
    }
    P = Start;
    std::string_view Tok;
    if (!numberToken(Tok))
      return false;
    auto [Ptr, Ec] = std::from_chars(Tok.data(), Tok.data() + Tok.size(), V);
    if (Ec != std::errc() || Ptr != Tok.data() + Tok.size())
      return fail(fmt::format("expected a non-negative integer, found '{}'", Tok));
    return true;
  }

  bool number(double &V) {
    std::string_view Tok;
    if (!numberToken(Tok))
      return false;
    auto [Ptr, Ec] = std::from_chars(Tok.data(), Tok.data() + Tok.size(), V);
    if (Ec != std::errc() || Ptr != Tok.data() + Tok.size())
      return fail(fmt::format("expected a number, found '{}'", Tok));
    return true;
  }

  bool boolean(bool &V) {
    ws();
    if (End - P >= 4 && std::memcmp(P, "true", 4) == 0) {
      P += 4;
      V = true;
      return true;
    }
    if (End - P >= 5 && std::memcmp(P, "false", 5) == 0) {
      P += 5;
      V = false;
      return true;
    }
    return fail("expected true or false");
  }

  bool skipValue(unsigned Depth = 0) {
    if (Depth > 200)
      return fail("nested too deeply");
    char C = peek();
    if (C == '"') {
      std::string_view Ignored;
      return string(Ignored);
    }
    if (C == '{')
      return object([&](std::string_view) { return skipValue(Depth + 1); });
    if (C == '[')
      return array([&] { return skipValue(Depth + 1); });
    if (C == 't' || C == 'f') {
      bool B;
      return boolean(B);
    }
    if (null())
      return true;
    double D;
    return number(D);
  }

  /// Reads an object, calling OnKey(Key) for each member; OnKey consumes the value.
  template <class F> bool object(F &&OnKey) {
    if (!expect('{'))
      return false;
    if (consume('}'))
      return true;
    while (true) {
      std::string_view Key;
      if (!string(Key))
        return false;
      if (!expect(':'))
        return false;
      if (!OnKey(Key))
        return false;
      if (consume(','))
        continue;
      return expect('}');
    }
  }

  template <class F> bool array(F &&OnElem) {
    if (!expect('['))
      return false;
    if (consume(']'))
      return true;
    while (true) {
      if (!OnElem())
        return false;
      if (consume(','))
        continue;
      return expect(']');
    }
  }

  /// A string, or null (then \p Out is empty and \p IsNull set).
  bool stringOrNull(std::string_view &Out, bool *IsNull = nullptr) {
    if (null()) {
      Out = std::string_view();
      if (IsNull)
        *IsNull = true;
      return true;
    }
    if (IsNull)
      *IsNull = false;
    return string(Out);
  }

private:
  /// The failure of expect(), out of line so that expect() stays small
  /// enough to inline.
  [[gnu::noinline]] bool expected(char C) {
    if (P == End)
      return fail(fmt::format("expected '{}' but the line ends", C));
    return fail(fmt::format("expected '{}' but found '{}'", C, *P));
  }

  /// Moves P over characters that stand for themselves inside a string.
  void skipPlain() {
    while (P < End && *P != '"' && *P != '\\' && static_cast<unsigned char>(*P) >= 0x20)
      ++P;
  }

  bool hex4(uint32_t &V) {
    if (End - P < 4)
      return fail("truncated \\u escape");
    V = 0;
    for (int I = 0; I < 4; ++I) {
      char C = *P++;
      V <<= 4;
      if (C >= '0' && C <= '9')
        V |= uint32_t(C - '0');
      else if (C >= 'a' && C <= 'f')
        V |= uint32_t(C - 'a' + 10);
      else if (C >= 'A' && C <= 'F')
        V |= uint32_t(C - 'A' + 10);
      else
        return fail("invalid \\u escape");
    }
    return true;
  }

  static void appendUtf8(std::string &Out, uint32_t Cp) {
    if (Cp < 0x80) {
      Out += char(Cp);
    } else if (Cp < 0x800) {
      Out += char(0xC0 | (Cp >> 6));
      Out += char(0x80 | (Cp & 0x3F));
    } else if (Cp < 0x10000) {
      Out += char(0xE0 | (Cp >> 12));
      Out += char(0x80 | ((Cp >> 6) & 0x3F));
      Out += char(0x80 | (Cp & 0x3F));
    } else {
      Out += char(0xF0 | (Cp >> 18));
      Out += char(0x80 | ((Cp >> 12) & 0x3F));
      Out += char(0x80 | ((Cp >> 6) & 0x3F));
      Out += char(0x80 | (Cp & 0x3F));
    }
  }

  const char *Begin, *P, *End;
  Scratch &Decoded;
  std::string Error;
};

/// The union of the fields of all record kinds, reused line after line. The
/// strings are views valid until the next line.
/// Which list of a call record an argument is in.
enum class ArgList : uint8_t { Args, This, Globals };

/// The `derived`/`from_param` fields of one argument of the current record.
struct PendingExtra {
  ArgList List = ArgList::Args;
  uint32_t Pos = 0; ///< Position within List.
  uint32_t FirstDerived = 0, NumDerived = 0; ///< Record::DerivedIds[FirstDerived ..).
  uint64_t Omitted = 0;
  std::string_view FromParam;
};

struct Record {
  std::string_view K, Format, Key, Name, Signature, File, Doc, SiteParam, Id, Kind, Hash, Text, Constraint, Type,
      Value, Directory, ExcType, ExcWhat, ExcFile, Unattributed;
  uint64_t Node = 0, Site = 0, Parent = 0, Thread = 0, Line = 0, Begin = 0, End = 0, Version = 0, Dropped = 0,
           ExcLine = 0, Lost = 0;
  bool HasNode = false, HasSite = false, HasValue = false, HasType = false, HasExc = false, HasText = false,
       HasVersion = false, HasBegin = false, HasEnd = false, Success = false, HasThis = false, Uncaught = false;
  std::optional<double> Score;
  std::vector<Arg> Args, Globals;
  std::vector<std::string_view> Strings; ///< `args` of a tu, `params` of a site.
  Arg This;
  std::vector<PendingExtra> Extras;
  std::vector<uint64_t> DerivedIds;
  /// A feedback record's own `derived` list: DerivedIds[FirstDerived ..),
  /// kept there so that it reuses that vector's capacity.
  uint32_t FirstDerived = 0, NumDerived = 0;
  uint64_t DerivedOmitted = 0;

  void reset() {
    for (std::string_view *S : {&K, &Format, &Key, &Name, &Signature, &File, &Doc, &SiteParam, &Id, &Kind, &Hash,
                                &Text, &Constraint, &Type, &Value, &Directory, &ExcType, &ExcWhat, &ExcFile,
                                &Unattributed})
      *S = std::string_view();
    Node = Site = Parent = Thread = Line = Begin = End = Version = Dropped = ExcLine = Lost = DerivedOmitted = 0;
    FirstDerived = NumDerived = 0;
    HasNode = HasSite = HasValue = HasType = HasExc = HasText = HasVersion = HasBegin = HasEnd = Success = HasThis =
        Uncaught = false;
    Score.reset();
    Args.clear();
    Globals.clear();
    Strings.clear();
    Extras.clear();
    DerivedIds.clear();
  }
};

/// Reads one argument object. The fields every argument may have are tested
/// first; the rare `derived`/`from_param` go to \p R's extras, tagged with
/// the argument's place (\p List, \p Pos).
bool readArg(Scanner &S, Arg &A, Record &R, ArgList List, size_t Pos) {
  auto Extra = [&]() -> PendingExtra & {
    if (R.Extras.empty() || R.Extras.back().List != List || R.Extras.back().Pos != Pos) {
      PendingExtra &E = R.Extras.emplace_back();
      E.List = List;
      E.Pos = uint32_t(Pos);
    }
    return R.Extras.back();
  };
  return S.object([&](std::string_view Key) {
    if (Key == "name" || Key == "param")
      return S.stringOrNull(A.Name);
    if (Key == "type")
      return S.stringOrNull(A.Type);
    if (Key == "value")
      return S.stringOrNull(A.Value);
    if (Key == "from") {
      if (S.null())
        return true;
      return S.u64(A.From);
    }
    if (Key == "modified")
      return S.boolean(A.Modified);
    if (Key == "derived") {
      if (S.null())
        return true;
      PendingExtra &E = Extra();
      E.FirstDerived = uint32_t(R.DerivedIds.size());
      bool Ok = S.array([&] { return S.u64(R.DerivedIds.emplace_back()); });
      E.NumDerived = uint32_t(R.DerivedIds.size() - E.FirstDerived);
      return Ok;
    }
    if (Key == "derived_omitted")
      return S.null() || S.u64(Extra().Omitted);
    if (Key == "from_param")
      return S.stringOrNull(Extra().FromParam);
    return S.skipValue();
  });
}

bool readArgList(Scanner &S, Record &R, ArgList List, std::vector<Arg> &Out, std::vector<std::string_view> *Strings) {
  return S.array([&] {
    if (Strings && S.peek() == '"')
      return S.string(Strings->emplace_back());
    size_t Pos = Out.size();
    return readArg(S, Out.emplace_back(), R, List, Pos);
  });
}
/// Reads one record into \p R. The slot of its node id in \p Ids is
/// prefetched as soon as the id is read: the id map of a million-node trace
/// is far larger than the cache, and a call record's insertion is otherwise
/// a cache miss per node.
bool readRecord(Scanner &S, Record &R, const NodeIdMap &Ids) {
  return S.object([&](std::string_view Key) -> bool {
    switch (Key.empty() ? '\0' : Key[0]) {
    case 'a':
      if (Key == "args")
        return readArgList(S, R, ArgList::Args, R.Args, &R.Strings);
      break;
    case 'b':
      if (Key == "begin")
        return R.HasBegin = true, S.u64(R.Begin);
      break;
    case 'c':
      if (Key == "constraint")
        return S.stringOrNull(R.Constraint);
      break;
    case 'd':
      if (Key == "doc")
        return S.stringOrNull(R.Doc);
      if (Key == "directory")
        return S.stringOrNull(R.Directory);
      if (Key == "dropped")
        return S.u64(R.Dropped);
      if (Key == "derived") {
        // A feedback record's value built from parts of several outputs.
        if (S.null())
          return true;
        R.FirstDerived = uint32_t(R.DerivedIds.size());
        bool Ok = S.array([&] { return S.u64(R.DerivedIds.emplace_back()); });
        R.NumDerived = uint32_t(R.DerivedIds.size() - R.FirstDerived);
        return Ok;
      }
      if (Key == "derived_omitted")
        return S.null() || S.u64(R.DerivedOmitted);
      break;
    case 'e':
      if (Key == "end")
        return R.HasEnd = true, S.u64(R.End);
      if (Key == "exception") {
        R.HasExc = true;
        return S.object([&](std::string_view EK) {
          if (EK == "type")
            return S.stringOrNull(R.ExcType);
          if (EK == "what")
            return S.stringOrNull(R.ExcWhat);
          if (EK == "file")
            return S.stringOrNull(R.ExcFile);
          if (EK == "line")
            return S.null() || S.u64(R.ExcLine);
          return S.skipValue();
        });
      }
      break;
    case 'f':
      if (Key == "file")
        return S.stringOrNull(R.File);
      if (Key == "format")
        return S.stringOrNull(R.Format);
      break;
    case 'g':
      if (Key == "globals")
        return readArgList(S, R, ArgList::Globals, R.Globals, nullptr);
      break;
    case 'h':
      if (Key == "hash")
        return S.stringOrNull(R.Hash);
      break;
    case 'i':
      if (Key == "id")
        return S.stringOrNull(R.Id);
      break;
    case 'k':
      if (Key == "k")
        return S.string(R.K);
      if (Key == "key")
        return S.stringOrNull(R.Key);
      if (Key == "kind")
        return S.stringOrNull(R.Kind);
      break;
    case 'l':
      if (Key == "line")
        return S.u64(R.Line);
      if (Key == "lost")
        return S.null() || S.u64(R.Lost);
      break;
    case 'n':
      if (Key == "node") {
        R.HasNode = true;
        if (!S.u64(R.Node))
          return false;
        Ids.prefetch(R.Node);
        return true;
      }
      if (Key == "name")
        return S.stringOrNull(R.Name);
      break;
    case 'p':
      if (Key == "parent")
        return S.null() || S.u64(R.Parent);
      if (Key == "param")
        return S.stringOrNull(R.SiteParam);
      if (Key == "params")
        return S.array([&] {
          R.Strings.emplace_back();
          return S.stringOrNull(R.Strings.back());
        });
      break;
    case 's':
      if (Key == "site")
        return R.HasSite = true, S.u64(R.Site);
      if (Key == "signature")
        return S.stringOrNull(R.Signature);
      if (Key == "score") {
        if (S.null())
          return true;
        double D;
        if (!S.number(D))
          return false;
        R.Score = D;
        return true;
      }
      if (Key == "success")
        return S.boolean(R.Success);
      break;
    case 't':
      if (Key == "thread")
        return S.u64(R.Thread);
      if (Key == "type")
        return R.HasType = true, S.stringOrNull(R.Type);
      if (Key == "text")
        return R.HasText = true, S.stringOrNull(R.Text);
      if (Key == "this") {
        if (S.null())
          return true;
        R.HasThis = true;
        R.This = Arg();
        return readArg(S, R.This, R, ArgList::This, 0);
      }
      break;
    case 'u':
      if (Key == "unattributed")
        return S.stringOrNull(R.Unattributed);
      if (Key == "uncaught")
        return S.boolean(R.Uncaught);
      break;
    case 'v':
      if (Key == "value")
        return R.HasValue = true, S.stringOrNull(R.Value);
      if (Key == "version")
        return R.HasVersion = true, S.u64(R.Version);
      break;
    }
    return S.skipValue();
  });
}

/// How many calls and arguments a trace holds, to size the arrays once
/// instead of growing them (growing copies them, and page faults on the
/// copies cost more than the copying). Counted from the text the writer
/// produces (`{"k":"call"`, `{"name":`, `{"param":`, `"this":{`) in the
/// first few MiB and extrapolated with a margin: counting a whole
/// 200 MB trace takes longer than parsing a tenth of it. A hint only: if it
/// is short, the arrays grow; room reserved beyond it is never touched.
struct SizeHint {
  size_t Calls = 0, Args = 0;
};

SizeHint estimateSize(std::string_view Text) {
  const size_t Sample = size_t(4) << 20;
  std::string_view Head = Text.substr(0, Sample);
  SizeHint H;
  const char *Begin = Head.data(), *End = Begin + Head.size();
  auto StartsWith = [&](const char *P, std::string_view S) {
    return size_t(End - P) >= S.size() && std::memcmp(P, S.data(), S.size()) == 0;
  };
  for (const char *P = Begin; P < End; ++P) {
    P = static_cast<const char *>(std::memchr(P, '{', size_t(End - P)));
    if (!P)
      break;
    if (StartsWith(P, "{\"k\":\"call\""))
      ++H.Calls;
    else if (StartsWith(P, "{\"name\":") || StartsWith(P, "{\"param\":") ||
             (P - Begin >= 7 && std::memcmp(P - 7, "\"this\":", 7) == 0))
      ++H.Args;
  }
  if (Text.size() > Head.size()) {
    double Scale = 1.25 * double(Text.size()) / double(Head.size());
    H.Calls = size_t(double(H.Calls) * Scale) + 1024;
    H.Args = size_t(double(H.Args) * Scale) + 1024;
  }
  return H;
}

/// State of reading one file into a TraceSet.
class FileReader {
public:
  FileReader(TraceSet &T, const std::string &Name)
      : T(T), Name(Name), Instance(unsigned(T.IdToIndex.size())), FirstNode(T.Nodes.size()),
        FirstExtra(T.Extras.size()), FirstFeedback(T.Feedbacks.size()), FirstFact(T.Facts.size()) {
    T.IdToIndex.emplace_back();
    // Earlier instances built by hand have no entry: theirs are never used.
    T.InstanceBegin.resize(Instance + 1, uint32_t(FirstNode));
    T.InstanceBegin[Instance] = uint32_t(FirstNode);
    T.Files.push_back(Name);
    T.Lost.resize(T.IdToIndex.size(), 0);
    T.Lazy.resize(T.IdToIndex.size());
    if (!T.Text)
      T.Text = std::make_shared<TextPool>();
    Pool = T.Text.get();
    for (size_t I = 0; I < T.Sites.size(); ++I)
      SiteByKey.emplace(T.Sites[I].Key, int(I));
  }

  /// Reads a binary trace (docs/trace-format.md, version 2) straight into
  /// the set: the same nodes, arguments and warnings as reading its JSON
  /// Lines export, without the text in between.
  bool readBinary(std::shared_ptr<LazyFile> F, std::string &Error);

  bool read(std::string_view Text, std::string &Error) {
    SizeHint Hint = estimateSize(Text);
    T.Nodes.reserve(T.Nodes.size() + Hint.Calls);
    T.Calls.reserve(T.Calls.size() + Hint.Calls);
    T.CallOf.reserve(T.Nodes.size() + Hint.Calls);
    T.Args.reserve(T.Args.size() + Hint.Args);
    T.IdToIndex[Instance].reserve(Hint.Calls);

    size_t Pos = 0, LineNo = 0;
    bool SawHeader = false;
    Record R;
    Scratch Decoded;
    while (Pos < Text.size()) {
      size_t Nl = Text.find('\n', Pos);
      bool LastUnterminated = Nl == std::string_view::npos;
      size_t LineEnd = LastUnterminated ? Text.size() : Nl;
      std::string_view Line = Text.substr(Pos, LineEnd - Pos);
      Pos = LastUnterminated ? Text.size() : Nl + 1;
      ++LineNo;
      Decoded.reset();
      Scanner S(Line.data(), Line.data() + Line.size(), Decoded);
      if (S.atEnd())
        continue;
      R.reset();
      bool Ok = readRecord(S, R, T.IdToIndex[Instance]) && (S.atEnd() || S.fail("unexpected text after the record"));
      if (!Ok) {
        if (LastUnterminated && SawHeader) {
          T.Warnings.push_back(fmt::format("{}:{}: the last line is incomplete ({}); it was ignored (the program "
                                           "was cut short?)",
                                           Name, LineNo, S.error()));
          break;
        }
        Error = fmt::format("{}:{}: malformed record: {}", Name, LineNo, S.error());
        return false;
      }
      if (!SawHeader) {
        if (R.K != "header" || R.Format != "trace-cpp") {
          Error = fmt::format("{}:{}: not a trace-cpp trace: the first record must be "
                              "{{\"k\":\"header\",\"format\":\"trace-cpp\",...}}",
                              Name, LineNo);
          return false;
        }
        if (!R.HasVersion || R.Version != 1) {
          Error = fmt::format("{}:{}: unsupported trace format version {} (this trace-optimize reads version 1)",
                              Name, LineNo, R.HasVersion ? std::to_string(R.Version) : "(missing)");
          return false;
        }
        SawHeader = true;
        continue;
      }
      if (!handle(R, LineNo, Error))
        return false;
    }
    if (!SawHeader) {
      Error = fmt::format("{}: empty trace file (no header record)", Name);
      return false;
    }
    finish();
    return true;
  }

private:
  bool require(bool Has, const char *Field, const Record &R, size_t LineNo, std::string &Error) {
    if (Has)
      return true;
    Error = fmt::format("{}:{}: '{}' record without '{}'", Name, LineNo, R.K, Field);
    return false;
  }

  std::string_view keep(std::string_view S) { return Pool->save(S); }

  /// The index of node \p Id of this file, or NoIndex. A node that is not
  /// known yet (named before its call record) is looked up again in finish().
  uint32_t resolve(uint64_t Id) {
    if (!Id)
      return NoIndex;
    size_t Index = T.IdToIndex[Instance].find(Id);
    if (Index != NodeIdMap::npos)
      return uint32_t(Index);
    ForwardRefs = true;
    return NoIndex;
  }

  void keepArg(const Arg &A) {
    Arg &K = T.Args.emplace_back();
    K.Name = keep(A.Name);
    K.Type = keep(A.Type);
    K.Value = keep(A.Value);
    K.From = A.From;
    K.FromIndex = resolve(A.From);
    K.Modified = A.Modified;
  }

  /// The site index of site id \p Id of this file, or -1 if it has no
  /// `site` record (yet).
  int siteIndex(uint64_t Id) const {
    if (Id < SiteBySmallId.size())
      return SiteBySmallId[Id];
    auto It = SiteById.find(Id);
    return It == SiteById.end() ? -1 : It->second;
  }

  bool handleCall(const Record &R, size_t LineNo, std::string &Error) {
    if (!require(R.HasNode && R.Node != 0, "node", R, LineNo, Error) || !require(R.HasSite, "site", R, LineNo, Error))
      return false;
    // Indices into Nodes and Args are 32 bits, and so are those of the
    // graph's edges, which are at most one per node and one per argument.
    size_t NewArgs = R.Args.size() + R.HasThis + R.Globals.size() + R.DerivedIds.size();
    if (T.Nodes.size() + T.Args.size() + T.Derived.size() + 1 + NewArgs >= NoIndex) {
      Error = fmt::format("{}:{}: too many calls and arguments (at most {} in all traces)", Name, LineNo,
                          NoIndex - 1);
      return false;
    }
    size_t Index = T.Nodes.size();
    if (!T.IdToIndex[Instance].insert(R.Node, Index)) {
      Error = fmt::format("{}:{}: node {} is called twice", Name, LineNo, R.Node);
      return false;
    }
    Node &N = T.appendNode(uint32_t(T.Calls.size()));
    N.ParentIndex = resolve(R.Parent);
    if (R.Parent && N.ParentIndex == NoIndex)
      T.ParentIds.push_back({uint32_t(Index), R.Parent});
    N.setFlag(Node::TopLevelFlag, R.Parent == 0);
    N.Site = siteIndex(R.Site);
    if (N.Site < 0)
      LaterSites.push_back({uint32_t(Index), R.Site});
    CallValues &V = T.Calls.emplace_back();
    V.Id = R.Node;
    V.Instance = uint16_t(Instance);
    V.FirstArg = uint32_t(T.Args.size());
    V.NumArgs = uint32_t(R.Args.size());
    V.HasThis = R.HasThis;
    V.NumGlobals = uint32_t(R.Globals.size());
    for (const Arg &A : R.Args)
      keepArg(A);
    if (R.HasThis)
      keepArg(R.This);
    for (const Arg &A : R.Globals)
      keepArg(A);
    for (const PendingExtra &P : R.Extras)
      keepExtra(V, R, P);
    return true;
  }

  /// Files the `derived`/`from_param` fields of one argument of \p N.
  void keepExtra(const CallValues &N, const Record &R, const PendingExtra &P) {
    size_t Offset = P.List == ArgList::Args ? P.Pos : P.List == ArgList::This ? N.NumArgs : N.NumArgs + N.HasThis + P.Pos;
    ArgExtra &E = T.Extras.emplace_back();
    E.ArgIndex = uint32_t(N.FirstArg + Offset);
    E.FromParam = keep(P.FromParam);
    E.DerivedOmitted = P.Omitted;
    E.FirstDerived = uint32_t(T.Derived.size());
    E.NumDerived = P.NumDerived;
    for (uint32_t I = 0; I < P.NumDerived; ++I) {
      uint64_t Id = R.DerivedIds[P.FirstDerived + I];
      T.Derived.push_back({Id, resolve(Id)});
    }
    T.Args[E.ArgIndex].HasExtra = true;
  }

  bool handle(Record &R, size_t LineNo, std::string &Error) {
    if (R.K.empty()) {
      Error = fmt::format("{}:{}: record without a kind (\"k\")", Name, LineNo);
      return false;
    }
    if (R.K == "call")
      return handleCall(R, LineNo, Error);
    if (R.K == "ret") {
      if (!require(R.HasNode, "node", R, LineNo, Error))
        return false;
      size_t Index = T.IdToIndex[Instance].find(R.Node);
      if (Index == NodeIdMap::npos) {
        ++UnknownRets;
        return true;
      }
      Node &N = T.Nodes[Index];
      Finished += !N.finished();
      N.setFlag(Node::FinishedFlag, true);
      N.setFlag(Node::ThrewFlag, R.HasExc);
      CallValues &V = T.values(N);
      if (R.HasExc) {
        V.setException(keep(R.ExcType), keep(R.ExcWhat));
        if (!R.ExcFile.empty() && R.ExcLine) {
          // Usually in call order already; finish() sorts what is not.
          ThrowSitesSorted = ThrowSitesSorted && (T.ThrowSites.empty() || T.ThrowSites.back().Node < Index);
          T.ThrowSites.push_back({uint32_t(Index), keep(R.ExcFile), unsigned(R.ExcLine)});
        }
        return true;
      }
      std::optional<std::string_view> Type, Value;
      if (R.HasType)
        Type = keep(R.Type);
      if (R.HasValue)
        Value = keep(R.Value);
      V.setReturn(Type, Value);
      return true;
    }
    if (R.K == "site") {
      if (!require(R.HasSite, "site", R, LineNo, Error))
        return false;
      auto [It, New] = SiteByKey.emplace(std::string(R.Key), int(T.Sites.size()));
      if (New && T.Sites.size() >= Node::MaxSites) {
        Error = fmt::format("{}:{}: too many functions (at most {} in all traces)", Name, LineNo, Node::MaxSites);
        return false;
      }
      if (New) {
        Site &S = T.Sites.emplace_back();
        S.Key = R.Key;
        S.Name = R.Name;
        S.Signature = R.Signature;
        S.File = R.File;
        S.Doc = R.Doc;
        S.ParamId = R.SiteParam;
        S.Line = unsigned(R.Line);
        S.Params.assign(R.Strings.begin(), R.Strings.end());
      }
      // Site ids are small numbers counted from 1: a flat table finds them
      // for every call without hashing.
      if (R.Site < (uint64_t(1) << 16)) {
        if (R.Site >= SiteBySmallId.size())
          SiteBySmallId.resize(R.Site + 1, -1);
        SiteBySmallId[R.Site] = It->second;
      } else {
        SiteById[R.Site] = It->second;
      }
      return true;
    }
    if (R.K == "feedback") {
      Feedback &F = T.Feedbacks.emplace_back();
      F.Node = R.Node;
      F.Text = R.Text;
      F.Unattributed = R.Unattributed;
      F.Score = R.Score;
      F.Success = R.Success;
      F.Uncaught = R.Uncaught;
      F.Instance = Instance;
      // A value has one producer (`node`) or several (`derived`); only the
      // runtime's form, node 0 with the list, is read as the latter.
      if (R.Node == 0 && (R.NumDerived || R.DerivedOmitted)) {
        F.Derived.reserve(R.NumDerived);
        for (uint32_t I = 0; I < R.NumDerived; ++I) {
          uint64_t Id = R.DerivedIds[R.FirstDerived + I];
          if (Id)
            F.Derived.push_back({Id, resolve(Id)});
          else
            ++F.DerivedOmitted;
        }
        F.DerivedOmitted += R.DerivedOmitted;
      }
      return true;
    }
    if (R.K == "param") {
      if (!require(!R.Id.empty(), "id", R, LineNo, Error))
        return false;
      if (R.Kind != "code" && R.Kind != "value") {
        Error = fmt::format("{}:{}: param '{}' has kind '{}' (expected \"code\" or \"value\")", Name, LineNo, R.Id,
                            R.Kind);
        return false;
      }
      if (!require(R.HasBegin && R.HasEnd, "begin/end", R, LineNo, Error))
        return false;
      if (T.findParam(R.Id))
        return true;
      Param &P = T.Params.emplace_back();
      P.Id = R.Id;
      P.Kind = R.Kind;
      P.Name = R.Name;
      P.File = R.File;
      P.Hash = R.Hash;
      P.Text = R.Text;
      P.Signature = R.Signature;
      P.Type = R.Type;
      P.Value = R.HasValue ? R.Value : R.Text;
      P.Constraint = R.Constraint;
      P.Line = unsigned(R.Line);
      P.Begin = R.Begin;
      P.End = R.End;
      return true;
    }
    if (R.K == "tu") {
      for (const TuInfo &Tu : T.Tus)
        if (Tu.File == R.File)
          return true;
      TuInfo &Tu = T.Tus.emplace_back();
      Tu.File = R.File;
      Tu.Directory = R.Directory;
      Tu.Args.assign(R.Strings.begin(), R.Strings.end());
      return true;
    }
    if (R.K == "end") {
      SawEnd = true;
      Dropped = R.Dropped;
      T.Lost[Instance] = R.Lost;
      return true;
    }
    if (R.K == "header") {
      Error = fmt::format("{}:{}: a second header record (were two traces concatenated? pass them as separate "
                          "files)",
                          Name, LineNo);
      return false;
    }
    // Unknown kinds come from newer writers; they carry nothing we need.
    return true;
  }

  class BinaryEvents;

  void finish() {
    size_t UnknownSite = 0;
    for (const auto &[Index, SiteId] : LaterSites) {
      T.Nodes[Index].Site = siteIndex(SiteId);
      UnknownSite += T.Nodes[Index].Site < 0;
    }
    // A producer on another thread may be written after its user (and a
    // parent, in a hand-written file): resolve what was named before its
    // call record now that every call is known, in one pass over this file.
    // A producer that never appears is dropped, so that nothing downstream
    // mistakes the id for an edge.
    size_t UnknownProducers = 0;
    // Drops the producers of a `derived` list that never appear.
    auto ResolveDerived = [&](uint32_t First, uint32_t &Num) {
      uint32_t Kept = 0;
      for (uint32_t D = 0; D < Num; ++D) {
        DerivedRef Ref = T.Derived[First + D];
        if (Ref.Index == NoIndex)
          Ref.Index = resolve(Ref.Id);
        if (Ref.Index == NoIndex) {
          ++UnknownProducers;
          continue;
        }
        T.Derived[First + Kept++] = Ref;
      }
      Num = Kept;
    };
    if (ForwardRefs) {
      // Parents named before their call: resolved ones leave ParentIds.
      auto Kept = T.ParentIds.begin();
      for (auto It = T.ParentIds.begin(); It != T.ParentIds.end(); ++It) {
        if (It->first >= FirstNode)
          if (uint32_t P = resolve(It->second); P != NoIndex && P != It->first) {
            T.Nodes[It->first].ParentIndex = P;
            continue;
          }
        *Kept++ = *It;
      }
      T.ParentIds.erase(Kept, T.ParentIds.end());
      for (size_t I = FirstNode; I < T.Nodes.size(); ++I) {
        Node &N = T.Nodes[I];
        if (N.lazy())
          continue;
        const CallValues &V = T.values(N);
        for (size_t A = V.FirstArg, E = A + V.NumArgs + V.HasThis + V.NumGlobals; A < E; ++A) {
          Arg &Ar = T.Args[A];
          if (!Ar.From || Ar.FromIndex != NoIndex)
            continue;
          Ar.FromIndex = resolve(Ar.From);
          if (Ar.FromIndex == NoIndex) {
            Ar.From = 0;
            ++UnknownProducers;
          }
        }
      }
      for (size_t X = FirstExtra; X < T.Extras.size(); ++X)
        ResolveDerived(T.Extras[X].FirstDerived, T.Extras[X].NumDerived);
      auto Later = LaterFroms.begin();
      for (size_t X = FirstFact; X < T.Facts.size(); ++X) {
        Fact &F = T.Facts[X];
        if (Later != LaterFroms.end() && Later->first == X) {
          F.FromIndex = resolve((Later++)->second);
          UnknownProducers += F.FromIndex == NoIndex;
        }
        if (F.Extra != NoIndex)
          ResolveDerived(T.FactExtras[F.Extra].FirstDerived, T.FactExtras[F.Extra].NumDerived);
      }
    }
    // Feedback on a value built from several outputs starts the backward
    // pass at each of them: drop (and count) a producer that never appears,
    // as for arguments, but keep counting it as one the value was built from.
    for (size_t F = FirstFeedback; F < T.Feedbacks.size(); ++F) {
      Feedback &Fb = T.Feedbacks[F];
      size_t Kept = 0;
      for (DerivedRef Ref : Fb.Derived) {
        if (Ref.Index == NoIndex)
          Ref.Index = resolve(Ref.Id);
        if (Ref.Index == NoIndex) {
          ++UnknownProducers;
          ++Fb.DerivedOmitted;
          continue;
        }
        Fb.Derived[Kept++] = Ref;
      }
      Fb.Derived.resize(Kept);
    }
    if (!ThrowSitesSorted)
      std::sort(T.ThrowSites.begin(), T.ThrowSites.end(),
                       [](const ThrowSite &A, const ThrowSite &B) { return A.Node < B.Node; });
    size_t Unfinished = T.Nodes.size() - FirstNode - Finished;
    if (Unfinished)
      T.Warnings.push_back(fmt::format("{}: {} call{} no 'ret' record (the program crashed or a thread was "
                                       "still running?)",
                                       Name, Unfinished, Unfinished == 1 ? " has" : "s have"));
    if (UnknownSite)
      T.Warnings.push_back(fmt::format("{}: {} call{} name a site with no 'site' record", Name, UnknownSite,
                                       UnknownSite == 1 ? "" : "s"));
    if (UnknownRets)
      T.Warnings.push_back(fmt::format("{}: {} 'ret' record{} name no known call", Name, UnknownRets,
                                       UnknownRets == 1 ? "" : "s"));
    if (UnknownProducers)
      T.Warnings.push_back(fmt::format("{}: {} data-flow edge{} a node that is not in the trace; {} dropped", Name,
                                       UnknownProducers, UnknownProducers == 1 ? " names" : "s name",
                                       UnknownProducers == 1 ? "it was" : "they were"));
    if (T.Lost[Instance])
      T.Warnings.push_back(fmt::format("{}: {} data-flow edge{} not recorded: the runtime dropped facts about "
                                       "where values came from (bindings, notes, derived producers) beyond its "
                                       "bounds, so the graph may miss paths (see docs/runtime.md)",
                                       Name, T.Lost[Instance], T.Lost[Instance] == 1 ? " was" : "s were"));
    if (!SawEnd)
      T.Warnings.push_back(fmt::format("{}: no 'end' record (the program crashed or did not exit normally?)",
                                       Name));
    else if (Dropped)
      T.Warnings.push_back(fmt::format("{}: the writer dropped {} node{} (threads still running at exit?)", Name,
                                       Dropped, Dropped == 1 ? "" : "s"));
  }

  TraceSet &T;
  const std::string &Name;
  unsigned Instance;
  size_t FirstNode, FirstExtra, FirstFeedback, FirstFact;
  /// Facts whose producer was named before its call: (index into
  /// TraceSet::Facts, producer id), by index.
  std::vector<std::pair<uint32_t, uint64_t>> LaterFroms;
  TextPool *Pool;
  /// Calls whose site had no `site` record when they were read: (node index, site id).
  std::vector<std::pair<uint32_t, uint64_t>> LaterSites;
  std::vector<int> SiteBySmallId; ///< Site id -> index into T.Sites, -1 if none.
  std::unordered_map<uint64_t, int> SiteById;
  std::unordered_map<std::string, int> SiteByKey;
  size_t UnknownRets = 0, Finished = 0;
  uint64_t Dropped = 0;
  bool SawEnd = false, ForwardRefs = false, ThrowSitesSorted = true;
};

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
} // namespace

bool parseTraceText(std::string_view Text, const std::string &Name, TraceSet &T, std::string &Error) {
  FileReader R(T, Name);
  // Binary traces start with their magic; anything else is read as JSON
  // Lines, whose reader says what is wrong with it.
  if (isBinaryTrace(Text)) {
    // The set reads values from the bytes later: it keeps a copy.
    auto F = std::make_shared<LazyFile>();
    F->Copy.assign(Text.data(), Text.size());
    F->Bytes = F->Copy;
    return R.readBinary(std::move(F), Error);
  }
  return R.read(Text, Error);
}

std::optional<TraceSet> loadTraces(const std::vector<std::string> &Paths, std::string &Error) {
  TraceSet T;
  if (Paths.empty()) {
    Error = "no trace file given";
    return std::nullopt;
  }
  if (Paths.size() > UINT16_MAX) {
    Error = fmt::format("too many trace files (at most {})", UINT16_MAX);
    return std::nullopt;
  }
  for (const std::string &Path : Paths) {
    auto F = std::make_shared<LazyFile>();
    // Not mapped whole: a binary trace's pages are mapped a window ahead of
    // the reader and leave behind it (a JSON Lines one is read that way too).
    if (!F->File.open(Path, Error, /*Whole=*/false))
      return std::nullopt;
    std::string_view Bytes = F->File.bytes();
    if (isBinaryTrace(Bytes)) {
      // A binary trace stays mapped: the set decodes values from it.
      F->Bytes = Bytes;
      F->Mapped = true;
      FileReader R(T, Path);
      if (!R.readBinary(std::move(F), Error))
        return std::nullopt;
      continue;
    }
    F->File.populate();
    // A JSON Lines trace is copied into the set; its mapping ends here.
    if (!parseTraceText(Bytes, Path, T, Error))
      return std::nullopt;
  }
  return T;
}

} // namespace traceopt
