//===- Internal.h - Runtime internals shared by the library and its tests -===//
//
// Three stages: record (per-thread chunks of binary records, no locks, no
// allocation per call), render (values to text, off the hot path where
// possible) and write (one write() of JSON lines per drained chunk).
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_RUNTIME_INTERNAL_H
#define TRACE_RUNTIME_INTERNAL_H

#include "trace/abi.hpp"

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <new>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace __trace_rt {

//===----------------------------------------------------------------------===//
// Text
//===----------------------------------------------------------------------===//

/// Text sink with a byte limit: bytes past the limit are counted, not kept.
/// The buffer is the runtime's own (not a std::string): a value is written in
/// many small pieces, and an inlined copy into room reserved once per thread
/// costs a fraction of a library append call each.
class Out {
public:
  explicit Out(std::size_t Limit = SIZE_MAX);
  Out(const Out &) = delete;
  Out &operator=(const Out &) = delete;
  ~Out();

  void reset(std::size_t NewLimit) {
    Len = 0;
    Total = 0;
    Limit = NewLimit;
  }
  void write(const char *P, std::size_t N) {
    Total += N;
    if (Len >= Limit)
      return;
    std::size_t Room = Limit - Len;
    if (N > Room)
      N = Room;
    if (__builtin_expect(N > Cap - Len, 0))
      grow(Len + N);
    __builtin_memcpy(Data + Len, P, N);
    Len += N;
  }
  /// Cuts a multi-byte UTF-8 sequence split by the limit, so the kept text
  /// stays valid; returns the number of bytes not kept.
  std::size_t finish();
  bool full() const { return Total > Limit; }
  std::ostream &stream();

  const char *data() const { return Data; }
  std::size_t size() const { return Len; }
  std::string_view view() const { return std::string_view(Data, Len); }
  std::string str() const { return std::string(Data, Len); }

  std::size_t Limit;
  std::size_t Total = 0;

private:
  void grow(std::size_t Need);

  char *Data = nullptr;
  std::size_t Len = 0, Cap = 0;
  struct StreamImpl;
  std::unique_ptr<StreamImpl> Stream;
};

/// Appends [P, P + N) escaped the way a C++ string literal shows it
/// (trace/escape.hpp: the contract the readers of the trace apply too).
void appendCEscaped(Out &O, const char *P, std::size_t N);
/// Length of the longest prefix of \p S (at most \p Max bytes) that does not
/// end inside a UTF-8 sequence.
std::size_t utf8Prefix(std::string_view S, std::size_t Max);
/// Readable type names: "std::string" for std::__cxx11::basic_string<char>...
std::string prettyTypeName(std::string_view Raw);
/// Text shown after a truncated value.
std::string truncationMarker(std::size_t Omitted);

//===----------------------------------------------------------------------===//
// Records
//===----------------------------------------------------------------------===//
//
// A thread's chunk holds thread records of the binary trace format
// (trace/format.hpp, docs/trace-format.md) exactly as they go to the file:
// the hot path encodes them, the writer only frames a full chunk as a block
// record and writes it. What a reader can infer from the order of a thread's
// records is not stored: an enter is node seq + 1 of its thread, its parent
// is the innermost call still open, and a result closes the innermost open
// call. Sites, types, enum tables and strings are named by small ids, given
// on first use (under the runtime's lock) with a metadata record written
// before any chunk that uses them. A call of `int f(int, int)` takes 21
// bytes.

/// Ids of the pointer-keyed tables (strings, enum tables) the hot path
/// refers to; see internId.
enum class IdTable : uint8_t { String, Enum };

/// A fixed-size buffer of records owned by one thread, then by the writer.
struct Chunk {
  explicit Chunk(std::size_t Cap) : Data(new char[Cap]), Cap(Cap) {}
  std::unique_ptr<char[]> Data;
  std::size_t Cap;
  std::size_t Used = 0;
  uint32_t Thread = 0; ///< Index of the thread whose records these are.
  /// The thread's node count when the chunk was handed over: the enters in
  /// this chunk and the ones before it.
  uint32_t SeqBegin = 0, SeqEnd = 0;
};

//===----------------------------------------------------------------------===//
// Provenance
//===----------------------------------------------------------------------===//
//
// Provenance words and their tags (CutTag, ParamTag, WildMark, SlotTag) are
// defined in abi.hpp, whose inline paths read them too.

inline bool isNode(uint64_t P) {
  return P && !(P & (CutTag | ParamTag | SlotTag));
}
inline bool isParamTag(uint64_t P) { return (P & ParamTag) != 0; }
inline bool isCutTag(uint64_t P) { return (P & CutTag) != 0; }
inline uint64_t paramTag(const char *Id) {
  return ParamTag | reinterpret_cast<uintptr_t>(Id);
}
inline uint64_t cutTag(const __Site *S) {
  return CutTag | reinterpret_cast<uintptr_t>(S);
}
inline const char *tagParam(uint64_t P) {
  return reinterpret_cast<const char *>(static_cast<uintptr_t>(P & ~TagMask));
}
inline __Site *tagSite(uint64_t P) {
  return reinterpret_cast<__Site *>(static_cast<uintptr_t>(P & ~TagMask));
}

/// The producers of an object built from parts of several outputs (a
/// container, a struct whose members were assigned, a compound
/// assignment): the most recent Max, and how many older ones were dropped.
struct Parts {
  static constexpr unsigned Max = 16;
  uint64_t Items[Max];
  uint32_t Count = 0;
  uint32_t Next = 0; ///< Ring position of the next item once full.
  uint64_t Omitted = 0;

  void add(uint64_t P);
  void addAll(const Parts &O);
  /// Makes \p P the only producer.
  void assign(uint64_t P) {
    Count = Next = 0;
    Omitted = 0;
    add(P);
  }
  /// The I-th producer kept, oldest first.
  uint64_t at(unsigned I) const {
    return Items[(Count < Max ? I : Next + I) % Max];
  }
};

/// Open-addressing map from an object's address to where its value came
/// from (linear probing, backward-shift deletion). It grows with the number
/// of live bindings (deep recursion keeps one per level); past MaxEntries an
/// insert is refused and counted as lost.
class AddressMap {
public:
  static constexpr std::size_t MaxEntries = std::size_t(1) << 21;

  struct Entry {
    const void *Addr = nullptr;
    uint64_t Prov = 0;        ///< The exact producer, or 0.
    Parts *Derived = nullptr; ///< Producers of parts, or null.
  };

  AddressMap() = default;
  AddressMap(const AddressMap &) = delete;
  AddressMap &operator=(const AddressMap &) = delete;
  ~AddressMap();

  /// The entry for \p Addr, or null.
  const Entry *find(const void *Addr) const;
  /// The entry for \p Addr, created empty if needed; null at the bound.
  Entry *get(const void *Addr);
  /// Binds \p Addr to exactly \p Prov (its parts are forgotten).
  bool set(const void *Addr, uint64_t Prov);
  /// Removes \p Addr.
  void erase(const void *Addr);
  std::size_t size() const { return Count; }
  void clear();

private:
  std::size_t slot(const void *Addr) const {
    auto V = reinterpret_cast<uintptr_t>(Addr);
    V ^= V >> 17;
    V *= 0x9E3779B97F4A7C15ull;
    return (V >> 32) & (Cap - 1);
  }
  bool grow();
  Entry *Slots = nullptr;
  std::size_t Cap = 0;
  std::size_t Count = 0;
};

/// Notes for a call whose callee is not known statically (a function
/// pointer, std::function, a virtual function, a helper): argument I is the
/// object at Addr, for the first bundle that starts before any other does.
/// Overwritten, never stacked, so calls that reach no bundle leave nothing.
struct WildNotes {
  static constexpr unsigned Max = 16;
  struct Item {
    const void *Addr = nullptr;
    uint32_t Stamp = 0; ///< Seq + 1 when written; valid while it matches.
    bool Part = false;
  };
  Item Items[Max];
  /// False when \p I is past the table (the note is not kept).
  bool note(unsigned I, const void *Addr, bool Part, uint32_t Seq) {
    if (I >= Max)
      return false;
    Items[I] = {Addr, Seq + 1, Part};
    return true;
  }
  void clear() {
    for (Item &I : Items)
      I = Item();
  }
};

/// The provenance of a thread function's arguments, looked up on the thread
/// that created it, for the first bundle that starts on this thread.
struct Handoff {
  static constexpr unsigned Max = 8;
  uint64_t Hash = 0; ///< The callee's site hash, or 0 for any bundle.
  ///< Valid while HotThread::CarriedStamp is the call's Seq.
  unsigned N = 0;
  uint64_t Prov[Max] = {};
};

/// Where an argument's value came from, as the hot path finds it.
struct ValueProv {
  uint64_t From = 0;              ///< Node (maybe | WildMark) or a tag.
  const Parts *Derived = nullptr; ///< Parts producers, or null.
};

/// The trainable variable whose object is at \p Addr, or null. Lock-free:
/// reads an immutable table that registration replaces.
const char *paramAt(const void *Addr) noexcept;

/// The binding of the object at \p Addr: the thread's map, else a
/// trainable variable.
ValueProv lookupObject(ThreadState &T, const void *Addr) noexcept;
/// True once a trainable variable's address is known (one relaxed load of
/// ParamsKnown, abi.hpp).
inline bool paramsRegistered() {
  return __atomic_load_n(&ParamsKnown, __ATOMIC_RELAXED);
}
/// What a member or an element of the object at \p Root came from: the
/// object's producers, as parts (a single one in T.PartScratch).
ValueProv partsOf(ThreadState &T, const void *Root) noexcept;
/// Makes \p Addr known as the trainable variable \p Id.
void registerParamAddress(const void *Addr, const char *Id) noexcept;

/// Calls of each site made by one thread, for the call limit (counted per
/// thread: a shared counter would be one contended atomic a call). Only
/// the owning thread writes; the counters are stored with relaxed atomics
/// so the final count can read a thread still running. A grown table keeps
/// the old one alive for such a reader.
class SiteCounts {
public:
  struct Entry {
    __Site *S = nullptr;
    uint64_t Calls = 0;
  };
  SiteCounts() = default;
  SiteCounts(const SiteCounts &) = delete;
  SiteCounts &operator=(const SiteCounts &) = delete;

  /// The counter of \p S, created at 0; null if memory ran out. \p Moved
  /// is set when the table grew (earlier counter pointers are stale).
  uint64_t *get(__Site *S, bool &Moved);
  /// Calls \p F(__Site *, uint64_t Calls) for every site counted.
  template <class F> void forEach(F &&Fn) const {
    const Table *T = __atomic_load_n(&Cur, __ATOMIC_ACQUIRE);
    for (std::size_t I = 0; T && I < T->Cap; ++I) {
      __Site *S = __atomic_load_n(&T->Items[I].S, __ATOMIC_ACQUIRE);
      if (S)
        Fn(S, __atomic_load_n(&T->Items[I].Calls, __ATOMIC_RELAXED));
    }
  }
  void clear();

private:
  struct Table {
    explicit Table(std::size_t Cap)
        : Cap(Cap), Items(new (std::nothrow) Entry[Cap]) {}
    std::size_t Cap;
    std::unique_ptr<Entry[]> Items;
  };
  bool grow();
  Table *Cur = nullptr;
  std::size_t Count = 0;
  std::vector<std::unique_ptr<Table>> Tables; ///< Every table, kept.
};

/// Adds a thread's counts to its sites' Calls and Recorded (caller holds
/// the runtime's lock; the thread has exited, or the run is ending).
void foldCounts(SiteCounts &C);

/// Provenance facts dropped at a bound (all threads); written in `end`.
extern uint64_t LostEdges;
inline void countLost() { __atomic_add_fetch(&LostEdges, 1, __ATOMIC_RELAXED); }

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Call times (TRACE_TIMESTAMPS)
//===----------------------------------------------------------------------===//
//
// With timestamps on, every call takes the library's record path, which
// writes a time record after its enter and before the record that ends it;
// the inline paths of abi.hpp write none. The choice is made once: the ids
// that the inline paths read (__Site::Id, TypeDesc::Id) are published with
// SlowIdBit, which puts them out of the inline paths' range, so a trace
// without times costs no test on the hot path.

/// TRACE_TIMESTAMPS; set once, before recording starts.
extern bool Timestamps;
constexpr uint32_t SlowIdBit = 1u << 31;
/// The id as the inline paths see it.
inline uint32_t publishedId(uint32_t Id) {
  return Timestamps ? Id | SlowIdBit : Id;
}
/// The id of the trace from a published one.
inline uint32_t plainId(uint32_t Published) { return Published & ~SlowIdBit; }

/// How clock ticks convert to time (the Clock record).
struct ClockInfo {
  __trace_format::ClockSource Source = __trace_format::ClockSource::Monotonic;
  uint64_t Hz = 1000000000;
  uint64_t Origin = 0;    ///< Ticks when recording started.
  uint64_t Monotonic = 0; ///< CLOCK_MONOTONIC (ns) at Origin.
};
extern ClockInfo TheClock;

inline uint64_t monotonicNs() {
  timespec T;
  clock_gettime(CLOCK_MONOTONIC, &T);
  return static_cast<uint64_t>(T.tv_sec) * 1000000000u +
         static_cast<uint64_t>(T.tv_nsec);
}
/// The clock of TheClock: the TSC where it was measured (about 12 ns a
/// read on the development VM, against 27 ns for clock_gettime).
inline uint64_t clockTicks() {
#if defined(__x86_64__) || defined(__i386__)
  if (__builtin_expect(TheClock.Source == __trace_format::ClockSource::Tsc, 1))
    return __builtin_ia32_rdtsc();
#endif
  return monotonicNs();
}
/// Chooses the clock and measures the TSC's rate against CLOCK_MONOTONIC
/// (sleeps 10 ms).
void calibrateClock() noexcept;

struct ThreadState : HotThread {
  ThreadState(uint32_t Index, Chunk *Buffer) : Buffer(Buffer), Scratch(0) {
    this->Index = Index;
    Events = uint64_t(Index) << EventsShift;
    setBuffer(Buffer);
  }

  /// Makes \p C the chunk being filled, from its Used bytes on.
  void setBuffer(Chunk *C) {
    Buffer = C;
    Cur.Next = C->Data.get() + C->Used;
    Cur.End = C->Data.get() + C->Cap;
  }
  /// Bytes of the current chunk filled so far.
  std::size_t used() const {
    return static_cast<std::size_t>(Cur.Next - Buffer->Data.get());
  }
  /// Writes the cursor's position back into the chunk (before it is read).
  void syncUsed() { Buffer->Used = used(); }

  /// Prepares the state of an exited thread for a new thread.
  void reuse(uint32_t NewIndex) {
    Index = NewIndex;
    __atomic_store_n(&Seq, 0u, __ATOMIC_RELAXED);
    Current = LastRet = LastTop = 0;
    Returns = 0;
    Events = uint64_t(NewIndex) << EventsShift;
    LastCarry = nullptr;
    BindAddr = nullptr;
    BindProv = 0;
    Bound = 0;
    WildLast = CarriedStamp = 0;
    ThrowFile = nullptr;
    ThrowLine = 0;
    ThrowSeq = 0;
    LastEscaped = 0;
    InCapture = false;
    Buffer->Used = 0;
    Buffer->SeqBegin = Buffer->SeqEnd = 0;
    Buffer->Thread = NewIndex;
    setBuffer(Buffer);
    Pending.clear();
    Map.clear();
    Wild.clear();
    Carried = Handoff();
    for (LimitSlot &L : Limits)
      L = LimitSlot();
    Prov.Count = 0;
    LastTick = TheClock.Origin;
  }

  /// The clock at this thread's last time record (the next one's base).
  uint64_t LastTick = TheClock.Origin;

  /// The latest `throw` in instrumented code: where, and the Seq then.
  const char *ThrowFile = nullptr;
  unsigned ThrowLine = 0;
  uint32_t ThrowSeq = 0;
  /// The latest top-level call that an exception left.
  uint64_t LastEscaped = 0;
  Chunk *Buffer; ///< Being filled; swapped for an empty one when full.
  /// Bindings other than the front one (HotThread::BindAddr).
  AddressMap Map;
  WildNotes Wild;
  Handoff Carried;
  Parts PartScratch; ///< A NotePart's single producer, as parts.
  SiteCounts Counts; ///< Calls per site, under a call limit.
  Out Scratch;
  /// Ids of strings and enum tables used lately, so the hot path rarely
  /// takes the lock to look one up (direct-mapped by pointer).
  struct IdCacheEntry {
    const void *Key = nullptr;
    uint32_t Id = 0;
    IdTable Table = IdTable::String;
  };
  static constexpr unsigned IdCacheSize = 32;
  IdCacheEntry IdCache[IdCacheSize];
};

/// The state of the thread that \p C runs on (C.TS is its hot part).
inline ThreadState &threadOf(__Call &C) {
  return static_cast<ThreadState &>(*C.TS);
}

/// The calling thread's state, created on first use; null once the thread's
/// state was torn down (thread exit) or recording is off.
ThreadState *currentThreadSlow() noexcept;
/// The calling thread's state once created (initial-exec TLS, so the hot
/// path reads it without a call).
extern __thread ThreadState *CurrentTS;
inline ThreadState *currentThread() noexcept {
  if (__builtin_expect(CurrentTS != nullptr, 1))
    return CurrentTS;
  return currentThreadSlow();
}
/// Reserves \p Bytes in the thread's chunk, handing a full chunk to the
/// writer first.
char *reserve(ThreadState &TS, std::size_t Bytes) noexcept;
/// Appends a time record (__trace_format::Op::Time) of the clock now.
void timeRecord(ThreadState &T, uint8_t Which) noexcept;

//===----------------------------------------------------------------------===//
// Configuration and writer
//===----------------------------------------------------------------------===//

constexpr std::size_t DefaultMaxValue = 256;
constexpr std::size_t DefaultMaxElements = 16;

struct Config {
  bool Enabled = true;
  /// Longest value text kept (TRACE_MAX_VALUE): what a prompt can show for
  /// one value, and what capturing one costs at most.
  std::size_t MaxValue = DefaultMaxValue;
  /// Elements shown per container (TRACE_MAX_ELEMENTS); iteration stops
  /// there.
  std::size_t MaxElements = DefaultMaxElements;
  std::string Path = "trace.bin";
  std::size_t ChunkBytes = 128 * 1024;
  /// Calls of one site recorded in full; later ones are only counted.
  /// 0 = unlimited.
  uint64_t MaxCallsPerFunction = 0;
  /// Render full chunks on a background thread (TRACE_WRITER_THREAD).
  bool WriterThread = true;
  /// Write the records on crash signals and _exit (TRACE_CRASH_FLUSH).
  bool CrashFlush = true;
  /// Record when each call starts and ends (TRACE_TIMESTAMPS).
  bool Timestamps = false;
};

/// CallLimit (abi.hpp) is config().MaxCallsPerFunction, as a plain global
/// so the hot path tests it with one load and a predictable branch.
/// Sites that had calls cut by CallLimit, linked by __Site::NextCut.
extern __Site *CutSites;

/// Expands %p (process id) and %% in a TRACE_FILE pattern.
std::string expandPath(std::string_view Pattern, long Pid);
/// Reads TRACE_ENABLE, TRACE_FILE, TRACE_MAX_VALUE, TRACE_MAX_ELEMENTS,
/// TRACE_MAX_CALLS_PER_FUNCTION, TRACE_WRITER_THREAD, TRACE_CRASH_FLUSH and
/// TRACE_TIMESTAMPS from \p GetEnv.
Config configFromEnv(const char *(*GetEnv)(const char *));
const Config &config();
/// config().MaxValue and MaxElements as plain globals, set with the rest of
/// the configuration: every capture reads them, and a load is cheaper than a
/// call past a function-local static's guard.
extern std::size_t MaxValueLimit;
extern std::size_t MaxElementsLimit;

/// Whom a feedback is about: a node, the producers of an object's parts,
/// or nothing recorded (with the reason); all empty is the whole run.
struct FeedbackTarget {
  uint64_t Node = 0;
  std::vector<uint64_t> Derived;
  uint64_t DerivedOmitted = 0;
  std::string Unattributed;
  /// With timestamps: the thread that gave it (0 if none) and when, in
  /// ticks since TheClock.Origin.
  bool Timed = false;
  uint32_t Thread = 0;
  uint64_t Ticks = 0;
};

/// Writes the binary trace: metadata records as they are registered, and
/// full chunks framed as blocks. Not thread-safe: callers hold the
/// runtime's lock. Separate from the file so tests can inspect the bytes.
class Writer {
public:
  /// The id of \p S, announced with a site record on first use. Several
  /// __Site objects can describe one function (a static function in a header,
  /// one copy per TU): the same key and signature share one id.
  uint32_t siteId(__Site &S);
  /// The id of \p T, announced with a type record on first use.
  uint32_t typeId(TypeDesc &T);
  /// The id of a string (a parameter id, a file name) or an enum table,
  /// announced on first use.
  uint32_t internId(IdTable Table, const void *Key);

  /// Appends the chunk's records as a block of thread \p Thread.
  void block(uint32_t Thread, const char *Data, std::size_t Size);
  /// The bytes in front of a block's \p Size bytes of records (at most
  /// 1 + 2 * MaxVarint), written to \p Out; returns their count.
  std::size_t blockHead(uint32_t Thread, std::size_t Size, char *Out) const;
  /// Forgets every id given (a forked child starting its own file): sites,
  /// types, strings and parameters are announced again. \p Thread, the
  /// thread that forked, continues its node numbering after \p Seq.
  void restart(uint32_t Thread, uint32_t Seq);
  /// The magic, the version and the header record, in front of what is
  /// already in Text.
  void header(long Pid, std::string_view Program, std::string_view Time);
  void param(const __ParamInfo &P, const std::string *Value);
  void tu(const __TuInfo &T);
  void feedback(const FeedbackTarget &To, std::string_view Text,
                const double *Score, bool Success, bool Uncaught = false);
  /// Writes one `cut` record per site id in \p List (calls of one function
  /// may be counted by several __Site objects), from the counts folded into
  /// the sites (foldCounts); returns the calls not recorded.
  uint64_t cuts(__Site *List);
  /// \p Cut counts only when a call limit is set (\p HasLimit); \p Lost
  /// counts provenance facts dropped at a bound.
  void end(uint64_t Nodes, uint64_t Dropped, uint64_t Cut = 0,
           bool HasLimit = false, uint64_t Lost = 0);

  std::string Text; ///< Bytes not yet written to the file.

private:
  /// Starts a record of kind \p K in Scratch; record() frames it into Text.
  std::string &begin();
  void record(__trace_format::Kind K);

  std::string Scratch;
  std::unordered_map<std::string, uint32_t> SiteIds; ///< Key + '\0' + Pretty.
  std::vector<__Site *> Named;   ///< Every __Site given an id, for restart().
  std::vector<TypeDesc *> Typed; ///< Every type given an id.
  uint32_t NextType = 1;
  std::unordered_map<const void *, uint32_t> Ids[2]; ///< By IdTable.
  std::unordered_set<std::string> ParamsSeen;
};

/// Ids for the hot path, given under the runtime's lock on first use (the
/// Writer's siteId, typeId and internId).
uint32_t registerSite(__Site &S) noexcept;
uint32_t registerType(TypeDesc &T) noexcept;
uint32_t registerId(IdTable Table, const void *Key) noexcept;

/// The type (demangled, readable) and what() of the exception being
/// handled; false when it is no std::exception (What is then empty).
bool describeCurrentException(std::string &Type, std::string &What) noexcept;

/// Writes what was recorded before the process ends without exit handlers.
void lastWordsOnExit() noexcept;

/// Hands \p TS's chunk to the writer (locks). Used when a chunk is full,
/// at thread exit and by flush().
void handOff(ThreadState &TS) noexcept;

/// A fast hash of \p S (8 bytes a step), used to compare a value with its
/// producer's output.
uint64_t hashText(std::string_view S);

} // namespace __trace_rt

#endif // TRACE_RUNTIME_INTERNAL_H
