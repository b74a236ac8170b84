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

static constexpr std::size_t align8(std::size_t N) { return (N + 7) & ~std::size_t(7); }

char *reserve(ThreadState &TS, std::size_t Bytes) noexcept {
  Chunk &C = TS.Buffer;
  if (C.Used + Bytes > C.Cap)
    handOff(TS);
  if (Bytes > C.Cap)
    return nullptr;
  char *P = C.Data.get() + C.Used;
  C.Used += Bytes;
  return P;
}

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

  auto *R = reinterpret_cast<EnterRec *>(reserve(*T, sizeof(EnterRec)));
  R->H = {RecKind::Enter, static_cast<uint32_t>(sizeof(EnterRec))};
  R->Node = Node;
  R->Parent = Parent;
  R->S = &Where;
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

static ValueRec *valueRecord(Call &C, uint64_t Pos, const void *Addr,
                             ValueForm Form, const TypeDesc *Type,
                             const void *Extra, std::size_t DataLen) {
  ThreadState &T = *C.TS;
  std::size_t Size = align8(sizeof(ValueRec) + DataLen);
  auto *R = reinterpret_cast<ValueRec *>(reserve(T, Size));
  if (!R)
    return nullptr;
  Slot K = static_cast<Slot>(Pos >> 56);
  unsigned Sub = static_cast<unsigned>((Pos >> 32) & 0xFFFFFFu);
  unsigned I = static_cast<unsigned>(Pos);
  R->H = {RecKind::Value, static_cast<uint32_t>(Size)};
  R->K = K;
  R->Form = Form;
  R->Sub = static_cast<uint16_t>(Sub);
  R->Index = I;
  R->From = K == Slot::Ret ? C.Node : provenance(T, K, I, Sub, Addr);
  R->Type = Type;
  R->Extra = Extra;
  R->Omitted = 0;
  R->DataLen = static_cast<uint32_t>(DataLen);
  return R;
}

void captureBytes(Call &C, uint64_t Pos, const void *Obj, unsigned Size,
                  const TypeDesc *Type, const void *Extra) noexcept {
  ValueRec *R = valueRecord(C, Pos, Obj, ValueForm::Bytes, Type, Extra, Size);
  if (!R)
    return;
  std::memcpy(R + 1, Obj, Size);
}

void captureString(Call &C, uint64_t Pos, const char *P, std::size_t N,
                   const void *Addr, const TypeDesc *Type,
                   const void *Extra) noexcept {
  std::size_t Max = config().MaxValue;
  std::size_t Keep = N <= Max ? N : utf8Prefix(std::string_view(P, N), Max);
  ValueRec *R =
      valueRecord(C, Pos, Addr, ValueForm::String, Type, Extra, Keep);
  if (!R)
    return;
  R->Omitted = N - Keep;
  std::memcpy(R + 1, P, Keep);
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
  ValueRec *R =
      valueRecord(C, Pos, Obj, ValueForm::Text, Type, Extra, O.Buf.size());
  if (!R)
    return;
  R->Omitted = Omitted;
  std::memcpy(R + 1, O.Buf.data(), O.Buf.size());
}

static void nodeRecord(Call &C, RecKind K) {
  auto *R = reinterpret_cast<NodeRec *>(reserve(*C.TS, sizeof(NodeRec)));
  if (!R)
    return;
  R->H = {K, static_cast<uint32_t>(sizeof(NodeRec))};
  R->Node = C.Node;
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
  std::size_t Size = align8(sizeof(ExceptionRec) + Type.size() + What.size());
  auto *R = reinterpret_cast<ExceptionRec *>(reserve(*C.TS, Size));
  if (!R)
    return;
  R->H = {RecKind::Exception, static_cast<uint32_t>(Size)};
  R->Node = C.Node;
  R->TypeLen = static_cast<uint32_t>(Type.size());
  R->WhatLen = HasWhat ? static_cast<uint32_t>(What.size()) : UINT32_MAX;
  char *D = reinterpret_cast<char *>(R + 1);
  std::memcpy(D, Type.data(), Type.size());
  std::memcpy(D + Type.size(), What.data(), What.size());
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
