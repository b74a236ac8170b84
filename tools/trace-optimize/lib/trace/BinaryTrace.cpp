//===- BinaryTrace.cpp - Streaming reader of binary traces ----------------===//
//
// One pass over the bytes, no copy of the file: strings of records are
// views into it, and a value's text is either such a view (text form) or
// rendered into a buffer of its thread that is reused call after call. A
// trace may hold tens of millions of calls, so the per-call path does no
// allocation once the buffers have grown, and looks nothing up by hashing
// except a thread id that changed since the previous block.
//
// Reading a record is split in two: decoding every field (which may find
// the bytes cut short or malformed), then applying it (numbering, stacks,
// handler). A record cut by the end of the file thus has no effect, and a
// truncated trace reads as its complete prefix.
//
//===----------------------------------------------------------------------===//
#include "BinaryTrace.h"

#include "TraceText.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <unordered_map>

namespace traceopt {

namespace tf = __trace_format;

bool isBinaryTrace(std::string_view Bytes) {
  return Bytes.size() >= tf::MagicSize && std::memcmp(Bytes.data(), tf::Magic, tf::MagicSize) == 0;
}

BinHandler::~BinHandler() = default;

namespace {

/// Why a field could not be read.
enum class Fault : uint8_t {
  None,
  Short,   ///< The bytes end inside the field.
  Bad,     ///< The field's bytes are invalid; see Cause.
};

/// The name a record kind has in messages.
std::string kindName(unsigned Kind) {
  switch (Kind) {
  case unsigned(tf::Kind::Header): return "header";
  case unsigned(tf::Kind::Tu): return "tu";
  case unsigned(tf::Kind::Site): return "site";
  case unsigned(tf::Kind::Param): return "param";
  case unsigned(tf::Kind::String): return "string";
  case unsigned(tf::Kind::Type): return "type";
  case unsigned(tf::Kind::Enum): return "enum";
  case unsigned(tf::Kind::Block): return "block";
  case unsigned(tf::Kind::Feedback): return "feedback";
  case unsigned(tf::Kind::Cut): return "cut";
  case unsigned(tf::Kind::End): return "end";
  case unsigned(tf::Kind::ThreadStart): return "thread-start";
  case unsigned(tf::Kind::Clock): return "clock";
  }
  return "kind-" + std::to_string(Kind);
}

/// A read position in [P, End), the bytes of one record (or the rest of the
/// file). The first fault stops reading: later reads fail too, and At/What
/// say where and which field.
struct Cursor {
  const char *P, *End;
  Fault F = Fault::None;
  const char *At = nullptr; ///< Start of the field at fault.
  const char *What = "";    ///< The field at fault.
  const char *Cause = "";   ///< For Fault::Bad.

  Cursor(const char *P, const char *End) : P(P), End(End) {}

  bool ok() const { return F == Fault::None; }

  bool fail(Fault Kind, const char *Start, const char *Field, const char *Why = "") {
    if (F == Fault::None) {
      F = Kind;
      At = Start;
      What = Field;
      Cause = Why;
    }
    return false;
  }

  bool u8(uint8_t &V, const char *Field) {
    if (!ok())
      return false;
    if (P == End)
      return fail(Fault::Short, P, Field);
    V = static_cast<uint8_t>(*P++);
    return true;
  }

  bool varint(uint64_t &V, const char *Field) {
    if (!ok())
      return false;
    // Most varints are one byte: ids, indices, small lengths.
    if (P < End && static_cast<uint8_t>(*P) < 0x80) {
      V = static_cast<uint8_t>(*P++);
      return true;
    }
    const char *Start = P;
    if (const char *Next = tf::getVarint(P, End, V)) {
      P = Next;
      return true;
    }
    // getVarint fails when ten bytes all continue the varint, and when the
    // bytes run out before a byte ends it.
    if (End - Start >= ptrdiff_t(tf::MaxVarint))
      return fail(Fault::Bad, Start, Field, "is a varint longer than 10 bytes");
    return fail(Fault::Short, Start, Field);
  }

  /// A varint that must fit in 32 bits.
  bool varint32(uint32_t &V, const char *Field) {
    const char *Start = P;
    uint64_t X;
    if (!varint(X, Field))
      return false;
    if (X > UINT32_MAX)
      return fail(Fault::Bad, Start, Field, "does not fit in 32 bits");
    V = uint32_t(X);
    return true;
  }

  bool bytes(size_t N, std::string_view &S, const char *Field) {
    if (!ok())
      return false;
    if (size_t(End - P) < N)
      return fail(Fault::Short, P, Field);
    S = std::string_view(P, N);
    P += N;
    return true;
  }

  /// `str`: len:varint then the bytes.
  bool str(std::string_view &S, const char *Field) {
    const char *Start = P;
    uint64_t Len;
    if (!varint(Len, Field))
      return false;
    if (uint64_t(End - P) < Len)
      return fail(Fault::Short, Start, Field);
    S = std::string_view(P, size_t(Len));
    P += Len;
    return true;
  }

  /// `ostr`: 0 for null, else len + 1 then the bytes.
  bool ostr(OptStr &S, const char *Field) {
    const char *Start = P;
    uint64_t Len;
    if (!varint(Len, Field))
      return false;
    if (Len == 0) {
      S = OptStr();
      return true;
    }
    --Len;
    if (uint64_t(End - P) < Len)
      return fail(Fault::Short, Start, Field);
    S.Text = std::string_view(P, size_t(Len));
    S.Null = false;
    P += Len;
    return true;
  }
};

/// A table of records by id. Ids are small numbers counted from 1 in
/// practice, found through a flat array; others through a hash map. The
/// entries keep their address (handlers get pointers to sites).
template <class T> class IdTable {
public:
  T *find(uint64_t Id) {
    if (Id < Small.size())
      return Small[Id];
    if (Id < SmallLimit)
      return nullptr;
    auto It = Large.find(Id);
    return It == Large.end() ? nullptr : It->second;
  }
  /// A new entry for \p Id, or null if the id is 0 or taken.
  T *add(uint64_t Id) {
    if (Id == 0 || find(Id))
      return nullptr;
    T *E = &Items.emplace_back();
    if (Id < SmallLimit) {
      if (Id >= Small.size())
        Small.resize(size_t(Id) + 1, nullptr);
      Small[Id] = E;
    } else {
      Large.emplace(Id, E);
    }
    return E;
  }
  size_t size() const { return Items.size(); }

private:
  static constexpr uint64_t SmallLimit = 1 << 20;
  std::deque<T> Items;
  std::vector<T *> Small;
  std::unordered_map<uint64_t, T *> Large;
};

/// How renderScalar renders a type's bytes, if it can.
enum class Scalar : uint8_t { None, Signed, Unsigned, Float, Double, Bool };

struct TypeInfo {
  tf::TypeKind Kind = tf::TypeKind::Text;
  Scalar Fast = Scalar::None;
  uint32_t Size = 0;
  uint32_t Index = 0;
  std::string_view Name, Text;
};

/// Renders a value of a scalar type of at most 8 bytes (nearly every value
/// of a trace), without the 128-bit arithmetic of the general renderer.
/// \p Avail bytes can be read at \p Data (at least the type's size).
static void renderScalar(const TypeInfo &Type, const char *Data, size_t Avail, std::string &Buf) {
  uint64_t U = 0;
  if (Avail >= 8) {
    std::memcpy(&U, Data, 8); // Little-endian, like the format.
    if (Type.Size < 8)
      U &= (uint64_t(1) << (8 * Type.Size)) - 1;
  } else {
    for (uint32_t I = Type.Size; I-- > 0;)
      U = (U << 8) | static_cast<uint8_t>(Data[I]);
  }
  char Out[64];
  char *End = Out;
  switch (Type.Fast) {
  case Scalar::Signed: {
    unsigned Shift = 64 - 8 * Type.Size;
    End = std::to_chars(Out, Out + sizeof Out, static_cast<int64_t>(U << Shift) >> Shift).ptr;
    break;
  }
  case Scalar::Unsigned:
    End = std::to_chars(Out, Out + sizeof Out, U).ptr;
    break;
  case Scalar::Float: {
    float F;
    uint32_t W = uint32_t(U);
    std::memcpy(&F, &W, 4);
    End = std::to_chars(Out, Out + sizeof Out, F).ptr;
    break;
  }
  case Scalar::Double: {
    double D;
    std::memcpy(&D, &U, 8);
    End = std::to_chars(Out, Out + sizeof Out, D).ptr;
    break;
  }
  case Scalar::Bool:
    Buf += U ? "true" : "false";
    return;
  case Scalar::None:
    break;
  }
  Buf.append(Out, size_t(End - Out));
}

struct EnumInfo {
  OptStr Type;
  std::vector<std::pair<int64_t, std::string_view>> Values;
};

/// A value read but not yet reported: where its text and name are while
/// the thread's buffer may still move.
struct Fixup {
  const char *Direct = nullptr; ///< The text is a view of the file here...
  uint32_t TextOff = 0, TextLen = 0; ///< ...or of the thread's buffer.
  bool OwnName = false; ///< The name is in the thread's buffer.
  uint32_t NameOff = 0, NameLen = 0;
  uint32_t FirstDerived = 0;
};

/// The outputs of a thread's nodes, by sequence number: a hash of each
/// node's result text, 0 while unknown. Chunks, since a thread may make
/// millions of calls and a growing array would copy them.
class OutputTable {
public:
  void push() {
    if (Count % ChunkSize == 0)
      Chunks.emplace_back(new uint64_t[ChunkSize]);
    Chunks.back()[Count % ChunkSize] = 0;
    ++Count;
  }
  uint64_t get(uint64_t I) const { return I < Count ? Chunks[I / ChunkSize][I % ChunkSize] : 0; }
  void set(uint64_t I, uint64_t H) {
    if (I < Count)
      Chunks[I / ChunkSize][I % ChunkSize] = H;
  }

private:
  static constexpr uint64_t ChunkSize = 1 << 16;
  std::vector<std::unique_ptr<uint64_t[]>> Chunks;
  uint64_t Count = 0;
};


/// The light arguments of one call (index and type): a call has few, so
/// they stay in place and adding one is a store, not a call; more than
/// Inline go to a vector.
struct LightList {
  using Item = std::pair<uint32_t, const TypeInfo *>;
  static constexpr size_t Inline = 16;
  Item Items[Inline];
  size_t N = 0;
  std::vector<Item> More;

  bool empty() const { return N == 0; }
  size_t size() const { return N; }
  void push_back(const Item &I) {
    if (N < Inline)
      Items[N] = I;
    else
      More.push_back(I);
    ++N;
  }
  const Item &operator[](size_t I) const {
    return I < Inline ? Items[I] : More[I - Inline];
  }
  void clear() {
    N = 0;
    More.clear();
  }
};

struct ThreadState {
  uint32_t Id = 0;
  uint64_t Seq = 0;   ///< Enters so far, counted from Base.
  uint64_t Base = 0;  ///< The thread-start's seq: earlier nodes are not in this file.
  bool Started = false; ///< A thread-start record began the thread.
  std::vector<uint64_t> Open; ///< Open calls, innermost last.
  OutputTable Outputs; ///< Indexed by seq - Base - 1.

  /// The call whose arguments are being read (Active), and its values.
  bool Active = false;
  bool InOrder = true;
  /// The call's values went on in a later block (see BinCall::Irregular).
  bool Crossed = false;
  uint64_t CallAt = 0; ///< Offset of the call's enter record.
  uint64_t Node = 0, Parent = 0;
  const BinSite *Site = nullptr;
  std::vector<BinValue> Args, Globals;
  std::vector<Fixup> ArgFix, GlobalFix;
  /// Skipping values: the arguments read before any with flags, by index
  /// and type. Their BinValues would hold nothing the handler uses, so they
  /// are made only when a later argument of the call has flags (see
  /// lightArgs).
  LightList Light;
  BinValue This;
  Fixup ThisFix;
  bool HasThis = false;
  std::string Text;             ///< Rendered texts and composed names.
  std::vector<uint64_t> Derived; ///< `derived` lists of the values.
  /// Clock ticks since the origin at the thread's last time record; the
  /// active call's entry time, and an exit time for the next record that
  /// ends a call (ns).
  uint64_t Ticks = 0;
  bool EntryTimed = false, ExitTimed = false;
  uint64_t EntryNs = 0, ExitNs = 0;
};

} // namespace

class BinaryTraceReader::Impl {
public:
  bool decodeCall(uint64_t At, uint64_t Node, uint64_t Parent, uint32_t Count, BinHandler &Out);
  bool decodeRet(uint64_t At, uint64_t Node, BinHandler &Out);
  void setSkip(bool S) { Skip = S; }
  void setReleaser(void (*R)(void *, uint64_t), void *Ctx) {
    Release = R;
    ReleaseCtx = Ctx;
  }

  Impl(std::string_view Bytes, std::string Name, BinHandler &H)
      : Begin(Bytes.data()), End(Bytes.data() + Bytes.size()), Name(std::move(Name)), H(&H) {}

  bool read();

  std::string Error;

private:
  // --- Errors ---------------------------------------------------------------

  std::string where(const char *At) const { return Name + ": byte " + std::to_string(At - Begin) + ": "; }

  bool fail(const char *At, const std::string &Cause) {
    if (Error.empty())
      Error = where(At) + Cause;
    return false;
  }

  /// The error for a field that could not be read; \p Within names what
  /// the field was cut by ("its record", "its block").
  bool fieldFault(const Cursor &C, const char *Record, const char *Within) {
    if (C.F == Fault::Short)
      return fail(C.At, std::string("malformed ") + Record + " record: the " + C.What + " runs past the end of " +
                            Within);
    return fail(C.At, std::string("malformed ") + Record + " record: the " + C.What + " " + C.Cause);
  }

  bool handlerFailed(const char *At) { return fail(At, H->Failure.empty() ? "the reader stopped" : H->Failure); }

  // --- Records --------------------------------------------------------------

  bool record(unsigned Kind, const char *RecStart, Cursor &C);
  bool headerRecord(Cursor &C);
  bool tuRecord(Cursor &C);
  bool siteRecord(Cursor &C, const char *RecStart);
  bool paramRecord(Cursor &C, const char *RecStart);
  bool stringRecord(Cursor &C, const char *RecStart);
  bool typeRecord(Cursor &C, const char *RecStart);
  bool enumRecord(Cursor &C, const char *RecStart);
  bool feedbackRecord(Cursor &C, const char *RecStart);
  bool cutRecord(Cursor &C, const char *RecStart);
  bool endRecord(Cursor &C, const char *RecStart);
  bool threadStartRecord(Cursor &C, const char *RecStart);
  bool clockRecord(Cursor &C, const char *RecStart);
  /// Ticks since the clock's origin in ns.
  uint64_t toNs(uint64_t Ticks) const { return uint64_t((unsigned __int128)Ticks * 1000000000u / ClockHz); }
  /// Reads the rest of a time record (the tag is read) into \p Delta.
  static bool timeDelta(Cursor &C, uint8_t Tag, uint64_t &Delta) {
    const char *At = C.P;
    uint64_t High;
    if (!C.varint(High, "time"))
      return false;
    if (High >> 59)
      return C.fail(Fault::Bad, At, "time", "is more than 64 bits of ticks");
    Delta = High << 4 | ((Tag >> 4) & 15);
    return true;
  }
  /// A block's thread records in [C.P, C.End). \p Complete is false for a
  /// block cut by the end of the file: then a thread record cut short ends
  /// the block quietly.
  bool blockRecord(Cursor &C, bool Complete);

  // --- Threads --------------------------------------------------------------

  ThreadState &thread(uint32_t Id);
  ThreadState *findThread(uint32_t Id);
  /// Reports \p T's pending call, if any.
  /// \p ByFile: a record of the whole file (not of \p T's thread) ends
  /// the call's values.
  bool finish(ThreadState &T, const char *At, bool ByFile = false);
  bool finishAll(const char *At);
  /// Reads a value record of \p T's active call (the tag is read).
  bool activeValue(Cursor &C, uint8_t Tag, ThreadState &T);
  /// Reads a value's type id into the type it names.
  bool readType(Cursor &C, const TypeInfo *&Type) {
    uint64_t TypeId;
    const char *TypeAt = C.P;
    if (!C.varint(TypeId, "type id"))
      return false;
    Type = Types.find(TypeId);
    if (!Type)
      return C.fail(Fault::Bad, TypeAt, "type id", "names no type record");
    return true;
  }
  /// Turns \p T's light arguments into BinValues (see ThreadState::Light).
  void lightArgs(ThreadState &T);
  /// Reads past a payload of \p Form of \p Type with the checks rendering
  /// would make. \p At: the value's record.
  bool skipPayload(Cursor &C, const char *At, tf::Form Form, const TypeInfo &Type);
  bool threadRecord(Cursor &C, ThreadState &T);
  bool coroRecord(Cursor &C, uint8_t Tag, const char *At, ThreadState &T);
  enum class Leaf : uint8_t { No, Done, Failed };
  /// With Skip: reads the leaf call (BinHandler::leafCall) whose enter
  /// record is at C.P in one step, without the per-value state of
  /// threadRecord. Leaf::No, with C unchanged, when the records there are
  /// not such a call in its usual encoding (one-byte ids and indices):
  /// threadRecord then reads them one by one, with its checks and messages.
  Leaf leafCall(Cursor &C, ThreadState &T);

public:
  /// The records of a leaf call, read without effect.
  struct LeafRecords {
    const BinSite *Site;
    uint32_t NumArgs;
    const TypeInfo *RetType; ///< Null unless Kind is RetKind::Value.
    RetKind Kind;
    const char *RetAt; ///< The record that ends the call...
    const char *End;   ///< ...and the byte after it.
    /// Time records after the enter and before the end (ticks), if any.
    bool EntryTimed, ExitTimed;
    uint64_t EntryDelta, ExitDelta;
  };
  /// Whether the records at \p At, up to \p E, are a leaf call in its
  /// usual encoding (see leafCall).
  bool parseLeaf(const char *At, const char *E, LeafRecords &L);
  uint64_t size() const { return uint64_t(End - Begin); }
  const char *bytesAt(uint64_t Offset) const { return Begin + Offset; }

private:
  /// Reads a value's fields after its tag into \p V: its text into \p Buf,
  /// its derived producers into \p Derived, where they are into \p Fix.
  /// \p V and \p Fix must be freshly constructed: callers construct them in
  /// place, so resetting them here would clear every value twice. \p Node
  /// is the node the value belongs to, for node references; 0 when it
  /// belongs to no node of this file.
  bool readValue(Cursor &C, uint8_t Tag, uint64_t Node, BinValue &V, Fixup &Fix, std::string &Buf,
                 std::vector<uint64_t> &Derived);
  /// The flags byte of a value and the fields it announces, up to the
  /// payload.
  bool readValueFlags(Cursor &C, uint64_t Node, BinValue &V, Fixup &Fix, std::vector<uint64_t> &Derived,
                      uint64_t &FromRef, bool &Wild, const EnumInfo *&Enum);
  /// Renders a `bytes` payload of \p Type into \p Buf.
  bool renderBytes(Cursor &C, const char *At, const TypeInfo &Type, const EnumInfo *Enum, std::string_view Data,
                   std::string &Buf);
  /// Applies the `from` rules to a value whose text is final.
  void resolveFrom(BinValue &V, uint64_t Ref, bool Wild, std::string_view Text);
  uint64_t outputOf(uint64_t Node);
  /// Skipping values: whether the result of \p Node is a `bytes` value of
  /// \p Type without flags whose bytes are those at \p Data. False when
  /// unknown.
  bool sameBytesAsOutput(uint64_t Node, const TypeInfo &Type, const char *Data);

  void sizeHint(const char *At);

  const char *Begin, *End;
  std::string Name;
  BinHandler *H; ///< Another handler while decodeCall or decodeRet runs.
  bool SawHeader = false, Hinted = false;
  bool HasClock = false;
  uint64_t ClockHz = 1000000000;
  uint64_t Calls = 0, Values = 0;

  IdTable<BinSite> Sites;
  IdTable<TypeInfo> Types;
  IdTable<EnumInfo> Enums;
  IdTable<std::string_view> Strings;

  /// Skip rendering values (setSkipValues); Decoding: decodeCall or
  /// decodeRet runs, which leave `from` as written.
  bool Skip = false, Decoding = false;
  /// Where each block's thread records are, in file order.
  struct BlockExtent {
    uint64_t Begin, End;
    uint32_t Thread;
  };
  std::vector<BlockExtent> Blocks;
  void (*Release)(void *, uint64_t) = nullptr;
  void *ReleaseCtx = nullptr;
  /// For outputs rendered again while skipping values.
  std::string OutScratch;
  std::vector<uint64_t> OutDerived;

  std::deque<ThreadState> Threads; ///< In order of appearance; stable addresses.
  std::unordered_map<uint32_t, ThreadState *> ThreadById;
  ThreadState *LastThread = nullptr;

  /// Values read and reported at once (results), reused record after record.
  std::string Scratch;
  std::vector<uint64_t> ScratchDerived;
  std::vector<BinValue> Sorted;
  uint64_t LateValues = 0;
  const char *FirstLate = nullptr;
};

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

ThreadState *BinaryTraceReader::Impl::findThread(uint32_t Id) {
  if (LastThread && LastThread->Id == Id)
    return LastThread;
  auto It = ThreadById.find(Id);
  return It == ThreadById.end() ? nullptr : It->second;
}

ThreadState &BinaryTraceReader::Impl::thread(uint32_t Id) {
  if (ThreadState *T = findThread(Id))
    return *(LastThread = T);
  ThreadState &T = Threads.emplace_back();
  T.Id = Id;
  ThreadById.emplace(Id, &T);
  return *(LastThread = &T);
}

bool BinaryTraceReader::Impl::finish(ThreadState &T, const char *At, bool ByFile) {
  if (!T.Active)
    return true;
  T.Active = false;
  // The buffers no longer grow: turn positions into views.
  auto Fix = [&T](BinValue &V, const Fixup &F) {
    V.Text = F.Direct ? std::string_view(F.Direct, F.TextLen) : std::string_view(T.Text.data() + F.TextOff, F.TextLen);
    if (F.OwnName)
      V.Name = std::string_view(T.Text.data() + F.NameOff, F.NameLen);
    V.Derived = V.NumDerived ? T.Derived.data() + F.FirstDerived : nullptr;
  };
  for (size_t I = 0; I < T.Args.size(); ++I)
    Fix(T.Args[I], T.ArgFix[I]);
  for (size_t I = 0; I < T.Globals.size(); ++I)
    Fix(T.Globals[I], T.GlobalFix[I]);
  if (T.HasThis)
    Fix(T.This, T.ThisFix);
  BinCall Call;
  Call.Node = T.Node;
  Call.Parent = T.Parent;
  Call.Thread = T.Id;
  Call.Site = T.Site;
  Call.At = T.CallAt;
  Call.Irregular = T.Crossed || ByFile;
  Call.HasTime = T.EntryTimed;
  Call.Time = T.EntryNs;
  Call.Args = T.Args.data();
  Call.NumArgs = T.Args.size();
  if (!T.Light.empty()) {
    // Only light arguments (an argument with flags would have made them
    // BinValues).
    Call.Args = nullptr;
    Call.NumArgs = T.Light.size();
  } else if (!T.InOrder) {
    // The plugin's code captures arguments in parameter order; other orders
    // (hand-written captures) are sorted, as the JSON writer did.
    // A call has few arguments: a stable insertion sort.
    Sorted.assign(T.Args.begin(), T.Args.end());
    auto Before = [](const BinValue &A, const BinValue &B) {
      return A.Index != B.Index ? A.Index < B.Index : A.Sub < B.Sub;
    };
    for (size_t I = 1; I < Sorted.size(); ++I)
      for (size_t J = I; J > 0 && Before(Sorted[J], Sorted[J - 1]); --J)
        std::swap(Sorted[J], Sorted[J - 1]);
    Call.Args = Sorted.data();
  }
  Call.This = T.HasThis ? &T.This : nullptr;
  Call.Globals = T.Globals.data();
  Call.NumGlobals = T.Globals.size();
  if (!H->call(Call))
    return handlerFailed(At);
  return true;
}

bool BinaryTraceReader::Impl::finishAll(const char *At) {
  for (ThreadState &T : Threads)
    if (!finish(T, At, /*ByFile=*/true))
      return false;
  return true;
}

uint64_t BinaryTraceReader::Impl::outputOf(uint64_t Node) {
  ThreadState *T = findThread(uint32_t(Node >> 32));
  if (!T)
    return 0;
  uint64_t Seq = Node & 0xFFFFFFFFu;
  if (Seq <= T->Base)
    return 0;
  if (!Skip)
    return T->Outputs.get(Seq - T->Base - 1);
  // Skipping values, the handler knows where the result record is: render
  // it now, when a value names this producer.
  uint64_t Out = H->resultAt(Node);
  if (!Out || Out >= uint64_t(End - Begin) || (uint8_t(Begin[Out]) & 7) != uint8_t(tf::Op::Value))
    return 0;
  Cursor C(Begin + Out + 1, End);
  uint8_t Tag = uint8_t(Begin[Out]);
  BinValue V;
  Fixup Fix;
  OutScratch.clear();
  OutDerived.clear();
  bool WasDecoding = Decoding;
  Skip = false;
  Decoding = true;
  bool Ok = readValue(C, Tag, Node, V, Fix, OutScratch, OutDerived);
  Skip = true;
  Decoding = WasDecoding;
  // It was read once already: it cannot fail now.
  return Ok ? hashValue(V.Text, V.Omitted) : 0;
}

bool BinaryTraceReader::Impl::sameBytesAsOutput(uint64_t Node,
                                                const TypeInfo &Type,
                                                const char *Data) {
  ThreadState *T = findThread(uint32_t(Node >> 32));
  if (!T || (Node & 0xFFFFFFFFu) <= T->Base)
    return false;
  uint64_t Out = H->resultAt(Node);
  if (!Out || Out >= uint64_t(End - Begin))
    return false;
  const char *P = Begin + Out;
  constexpr uint8_t Plain = uint8_t(tf::Op::Value) |
                            uint8_t(tf::Slot::Ret) << 3 |
                            uint8_t(tf::Form::Bytes) << 5;
  if (uint8_t(*P) != Plain)
    return false;
  uint64_t TypeId;
  P = tf::getVarint(P + 1, End, TypeId);
  return P && Types.find(TypeId) == &Type && size_t(End - P) >= Type.Size &&
         std::memcmp(P, Data, Type.Size) == 0;
}

void BinaryTraceReader::Impl::resolveFrom(BinValue &V, uint64_t From, bool Wild, std::string_view Text) {
  V.From = 0;
  V.Modified = false;
  if (!From)
    return;
  // Only a producer whose output was read before (a result of an earlier
  // record) is compared; one not known yet keeps a plain edge unmarked and
  // drops a wildcard, as the runtime's writer did.
  uint64_t Out = outputOf(From);
  bool Same = Out && Out == hashValue(Text, V.Omitted);
  if (Wild) {
    if (Same)
      V.From = From;
    return;
  }
  V.From = From;
  V.Modified = Out && !Same;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

/// Appends the decimal digits of a 128-bit magnitude.
static void appendU128(std::string &Buf, unsigned __int128 V) {
  // Nearly every value fits in 64 bits, whose division is not a call.
  if (!(V >> 64)) {
    char Digits[24];
    auto R = std::to_chars(Digits, Digits + sizeof Digits, uint64_t(V));
    Buf.append(Digits, size_t(R.ptr - Digits));
    return;
  }
  char Digits[40];
  char *E = Digits + sizeof Digits, *P = E;
  do {
    *--P = char('0' + unsigned(V % 10));
    V /= 10;
  } while (V);
  Buf.append(P, size_t(E - P));
}

template <class F> static void appendFloat(std::string &Buf, std::string_view Data) {
  F X;
  std::memcpy(&X, Data.data(), sizeof X);
  char Out[128];
  auto R = std::to_chars(Out, Out + sizeof Out, X);
  if (R.ec != std::errc()) {
    Buf += '?'; // As the runtime's renderer: never reached for IEEE types.
    return;
  }
  Buf.append(Out, size_t(R.ptr - Out));
}

bool BinaryTraceReader::Impl::renderBytes(Cursor &C, const char *At, const TypeInfo &Type, const EnumInfo *Enum,
                                          std::string_view Data, std::string &Buf) {
  const auto *B = reinterpret_cast<const uint8_t *>(Data.data());
  // Little-endian integers of 1 to 16 bytes, sign-extended when signed.
  auto Unsigned = [&]() {
    unsigned __int128 V = 0;
    for (size_t I = Data.size(); I-- > 0;)
      V = (V << 8) | B[I];
    return V;
  };
  auto Signed = [&]() {
    unsigned __int128 V = Unsigned();
    unsigned Bits = unsigned(Data.size()) * 8;
    if (Bits < 128 && (V >> (Bits - 1)) & 1)
      V |= ~static_cast<unsigned __int128>(0) << Bits;
    return static_cast<__int128>(V);
  };
  auto AppendSigned = [&](__int128 V) {
    if (V < 0) {
      Buf += '-';
      appendU128(Buf, static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(V));
    } else {
      appendU128(Buf, static_cast<unsigned __int128>(V));
    }
  };
  switch (Type.Kind) {
  case tf::TypeKind::Signed:
    AppendSigned(Signed());
    return true;
  case tf::TypeKind::Unsigned:
    appendU128(Buf, Unsigned());
    return true;
  case tf::TypeKind::Float:
    if (Data.size() == 4)
      appendFloat<float>(Buf, Data);
    else if (Data.size() == 8)
      appendFloat<double>(Buf, Data);
    else
      appendFloat<long double>(Buf, Data);
    return true;
  case tf::TypeKind::Bool:
    Buf += B[0] ? "true" : "false";
    return true;
  case tf::TypeKind::Char: {
    // As the runtime renders a char: a C++ literal, '\'' for the quote.
    char Ch = static_cast<char>(B[0]);
    Buf += '\'';
    if (Ch == '\'')
      Buf += "\\'";
    else
      appendCEscaped(Buf, std::string_view(&Ch, 1));
    Buf += '\'';
    return true;
  }
  case tf::TypeKind::Pointer: {
    uint64_t V = uint64_t(Unsigned());
    if (!V) {
      Buf += "nullptr";
      return true;
    }
    char Hex[24];
    auto R = std::to_chars(Hex, Hex + sizeof Hex, V, 16);
    Buf += "0x";
    Buf.append(Hex, size_t(R.ptr - Hex));
    return true;
  }
  case tf::TypeKind::Null:
    Buf += "nullptr";
    return true;
  case tf::TypeKind::Enum:
  case tf::TypeKind::EnumUnsigned: {
    bool IsSigned = Type.Kind == tf::TypeKind::Enum;
    unsigned __int128 Raw = IsSigned ? static_cast<unsigned __int128>(Signed()) : Unsigned();
    // Table values are the underlying values as 64-bit integers (zigzag).
    int64_t Key = static_cast<int64_t>(static_cast<uint64_t>(Raw));
    if (Enum)
      for (const auto &[Value, EnumName] : Enum->Values)
        if (Value == Key) {
          Buf += EnumName;
          return true;
        }
    Buf += Enum && !Enum->Type.Null ? Enum->Type.Text : Type.Name;
    Buf += '(';
    if (IsSigned)
      AppendSigned(static_cast<__int128>(Raw));
    else
      appendU128(Buf, Raw);
    Buf += ')';
    return true;
  }
  case tf::TypeKind::Text:
  case tf::TypeKind::Fixed:
    break;
  }
  return C.fail(Fault::Bad, At, "value", "is in bytes form, but its type renders no bytes (a text or fixed type)");
}

bool BinaryTraceReader::Impl::readValueFlags(Cursor &C, uint64_t Node, BinValue &V, Fixup &Fix,
                                             std::vector<uint64_t> &Derived, uint64_t &FromRef, bool &Wild,
                                             const EnumInfo *&Enum) {
  uint8_t Flags;
  if (!C.u8(Flags, "value flags"))
    return false;
  if (Flags & 0x80)
    return C.fail(Fault::Bad, C.P - 1, "value flags", "have unknown bits set (a newer format?)");
  auto NodeRef = [&](uint64_t Ref, bool &IsWild, uint64_t &Id, const char *RefAt) {
    IsWild = Ref & 2;
    if (Ref & 1) {
      Id = Ref >> 2;
      return true;
    }
    // An earlier node of the value's own thread, counted back from Node.
    uint64_t Back = Ref >> 2;
    if (!Node || Back >= (Node & 0xFFFFFFFFu))
      return C.fail(Fault::Bad, RefAt, "node reference", "points before the first node of its thread");
    Id = Node - Back;
    return true;
  };
  if (Flags & tf::ValueFrom) {
    const char *RefAt = C.P;
    uint64_t Ref;
    if (!C.varint(Ref, "from") || !NodeRef(Ref, Wild, FromRef, RefAt))
      return false;
  }
  if (Flags & tf::ValueDerived) {
    uint64_t Count;
    if (!C.varint(Count, "derived count") || !C.varint(V.DerivedOmitted, "derived_omitted"))
      return false;
    // Each reference takes a byte at least: a count beyond the bytes left
    // is cut short or wrong, and must not size anything.
    if (Count > uint64_t(C.End - C.P))
      return C.fail(Fault::Short, C.P, "derived list");
    V.HasDerived = true;
    Fix.FirstDerived = uint32_t(Derived.size());
    for (uint64_t I = 0; I < Count; ++I) {
      const char *RefAt = C.P;
      uint64_t Ref, Id;
      bool IsWild;
      if (!C.varint(Ref, "derived node") || !NodeRef(Ref, IsWild, Id, RefAt))
        return false;
      if (Id) // Only nodes are edges.
        Derived.push_back(Id);
    }
    V.NumDerived = uint32_t(Derived.size() - Fix.FirstDerived);
  }
  if (Flags & tf::ValueParam) {
    const char *IdAt = C.P;
    uint64_t Id;
    if (!C.varint(Id, "param"))
      return false;
    const std::string_view *S = Strings.find(Id);
    if (!S)
      return C.fail(Fault::Bad, IdAt, "param", "names no string record");
    V.HasParam = true;
    V.Param = *S;
  }
  V.Cut = (Flags & tf::ValueCut) != 0;
  if ((Flags & tf::ValueSub) && !C.varint32(V.Sub, "pack element"))
    return false;
  if ((Flags & tf::ValueOmitted) && !C.varint(V.Omitted, "omitted"))
    return false;
  if (Flags & tf::ValueEnum) {
    const char *IdAt = C.P;
    uint64_t Id;
    if (!C.varint(Id, "enum id"))
      return false;
    Enum = Enums.find(Id);
    if (!Enum)
      return C.fail(Fault::Bad, IdAt, "enum id", "names no enum record");
  }
  return true;
}

bool BinaryTraceReader::Impl::skipPayload(Cursor &C, const char *At, tf::Form Form, const TypeInfo &Type) {
  std::string_view Payload;
  switch (Form) {
  case tf::Form::Bytes:
    if (!C.bytes(Type.Size, Payload, "value"))
      return false;
    if (Type.Kind == tf::TypeKind::Text || Type.Kind == tf::TypeKind::Fixed)
      return C.fail(Fault::Bad, At, "value", "is in bytes form, but its type renders no bytes (a text or fixed type)");
    return true;
  case tf::Form::String:
    return C.str(Payload, "string value");
  case tf::Form::Text:
    return C.str(Payload, "text value");
  case tf::Form::Fixed:
    if (Type.Kind != tf::TypeKind::Fixed)
      return C.fail(Fault::Bad, At, "value", "is in fixed form, but its type is not a fixed type");
    return true;
  }
  return true;
}

bool BinaryTraceReader::Impl::readValue(Cursor &C, uint8_t Tag, uint64_t Node, BinValue &V, Fixup &Fix,
                                        std::string &Buf, std::vector<uint64_t> &Derived) {
  const char *At = C.P - 1;
  V.Slot = static_cast<tf::Slot>((Tag >> 3) & 3);
  auto Form = static_cast<tf::Form>((Tag >> 5) & 3);
  bool HasFlags = Tag & 0x80;
  const TypeInfo *Type;
  if (!readType(C, Type))
    return false;
  V.TypeIndex = Type->Index;
  V.Type = Type->Name;
  if (V.Slot == tf::Slot::Arg && !C.varint32(V.Index, "argument index"))
    return false;
  uint64_t FromRef = 0;
  bool Wild = false;
  const EnumInfo *Enum = nullptr;
  // Most values have no flags: the fields they announce are skipped at once.
  if (HasFlags && !readValueFlags(C, Node, V, Fix, Derived, FromRef, Wild, Enum))
    return false;
  if (Skip && !FromRef)
    return skipPayload(C, At, Form, *Type);
  if (Skip && Form == tf::Form::Bytes && !V.Omitted && !Enum) {
    // A value passed on unchanged (y = f(y)) has its producer's bytes, and
    // then its text: no need to render either.
    const char *Data = C.P;
    if (!skipPayload(C, At, Form, *Type))
      return false;
    if (sameBytesAsOutput(FromRef, *Type, Data)) {
      V.From = FromRef;
      return true;
    }
    C.P = Data;
  }

  size_t TextBegin = Buf.size();
  switch (Form) {
  case tf::Form::Bytes: {
    const char *Data = C.P;
    std::string_view Bytes;
    if (!C.bytes(Type->Size, Bytes, "value"))
      return false;
    if (Type->Fast != Scalar::None) {
      renderScalar(*Type, Data, size_t(C.End - Data), Buf);
      V.Utf8 = true;
    } else if (!renderBytes(C, At, *Type, Enum, Bytes, Buf)) {
      return false;
    }
    break;
  }
  case tf::Form::String: {
    std::string_view S;
    if (!C.str(S, "string value"))
      return false;
    Buf += '"';
    appendCEscaped(Buf, S);
    Buf += '"';
    if (V.Cut)
      Buf += "\u2026"; // "…": the string goes on past what was read.
    break;
  }
  case tf::Form::Text: {
    std::string_view S;
    if (!C.str(S, "text value"))
      return false;
    if (!V.Omitted) {
      // The usual text: a view of the file, no copy.
      Fix.Direct = S.data();
      Fix.TextLen = uint32_t(S.size());
      V.Text = S;
    } else {
      Buf += S;
    }
    break;
  }
  case tf::Form::Fixed:
    if (Type->Kind != tf::TypeKind::Fixed)
      return C.fail(Fault::Bad, At, "value", "is in fixed form, but its type is not a fixed type");
    Fix.Direct = Type->Text.data();
    Fix.TextLen = uint32_t(Type->Text.size());
    V.Text = Type->Text;
    if (V.Omitted) {
      Fix.Direct = nullptr;
      Buf += Type->Text;
    }
    break;
  }
  if (!Fix.Direct) {
    if (V.Omitted)
      appendTruncationMarker(Buf, V.Omitted);
    if (Buf.size() - TextBegin > UINT32_MAX)
      return C.fail(Fault::Bad, At, "value", "is longer than 4 GiB");
    Fix.TextOff = uint32_t(TextBegin);
    Fix.TextLen = uint32_t(Buf.size() - TextBegin);
    V.Text = std::string_view(Buf.data() + TextBegin, Fix.TextLen);
  }
  if (FromRef) {
    if (Decoding)
      V.From = FromRef;
    else
      resolveFrom(V, FromRef, Wild, V.Text);
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Thread records
//===----------------------------------------------------------------------===//

void BinaryTraceReader::Impl::lightArgs(ThreadState &T) {
  const std::vector<std::string_view> &Params = T.Site->Params;
  for (size_t L = 0; L < T.Light.size(); ++L) {
    const auto &[Index, Type] = T.Light[L];
    BinValue &V = T.Args.emplace_back();
    T.ArgFix.emplace_back();
    V.Index = Index;
    V.TypeIndex = Type->Index;
    V.Type = Type->Name;
    V.Name = Index < Params.size() ? Params[Index] : std::string_view();
    size_t N = T.Args.size();
    if (N > 1 && T.Args[N - 2].Index > Index)
      T.InOrder = false;
  }
  T.Light.clear();
}

bool BinaryTraceReader::Impl::activeValue(Cursor &C, uint8_t Tag, ThreadState &T) {
  auto Slot = static_cast<tf::Slot>((Tag >> 3) & 3);
  if (Skip && Slot == tf::Slot::Arg && !(Tag & 0x80) && T.Args.empty()) {
    // An argument without flags, before any with: its type, index and
    // payload are checked as readValue checks them, and nothing is kept
    // but its index and type.
    const char *At = C.P - 1;
    const TypeInfo *Type;
    if (!readType(C, Type))
      return false;
    uint32_t Index;
    if (!C.varint32(Index, "argument index") ||
        !skipPayload(C, At, static_cast<tf::Form>((Tag >> 5) & 3), *Type))
      return false;
    T.Light.push_back({Index, Type});
    return true;
  }
  if (Slot == tf::Slot::Arg && !T.Light.empty())
    lightArgs(T);
  BinValue *V;
  Fixup *Fix;
  if (Slot == tf::Slot::Self) {
    // Read apart: a `this` cut short must not spoil one read before.
    BinValue NewThis;
    Fixup NewThisFix;
    if (!readValue(C, Tag, T.Node, NewThis, NewThisFix, T.Text, T.Derived))
      return false;
    T.This = NewThis;
    T.ThisFix = NewThisFix;
    T.HasThis = true;
    return true;
  }
  if (Slot == tf::Slot::Global) {
    V = &T.Globals.emplace_back();
    Fix = &T.GlobalFix.emplace_back();
  } else {
    V = &T.Args.emplace_back();
    Fix = &T.ArgFix.emplace_back();
  }
  if (!readValue(C, Tag, T.Node, *V, *Fix, T.Text, T.Derived)) {
    // Nothing of a value cut short is kept.
    if (Slot == tf::Slot::Global) {
      T.Globals.pop_back();
      T.GlobalFix.pop_back();
    } else if (Slot == tf::Slot::Arg) {
      T.Args.pop_back();
      T.ArgFix.pop_back();
    }
    return false;
  }
  if (Slot == tf::Slot::Arg) {
    size_t N = T.Args.size();
    if (N > 1) {
      const BinValue &Prev = T.Args[N - 2];
      if (Prev.Index > V->Index || (Prev.Index == V->Index && Prev.Sub > V->Sub))
        T.InOrder = false;
    }
    // The parameter's name from the site; a pack element is `name[i]`.
    const std::vector<std::string_view> &Params = T.Site->Params;
    std::string_view Base = V->Index < Params.size() ? Params[V->Index] : std::string_view();
    if (!V->Sub) {
      V->Name = Base;
    } else {
      Fix->OwnName = true;
      Fix->NameOff = uint32_t(T.Text.size());
      T.Text += Base;
      T.Text += '[';
      appendUInt(T.Text, V->Sub - 1);
      T.Text += ']';
      Fix->NameLen = uint32_t(T.Text.size() - Fix->NameOff);
    }
  }
  return true;
}

bool BinaryTraceReader::Impl::threadRecord(Cursor &C, ThreadState &T) {
  const char *At = C.P;
  uint8_t Tag;
  if (!C.u8(Tag, "thread record"))
    return false;
  auto Op = static_cast<tf::Op>(Tag & 7);
  switch (Op) {
  case tf::Op::Enter: {
    uint64_t SiteId = Tag >> 3;
    if (SiteId == tf::EnterInlineMax && !C.varint(SiteId, "site id"))
      return false;
    const BinSite *S = Sites.find(SiteId);
    if (!S)
      return fail(At, "enter record: site " + std::to_string(SiteId) + " has no site record before it");
    if (T.Seq >= UINT32_MAX)
      return fail(At, "enter record: thread " + std::to_string(T.Id) + " has more calls than node ids can number");
    if (!finish(T, At))
      return false;
    T.Active = true;
    T.InOrder = true;
    T.Crossed = false;
    T.CallAt = uint64_t(At - Begin);
    T.Node = (uint64_t(T.Id) << 32) | ++T.Seq;
    T.Parent = T.Open.empty() ? 0 : T.Open.back();
    T.Site = S;
    T.Open.push_back(T.Node);
    if (!Skip)
      T.Outputs.push();
    T.Args.clear();
    T.ArgFix.clear();
    T.Light.clear();
    T.Globals.clear();
    T.GlobalFix.clear();
    T.HasThis = false;
    T.EntryTimed = false;
    T.Text.clear();
    T.Derived.clear();
    ++Calls;
    return true;
  }
  case tf::Op::Time: {
    uint64_t Delta;
    if (!timeDelta(C, Tag, Delta))
      return false;
    if (!HasClock)
      return fail(At, "time record: the trace has no clock record before it");
    T.Ticks += Delta;
    if ((Tag >> 3) & 1) {
      T.ExitTimed = true;
      T.ExitNs = toNs(T.Ticks);
      return true;
    }
    if (!T.Active)
      return fail(At, "entry time record: thread " + std::to_string(T.Id) + " has no call starting");
    T.EntryTimed = true;
    T.EntryNs = toNs(T.Ticks);
    return true;
  }
  case tf::Op::Value: {
    auto Slot = static_cast<tf::Slot>((Tag >> 3) & 3);
    if (Slot == tf::Slot::Ret) {
      // The result: closes the innermost open call.
      uint64_t Node = T.Open.empty() ? 0 : T.Open.back();
      BinValue V;
      Fixup Fix;
      Scratch.clear();
      ScratchDerived.clear();
      if (!readValue(C, Tag, Node, V, Fix, Scratch, ScratchDerived))
        return false;
      V.Derived = V.NumDerived ? ScratchDerived.data() : nullptr;
      if (!finish(T, At))
        return false;
      const bool ExitTimed = T.ExitTimed;
      T.ExitTimed = false;
      if (T.Open.empty()) {
        // In a forked child, calls open at the fork return without a
        // record of their start in this file.
        if (T.Started)
          return true;
        return fail(At, "result record: thread " + std::to_string(T.Id) + " has no open call to return from");
      }
      T.Open.pop_back();
      // Skipping values, the handler keeps where the output is. A
      // coroutine's call may end on another thread than it began.
      if (!Skip) {
        ThreadState *Of = uint32_t(Node >> 32) == T.Id ? &T : findThread(uint32_t(Node >> 32));
        if (Of && (Node & 0xFFFFFFFFu) > Of->Base)
          Of->Outputs.set((Node & 0xFFFFFFFFu) - Of->Base - 1, hashValue(V.Text, V.Omitted));
      }
      BinRet R;
      R.Node = Node;
      R.At = uint64_t(At - Begin);
      R.Kind = RetKind::Value;
      R.Value = &V;
      R.HasTime = ExitTimed;
      R.Time = T.ExitNs;
      if (!H->ret(R))
        return handlerFailed(At);
      return true;
    }
    if (T.Open.empty())
      return fail(At, "value record: thread " + std::to_string(T.Id) + " has no open call for the value to belong to");
    if (!T.Active) {
      // The call's other records came first (its record is reported): the
      // runtime never writes this; the value is dropped with a warning.
      BinValue V;
      Fixup Fix;
      Scratch.clear();
      ScratchDerived.clear();
      if (!readValue(C, Tag, T.Open.back(), V, Fix, Scratch, ScratchDerived))
        return false;
      if (!LateValues++)
        FirstLate = At;
      return true;
    }
    ++Values;
    return activeValue(C, Tag, T);
  }
  case tf::Op::Void:
  case tf::Op::NotCaptured:
  case tf::Op::Exception: {
    BinRet R;
    R.Kind = Op == tf::Op::Void ? RetKind::Void : Op == tf::Op::NotCaptured ? RetKind::NotCaptured : RetKind::Exception;
    if (Op == tf::Op::Exception) {
      uint8_t Flags;
      if (!C.u8(Flags, "exception flags") || !C.str(R.ExcType, "exception type"))
        return false;
      R.HasWhat = Flags & tf::ExcWhat;
      if (R.HasWhat && !C.str(R.What, "exception what"))
        return false;
      R.HasWhere = Flags & tf::ExcWhere;
      if (R.HasWhere) {
        const char *IdAt = C.P;
        uint64_t FileId;
        if (!C.varint(FileId, "exception file") || !C.varint(R.Line, "exception line"))
          return false;
        const std::string_view *File = Strings.find(FileId);
        if (!File)
          return C.fail(Fault::Bad, IdAt, "exception file", "names no string record");
        R.File = *File;
      }
    }
    if (!finish(T, At))
      return false;
    R.HasTime = T.ExitTimed;
    R.Time = T.ExitNs;
    T.ExitTimed = false;
    if (T.Open.empty()) {
      if (T.Started)
        return true;
      return fail(At, std::string(Op == tf::Op::Void ? "void" : Op == tf::Op::NotCaptured ? "not-captured" : "exception") +
                          " record: thread " + std::to_string(T.Id) + " has no open call to end");
    }
    R.Node = T.Open.back();
    R.At = uint64_t(At - Begin);
    T.Open.pop_back();
    if (!H->ret(R))
      return handlerFailed(At);
    return true;
  }
  case tf::Op::Coro:
    return coroRecord(C, Tag, At, T);
  }
  return fail(At, "unknown thread record (op " + std::to_string(Tag & 7) + ")");
}

bool BinaryTraceReader::Impl::coroRecord(Cursor &C, uint8_t Tag, const char *At, ThreadState &T) {
  const unsigned Which = Tag >> 3;
  if (Which == tf::CoResume) {
    uint64_t Node;
    if (!C.varint(Node, "resumed node"))
      return false;
    if (!Node || (Node & 0xFFFFFFFFu) == 0)
      return fail(At, "resume record: node " + std::to_string(Node) + " is no node id");
    if (!finish(T, At))
      return false;
    // Its call record may be in a block of its thread that comes later in
    // the file (threads are written independently).
    T.Open.push_back(Node);
    return true;
  }
  if (Which != tf::CoSuspend && Which != tf::CoDestroyed)
    return fail(At, "unknown coroutine record (" + std::to_string(Which) + ")");
  if (!finish(T, At))
    return false;
  const bool ExitTimed = T.ExitTimed;
  if (Which == tf::CoDestroyed)
    T.ExitTimed = false;
  if (T.Open.empty()) {
    if (T.Started)
      return true;
    return fail(At, std::string(Which == tf::CoSuspend ? "suspend" : "destroyed") + " record: thread " +
                        std::to_string(T.Id) + " has no open call");
  }
  const uint64_t Node = T.Open.back();
  T.Open.pop_back();
  if (Which == tf::CoSuspend)
    return true;
  BinRet R;
  R.Kind = RetKind::Unfinished;
  R.Node = Node;
  R.At = uint64_t(At - Begin);
  R.HasTime = ExitTimed;
  R.Time = T.ExitNs;
  if (!H->ret(R))
    return handlerFailed(At);
  return true;
}

bool BinaryTraceReader::Impl::parseLeaf(const char *At, const char *E,
                                        LeafRecords &L) {
  const char *P = At + 1;
  uint8_t Tag = uint8_t(*At);
  if ((Tag & 7) != uint8_t(tf::Op::Enter))
    return false;
  // A one-byte varint: the bytes left hold it and it ends there.
  auto Small = [&](uint64_t &V) {
    if (P == E || uint8_t(*P) >= 0x80)
      return false;
    V = uint8_t(*P++);
    return true;
  };
  uint64_t SiteId = Tag >> 3;
  if (SiteId == tf::EnterInlineMax && !Small(SiteId))
    return false;
  L.Site = Sites.find(SiteId);
  if (!L.Site)
    return false;
  // A time record (with a clock to read it by) of the expected kind.
  auto Time = [&](uint8_t Which, uint64_t &Delta) {
    if (!HasClock || P == E || (uint8_t(*P) & 7) != uint8_t(tf::Op::Time) || ((uint8_t(*P) >> 3) & 1) != Which)
      return false;
    Cursor TC(P + 1, E);
    if (!timeDelta(TC, uint8_t(*P), Delta))
      return false;
    P = TC.P;
    return true;
  };
  L.EntryTimed = Time(tf::TimeEntry, L.EntryDelta);
  L.ExitTimed = false;
  // The values, up to the record that ends the call; a value is read with
  // the checks skipPayload makes.
  L.NumArgs = 0;
  L.RetType = nullptr;
  while (true) {
    if (!L.ExitTimed && Time(tf::TimeExit, L.ExitDelta))
      L.ExitTimed = true;
    if (P == E)
      return false;
    const char *ValueAt = P;
    uint8_t ValueTag = uint8_t(*P++);
    auto Op = static_cast<tf::Op>(ValueTag & 7);
    // After the exit time comes the record that ends the call.
    if (L.ExitTimed && Op == tf::Op::Value && ((ValueTag >> 3) & 3) != uint8_t(tf::Slot::Ret))
      return false;
    if (Op == tf::Op::Void || Op == tf::Op::NotCaptured) {
      L.RetAt = ValueAt;
      L.Kind = Op == tf::Op::Void ? RetKind::Void : RetKind::NotCaptured;
      break;
    }
    if (Op != tf::Op::Value || (ValueTag & 0x80))
      return false;
    auto Slot = static_cast<tf::Slot>((ValueTag >> 3) & 3);
    if (Slot != tf::Slot::Arg && Slot != tf::Slot::Ret)
      return false;
    uint64_t TypeId, Index;
    if (!Small(TypeId))
      return false;
    const TypeInfo *Type = Types.find(TypeId);
    if (!Type || (Slot == tf::Slot::Arg && !Small(Index)))
      return false;
    switch (static_cast<tf::Form>((ValueTag >> 5) & 3)) {
    case tf::Form::Bytes:
      if (Type->Kind == tf::TypeKind::Text ||
          Type->Kind == tf::TypeKind::Fixed || size_t(E - P) < Type->Size)
        return false;
      P += Type->Size;
      break;
    case tf::Form::String:
    case tf::Form::Text: {
      uint64_t Len;
      const char *Next = tf::getVarint(P, E, Len);
      if (!Next || uint64_t(E - Next) < Len)
        return false;
      P = Next + Len;
      break;
    }
    case tf::Form::Fixed:
      if (Type->Kind != tf::TypeKind::Fixed)
        return false;
      break;
    }
    if (Slot == tf::Slot::Ret) {
      L.RetAt = ValueAt;
      L.RetType = Type;
      L.Kind = RetKind::Value;
      break;
    }
    ++L.NumArgs;
  }
  L.End = P;
  return true;
}

BinaryTraceReader::Impl::Leaf
BinaryTraceReader::Impl::leafCall(Cursor &C, ThreadState &T) {
  const char *At = C.P;
  LeafRecords L;
  if (T.Seq >= UINT32_MAX || !parseLeaf(At, C.End, L))
    return Leaf::No;
  // What threadRecord does for the enter record, the arguments and the
  // result, reported at once.
  if (!finish(T, At))
    return Leaf::Failed;
  C.P = L.End;
  ++Calls;
  Values += L.NumArgs;
  BinCall Call;
  Call.Node = (uint64_t(T.Id) << 32) | ++T.Seq;
  Call.Parent = T.Open.empty() ? 0 : T.Open.back();
  Call.Thread = T.Id;
  Call.At = uint64_t(At - Begin);
  Call.Site = L.Site;
  Call.NumArgs = L.NumArgs;
  BinValue Result;
  BinRet R;
  R.Node = Call.Node;
  R.At = uint64_t(L.RetAt - Begin);
  R.Kind = L.Kind;
  if (L.EntryTimed) {
    T.Ticks += L.EntryDelta;
    Call.HasTime = true;
    Call.Time = toNs(T.Ticks);
  }
  if (L.ExitTimed) {
    T.Ticks += L.ExitDelta;
    R.HasTime = true;
    R.Time = toNs(T.Ticks);
  }
  if (L.RetType) {
    Result.Slot = tf::Slot::Ret;
    Result.TypeIndex = L.RetType->Index;
    Result.Type = L.RetType->Name;
    R.Value = &Result;
  }
  if (H->leafCall(Call, R))
    return Leaf::Done;
  handlerFailed(L.RetAt);
  return Leaf::Failed;
}

bool BinaryTraceReader::Impl::blockRecord(Cursor &C, bool Complete) {
  uint64_t Id;
  const char *IdAt = C.P;
  if (!C.varint(Id, "thread"))
    return Complete ? fieldFault(C, "block", "its record") : true;
  if (Id > UINT32_MAX)
    return fail(IdAt, "malformed block record: thread " + std::to_string(Id) +
                          " does not fit in 32 bits (node ids are thread << 32 | sequence)");
  ThreadState &T = thread(uint32_t(Id));
  Blocks.push_back({uint64_t(C.P - Begin), uint64_t(C.End - Begin), uint32_t(Id)});
  if (T.Active)
    T.Crossed = true;
  while (C.P < C.End) {
    const char *At = C.P;
    if (Skip && (uint8_t(*At) & 7) == uint8_t(tf::Op::Enter)) {
      Leaf L = leafCall(C, T);
      if (L == Leaf::Done)
        continue;
      if (L == Leaf::Failed)
        return false;
    }
    if (threadRecord(C, T))
      continue;
    if (!Error.empty())
      return false;
    // A thread record cut by the end of the file ends a cut block.
    if (!Complete && C.F == Fault::Short)
      return true;
    if (C.F == Fault::Short)
      return fail(C.At, "malformed thread record at byte " + std::to_string(At - Begin) + ": the " + C.What +
                            " runs past the end of its block");
    return fail(C.At, "malformed thread record at byte " + std::to_string(At - Begin) + ": the " + C.What + " " +
                          C.Cause);
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Top-level records
//===----------------------------------------------------------------------===//

bool BinaryTraceReader::Impl::headerRecord(Cursor &C) {
  BinHeader R;
  if (!C.varint(R.Pid, "pid") || !C.str(R.Program, "program") || !C.str(R.Time, "time"))
    return fieldFault(C, "header", "its record");
  return H->header(R) || handlerFailed(C.P);
}

bool BinaryTraceReader::Impl::tuRecord(Cursor &C) {
  BinTu R;
  uint64_t Argc;
  if (!C.ostr(R.File, "file") || !C.ostr(R.Directory, "directory"))
    return fieldFault(C, "tu", "its record");
  const char *CountAt = C.P;
  if (!C.varint(Argc, "argc"))
    return fieldFault(C, "tu", "its record");
  if (Argc > uint64_t(C.End - C.P))
    return fail(CountAt, "malformed tu record: argc " + std::to_string(Argc) + " is more than the record holds");
  R.Args.resize(size_t(Argc));
  for (std::string_view &A : R.Args)
    if (!C.str(A, "argument"))
      return fieldFault(C, "tu", "its record");
  return H->tu(R) || handlerFailed(C.P);
}

bool BinaryTraceReader::Impl::siteRecord(Cursor &C, const char *RecStart) {
  uint64_t Id, NParams;
  BinSite R;
  if (!C.varint(Id, "site id") || !C.ostr(R.Key, "key") || !C.ostr(R.Name, "name") ||
      !C.ostr(R.Signature, "signature") || !C.ostr(R.File, "file") || !C.varint(R.Line, "line"))
    return fieldFault(C, "site", "its record");
  const char *CountAt = C.P;
  if (!C.varint(NParams, "nparams"))
    return fieldFault(C, "site", "its record");
  if (NParams > uint64_t(C.End - C.P))
    return fail(CountAt, "malformed site record: nparams " + std::to_string(NParams) + " is more than the record holds");
  R.Params.resize(size_t(NParams));
  for (std::string_view &P : R.Params)
    if (!C.str(P, "parameter name"))
      return fieldFault(C, "site", "its record");
  if (!C.str(R.Doc, "doc") || !C.ostr(R.Param, "param"))
    return fieldFault(C, "site", "its record");
  BinSite *S = Sites.add(Id);
  if (!S)
    return fail(RecStart, Id ? "site record: site id " + std::to_string(Id) + " is used twice"
                             : std::string("site record: site id 0 (ids start at 1)"));
  R.Id = Id;
  R.Index = uint32_t(Sites.size() - 1);
  *S = std::move(R);
  return H->site(*S) || handlerFailed(RecStart);
}

bool BinaryTraceReader::Impl::paramRecord(Cursor &C, const char *RecStart) {
  BinParam R;
  if (!C.str(R.Id, "id") || !C.u8(R.Kind, "kind") || !C.ostr(R.Name, "name") || !C.ostr(R.Type, "type") ||
      !C.ostr(R.Value, "value") || !C.ostr(R.File, "file") || !C.varint(R.Line, "line") ||
      !C.varint(R.Begin, "begin") || !C.varint(R.End, "end") || !C.ostr(R.Hash, "hash") || !C.ostr(R.Text, "text") ||
      !C.ostr(R.Signature, "signature") || !C.ostr(R.Constraint, "constraint"))
    return fieldFault(C, "param", "its record");
  if (R.Kind > 1)
    return fail(RecStart, "param record: kind " + std::to_string(R.Kind) + " (expected 0 for code or 1 for value)");
  return H->param(R) || handlerFailed(RecStart);
}

bool BinaryTraceReader::Impl::stringRecord(Cursor &C, const char *RecStart) {
  uint64_t Id;
  std::string_view Text;
  if (!C.varint(Id, "string id") || !C.str(Text, "text"))
    return fieldFault(C, "string", "its record");
  std::string_view *S = Strings.add(Id);
  if (!S)
    return fail(RecStart, Id ? "string record: string id " + std::to_string(Id) + " is used twice"
                             : std::string("string record: string id 0 (ids start at 1)"));
  *S = Text;
  return true;
}

bool BinaryTraceReader::Impl::typeRecord(Cursor &C, const char *RecStart) {
  uint64_t Id, Size;
  uint8_t Kind;
  std::string_view TypeName, Text;
  if (!C.varint(Id, "type id") || !C.u8(Kind, "kind") || !C.varint(Size, "size") || !C.str(TypeName, "name"))
    return fieldFault(C, "type", "its record");
  if (Kind == uint8_t(tf::TypeKind::Fixed) && !C.str(Text, "text"))
    return fieldFault(C, "type", "its record");
  auto K = static_cast<tf::TypeKind>(Kind);
  // The sizes a renderer of each kind can read (16: __int128, long double).
  bool SizeOk;
  switch (K) {
  case tf::TypeKind::Signed:
  case tf::TypeKind::Unsigned:
  case tf::TypeKind::Enum:
  case tf::TypeKind::EnumUnsigned:
    SizeOk = Size == 1 || Size == 2 || Size == 4 || Size == 8 || Size == 16;
    break;
  case tf::TypeKind::Float:
    SizeOk = Size == 4 || Size == 8 || (Size == 16 && sizeof(long double) == 16);
    break;
  case tf::TypeKind::Bool:
  case tf::TypeKind::Char:
    SizeOk = Size == 1;
    break;
  case tf::TypeKind::Pointer:
    SizeOk = Size == 4 || Size == 8;
    break;
  case tf::TypeKind::Null:
    SizeOk = Size <= 16;
    break;
  case tf::TypeKind::Text:
  case tf::TypeKind::Fixed:
    SizeOk = true; // Never read as bytes.
    break;
  default:
    return fail(RecStart, "type record: unknown kind " + std::to_string(Kind) + " for type id " + std::to_string(Id));
  }
  if (!SizeOk)
    return fail(RecStart, "type record: a type of kind " + std::to_string(Kind) + " cannot have size " +
                              std::to_string(Size) + " (type id " + std::to_string(Id) + ")");
  TypeInfo *T = Types.add(Id);
  if (!T)
    return fail(RecStart, Id ? "type record: type id " + std::to_string(Id) + " is used twice"
                             : std::string("type record: type id 0 (ids start at 1)"));
  T->Kind = K;
  T->Size = uint32_t(Size);
  if (Size <= 8) {
    if (K == tf::TypeKind::Signed)
      T->Fast = Scalar::Signed;
    else if (K == tf::TypeKind::Unsigned)
      T->Fast = Scalar::Unsigned;
    else if (K == tf::TypeKind::Float)
      T->Fast = Size == 4 ? Scalar::Float : Scalar::Double;
    else if (K == tf::TypeKind::Bool)
      T->Fast = Scalar::Bool;
  }
  T->Index = uint32_t(Types.size() - 1);
  T->Name = TypeName;
  T->Text = Text;
  return true;
}

bool BinaryTraceReader::Impl::enumRecord(Cursor &C, const char *RecStart) {
  uint64_t Id, Count;
  EnumInfo R;
  if (!C.varint(Id, "enum id") || !C.ostr(R.Type, "type"))
    return fieldFault(C, "enum", "its record");
  const char *CountAt = C.P;
  if (!C.varint(Count, "count"))
    return fieldFault(C, "enum", "its record");
  if (Count > uint64_t(C.End - C.P))
    return fail(CountAt, "malformed enum record: count " + std::to_string(Count) + " is more than the record holds");
  R.Values.resize(size_t(Count));
  for (auto &[Value, EnumName] : R.Values) {
    uint64_t Z;
    if (!C.varint(Z, "enumerator value") || !C.str(EnumName, "enumerator name"))
      return fieldFault(C, "enum", "its record");
    Value = tf::unzigzag(Z);
  }
  EnumInfo *E = Enums.add(Id);
  if (!E)
    return fail(RecStart, Id ? "enum record: enum id " + std::to_string(Id) + " is used twice"
                             : std::string("enum record: enum id 0 (ids start at 1)"));
  *E = std::move(R);
  return true;
}

bool BinaryTraceReader::Impl::feedbackRecord(Cursor &C, const char *RecStart) {
  BinFeedback R;
  uint64_t Count;
  if (!C.varint(R.Node, "node"))
    return fieldFault(C, "feedback", "its record");
  const char *CountAt = C.P;
  if (!C.varint(Count, "count"))
    return fieldFault(C, "feedback", "its record");
  if (Count > uint64_t(C.End - C.P))
    return fail(CountAt, "malformed feedback record: count " + std::to_string(Count) + " is more than the record holds");
  ScratchDerived.resize(size_t(Count));
  for (uint64_t &N : ScratchDerived)
    if (!C.varint(N, "derived node"))
      return fieldFault(C, "feedback", "its record");
  uint8_t Flags;
  if (!C.varint(R.DerivedOmitted, "omitted") || !C.ostr(R.Unattributed, "unattributed") || !C.str(R.Text, "text") ||
      !C.u8(Flags, "flags"))
    return fieldFault(C, "feedback", "its record");
  if (Flags & tf::FeedbackScore) {
    std::string_view Bits;
    if (!C.bytes(8, Bits, "score"))
      return fieldFault(C, "feedback", "its record");
    uint64_t U = 0;
    for (size_t I = 8; I-- > 0;)
      U = (U << 8) | static_cast<uint8_t>(Bits[I]);
    std::memcpy(&R.Score, &U, 8);
    R.HasScore = true;
  }
  R.Success = Flags & tf::FeedbackSuccess;
  R.Uncaught = Flags & tf::FeedbackUncaught;
  if (Flags & tf::FeedbackTime) {
    uint64_t Thread, Ticks;
    if (!C.varint(Thread, "thread") || !C.varint(Ticks, "time"))
      return fieldFault(C, "feedback", "its record");
    if (Thread > UINT32_MAX)
      return fail(RecStart, "feedback record: thread " + std::to_string(Thread) + " does not fit in 32 bits");
    if (!HasClock)
      return fail(RecStart, "feedback record: a time, but no clock record before it");
    R.HasTime = true;
    R.Thread = uint32_t(Thread);
    R.Time = toNs(Ticks);
  }
  R.Derived = ScratchDerived.data();
  R.NumDerived = ScratchDerived.size();
  // The runtime writes feedback after everything its thread recorded, so
  // the calls before it are complete (the JSON writer wrote them first).
  if (!finishAll(RecStart))
    return false;
  return H->feedback(R) || handlerFailed(RecStart);
}

bool BinaryTraceReader::Impl::cutRecord(Cursor &C, const char *RecStart) {
  BinCut R;
  if (!C.varint(R.Site, "site") || !C.varint(R.Calls, "calls") || !C.varint(R.Recorded, "recorded"))
    return fieldFault(C, "cut", "its record");
  if (!finishAll(RecStart))
    return false;
  return H->cut(R) || handlerFailed(RecStart);
}

bool BinaryTraceReader::Impl::endRecord(Cursor &C, const char *RecStart) {
  BinEnd R;
  uint8_t Flags;
  if (!C.varint(R.Nodes, "nodes") || !C.varint(R.Dropped, "dropped") || !C.u8(Flags, "flags") ||
      !C.varint(R.Cut, "cut") || !C.varint(R.Lost, "lost"))
    return fieldFault(C, "end", "its record");
  R.HasLimit = Flags & tf::EndHasLimit;
  if (!finishAll(RecStart))
    return false;
  return H->end(R) || handlerFailed(RecStart);
}

bool BinaryTraceReader::Impl::threadStartRecord(Cursor &C, const char *RecStart) {
  uint64_t Id, Seq;
  if (!C.varint(Id, "thread") || !C.varint(Seq, "seq"))
    return fieldFault(C, "thread-start", "its record");
  if (Id > UINT32_MAX)
    return fail(RecStart, "thread-start record: thread " + std::to_string(Id) + " does not fit in 32 bits");
  if (Seq >= UINT32_MAX)
    return fail(RecStart, "thread-start record: seq " + std::to_string(Seq) + " leaves no node id to number");
  ThreadState &T = thread(uint32_t(Id));
  if (T.Seq || !T.Open.empty())
    return fail(RecStart, "thread-start record: thread " + std::to_string(Id) + " already has calls in this file");
  T.Seq = T.Base = Seq;
  T.Started = true;
  return true;
}

bool BinaryTraceReader::Impl::clockRecord(Cursor &C, const char *RecStart) {
  BinClock R;
  uint8_t Source;
  if (!C.u8(Source, "source") || !C.varint(R.Hz, "hz") || !C.varint(R.Origin, "origin") ||
      !C.varint(R.Monotonic, "monotonic"))
    return fieldFault(C, "clock", "its record");
  if (Source > uint8_t(tf::ClockSource::Tsc))
    return fail(RecStart, "clock record: unknown source " + std::to_string(Source));
  if (!R.Hz)
    return fail(RecStart, "clock record: a rate of 0 ticks a second");
  if (HasClock && R.Hz != ClockHz)
    return fail(RecStart, "a second clock record with another rate");
  R.Source = tf::ClockSource(Source);
  HasClock = true;
  ClockHz = R.Hz;
  return H->clock(R) || handlerFailed(RecStart);
}

bool BinaryTraceReader::Impl::record(unsigned Kind, const char *RecStart, Cursor &C) {
  switch (static_cast<tf::Kind>(Kind)) {
  case tf::Kind::Header:
    return fail(RecStart, "a second header record (were two traces concatenated? pass them as separate files)");
  case tf::Kind::Tu: return tuRecord(C);
  case tf::Kind::Site: return siteRecord(C, RecStart);
  case tf::Kind::Param: return paramRecord(C, RecStart);
  case tf::Kind::String: return stringRecord(C, RecStart);
  case tf::Kind::Type: return typeRecord(C, RecStart);
  case tf::Kind::Enum: return enumRecord(C, RecStart);
  case tf::Kind::Block: return blockRecord(C, /*Complete=*/true);
  case tf::Kind::Feedback: return feedbackRecord(C, RecStart);
  case tf::Kind::Cut: return cutRecord(C, RecStart);
  case tf::Kind::End: return endRecord(C, RecStart);
  case tf::Kind::ThreadStart: return threadStartRecord(C, RecStart);
  case tf::Kind::Clock: return clockRecord(C, RecStart);
  }
  // A kind from a newer writer: its length lets us skip it.
  return true;
}

void BinaryTraceReader::Impl::sizeHint(const char *At) {
  Hinted = true;
  double Scale = 1.25 * double(End - Begin) / double(At - Begin);
  H->sizeHint(uint64_t(double(Calls) * Scale) + 1024, uint64_t(double(Values) * Scale) + 1024);
}

bool BinaryTraceReader::Impl::read() {
  if (!isBinaryTrace(std::string_view(Begin, size_t(End - Begin))))
    return fail(Begin, "not a binary trace (it does not start with \"\\x7fTRACEB\\0\")");
  Cursor Head(Begin + tf::MagicSize, End);
  uint64_t Version;
  if (!Head.varint(Version, "format version"))
    return fail(Head.At, Head.F == Fault::Short ? "the file ends before the format version"
                                                : "the format version is a varint longer than 10 bytes");
  if (Version < tf::Version || Version > tf::LatestVersion)
    return fail(Begin + tf::MagicSize, "unsupported binary trace version " + std::to_string(Version) +
                                           " (this trace-optimize reads versions " + std::to_string(tf::Version) +
                                           " to " + std::to_string(tf::LatestVersion) + ")");
  const char *P = Head.P;
  constexpr ptrdiff_t HintAfter = ptrdiff_t(4) << 20;
  // Pages behind the cursor go every few MiB: reading a large trace then
  // keeps little of it resident.
  constexpr uint64_t ReleaseStep = uint64_t(4) << 20;
  uint64_t Released = 0;
  while (P < End) {
    const char *RecStart = P;
    unsigned Kind = static_cast<uint8_t>(*P++);
    Cursor Len(P, End);
    uint64_t Length;
    bool Cut = false;
    if (!Len.varint(Length, "record length")) {
      if (Len.F == Fault::Bad)
        return fail(P, "malformed " + kindName(Kind) + " record: its length is a varint longer than 10 "
                                                                  "bytes");
      Cut = true;
    } else if (Length > uint64_t(End - Len.P)) {
      Cut = true;
    }
    if (Cut) {
      // The end of a trace whose program was cut short.
      if (!SawHeader)
        return fail(RecStart, "the file ends inside its first record (a " + kindName(Kind) +
                                  " record); there is no complete header");
      if (Kind == unsigned(tf::Kind::Block) && Len.ok()) {
        Cursor C(Len.P, End);
        if (!blockRecord(C, /*Complete=*/false))
          return false;
        H->warning(where(RecStart) + "the trace ends inside a block record; its complete thread records were read "
                                    "(the program was cut short?)");
      } else {
        H->warning(where(RecStart) + "the trace ends inside a " + kindName(Kind) +
                  " record; it was ignored (the program was cut short?)");
      }
      break;
    }
    Cursor C(Len.P, Len.P + Length);
    P = C.End;
    if (!SawHeader) {
      if (Kind != unsigned(tf::Kind::Header))
        return fail(RecStart, "the first record is a " + kindName(Kind) +
                                  " record; a trace starts with its header");
      SawHeader = true;
      if (!headerRecord(C))
        return false;
      continue;
    }
    if (!record(Kind, RecStart, C))
      return false;
    if (!Hinted && P - Begin >= HintAfter)
      sizeHint(P);
    if (Release && P - Begin >= ptrdiff_t(Released + ReleaseStep)) {
      Released = uint64_t(P - Begin) & ~uint64_t(ReleaseStep - 1);
      Release(ReleaseCtx, Released);
    }
  }
  if (!SawHeader)
    return fail(End, "empty trace (no header record)");
  if (!finishAll(End))
    return false;
  if (LateValues)
    H->warning(where(FirstLate) + std::to_string(LateValues) + " value record" +
              (LateValues == 1 ? " comes" : "s come") +
              " after the other records of its call; ignored (a writer bug?)");
  return true;
}

//===----------------------------------------------------------------------===//
// Decoding one call again
//===----------------------------------------------------------------------===//

namespace {
/// Sets a flag for the lifetime of a scope.
class FlagScope {
public:
  FlagScope(bool &Flag, bool Value) : Flag(Flag), Old(Flag) { Flag = Value; }
  ~FlagScope() { Flag = Old; }

private:
  bool &Flag;
  bool Old;
};
} // namespace

bool BinaryTraceReader::Impl::decodeCall(uint64_t At, uint64_t Node, uint64_t Parent, uint32_t Count,
                                         BinHandler &Out) {
  // The block holding the enter record: its thread records end where the
  // block does, and an irregular call goes on in the thread's next block.
  auto It = std::upper_bound(Blocks.begin(), Blocks.end(), At,
                             [](uint64_t A, const BlockExtent &B) { return A < B.Begin; });
  if (It == Blocks.begin() || At >= std::prev(It)->End)
    return fail(Begin + std::min<uint64_t>(At, uint64_t(End - Begin)), "no block holds a call record here");
  size_t B = size_t(std::prev(It) - Blocks.begin());
  FlagScope NoSkip(Skip, false), Dec(Decoding, true);
  BinHandler *Saved = H;
  H = &Out;
  struct Restore {
    BinHandler *&H;
    BinHandler *Saved;
    ~Restore() { H = Saved; }
  } R{H, Saved};

  ThreadState T;
  T.Id = uint32_t(Node >> 32);
  Cursor C(Begin + At, Begin + Blocks[B].End);
  const char *EnterAt = C.P;
  uint8_t Tag;
  if (!C.u8(Tag, "thread record") || (Tag & 7) != uint8_t(tf::Op::Enter))
    return fail(EnterAt, "no call record here");
  uint64_t SiteId = Tag >> 3;
  if (SiteId == tf::EnterInlineMax && !C.varint(SiteId, "site id"))
    return fail(EnterAt, "malformed call record");
  T.Site = Sites.find(SiteId);
  if (!T.Site)
    return fail(EnterAt, "enter record: site " + std::to_string(SiteId) + " has no site record before it");
  T.Active = true;
  T.Node = Node;
  T.Parent = Parent;
  T.CallAt = At;
  uint32_t Read = 0;
  while (Count == UINT32_MAX || Read < Count) {
    if (C.P == C.End) {
      if (Count == UINT32_MAX)
        break;
      // An irregular call: its values go on in the thread's next block.
      size_t Next = B + 1;
      while (Next < Blocks.size() && Blocks[Next].Thread != T.Id)
        ++Next;
      if (Next == Blocks.size())
        break;
      B = Next;
      C = Cursor(Begin + Blocks[B].Begin, Begin + Blocks[B].End);
      continue;
    }
    uint8_t ValueTag = uint8_t(*C.P);
    if ((ValueTag & 7) == uint8_t(tf::Op::Time) && !((ValueTag >> 3) & 1)) {
      // The call's entry time, right after its enter record.
      uint64_t Delta;
      ++C.P;
      if (!timeDelta(C, ValueTag, Delta))
        return fail(EnterAt, "malformed time record");
      continue;
    }
    if ((ValueTag & 7) != uint8_t(tf::Op::Value) || static_cast<tf::Slot>((ValueTag >> 3) & 3) == tf::Slot::Ret)
      break;
    const char *ValueAt = C.P++;
    if (!activeValue(C, ValueTag, T)) {
      if (Error.empty())
        fail(ValueAt, std::string("malformed value record: the ") + C.What + " " +
                          (C.F == Fault::Short ? "runs past the end of its block" : C.Cause));
      return false;
    }
    ++Read;
  }
  return finish(T, EnterAt);
}

bool BinaryTraceReader::Impl::decodeRet(uint64_t At, uint64_t Node, BinHandler &Out) {
  if (At >= uint64_t(End - Begin))
    return fail(End, "no result record here");
  FlagScope NoSkip(Skip, false), Dec(Decoding, true);
  Cursor C(Begin + At, End);
  const char *RetAt = C.P;
  uint8_t Tag;
  C.u8(Tag, "thread record");
  auto Op = static_cast<tf::Op>(Tag & 7);
  BinRet R;
  R.Node = Node;
  R.At = At;
  BinValue V;
  switch (Op) {
  case tf::Op::Value: {
    Fixup Fix;
    Scratch.clear();
    ScratchDerived.clear();
    if (static_cast<tf::Slot>((Tag >> 3) & 3) != tf::Slot::Ret ||
        !readValue(C, Tag, Node, V, Fix, Scratch, ScratchDerived))
      return fail(RetAt, "no result record here");
    V.Derived = V.NumDerived ? ScratchDerived.data() : nullptr;
    R.Kind = RetKind::Value;
    R.Value = &V;
    break;
  }
  case tf::Op::Void:
    R.Kind = RetKind::Void;
    break;
  case tf::Op::NotCaptured:
    R.Kind = RetKind::NotCaptured;
    break;
  case tf::Op::Coro:
    if ((Tag >> 3) != tf::CoDestroyed)
      return fail(RetAt, "no result record here");
    R.Kind = RetKind::Unfinished;
    break;
  case tf::Op::Exception: {
    R.Kind = RetKind::Exception;
    uint8_t Flags;
    if (!C.u8(Flags, "exception flags") || !C.str(R.ExcType, "exception type"))
      return fail(RetAt, "malformed exception record");
    R.HasWhat = Flags & tf::ExcWhat;
    if (R.HasWhat && !C.str(R.What, "exception what"))
      return fail(RetAt, "malformed exception record");
    R.HasWhere = Flags & tf::ExcWhere;
    if (R.HasWhere) {
      uint64_t FileId;
      if (!C.varint(FileId, "exception file") || !C.varint(R.Line, "exception line"))
        return fail(RetAt, "malformed exception record");
      const std::string_view *File = Strings.find(FileId);
      if (!File)
        return fail(RetAt, "malformed exception record");
      R.File = *File;
    }
    break;
  }
  default:
    return fail(RetAt, "no result record here");
  }
  return Out.ret(R) || fail(RetAt, Out.Failure);
}

BinaryTraceReader::BinaryTraceReader(std::string_view Bytes, std::string Name, BinHandler &Handler)
    : P(std::make_unique<Impl>(Bytes, std::move(Name), Handler)) {}

BinaryTraceReader::~BinaryTraceReader() = default;

bool BinaryTraceReader::read() { return P->read(); }

const std::string &BinaryTraceReader::error() const { return P->Error; }

void BinaryTraceReader::setSkipValues(bool Skip) { P->setSkip(Skip); }

uint64_t BinaryTraceReader::leafResultAt(uint64_t At) {
  Impl::LeafRecords L;
  if (At >= P->size() ||
      !P->parseLeaf(P->bytesAt(At), P->bytesAt(P->size()), L))
    return 0;
  return uint64_t(L.RetAt - P->bytesAt(0));
}

void BinaryTraceReader::setReleaser(void (*Release)(void *, uint64_t), void *Ctx) { P->setReleaser(Release, Ctx); }

bool BinaryTraceReader::decodeCall(uint64_t At, uint64_t Node, uint64_t Parent, uint32_t Count, BinHandler &Out,
                                   std::string &Error) {
  P->Error.clear();
  if (P->decodeCall(At, Node, Parent, Count, Out))
    return true;
  Error = P->Error;
  return false;
}

bool BinaryTraceReader::decodeRet(uint64_t At, uint64_t Node, BinHandler &Out, std::string &Error) {
  P->Error.clear();
  if (P->decodeRet(At, Node, Out))
    return true;
  Error = P->Error;
  return false;
}

} // namespace traceopt
