//===- Provenance.cpp - Where values came from ----------------------------===//
//
// The per-thread tables that turn call-site notes into data-flow edges:
// the address map (object -> producer), the pending notes of calls being
// evaluated, the wildcard notes of calls whose callee is not known
// statically, and the process-wide table of trainable variables. Every
// bound is counted when hit (LostEdges, written in `end`), never silent.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace __trace_rt {

uint64_t LostEdges = 0;
bool ParamsKnown = false;

//===----------------------------------------------------------------------===//
// Parts
//===----------------------------------------------------------------------===//

void Parts::add(uint64_t P) {
  if (!P)
    return;
  // The same producer added again (a loop appending one call's output
  // twice) is one edge.
  unsigned Last = Count < Max ? Count : Next;
  if (Count && Items[(Last + Max - 1) % Max] == P)
    return;
  if (Count < Max) {
    Items[Count++] = P;
    return;
  }
  Items[Next] = P;
  Next = (Next + 1) % Max;
  ++Omitted;
}

void Parts::addAll(const Parts &O) {
  for (unsigned I = 0; I < O.Count; ++I)
    add(O.at(I));
  Omitted += O.Omitted;
}

//===----------------------------------------------------------------------===//
// Pending stack
//===----------------------------------------------------------------------===//

bool PendingStack::grow() noexcept {
  if (Cap >= MaxEntries) {
    countLost();
    return false;
  }
  std::size_t NewCap = Cap ? Cap * 2 : 64;
  auto *N = new (std::nothrow) PendingEntry[NewCap];
  if (!N) {
    countLost();
    return false;
  }
  if (Top)
    std::memcpy(static_cast<void *>(N), Items, Top * sizeof(PendingEntry));
  delete[] Items;
  Items = N;
  Cap = NewCap;
  return true;
}

//===----------------------------------------------------------------------===//
// Address map
//===----------------------------------------------------------------------===//

AddressMap::~AddressMap() {
  clear();
  delete[] Slots;
}

void AddressMap::clear() {
  for (std::size_t I = 0; I < Cap; ++I) {
    delete Slots[I].Derived;
    Slots[I] = Entry();
  }
  Count = 0;
}

bool AddressMap::grow() {
  std::size_t NewCap = Cap ? Cap * 2 : 256;
  if (NewCap / 4 * 3 > MaxEntries && Cap)
    return false;
  auto *N = new (std::nothrow) Entry[NewCap];
  if (!N)
    return false;
  Entry *Old = Slots;
  std::size_t OldCap = Cap;
  Slots = N;
  Cap = NewCap;
  Count = 0;
  for (std::size_t I = 0; I < OldCap; ++I) {
    if (!Old[I].Addr)
      continue;
    std::size_t J = slot(Old[I].Addr);
    while (Slots[J].Addr)
      J = (J + 1) & (Cap - 1);
    Slots[J] = Old[I];
    ++Count;
  }
  delete[] Old;
  return true;
}

const AddressMap::Entry *AddressMap::find(const void *Addr) const {
  if (!Addr || !Count)
    return nullptr;
  std::size_t I = slot(Addr);
  for (;; I = (I + 1) & (Cap - 1)) {
    if (Slots[I].Addr == Addr)
      return &Slots[I];
    if (!Slots[I].Addr)
      return nullptr;
  }
}

AddressMap::Entry *AddressMap::get(const void *Addr) {
  if (Count + 1 > Cap / 4 * 3 && !grow()) {
    // At the bound: an existing entry can still be updated.
    if (const Entry *E = find(Addr))
      return const_cast<Entry *>(E);
    countLost();
    return nullptr;
  }
  std::size_t I = slot(Addr);
  for (;; I = (I + 1) & (Cap - 1)) {
    if (Slots[I].Addr == Addr)
      return &Slots[I];
    if (!Slots[I].Addr) {
      Slots[I].Addr = Addr;
      ++Count;
      return &Slots[I];
    }
  }
}

bool AddressMap::set(const void *Addr, uint64_t Prov) {
  Entry *E = get(Addr);
  if (!E)
    return false;
  E->Prov = Prov;
  delete E->Derived;
  E->Derived = nullptr;
  return true;
}

void AddressMap::erase(const void *Addr) {
  if (!Count)
    return;
  std::size_t I = slot(Addr);
  for (;; I = (I + 1) & (Cap - 1)) {
    if (!Slots[I].Addr)
      return;
    if (Slots[I].Addr == Addr)
      break;
  }
  delete Slots[I].Derived;
  // Backward-shift deletion: move later entries of the probe run into the
  // hole when their home slot allows it, so lookups need no tombstones.
  std::size_t Hole = I;
  std::size_t J = (I + 1) & (Cap - 1);
  while (Slots[J].Addr) {
    std::size_t Home = slot(Slots[J].Addr);
    bool Movable = Hole <= J ? (Home <= Hole || Home > J)
                             : (Home <= Hole && Home > J);
    if (Movable) {
      Slots[Hole] = Slots[J];
      Hole = J;
    }
    J = (J + 1) & (Cap - 1);
  }
  Slots[Hole] = Entry();
  --Count;
}

//===----------------------------------------------------------------------===//
// Trainable variables by address
//===----------------------------------------------------------------------===//

namespace {

struct ParamAddr {
  const void *Addr;
  const char *Id;
};

/// An immutable sorted table; registration (static initialisation) builds a
/// new one and publishes it. Old tables are kept: a reader may hold one.
struct ParamTable {
  const void *Lo, *Hi;
  const ParamTable *Prev; ///< Keeps replaced tables reachable.
  std::size_t Count;
  ParamAddr Items[1];
};

ParamTable *Params = nullptr;

std::mutex &paramLock() {
  static std::mutex *M = new std::mutex;
  return *M;
}

} // namespace

void registerParamAddress(const void *Addr, const char *Id) noexcept {
  if (!Addr || !Id)
    return;
  std::lock_guard<std::mutex> L(paramLock());
  ParamTable *Old = __atomic_load_n(&Params, __ATOMIC_ACQUIRE);
  std::size_t N = (Old ? Old->Count : 0) + 1;
  void *Mem = ::operator new(sizeof(ParamTable) + N * sizeof(ParamAddr),
                             std::nothrow);
  if (!Mem)
    return;
  auto *T = static_cast<ParamTable *>(Mem);
  T->Prev = Old;
  T->Count = N;
  if (Old)
    std::memcpy(T->Items, Old->Items, Old->Count * sizeof(ParamAddr));
  T->Items[N - 1] = {Addr, Id};
  std::sort(T->Items, T->Items + N, [](const ParamAddr &A, const ParamAddr &B) {
    return A.Addr < B.Addr;
  });
  T->Lo = T->Items[0].Addr;
  T->Hi = T->Items[N - 1].Addr;
  __atomic_store_n(&Params, T, __ATOMIC_RELEASE);
  __atomic_store_n(&ParamsKnown, true, __ATOMIC_RELEASE);
}

const char *paramAt(const void *Addr) noexcept {
  const ParamTable *T = __atomic_load_n(&Params, __ATOMIC_ACQUIRE);
  if (!T || Addr < T->Lo || Addr > T->Hi)
    return nullptr;
  const ParamAddr *B = T->Items, *E = T->Items + T->Count;
  const ParamAddr *I = std::lower_bound(
      B, E, Addr, [](const ParamAddr &P, const void *A) { return P.Addr < A; });
  return I != E && I->Addr == Addr ? I->Id : nullptr;
}

//===----------------------------------------------------------------------===//
// Looking an object up
//===----------------------------------------------------------------------===//

ValueProv lookupObject(ThreadState &T, const void *Addr) noexcept {
  ValueProv P;
  if (Addr && Addr == T.BindAddr) {
    P.From = T.BindProv;
    return P;
  }
  if (const AddressMap::Entry *E = T.Map.find(Addr)) {
    P.From = E->Prov;
    P.Derived = E->Derived;
    if (P.From & SlotTag) {
      // A future: the node its thread's function produced, once it has.
      auto *Slot = reinterpret_cast<HandoffSlot *>(
          static_cast<uintptr_t>(P.From & ~TagMask));
      P.From = __atomic_load_n(&Slot->Node, __ATOMIC_ACQUIRE);
    }
    return P;
  }
  if (const char *Id = paramAt(Addr))
    P.From = paramTag(Id);
  return P;
}

ValueProv partsOf(ThreadState &T, const void *Root) noexcept {
  ValueProv P = lookupObject(T, Root);
  if (P.Derived)
    return ValueProv{0, P.Derived};
  if (!P.From)
    return ValueProv();
  // A member or an element of one call's output.
  T.PartScratch.assign(P.From & ~WildMark);
  return ValueProv{0, &T.PartScratch};
}

//===----------------------------------------------------------------------===//
// Call-site notes (abi.hpp)
//===----------------------------------------------------------------------===//

static bool recording() {
  return __atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1;
}

void notePush(const void *Addr, uint64_t CalleeHash, unsigned I) noexcept {
  ThreadState *T = currentThread();
  if (!T || T->InCapture)
    return;
  if (!CalleeHash) {
    if (T->Wild.note(I, Addr, false, T->Seq))
      T->WildLast = T->Seq + 1;
    return;
  }
  T->Pending.push({CalleeHash, Addr, 0, I, PendingKind::Note, 0});
}

void notePartPush(const void *Root, uint64_t CalleeHash, unsigned I) noexcept {
  if (!recording())
    return;
  ThreadState *T = currentThread();
  if (!T || T->InCapture)
    return;
  if (!CalleeHash) {
    if (T->Wild.note(I, Root, true, T->Seq))
      T->WildLast = T->Seq + 1;
    return;
  }
  T->Pending.push({CalleeHash, Root, 0, I, PendingKind::NotePart, 0});
}

void __expect(uint64_t CalleeHash, unsigned I) noexcept {
  if (!recording())
    return;
  ThreadState *T = currentThread();
  if (!T || T->InCapture)
    return;
  T->Pending.push({CalleeHash, nullptr, 0, I, PendingKind::Expect, 0});
}

void __expectLast(uint64_t CalleeHash, unsigned I) noexcept {
  if (!recording())
    return;
  ThreadState *T = currentThread();
  if (!T || T->InCapture)
    return;
  T->Pending.push({CalleeHash, nullptr, 0, I, PendingKind::ExpectLast,
                   static_cast<uint32_t>(T->Returns)});
}

//===----------------------------------------------------------------------===//
// Bindings (abi.hpp: __Local, __Assign)
//===----------------------------------------------------------------------===//

uint64_t markReturns() noexcept {
  ThreadState *T = currentThread();
  return T ? T->Events : NoMark;
}

/// Objects bound now: the map's entries and the front one.
static void syncBound(ThreadState &T) {
  T.Bound = T.Map.size() + (T.BindAddr != nullptr);
}

/// The map entry of \p Addr, created if needed (the front entry moves into
/// the map first when it is \p Addr); null at the map's bound.
static AddressMap::Entry *entryFor(ThreadState &T, const void *Addr) {
  AddressMap::Entry *E;
  if (Addr == T.BindAddr) {
    T.BindAddr = nullptr;
    E = T.Map.get(Addr);
    if (E) {
      E->Prov = T.BindProv;
      delete E->Derived;
      E->Derived = nullptr;
    }
  } else {
    E = T.Map.get(Addr);
  }
  syncBound(T);
  return E;
}

/// Forgets \p Addr's binding.
static void forget(ThreadState &T, const void *Addr) {
  if (Addr == T.BindAddr)
    T.BindAddr = nullptr;
  else
    T.Map.erase(Addr);
  syncBound(T);
}

/// Binds \p Addr to exactly one producer. An object already in the map is
/// updated there; any other becomes the front entry (the old front moves
/// into the map), which the inline code of abi.hpp rebinds without a call.
static void bindExact(ThreadState &T, const void *Addr, uint64_t Prov) {
  if (Addr != T.BindAddr) {
    if (T.Map.size()) {
      if (const AddressMap::Entry *Found = T.Map.find(Addr)) {
        auto *E = const_cast<AddressMap::Entry *>(Found);
        E->Prov = Prov;
        delete E->Derived;
        E->Derived = nullptr;
        return;
      }
    }
    // At the map's bound the older binding is dropped (and counted).
    if (T.BindAddr)
      T.Map.set(T.BindAddr, T.BindProv);
    T.BindAddr = Addr;
  }
  T.BindProv = Prov;
  syncBound(T);
}

/// Adds what \p P says to the parts of \p E.
static void addParts(AddressMap::Entry &E, const ValueProv &P) {
  if (!P.From && !P.Derived)
    return;
  if (!E.Derived) {
    E.Derived = new (std::nothrow) Parts;
    if (!E.Derived) {
      countLost();
      return;
    }
    // What the object held exactly so far becomes one of its parts.
    E.Derived->add(E.Prov & ~WildMark);
    E.Prov = 0;
  }
  E.Derived->add(P.From & ~WildMark);
  if (P.Derived)
    E.Derived->addAll(*P.Derived);
}

static void apply(ThreadState &T, const void *Addr, const ValueProv &P,
                  unsigned Mode) {
  if (Mode == __BindSet) {
    if (!P.From && !P.Derived) {
      // The object now holds a value no recorded call produced.
      forget(T, Addr);
      return;
    }
    if (!P.Derived && !(P.From & SlotTag)) {
      bindExact(T, Addr, P.From);
      return;
    }
    AddressMap::Entry *E = entryFor(T, Addr);
    if (!E)
      return;
    // A wildcard mark stays: the value is checked where it is used.
    E->Prov = P.From;
    delete E->Derived;
    E->Derived = nullptr;
    if (P.Derived) {
      E->Derived = new (std::nothrow) Parts(*P.Derived);
      if (!E->Derived)
        countLost();
    }
    return;
  }
  if (!P.From && !P.Derived)
    return;
  if (AddressMap::Entry *E = entryFor(T, Addr))
    addParts(*E, P);
}

void bindResult(const void *Addr, uint64_t Mark, unsigned Mode) noexcept {
  if (Mark == NoMark)
    return;
  ThreadState *T = currentThread();
  if (!T)
    return;
  ValueProv P;
  // A bundle returned while the right-hand side ran: the last one is the
  // producer (it may have returned through non-bundle helpers). Or the
  // expression started a thread whose result it holds (std::async). A mark
  // of another thread (a coroutine suspended there went on here) tells
  // nothing about this thread's returns.
  if (T->Events != Mark && !((T->Events ^ Mark) >> HotThread::EventsShift))
    P.From = T->LastCarry ? SlotTag | reinterpret_cast<uintptr_t>(T->LastCarry)
                          : T->LastRet;
  if (Mode == BindParts) {
    if (AddressMap::Entry *E = P.From ? entryFor(*T, Addr) : nullptr) {
      E->Prov = 0;
      delete E->Derived;
      E->Derived = nullptr;
      addParts(*E, P);
    }
    return;
  }
  apply(*T, Addr, P, Mode);
}

void bindCopy(const void *Dst, const void *Src, unsigned Mode) noexcept {
  if (!recording())
    return;
  ThreadState *T = currentThread();
  if (!T || Dst == Src)
    return;
  ValueProv P = lookupObject(*T, Src);
  if (P.Derived) {
    // Copy the parts first: Dst's entry may move Src's in the table.
    Parts Copy = *P.Derived;
    P.Derived = &Copy;
    apply(*T, Dst, P, Mode);
    return;
  }
  apply(*T, Dst, P, Mode);
}

void unbindAddress(const void *Addr) noexcept {
  ThreadState *T = currentThread();
  if (T)
    forget(*T, Addr);
}

//===----------------------------------------------------------------------===//
// Handoffs to other threads (abi.hpp: Carried)
//===----------------------------------------------------------------------===//

/// Result slots come from blocks that live as long as the process: a
/// binding may name a slot after its thread and its future are gone. Eight
/// bytes per thread started.
namespace {
struct SlotBlock {
  static constexpr unsigned Size = 512;
  HandoffSlot Slots[Size];
  SlotBlock *Prev;
};
} // namespace

static HandoffSlot *newSlot() {
  using Block = SlotBlock;
  static std::mutex *M = new std::mutex;
  static Block *Current = nullptr;
  static unsigned Used = Block::Size;
  std::lock_guard<std::mutex> L(*M);
  if (Used == Block::Size) {
    auto *B = new (std::nothrow) Block;
    if (!B)
      return nullptr;
    B->Prev = Current;
    Current = B;
    Used = 0;
  }
  HandoffSlot *S = &Current->Slots[Used++];
  S->Node = 0;
  return S;
}

HandoffSlot *handoffLookup(uint64_t *Out, const void *const *Addrs,
                           unsigned N) noexcept {
  ThreadState *T = currentThread();
  bool Any = false;
  for (unsigned I = 0; I < N; ++I) {
    Out[I] = 0;
    if (!T || !Addrs[I])
      continue;
    ValueProv P = lookupObject(*T, Addrs[I]);
    if (isNode(P.From) || isParamTag(P.From))
      Out[I] = P.From & ~WildMark;
    Any |= isNode(P.From);
  }
  // Hand this thread's records to the writer now: the producers' outputs
  // are then known before the new thread's calls are written, for the
  // value check of an edge whose callee is not known statically. A thread
  // start costs far more than one chunk hand-off.
  if (Any && T->used())
    handOff(*T);
  if (!T)
    return nullptr;
  // The callable's result will be the thread's: a declaration or store
  // that takes it (`auto fut = std::async(...)`) is bound to this slot.
  HandoffSlot *Slot = newSlot();
  if (!Slot)
    return nullptr;
  T->LastCarry = Slot;
  ++T->Events;
  return Slot;
}

uint64_t handoffMark() noexcept {
  ThreadState *T = currentThread();
  return T ? T->Returns : 0;
}

void handoffEnd(HandoffSlot *Slot, uint64_t Mark, uint64_t CalleeHash) noexcept {
  ThreadState *T = currentThread();
  if (!T || T->Returns == Mark || !isNode(T->LastRet))
    return;
  // The callable named a bundle: its result is that call's output. A lambda
  // or helper's result is only presumed to be, and checked by value.
  uint64_t Node = T->LastRet | (CalleeHash ? 0 : WildMark);
  __atomic_store_n(&Slot->Node, Node, __ATOMIC_RELEASE);
}

void handoffBegin(uint64_t CalleeHash, const uint64_t *Prov,
                  unsigned N) noexcept {
  if (!recording())
    return;
  ThreadState *T = currentThread();
  if (!T)
    return;
  Handoff &H = T->Carried;
  H.Hash = CalleeHash;
  T->CarriedStamp = T->Seq + 1;
  H.N = N < Handoff::Max ? N : Handoff::Max;
  for (unsigned I = 0; I < H.N; ++I)
    H.Prov[I] = Prov[I];
}

//===----------------------------------------------------------------------===//
// Throw sites
//===----------------------------------------------------------------------===//

void __thrownAt(const char *File, unsigned Line) noexcept {
  if (!recording())
    return;
  ThreadState *T = currentThread();
  if (!T)
    return;
  T->ThrowFile = File;
  T->ThrowLine = Line;
  T->ThrowSeq = T->Seq;
}

} // namespace __trace_rt
