//===- Record.cpp - The hot path: per-thread binary records ---------------===//
//
// Everything here runs on the calling thread without locks or allocation
// (after the thread's first call): records are appended to the thread's
// chunk; a full chunk is handed to the writer (Runtime.cpp).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "SafeRead.h"

#include <cstring>
#include <cxxabi.h>
#include <exception>
#include <typeinfo>

namespace __trace_rt {

//===----------------------------------------------------------------------===//
// Chunk records
//===----------------------------------------------------------------------===//

/// Asks for the cache line at \p Addr with the intent to write it. A chunk
/// comes back from the writer thread with its lines in the other core's
/// cache, and each store into it would otherwise wait for the line to move
/// (60 ns a call on the development VM). Never faults, whatever the address.
static inline void prefetchForWrite(uintptr_t Addr) {
#if defined(__x86_64__) || defined(__i386__)
  // PREFETCHW: 3DNow!/PRFCHW; decoded as a no-op by x86 cores without it.
  asm volatile("prefetchw (%0)" : : "r"(Addr));
#else
  __builtin_prefetch(reinterpret_cast<const void *>(Addr), 1, 3);
#endif
}

char *reserve(ThreadState &TS, std::size_t Bytes) noexcept {
  char *P = TS.Cur.Next;
  if (__builtin_expect(static_cast<std::size_t>(TS.Cur.End - P) < Bytes, 0)) {
    handOff(TS);
    P = TS.Cur.Next;
    if (static_cast<std::size_t>(TS.Cur.End - P) < Bytes)
      return nullptr;
  }
  TS.Cur.Next = P + Bytes;
  // 2 KiB ahead: a few dozen calls, time enough for the lines to arrive.
  // Asked once per line: records are often a few bytes.
  uintptr_t Begin = reinterpret_cast<uintptr_t>(P);
  if (__builtin_expect(((Begin ^ (Begin + Bytes)) & ~uintptr_t(63)) != 0, 0)) {
    uintptr_t Ahead = Begin + 2048;
    prefetchForWrite(Ahead);
    for (std::size_t Off = 64; Off < Bytes; Off += 64)
      prefetchForWrite(Ahead + Off);
  }
  return P;
}

namespace tf = __trace_format;

static_assert(static_cast<unsigned>(Slot::Arg) ==
                      static_cast<unsigned>(tf::Slot::Arg) &&
                  static_cast<unsigned>(Slot::Self) ==
                      static_cast<unsigned>(tf::Slot::Self) &&
                  static_cast<unsigned>(Slot::Global) ==
                      static_cast<unsigned>(tf::Slot::Global) &&
                  static_cast<unsigned>(Slot::Ret) ==
                      static_cast<unsigned>(tf::Slot::Ret),
              "the ABI's slots are the format's");

/// Gives back the bytes of the last reserve() past \p End (a record whose
/// varints came out shorter than their bound).
static inline void commit(ThreadState &TS, char *End) { TS.Cur.Next = End; }

static inline uint32_t siteIdOf(__Site &S) {
  uint32_t Id = __atomic_load_n(&S.Id, __ATOMIC_ACQUIRE);
  return __builtin_expect(Id != 0, 1) ? plainId(Id) : registerSite(S);
}

static inline uint32_t typeIdOf(TypeDesc &T) {
  uint32_t Id = __atomic_load_n(&T.Id, __ATOMIC_ACQUIRE);
  return __builtin_expect(Id != 0, 1) ? plainId(Id) : registerType(T);
}

bool Timestamps = false;
ClockInfo TheClock;

void timeRecord(ThreadState &T, uint8_t Which) noexcept {
  // Read first: reserve() may hand a full chunk over, which takes a lock.
  const uint64_t Now = clockTicks();
  // A thread's times never go back (a TSC read on another core may).
  const uint64_t Delta = Now > T.LastTick ? Now - T.LastTick : 0;
  char *R = reserve(T, 1 + tf::MaxVarint);
  if (!R)
    return;
  *R = static_cast<char>(static_cast<unsigned>(tf::Op::Time) |
                         static_cast<unsigned>(Which) << 3 |
                         static_cast<unsigned>(Delta & 15) << 4);
  commit(T, tf::putVarint(R + 1, Delta >> 4));
  T.LastTick += Delta;
}

/// The time a call ends, before the record of its result: a value record
/// in slot \p K is one when K is Ret.
static inline void exitTime(__Call &C, Slot K) {
  if (__builtin_expect(Timestamps, 0) && K == Slot::Ret)
    timeRecord(threadOf(C), tf::TimeExit);
}

/// The id of a string or an enum table: from the thread's cache, else
/// registered under the lock.
static uint32_t idOf(ThreadState &T, IdTable Table, const void *Key) {
  auto &E = T.IdCache[(reinterpret_cast<uintptr_t>(Key) >> 3) %
                      ThreadState::IdCacheSize];
  if (E.Key == Key && E.Table == Table)
    return E.Id;
  uint32_t Id = registerId(Table, Key);
  E.Key = Key;
  E.Table = Table;
  E.Id = Id;
  return Id;
}

uint64_t CallLimit = 0;
__Site *CutSites = nullptr;

static std::size_t siteSlot(const __Site *S) {
  return static_cast<std::size_t>(
      (reinterpret_cast<uintptr_t>(S) >> 4) * 0x9E3779B97F4A7C15ull >> 40);
}

uint64_t *SiteCounts::get(__Site *S, bool &Moved) {
  if (!Cur || (Count + 1) * 4 > Cur->Cap * 3) {
    if (!grow())
      return nullptr;
    Moved = true;
  }
  const std::size_t Mask = Cur->Cap - 1;
  for (std::size_t I = siteSlot(S) & Mask;; I = (I + 1) & Mask) {
    Entry &E = Cur->Items[I];
    if (E.S == S)
      return &E.Calls;
    if (!E.S) {
      ++Count;
      __atomic_store_n(&E.S, S, __ATOMIC_RELEASE);
      return &E.Calls;
    }
  }
}

bool SiteCounts::grow() {
  std::size_t NewCap = Cur ? Cur->Cap * 2 : 64;
  std::unique_ptr<Table> T(new (std::nothrow) Table(NewCap));
  if (!T || !T->Items)
    return false;
  for (std::size_t I = 0; Cur && I < Cur->Cap; ++I) {
    const Entry &E = Cur->Items[I];
    if (!E.S)
      continue;
    std::size_t J = siteSlot(E.S) & (NewCap - 1);
    while (T->Items[J].S)
      J = (J + 1) & (NewCap - 1);
    T->Items[J] = E;
  }
  __atomic_store_n(&Cur, T.get(), __ATOMIC_RELEASE);
  Tables.push_back(std::move(T));
  return true;
}

void SiteCounts::clear() {
  for (std::size_t I = 0; Cur && I < Cur->Cap; ++I)
    Cur->Items[I] = Entry();
  Count = 0;
}

void foldCounts(SiteCounts &C) {
  C.forEach([](__Site *S, uint64_t Calls) {
    __atomic_add_fetch(&S->Calls, Calls, __ATOMIC_RELAXED);
    __atomic_add_fetch(&S->Recorded, Calls < CallLimit ? Calls : CallLimit,
                       __ATOMIC_RELAXED);
  });
}

/// Counts a call of \p Where on this thread under the call limit; false
/// when the call is beyond it. The first call past the limit on any thread
/// links the site into CutSites.
static bool admit(ThreadState &T, __Site &Where) {
  bool Moved = false;
  uint64_t *Counter = T.Counts.get(&Where, Moved);
  if (Moved)
    for (HotThread::LimitSlot &L : T.Limits)
      L = HotThread::LimitSlot();
  if (!Counter)
    return true; // Out of memory: recorded rather than miscounted.
  T.Limits[HotThread::limitSlot(&Where)] = {&Where, Counter};
  uint64_t N = *Counter + 1;
  __atomic_store_n(Counter, N, __ATOMIC_RELAXED);
  if (__builtin_expect(N <= CallLimit, 1))
    return true;
  if (N == CallLimit + 1 &&
      !__atomic_exchange_n(&Where.CutListed, 1u, __ATOMIC_ACQ_REL)) {
    __Site *Head = __atomic_load_n(&CutSites, __ATOMIC_RELAXED);
    do
      Where.NextCut = Head;
    while (!__atomic_compare_exchange_n(&CutSites, &Head, &Where, true,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  }
  return false;
}

void __Call::takeNotes(ThreadState &T, __Site &Where) noexcept {
  // The notes addressed to this bundle are the entries on top of the
  // pending stack with its hash. An `expect` on top belongs to a call still
  // evaluating its arguments (as in f(f(x))), so it ends them even when the
  // hash matches. They stay where they are, above the new top, for this
  // call's captures.
  PendingEntry *Base = T.Pending.data();
  const uint64_t Top = T.Pending.size();
  uint64_t K = Top;
  unsigned Results = 0;
  for (; K && Base[K - 1].Hash == Where.Hash &&
         Base[K - 1].Kind != PendingKind::Expect;
       --K) {
    PendingEntry &E = Base[K - 1];
    if (E.Kind == PendingKind::ExpectLast) {
      // The argument was a helper's result: the last bundle that returned
      // since the note, if any, produced it.
      if (static_cast<uint32_t>(T.Returns) != E.Stamp && T.LastRet) {
        E.Kind = PendingKind::Result;
        E.Node = T.LastRet;
      } else {
        E.Kind = PendingKind::Skip;
      }
    }
    Results += E.Kind == PendingKind::Result;
  }
  T.Pending.truncate(K);
  T.Prov.Items = Base + K;
  T.Prov.Count = static_cast<unsigned>(Top - K);
  T.Prov.Results = Results;
  PendingTop = K;
}

void __Call::enter(__Site &Where) noexcept {
  ThreadState *T = currentThread();
  // Values rendered at capture time may call bundles (a user trace_format);
  // those nested calls are not recorded.
  if (!T || T->InCapture)
    return;
  TS = T;
  S = &Where;
  Parent = T->Current;
  if (__builtin_expect(CallLimit != 0, 0) && !admit(*T, Where)) {
    // Cut: no node. Nested calls keep T->Current, so their parent is the
    // nearest recorded ancestor; leave() still restores the pending stack
    // and clears LastRet so nothing binds to an older node's value.
    if (!Parent)
      T->LastTop = 0;
    takeNotes(*T, Where);
    return;
  }
  uint32_t Seq = T->Seq + 1;
  Node = (static_cast<uint64_t>(T->Index) << 32) | Seq;
  Cur = &T->Cur;
  T->Current = Node;
  if (!Parent)
    T->LastTop = Node;

  enterNotes(Seq);

  uint32_t Id = siteIdOf(Where);
  // Room for the entry time too: the enter and its time share a block.
  const std::size_t Time = Timestamps ? 1 + tf::MaxVarint : 0;
  if (__builtin_expect(Id < tf::EnterInlineMax, 1)) {
    if (char *R = reserve(*T, 1 + Time)) {
      *R = static_cast<char>(Id << 3);
      commit(*T, R + 1);
    }
  } else if (char *R = reserve(*T, 1 + tf::MaxVarint + Time)) {
    *R = static_cast<char>(tf::EnterInlineMax << 3);
    commit(*T, tf::putVarint(R + 1, Id));
  }
  // Counted after the record is in the chunk: a chunk handed over counts
  // exactly the enters it and the chunks before it hold (Chunk::SeqEnd).
  __atomic_store_n(&T->Seq, Seq, __ATOMIC_RELAXED);
  if (__builtin_expect(Timestamps, 0))
    timeRecord(*T, tf::TimeEntry);
}

void __Call::enterNotes(uint32_t Seq) noexcept {
  ThreadState *T = &threadOf(*this);
  takeNotes(*T, *S);
  // A note names an object, which only a binding or a trainable variable
  // can give a producer; a filled expect is a producer by itself.
  MaybeProv = T->Prov.Results || T->Bound || paramsRegistered() ||
              T->WildLast == Seq || T->CarriedStamp == Seq;
  if (MaybeProv) {
    uint64_t Noted = 0;
    for (unsigned J = 0; J < T->Prov.Count; ++J) {
      unsigned Pos = T->Prov.Items[J].Index;
      Noted |= Pos < 64 ? uint64_t(1) << Pos : ~uint64_t(0);
    }
    if (T->WildLast == Seq || T->CarriedStamp == Seq)
      Noted = ~uint64_t(0);
    NotedArgs = Noted;
  }
}

void __Call::leave() noexcept {
  // A call that the limit did not record still produced its value: values
  // bound to it say so instead of naming another call.
  returned(Node ? Node : cutTag(S));
}

/// Where an argument's (or this's) value came from; \p K is Arg or Self.
static ValueProv provenance(ThreadState &T, __Call &C, Slot K, unsigned I,
                            unsigned Sub, const void *Addr, bool ByValue) {
  ValueProv P;
  if (K == Slot::Arg) {
    unsigned Pos = Sub ? I + Sub - 1 : I;
    // The note pushed last (nearest the callee) first.
    for (unsigned J = T.Prov.Count; J-- > 0;) {
      const PendingEntry &E = T.Prov.Items[J];
      if (E.Index != Pos)
        continue;
      if (E.Kind == PendingKind::Result)
        return ValueProv{E.Node, nullptr};
      if (!T.Bound && !paramsRegistered())
        continue; // Nothing is bound: a noted object has no producer.
      if (E.Kind == PendingKind::Note) {
        P = lookupObject(T, E.Addr);
        if (P.From || P.Derived)
          return P;
      } else if (E.Kind == PendingKind::NotePart) {
        P = partsOf(T, E.Addr);
        if (P.Derived)
          return P;
      }
    }
  }
  // The common call has no binding, no trainable variable, no handed-over
  // or wildcard note: a few loads decide that. A by-value argument is the
  // callee's fresh copy: no binding or variable is at its address.
  if (ByValue) {
    if (K != Slot::Arg)
      return P;
  } else if (T.Bound || paramsRegistered()) {
    P = lookupObject(T, Addr);
    if (P.From || P.Derived || K != Slot::Arg)
      return P;
  } else if (K != Slot::Arg) {
    return P;
  }
  unsigned Pos = Sub ? I + Sub - 1 : I;
  const uint32_t Seq = static_cast<uint32_t>(C.Node);
  // An argument handed over by the thread that started this one.
  const Handoff &H = T.Carried;
  if (__builtin_expect(T.CarriedStamp == Seq, 0) && Pos < H.N && H.Prov[Pos]) {
    if (isParamTag(H.Prov[Pos]) || H.Hash == C.S->Hash)
      return ValueProv{H.Prov[Pos], nullptr};
    if (!H.Hash)
      return ValueProv{H.Prov[Pos] | WildMark, nullptr};
  }
  // A wildcard note from a call through a pointer or a helper, valid for
  // the first bundle that started after it.
  if (Pos < WildNotes::Max) {
    const WildNotes::Item &W = T.Wild.Items[Pos];
    if (__builtin_expect(W.Stamp == Seq, 0) && W.Stamp) {
      ValueProv Q = lookupObject(T, W.Addr);
      if (isNode(Q.From) && !W.Part)
        return ValueProv{Q.From | WildMark, nullptr};
    }
  }
  return P;
}

/// The fields of a value record other than its payload.
struct ValueHead {
  Slot K;
  bool Cut; ///< A string cut at the limit, its length unknown.
  unsigned Index, Sub;
  uint64_t From, Omitted;
  const __EnumInfo *Enum;
  const Parts *Derived;
  const char *Param;
};

__attribute__((always_inline)) static inline ValueHead
valueHead(__Call &C, uint64_t Pos, const void *Addr, const void *Extra) {
  ValueHead H;
  H.K = slotOf(Pos);
  H.Sub = static_cast<unsigned>((Pos >> 32) & 0xFFFFFFu);
  H.Index = static_cast<unsigned>(Pos);
  H.From = 0;
  H.Derived = nullptr;
  H.Param = nullptr;
  H.Enum = nullptr;
  // Extra is a global's parameter id, or a scalar's enum names.
  if (H.K == Slot::Global)
    H.Param = static_cast<const char *>(Extra);
  else
    H.Enum = static_cast<const __EnumInfo *>(Extra);
  const bool ByValue = (Pos & ByValuePos) != 0;
  if ((H.K == Slot::Arg || H.K == Slot::Self) &&
      C.mayHaveProv(H.K, H.Index, ByValue)) {
    ValueProv P = provenance(threadOf(C), C, H.K, H.Index, H.Sub, Addr, ByValue);
    if (isParamTag(P.From))
      H.Param = tagParam(P.From);
    else if (!isCutTag(P.From))
      H.From = P.From;
    H.Derived = P.Derived && P.Derived->Count ? P.Derived : nullptr;
  }
  H.Omitted = 0;
  H.Cut = false;
  return H;
}

static inline uint8_t valueTag(Slot K, tf::Form F, bool HasFlags) {
  return static_cast<uint8_t>(static_cast<unsigned>(tf::Op::Value) |
                              static_cast<unsigned>(K) << 3 |
                              static_cast<unsigned>(F) << 5 |
                              (HasFlags ? 0x80u : 0u));
}

/// Reserves room for a value record and writes everything before its
/// payload; returns where the payload goes (the caller writes it and
/// commits), or null when the record cannot be stored. \p Payload is an
/// upper bound of the payload's size.
static char *valueRecord(__Call &C, const ValueHead &H, tf::Form F,
                         uint32_t TypeId, std::size_t Payload) {
  ThreadState &T = threadOf(C);
  // The common value has no producer, parts, variable, pack position,
  // omitted bytes or enum names; a cut string has one flag. Its head is
  // written without assembling the general one's flags and bounds.
  if (__builtin_expect(!(H.From | H.Sub | H.Omitted |
                         reinterpret_cast<uintptr_t>(H.Derived) |
                         reinterpret_cast<uintptr_t>(H.Param) |
                         reinterpret_cast<uintptr_t>(H.Enum)),
                       1)) {
    char *W = reserve(T, 1 + 5 + 5 + 1 + Payload);
    if (!W)
      return nullptr;
    *W++ = static_cast<char>(valueTag(H.K, F, H.Cut));
    W = tf::putVarint(W, TypeId);
    if (H.K == Slot::Arg)
      W = tf::putVarint(W, H.Index);
    if (H.Cut)
      *W++ = static_cast<char>(tf::ValueCut);
    return W;
  }
  // Parts may name trainable variables (a container filled from one) or
  // calls the call limit did not record; only nodes are edges, and the
  // first variable stands for from_param when nothing else does.
  const char *Param = H.Param;
  unsigned DerivedNodes = 0;
  if (H.Derived) {
    for (unsigned I = 0; I < H.Derived->Count; ++I) {
      uint64_t N = H.Derived->at(I);
      if (isParamTag(N) && !Param)
        Param = tagParam(N);
      DerivedNodes += isNode(N);
    }
  }
  uint8_t Flags = (H.From ? tf::ValueFrom : 0) |
                  (H.Derived && (DerivedNodes || H.Derived->Omitted)
                       ? tf::ValueDerived
                       : 0) |
                  (Param ? tf::ValueParam : 0) | (H.Sub ? tf::ValueSub : 0) |
                  (H.Omitted ? tf::ValueOmitted : 0) |
                  (H.Enum ? tf::ValueEnum : 0) | (H.Cut ? tf::ValueCut : 0);
  uint32_t ParamId = Param ? idOf(T, IdTable::String, Param) : 0;
  uint32_t EnumId = H.Enum ? idOf(T, IdTable::Enum, H.Enum) : 0;
  // A tight bound: reserve() asks for every cache line of what it reserves.
  std::size_t Max = 1 + 5 + 5 + Payload;
  if (Flags)
    Max += 1 + (H.From ? tf::MaxVarint : 0) + (Param ? 5 : 0) +
           (H.Sub ? 5 : 0) + (H.Omitted ? tf::MaxVarint : 0) +
           (H.Enum ? 5 : 0) +
           ((Flags & tf::ValueDerived)
                ? 2 * tf::MaxVarint + DerivedNodes * tf::MaxVarint
                : 0);
  char *R = reserve(T, Max);
  if (!R)
    return nullptr;
  char *W = R;
  *W++ = static_cast<char>(valueTag(H.K, F, Flags != 0));
  W = tf::putVarint(W, TypeId);
  if (H.K == Slot::Arg)
    W = tf::putVarint(W, H.Index);
  if (!Flags)
    return W;
  *W++ = static_cast<char>(Flags);
  if (H.From)
    W = tf::putVarint(W, tf::nodeRef(C.Node, H.From & ~WildMark,
                                     (H.From & WildMark) != 0));
  if (Flags & tf::ValueDerived) {
    W = tf::putVarint(W, DerivedNodes);
    W = tf::putVarint(W, H.Derived->Omitted);
    for (unsigned I = 0; I < H.Derived->Count; ++I) {
      uint64_t N = H.Derived->at(I);
      if (isNode(N))
        W = tf::putVarint(W, tf::nodeRef(C.Node, N, false));
    }
  }
  if (Param)
    W = tf::putVarint(W, ParamId);
  if (H.Sub)
    W = tf::putVarint(W, H.Sub);
  if (H.Omitted)
    W = tf::putVarint(W, H.Omitted);
  if (H.Enum)
    W = tf::putVarint(W, EnumId);
  return W;
}

/// Copies a scalar of \p Size bytes (at most 16) with fixed-size moves for
/// the common sizes.
static inline char *copyScalar(char *Dst, const void *Src, unsigned Size) {
  switch (Size) {
  case 1: std::memcpy(Dst, Src, 1); break;
  case 2: std::memcpy(Dst, Src, 2); break;
  case 4: std::memcpy(Dst, Src, 4); break;
  case 8: std::memcpy(Dst, Src, 8); break;
  case 16: std::memcpy(Dst, Src, 16); break;
  default: std::memcpy(Dst, Src, Size); break;
  }
  return Dst + Size;
}

/// The common record: tag, type, index (arguments) and the bytes.
static inline void compactBytes(ThreadState &T, Slot K, uint32_t TypeId,
                                unsigned Index, const void *Obj,
                                unsigned Size) {
  char *R = reserve(T, 3 + Size);
  if (!R)
    return;
  R[0] = static_cast<char>(valueTag(K, tf::Form::Bytes, false));
  R[1] = static_cast<char>(TypeId);
  if (K == Slot::Arg) {
    R[2] = static_cast<char>(Index);
    copyScalar(R + 3, Obj, Size);
  } else {
    commit(T, copyScalar(R + 2, Obj, Size));
  }
}

/// The record of a scalar with one producer and nothing else: tag, type,
/// index (arguments), the `from` flag and node reference, the bytes.
static inline void fromBytes(__Call &C, Slot K, uint32_t TypeId, unsigned Index,
                             uint64_t From, const void *Obj, unsigned Size) {
  ThreadState &T = threadOf(C);
  char *R = reserve(T, 4 + tf::MaxVarint + Size);
  if (!R)
    return;
  R[0] = static_cast<char>(valueTag(K, tf::Form::Bytes, true));
  R[1] = static_cast<char>(TypeId);
  char *W = R + 2;
  if (K == Slot::Arg)
    *W++ = static_cast<char>(Index);
  *W++ = static_cast<char>(tf::ValueFrom);
  W = tf::putVarint(
      W, tf::nodeRef(C.Node, From & ~WildMark, (From & WildMark) != 0));
  commit(T, copyScalar(W, Obj, Size));
}

void captureBytes(__Call &C, uint64_t Pos, const void *Obj, unsigned Size,
                  TypeDesc *Type, const void *Extra) noexcept {
  uint32_t TypeId = typeIdOf(*Type);
  Slot K = slotOf(Pos);
  exitTime(C, K);
  unsigned Index = static_cast<unsigned>(Pos);
  // Decided from the arguments alone: no provenance to look up (it is looked
  // up for arguments and this only), no enum names, not a pack element.
  bool Plain = !Extra && K != Slot::Global && (Pos >> 32 & 0xFFFFFFu) == 0 &&
               Index < 128 && TypeId < 128;
  if (__builtin_expect(
          Plain && !C.mayHaveProv(K, Index, (Pos & ByValuePos) != 0), 1)) {
    compactBytes(threadOf(C), K, TypeId, Index, Obj, Size);
    return;
  }
  ValueHead H = valueHead(C, Pos, Obj, Extra);
  if (Plain && !H.Derived && !H.Param) {
    if (!H.From)
      compactBytes(threadOf(C), K, TypeId, Index, Obj, Size);
    else
      fromBytes(C, K, TypeId, Index, H.From, Obj, Size);
    return;
  }
  if (char *D = valueRecord(C, H, tf::Form::Bytes, TypeId, Size))
    commit(threadOf(C), copyScalar(D, Obj, Size));
}

void captureFixed(__Call &C, uint64_t Pos, const void *Obj, TypeDesc *Type,
                  const void *Extra) noexcept {
  exitTime(C, slotOf(Pos));
  uint32_t TypeId = typeIdOf(*Type);
  ValueHead H = valueHead(C, Pos, Obj, Extra);
  if (char *D = valueRecord(C, H, tf::Form::Fixed, TypeId, 0))
    commit(threadOf(C), D);
}

/// A value given as bytes: a string's own bytes or rendered text.
static void captureSpan(__Call &C, ValueHead &H, tf::Form F, uint32_t TypeId,
                        const char *P, std::size_t N) {
  if (char *D = valueRecord(C, H, F, TypeId, tf::MaxVarint + N)) {
    D = tf::putVarint(D, N);
    std::memcpy(D, P, N);
    commit(threadOf(C), D + N);
  }
}

void captureString(__Call &C, uint64_t Pos, const char *P, std::size_t N,
                   const void *Addr, TypeDesc *Type,
                   const void *Extra) noexcept {
  exitTime(C, slotOf(Pos));
  std::size_t Max = MaxValueLimit;
  std::size_t Keep = N <= Max ? N : utf8Prefix(std::string_view(P, N), Max);
  uint32_t TypeId = typeIdOf(*Type);
  ValueHead H = valueHead(C, Pos, Addr, Extra);
  H.Omitted = N - Keep;
  captureSpan(C, H, tf::Form::String, TypeId, P, Keep);
}

void captureStringCut(__Call &C, uint64_t Pos, const char *P, std::size_t N,
                      const void *Addr, TypeDesc *Type,
                      const void *Extra) noexcept {
  // No NUL within the value limit: the pointer is a cursor into a buffer
  // of unknown extent (a parser's position in a document). What is ahead
  // of it is kept for a quarter of the limit, 64 bytes by default: enough
  // to show where it points, and a tokenizer's every call does not carry a
  // whole limit of text twice (argument and result).
  exitTime(C, slotOf(Pos));
  std::size_t Max = cursorPrefixLimit();
  std::size_t Keep = utf8Prefix(std::string_view(P, N), N < Max ? N : Max);
  uint32_t TypeId = typeIdOf(*Type);
  ValueHead H = valueHead(C, Pos, Addr, Extra);
  H.Cut = true;
  captureSpan(C, H, tf::Form::String, TypeId, P, Keep);
}

void captureText(__Call &C, uint64_t Pos, const void *Obj, TypeDesc *Type,
                 const void *Extra) noexcept {
  exitTime(C, slotOf(Pos));
  ThreadState &T = threadOf(C);
  Out &O = T.Scratch;
  O.reset(MaxValueLimit);
  T.InCapture = true;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  try {
    Type->Render(O, Obj, nullptr);
  } catch (...) {
    O.reset(MaxValueLimit);
    O.write("<render failed>", 15);
  }
#else
  Type->Render(O, Obj, nullptr);
#endif
  T.InCapture = false;
  std::size_t Omitted = O.finish();
  uint32_t TypeId = typeIdOf(*Type);
  ValueHead H = valueHead(C, Pos, Obj, Extra);
  H.Omitted = Omitted;
  captureSpan(C, H, tf::Form::Text, TypeId, O.data(), O.size());
}

static void nodeRecord(__Call &C, tf::Op K) {
  exitTime(C, Slot::Ret);
  if (char *R = reserve(threadOf(C), 1))
    *R = static_cast<char>(K);
}

void captureVoid(__Call &C) noexcept { nodeRecord(C, tf::Op::Void); }

void captureNothing(__Call &C, const char *Why) noexcept {
  (void)Why;
  nodeRecord(C, tf::Op::NotCaptured);
}

bool describeCurrentException(std::string &Type, std::string &What) noexcept {
  Type = "unknown";
  What.clear();
  if (const std::type_info *TI = abi::__cxa_current_exception_type()) {
    int Status = 0;
    char *D = abi::__cxa_demangle(TI->name(), nullptr, nullptr, &Status);
    Type = prettyTypeName(Status == 0 && D ? D : TI->name());
    std::free(D);
  }
  // Rethrow inside our own handler to learn what() of a std::exception; the
  // caller (a handler or the terminate handler) still owns the exception.
  try {
    throw;
  } catch (const std::exception &E) {
    What = E.what();
    return true;
  } catch (...) {
  }
  return false;
}

/// The exception record: \p Known when a handler is running for the
/// exception (its type and what() can be asked), else its type is
/// "unknown" (a destructor during unwinding sees no current exception).
static void exceptionRecord(__Call &C, bool Known) noexcept {
  exitTime(C, Slot::Ret);
  std::string Type = "unknown", What;
  bool HasWhat = Known && describeCurrentException(Type, What);
  std::size_t Max = MaxValueLimit;
  if (Type.size() > Max)
    Type.resize(utf8Prefix(Type, Max));
  if (What.size() > Max)
    What.resize(utf8Prefix(What, Max));
  // Where it was thrown, when a `throw` in instrumented code ran inside this
  // call (or a call it made) since the call started.
  ThreadState &T = threadOf(C);
  if (!C.Parent && C.Node)
    T.LastEscaped = C.Node;
  bool HasWhere = T.ThrowFile && C.Node &&
                  T.ThrowSeq >= static_cast<uint32_t>(C.Node);
  uint32_t FileId = HasWhere ? idOf(T, IdTable::String, T.ThrowFile) : 0;
  char *R = reserve(T, 2 + 4 * tf::MaxVarint + Type.size() + What.size());
  if (!R)
    return;
  *R++ = static_cast<char>(tf::Op::Exception);
  *R++ = static_cast<char>((HasWhat ? tf::ExcWhat : 0) |
                           (HasWhere ? tf::ExcWhere : 0));
  R = tf::putVarint(R, Type.size());
  std::memcpy(R, Type.data(), Type.size());
  R += Type.size();
  if (HasWhat) {
    R = tf::putVarint(R, What.size());
    std::memcpy(R, What.data(), What.size());
    R += What.size();
  }
  if (HasWhere) {
    R = tf::putVarint(R, FileId);
    R = tf::putVarint(R, T.ThrowLine);
  }
  commit(T, R);
}

//===----------------------------------------------------------------------===//
// Coroutines (docs/design.md, "Coroutines")
//===----------------------------------------------------------------------===//

static inline char coroTag(uint8_t Which) {
  return static_cast<char>(static_cast<unsigned>(tf::Op::Coro) |
                           static_cast<unsigned>(Which) << 3);
}

void coSuspend(__Call &C) noexcept {
  ThreadState &T = threadOf(C);
  if (C.Node)
    if (char *R = reserve(T, 1))
      *R = coroTag(tf::CoSuspend);
  // What the thread was doing when the body started or went on; a call the
  // limit cut never changed it.
  T.Current = C.Parent;
  T.Pending.truncate(C.PendingTop);
}

bool coResume(__Call &C) noexcept {
  ThreadState *T = currentThread();
  // A thread that cannot record (it is exiting, or renders a value that
  // resumed the coroutine): nothing more of the call is recorded.
  if (!T || T->InCapture) {
    C.TS = nullptr;
    C.Node = 0;
    return false;
  }
  C.TS = T;
  C.Cur = &T->Cur;
  C.Parent = T->Current;
  C.PendingTop = T->Pending.size();
  if (C.Node) {
    if (char *R = reserve(*T, 1 + tf::MaxVarint)) {
      *R = coroTag(tf::CoResume);
      commit(*T, tf::putVarint(R + 1, C.Node));
    }
    T->Current = C.Node;
  }
  return true;
}

void coDestroyed(__Call &C) noexcept {
  ThreadState &T = threadOf(C);
  if (C.Node) {
    exitTime(C, Slot::Ret);
    if (char *R = reserve(T, 1))
      *R = coroTag(tf::CoDestroyed);
  }
  // Left as a suspension leaves it: an unfinished call produced no value
  // that a later binding could name.
  T.Current = C.Parent;
  T.Pending.truncate(C.PendingTop);
  C.Ended = EndDone;
  C.TS = nullptr;
}

void captureException(__Call &C) noexcept { exceptionRecord(C, true); }

void captureUnwound(__Call &C) noexcept { exceptionRecord(C, false); }

} // namespace __trace_rt
