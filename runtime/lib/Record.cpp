//===- Record.cpp - The hot path: per-thread binary records ---------------===//
//
// Everything here runs on the calling thread without locks or allocation
// (after the thread's first call): records are appended to the thread's
// chunk; a full chunk is handed to the writer (Runtime.cpp).
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

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
  Chunk *C = TS.Buffer;
  if (__builtin_expect(C->Used + Bytes > C->Cap, 0)) {
    handOff(TS);
    C = TS.Buffer;
    if (Bytes > C->Cap - C->Used)
      return nullptr;
  }
  char *P = C->Data.get() + C->Used;
  C->Used += Bytes;
  // 2 KiB ahead: a few dozen calls, time enough for the lines to arrive. A
  // large record asks for as many lines as it will use.
  uintptr_t Ahead = reinterpret_cast<uintptr_t>(P) + 2048;
  prefetchForWrite(Ahead);
  for (std::size_t Off = 64; Off < Bytes; Off += 64)
    prefetchForWrite(Ahead + Off);
  return P;
}

static void putWord(char *P, uint64_t W) { std::memcpy(P, &W, 8); }

uint64_t CallLimit = 0;
Site *CutSites = nullptr;

/// Counts a call of \p Where under the call limit; false when the call is
/// beyond it. The first call past the limit links the site into CutSites.
static bool admit(Site &Where) {
  uint64_t N = __atomic_add_fetch(&Where.Calls, 1, __ATOMIC_RELAXED);
  if (__builtin_expect(N <= CallLimit, 1))
    return true;
  if (N == CallLimit + 1) {
    Site *Head = __atomic_load_n(&CutSites, __ATOMIC_RELAXED);
    do
      Where.NextCut = Head;
    while (!__atomic_compare_exchange_n(&CutSites, &Head, &Where, true,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED));
  }
  return false;
}

void Call::takeNotes(ThreadState &T, Site &Where) noexcept {
  // Take the notes addressed to this bundle off the pending stack. An
  // `expect` on top belongs to a call still evaluating its arguments (as in
  // f(f(x))), so it stops the scan even when the hash matches.
  EntryProvenance &P = T.Prov;
  P.Count = 0;
  P.Results = 0;
  while (!T.Pending.empty() && T.Pending.top().Hash == Where.Hash &&
         T.Pending.top().Kind != PendingKind::Expect) {
    PendingEntry &E = T.Pending.top();
    if (E.Kind == PendingKind::ExpectLast) {
      // The argument was a helper's result: the last bundle that returned
      // since the note, if any, produced it.
      if (static_cast<uint32_t>(T.Returns) != E.Stamp && T.LastRet) {
        E.Kind = PendingKind::Result;
        E.Node = T.LastRet;
      } else {
        T.Pending.pop();
        continue;
      }
    }
    P.Results += E.Kind == PendingKind::Result;
    if (P.Count < EntryProvenance::Max)
      P.Items[P.Count++] = E;
    else
      countLost();
    T.Pending.pop();
  }
  PendingTop = T.Pending.size();
}

void Call::enter(Site &Where) noexcept {
  ThreadState *T = currentThread();
  // Values rendered at capture time may call bundles (a user trace_format);
  // those nested calls are not recorded.
  if (!T || T->InCapture)
    return;
  TS = T;
  S = &Where;
  Parent = T->Current;
  if (__builtin_expect(CallLimit != 0, 0) && !admit(Where)) {
    // Cut: no node. Nested calls keep T->Current, so their parent is the
    // nearest recorded ancestor; leave() still restores the pending stack
    // and clears LastRet so nothing binds to an older node's value.
    if (!Parent)
      T->LastTop = 0;
    takeNotes(*T, Where);
    return;
  }
  uint32_t Seq = T->Seq + 1;
  __atomic_store_n(&T->Seq, Seq, __ATOMIC_RELAXED);
  Node = (static_cast<uint64_t>(T->Index) << 32) | Seq;
  T->Current = Node;
  if (!Parent)
    T->LastTop = Node;

  takeNotes(*T, Where);
  // A note names an object, which only a binding or a trainable variable
  // can give a producer; a filled expect is a producer by itself.
  MaybeProv = T->Prov.Results || T->Map.size() || paramsRegistered() ||
              T->Wild.Last == Seq || T->Carried.Stamp == Seq;

  if (__builtin_expect(fitsTag(&Where), 1)) {
    if (char *R = reserve(*T, 8))
      putWord(R, static_cast<uint64_t>(RecKind::Enter) |
                     (reinterpret_cast<uintptr_t>(&Where) << 16));
    return;
  }
  if (char *R = reserve(*T, 16)) {
    putWord(R, static_cast<uint64_t>(RecKind::EnterWide));
    putWord(R + 8, reinterpret_cast<uintptr_t>(&Where));
  }
}

void Call::leave() noexcept {
  ThreadState &T = *TS;
  T.Current = Parent;
  T.Pending.truncate(PendingTop);
  // A call that the limit did not record still produced its value: values
  // bound to it say so instead of naming another call.
  uint64_t Produced = Node ? Node : cutTag(S);
  // A caller waiting for "the next bundle to return" gets this node.
  if (!T.Pending.empty() && T.Pending.top().Kind == PendingKind::Expect) {
    T.Pending.top().Kind = PendingKind::Result;
    T.Pending.top().Node = Produced;
  }
  T.LastRet = Produced;
  ++T.Returns;
  ++T.Events;
  T.LastCarry = nullptr;
}

/// Where an argument's (or this's) value came from; \p K is Arg or Self.
static ValueProv provenance(ThreadState &T, Call &C, Slot K, unsigned I,
                            unsigned Sub, const void *Addr) {
  ValueProv P;
  if (K == Slot::Arg) {
    unsigned Pos = Sub ? I + Sub - 1 : I;
    for (unsigned J = 0; J < T.Prov.Count; ++J) {
      const PendingEntry &E = T.Prov.Items[J];
      if (E.Index != Pos)
        continue;
      if (E.Kind == PendingKind::Result)
        return ValueProv{E.Node, nullptr};
      if (!T.Map.size() && !paramsRegistered())
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
  // or wildcard note: a few loads decide that.
  if (T.Map.size() || paramsRegistered()) {
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
  if (__builtin_expect(H.Stamp == Seq, 0) && Pos < H.N && H.Prov[Pos]) {
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

/// The fields of a value record other than its bytes.
struct ValueHead {
  Slot K;
  ValueForm Form;
  unsigned Index, Sub;
  uint64_t From, Omitted;
  const TypeDesc *Type;
  const void *Extra;
  const Parts *Derived;
  const char *Param;
};

__attribute__((always_inline)) static inline ValueHead
valueHead(Call &C, uint64_t Pos, const void *Addr,
                           ValueForm Form, const TypeDesc *Type,
                           const void *Extra) {
  ValueHead H;
  H.K = static_cast<Slot>(Pos >> 56);
  H.Form = Form;
  H.Sub = static_cast<unsigned>((Pos >> 32) & 0xFFFFFFu);
  H.Index = static_cast<unsigned>(Pos);
  ThreadState &T = *C.TS;
  H.From = 0;
  H.Derived = nullptr;
  H.Param = nullptr;
  if ((H.K == Slot::Arg || H.K == Slot::Self) && C.MaybeProv) {
    ValueProv P = provenance(T, C, H.K, H.Index, H.Sub, Addr);
    if (isParamTag(P.From))
      H.Param = tagParam(P.From);
    else if (!isCutTag(P.From))
      H.From = P.From;
    H.Derived = P.Derived && P.Derived->Count ? P.Derived : nullptr;
  }
  H.Omitted = 0;
  H.Type = Type;
  H.Extra = Extra;
  return H;
}

/// Reserves and fills a Value record's words; returns where its \p DataLen
/// bytes go, or null when the record does not fit.
static char *valueRecord(Call &C, const ValueHead &H, std::size_t DataLen) {
  unsigned Flags = 0, Words = 2;
  if (H.From)
    Flags |= ValueHasFrom, ++Words;
  if (H.Omitted)
    Flags |= ValueHasOmitted, ++Words;
  if (H.Extra)
    Flags |= ValueHasExtra, ++Words;
  if (H.Sub)
    Flags |= ValueHasSub, ++Words;
  if (H.Index > 0xFFFF)
    Flags |= ValueHasBigIndex, ++Words;
  if (H.Derived)
    Flags |= ValueHasDerived, Words += 1 + H.Derived->Count;
  if (H.Param)
    Flags |= ValueHasParam, ++Words;
  char *R = reserve(*C.TS, Words * 8 + align8(DataLen));
  if (!R)
    return nullptr;
  putWord(R, static_cast<uint64_t>(RecKind::Value) |
                 (static_cast<uint64_t>(H.K) << 4) |
                 (static_cast<uint64_t>(H.Form) << 6) |
                 (static_cast<uint64_t>(Flags) << 8) |
                 (static_cast<uint64_t>(H.Index & 0xFFFF) << 16) |
                 (static_cast<uint64_t>(DataLen) << 32));
  putWord(R + 8, reinterpret_cast<uintptr_t>(H.Type));
  char *W = R + 16;
  auto Put = [&W](uint64_t V) {
    putWord(W, V);
    W += 8;
  };
  if (H.From)
    Put(H.From);
  if (H.Omitted)
    Put(H.Omitted);
  if (H.Extra)
    Put(reinterpret_cast<uintptr_t>(H.Extra));
  if (H.Sub)
    Put(H.Sub);
  if (H.Index > 0xFFFF)
    Put(H.Index);
  if (H.Derived) {
    const Parts &D = *H.Derived;
    uint64_t Omitted = D.Omitted > 0xFFFFFFFFu ? 0xFFFFFFFFu : D.Omitted;
    Put(D.Count | (Omitted << 32));
    for (unsigned I = 0; I < D.Count; ++I)
      Put(D.at(I));
  }
  if (H.Param)
    Put(reinterpret_cast<uintptr_t>(H.Param));
  return W;
}

/// Copies a scalar of \p Size bytes (at most 16) with fixed-size moves for
/// the common sizes.
static void copyScalar(char *Dst, const void *Src, unsigned Size) {
  switch (Size) {
  case 1: std::memcpy(Dst, Src, 1); return;
  case 2: std::memcpy(Dst, Src, 2); return;
  case 4: std::memcpy(Dst, Src, 4); return;
  case 8: std::memcpy(Dst, Src, 8); return;
  case 16: std::memcpy(Dst, Src, 16); return;
  default: std::memcpy(Dst, Src, Size); return;
  }
}

void captureBytes(Call &C, uint64_t Pos, const void *Obj, unsigned Size,
                  const TypeDesc *Type, const void *Extra) noexcept {
  ValueHead H = valueHead(C, Pos, Obj, ValueForm::Bytes, Type, Extra);
  if (__builtin_expect(!H.From && !H.Extra && !H.Sub && H.Index < 32 &&
                           !H.Derived && !H.Param &&
                           Size <= 16 && fitsTag(Type),
                       1)) {
    // The common case: one word says everything but the bytes.
    char *R = reserve(*C.TS, 8 + align8(Size));
    if (!R)
      return;
    putWord(R, static_cast<uint64_t>(RecKind::Scalar) |
                   (static_cast<uint64_t>(H.K) << 4) |
                   (static_cast<uint64_t>(Size) << 6) |
                   (static_cast<uint64_t>(H.Index) << 11) |
                   (reinterpret_cast<uintptr_t>(Type) << 16));
    copyScalar(R + 8, Obj, Size);
    return;
  }
  if (char *D = valueRecord(C, H, Size))
    std::memcpy(D, Obj, Size);
}

void captureString(Call &C, uint64_t Pos, const char *P, std::size_t N,
                   const void *Addr, const TypeDesc *Type,
                   const void *Extra) noexcept {
  std::size_t Max = config().MaxValue;
  std::size_t Keep = N <= Max ? N : utf8Prefix(std::string_view(P, N), Max);
  ValueHead H = valueHead(C, Pos, Addr, ValueForm::String, Type, Extra);
  H.Omitted = N - Keep;
  if (char *D = valueRecord(C, H, Keep))
    std::memcpy(D, P, Keep);
}

void captureText(Call &C, uint64_t Pos, const void *Obj, const TypeDesc *Type,
                 const void *Extra) noexcept {
  ThreadState &T = *C.TS;
  Out &O = T.Scratch;
  O.reset(config().MaxValue);
  T.InCapture = true;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  try {
    Type->Render(O, Obj, nullptr);
  } catch (...) {
    O.reset(config().MaxValue);
    O.write("<render failed>", 15);
  }
#else
  Type->Render(O, Obj, nullptr);
#endif
  T.InCapture = false;
  std::size_t Omitted = O.finish();
  ValueHead H = valueHead(C, Pos, Obj, ValueForm::Text, Type, Extra);
  H.Omitted = Omitted;
  if (char *D = valueRecord(C, H, O.Buf.size()))
    std::memcpy(D, O.Buf.data(), O.Buf.size());
}

static void nodeRecord(Call &C, RecKind K) {
  if (char *R = reserve(*C.TS, 8))
    putWord(R, static_cast<uint64_t>(K));
}

void captureVoid(Call &C) noexcept { nodeRecord(C, RecKind::Void); }

void captureNothing(Call &C, const char *Why) noexcept {
  (void)Why;
  nodeRecord(C, RecKind::NotCaptured);
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

void captureException(Call &C) noexcept {
  std::string Type, What;
  bool HasWhat = describeCurrentException(Type, What);
  std::size_t Max = config().MaxValue;
  if (Type.size() > Max)
    Type.resize(utf8Prefix(Type, Max));
  if (What.size() > Max)
    What.resize(utf8Prefix(What, Max));
  // Where it was thrown, when a `throw` in instrumented code ran inside this
  // call (or a call it made) since the call started.
  ThreadState &T = *C.TS;
  if (!C.Parent && C.Node)
    T.LastEscaped = C.Node;
  bool HasWhere = T.ThrowFile && C.Node &&
                  T.ThrowSeq >= static_cast<uint32_t>(C.Node);
  std::size_t Head = HasWhere ? 32 : 16;
  char *R = reserve(T, Head + align8(Type.size() + What.size()));
  if (!R)
    return;
  putWord(R, static_cast<uint64_t>(RecKind::Exception) |
                 (static_cast<uint64_t>(HasWhat) << 4) |
                 (static_cast<uint64_t>(HasWhere) << 5));
  putWord(R + 8, static_cast<uint64_t>(Type.size()) |
                     (static_cast<uint64_t>(What.size()) << 32));
  if (HasWhere) {
    putWord(R + 16, reinterpret_cast<uintptr_t>(T.ThrowFile));
    putWord(R + 24, T.ThrowLine);
  }
  std::memcpy(R + Head, Type.data(), Type.size());
  std::memcpy(R + Head + Type.size(), What.data(), What.size());
}

//===----------------------------------------------------------------------===//
// Decoding (the writer's side of the format)
//===----------------------------------------------------------------------===//

static uint64_t getWord(const char *P) {
  uint64_t W;
  std::memcpy(&W, P, 8);
  return W;
}

std::size_t decodeRecord(const char *P, std::size_t Avail, ValueView &V) {
  if (Avail < 8)
    return 0;
  uint64_t W = getWord(P);
  switch (recKind(W)) {
  case RecKind::Enter:
  case RecKind::Void:
  case RecKind::NotCaptured:
    return 8;
  case RecKind::EnterWide:
    return Avail >= 16 ? 16 : 0;
  case RecKind::Scalar: {
    V.K = static_cast<Slot>((W >> 4) & 3);
    V.Form = ValueForm::Bytes;
    V.DataLen = static_cast<uint32_t>((W >> 6) & 31);
    V.Index = static_cast<uint32_t>((W >> 11) & 31);
    V.Sub = 0;
    V.From = V.Omitted = 0;
    V.Param = nullptr;
    V.Derived = nullptr;
    V.DerivedCount = V.DerivedOmitted = 0;
    V.Type = tagPointer<const TypeDesc>(W);
    V.Extra = nullptr;
    V.Data = P + 8;
    std::size_t Size = 8 + align8(V.DataLen);
    return Size <= Avail ? Size : 0;
  }
  case RecKind::Value: {
    if (Avail < 16)
      return 0;
    unsigned Flags = static_cast<unsigned>((W >> 8) & 0xFF);
    V.K = static_cast<Slot>((W >> 4) & 3);
    V.Form = static_cast<ValueForm>((W >> 6) & 3);
    V.Index = static_cast<uint32_t>((W >> 16) & 0xFFFF);
    V.DataLen = static_cast<uint32_t>(W >> 32);
    V.Type = reinterpret_cast<const TypeDesc *>(
        static_cast<uintptr_t>(getWord(P + 8)));
    std::size_t Off = 16;
    auto Next = [&]() -> uint64_t {
      uint64_t X = Off + 8 <= Avail ? getWord(P + Off) : 0;
      Off += 8;
      return X;
    };
    V.From = Flags & ValueHasFrom ? Next() : 0;
    V.Omitted = Flags & ValueHasOmitted ? Next() : 0;
    V.Extra = Flags & ValueHasExtra
                  ? reinterpret_cast<const void *>(
                        static_cast<uintptr_t>(Next()))
                  : nullptr;
    V.Sub = Flags & ValueHasSub ? static_cast<uint32_t>(Next()) : 0;
    if (Flags & ValueHasBigIndex)
      V.Index = static_cast<uint32_t>(Next());
    V.Derived = nullptr;
    V.DerivedCount = V.DerivedOmitted = 0;
    if (Flags & ValueHasDerived) {
      uint64_t D = Next();
      V.DerivedCount = static_cast<uint32_t>(D);
      V.DerivedOmitted = static_cast<uint32_t>(D >> 32);
      if (V.DerivedCount > Parts::Max)
        return 0;
      V.Derived = P + Off;
      Off += 8 * V.DerivedCount;
    }
    V.Param = Flags & ValueHasParam ? reinterpret_cast<const char *>(
                                          static_cast<uintptr_t>(Next()))
                                    : nullptr;
    V.Data = P + Off;
    std::size_t Size = Off + align8(V.DataLen);
    return Size <= Avail ? Size : 0;
  }
  case RecKind::Exception: {
    if (Avail < 16)
      return 0;
    uint64_t Lens = getWord(P + 8);
    std::size_t Size = ((W >> 5) & 1 ? 32 : 16) +
                       align8((Lens & 0xFFFFFFFFu) + (Lens >> 32));
    return Size <= Avail ? Size : 0;
  }
  }
  return 0;
}

} // namespace __trace_rt
