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
// Address map
//===----------------------------------------------------------------------===//

bool AddressMap::insert(const void *Addr, uint64_t Node) {
  std::size_t I = slot(Addr);
  for (std::size_t Probe = 0; Probe < Capacity; ++Probe, I = (I + 1) & (Capacity - 1)) {
    if (Slots[I].Addr == Addr) {
      Slots[I].Node = Node;
      return true;
    }
    if (!Slots[I].Addr) {
      // Keep a quarter free so misses stay short.
      if (Count >= Capacity * 3 / 4)
        return false;
      Slots[I].Addr = Addr;
      Slots[I].Node = Node;
      ++Count;
      return true;
    }
  }
  return false;
}

uint64_t AddressMap::find(const void *Addr) const {
  if (!Addr)
    return 0;
  std::size_t I = slot(Addr);
  for (std::size_t Probe = 0; Probe < Capacity; ++Probe, I = (I + 1) & (Capacity - 1)) {
    if (Slots[I].Addr == Addr)
      return Slots[I].Node;
    if (!Slots[I].Addr)
      return 0;
  }
  return 0;
}

void AddressMap::erase(const void *Addr, uint64_t Node) {
  std::size_t I = slot(Addr);
  std::size_t Probe = 0;
  for (; Probe < Capacity; ++Probe, I = (I + 1) & (Capacity - 1)) {
    if (!Slots[I].Addr)
      return;
    if (Slots[I].Addr == Addr)
      break;
  }
  if (Probe == Capacity || Slots[I].Node != Node)
    return;
  // Backward-shift deletion: move later entries of the probe run into the
  // hole when their home slot allows it, so lookups need no tombstones.
  std::size_t Hole = I;
  std::size_t J = (I + 1) & (Capacity - 1);
  while (Slots[J].Addr) {
    std::size_t Home = slot(Slots[J].Addr);
    bool Movable = Hole <= J ? (Home <= Hole || Home > J)
                             : (Home <= Hole && Home > J);
    if (Movable) {
      Slots[Hole] = Slots[J];
      Hole = J;
    }
    J = (J + 1) & (Capacity - 1);
  }
  Slots[Hole] = Entry();
  --Count;
}

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
  while (!T.Pending.empty() && T.Pending.top().Hash == Where.Hash &&
         T.Pending.top().Kind != PendingKind::Expect) {
    if (P.Count < EntryProvenance::Max)
      P.Items[P.Count++] = T.Pending.top();
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
  // A caller waiting for "the next bundle to return" gets this node.
  if (!T.Pending.empty() && T.Pending.top().Kind == PendingKind::Expect) {
    T.Pending.top().Kind = PendingKind::Result;
    T.Pending.top().Node = Node;
  }
  T.LastRet = Node;
}

/// The node an argument's value came from, or 0.
static uint64_t provenance(ThreadState &T, Slot K, unsigned I, unsigned Sub,
                           const void *Addr) {
  if (K == Slot::Arg) {
    unsigned Pos = Sub ? I + Sub - 1 : I;
    for (unsigned J = 0; J < T.Prov.Count; ++J) {
      const PendingEntry &E = T.Prov.Items[J];
      if (E.Index != Pos)
        continue;
      if (E.Kind == PendingKind::Result)
        return E.Node;
      if (E.Kind == PendingKind::Note) {
        if (uint64_t From = T.Map.find(E.Addr))
          return From;
      }
    }
  }
  if ((K == Slot::Arg || K == Slot::Self) && T.Map.size())
    return T.Map.find(Addr);
  return 0;
}

/// The fields of a value record other than its bytes.
struct ValueHead {
  Slot K;
  ValueForm Form;
  unsigned Index, Sub;
  uint64_t From, Omitted;
  const TypeDesc *Type;
  const void *Extra;
};

static ValueHead valueHead(Call &C, uint64_t Pos, const void *Addr,
                           ValueForm Form, const TypeDesc *Type,
                           const void *Extra) {
  ValueHead H;
  H.K = static_cast<Slot>(Pos >> 56);
  H.Form = Form;
  H.Sub = static_cast<unsigned>((Pos >> 32) & 0xFFFFFFu);
  H.Index = static_cast<unsigned>(Pos);
  ThreadState &T = *C.TS;
  H.From = H.K == Slot::Ret ? 0 : provenance(T, H.K, H.Index, H.Sub, Addr);
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

void captureException(Call &C) noexcept {
  std::string Type = "unknown";
  std::string What;
  bool HasWhat = false;
  if (const std::type_info *TI = abi::__cxa_current_exception_type()) {
    int Status = 0;
    char *D = abi::__cxa_demangle(TI->name(), nullptr, nullptr, &Status);
    Type = prettyTypeName(Status == 0 && D ? D : TI->name());
    std::free(D);
  }
  // Rethrow inside our own handler to learn what() of a std::exception; the
  // caller's handler still owns the exception and rethrows it unchanged.
  try {
    throw;
  } catch (const std::exception &E) {
    What = E.what();
    HasWhat = true;
  } catch (...) {
  }
  std::size_t Max = config().MaxValue;
  if (Type.size() > Max)
    Type.resize(utf8Prefix(Type, Max));
  if (What.size() > Max)
    What.resize(utf8Prefix(What, Max));
  char *R = reserve(*C.TS, 16 + align8(Type.size() + What.size()));
  if (!R)
    return;
  putWord(R, static_cast<uint64_t>(RecKind::Exception) |
                 (static_cast<uint64_t>(HasWhat) << 4));
  putWord(R + 8, static_cast<uint64_t>(Type.size()) |
                     (static_cast<uint64_t>(What.size()) << 32));
  std::memcpy(R + 16, Type.data(), Type.size());
  std::memcpy(R + 16 + Type.size(), What.data(), What.size());
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
    V.Data = P + Off;
    std::size_t Size = Off + align8(V.DataLen);
    return Size <= Avail ? Size : 0;
  }
  case RecKind::Exception: {
    if (Avail < 16)
      return 0;
    uint64_t Lens = getWord(P + 8);
    std::size_t Size =
        16 + align8((Lens & 0xFFFFFFFFu) + (Lens >> 32));
    return Size <= Avail ? Size : 0;
  }
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// Call-site provenance
//===----------------------------------------------------------------------===//

void notePush(const void *Addr, uint64_t CalleeHash, unsigned I) noexcept {
  ThreadState *T = currentThread();
  if (!T)
    return;
  T->Pending.push({CalleeHash, Addr, 0, I, PendingKind::Note});
}

void expect(uint64_t CalleeHash, unsigned I) noexcept {
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) != 1)
    return;
  ThreadState *T = currentThread();
  if (!T)
    return;
  T->Pending.push({CalleeHash, nullptr, 0, I, PendingKind::Expect});
}

uint64_t bindAddress(const void *Addr) noexcept {
  ThreadState *T = currentThread();
  if (!T || !T->LastRet)
    return 0;
  uint64_t Node = T->LastRet;
  return T->Map.insert(Addr, Node) ? Node : 0;
}

void unbindAddress(const void *Addr, uint64_t Node) noexcept {
  ThreadState *T = currentThread();
  if (!T)
    return;
  T->Map.erase(Addr, Node);
}

} // namespace __trace_rt
