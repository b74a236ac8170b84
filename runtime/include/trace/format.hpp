//===- trace/format.hpp - The binary trace format, shared by all readers --===//
//
// The contract between the runtime that writes a trace and the tools that
// read it: magic, version, record kinds, field flags and the integer
// encodings. docs/trace-format.md describes the same format in prose; this
// header is the one place the numbers live. Header-only, no dependencies
// beyond <cstdint>/<cstring>, so that the runtime, trace-optimize and the
// tests include it alike.
//
// Overview (see docs/trace-format.md for every field):
//
//   file    := magic version:varint record*
//   record  := kind:u8 length:varint payload[length]
//
// Top-level records are skippable by their length; a reader skips kinds it
// does not know. Thread records live inside Block payloads, one after the
// other, each starting with a tag byte whose low 3 bits are its Op.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_FORMAT_HPP
#define TRACE_FORMAT_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

/// A reserved name: the plugin force-includes this header (through abi.hpp)
/// into user code, where `trace_format` is the customization point.
namespace __trace_format {

/// The first 8 bytes of every binary trace.
constexpr char Magic[8] = {'\x7f', 'T', 'R', 'A', 'C', 'E', 'B', '\0'};
constexpr std::size_t MagicSize = 8;
/// Written as a varint right after the magic. Version 1 was JSON Lines.
constexpr uint64_t Version = 2;
/// Version 3 is version 2 with call times: Kind::Clock, Op::Time and
/// FeedbackTime. The rule: a writer writes the lowest version that has every
/// record it uses (2 unless it records times, so a trace without times reads
/// with an older reader too); a reader reads every version from Version to
/// LatestVersion.
constexpr uint64_t TimedVersion = 3;
/// Version 4 is version 3 with the coroutine records (Op::Coro), written by
/// a program that has coroutine bundles (call times or not).
constexpr uint64_t CoroutineVersion = 4;
constexpr uint64_t LatestVersion = CoroutineVersion;

/// Top-level record kinds.
enum class Kind : uint8_t {
  Header = 1,   ///< pid:varint program:str time:str
  Tu = 2,       ///< file:ostr directory:ostr argc:varint arg:str...
  Site = 3,     ///< see docs/trace-format.md
  Param = 4,    ///< see docs/trace-format.md
  String = 5,   ///< id:varint text:str (param ids, file names)
  Type = 6,     ///< id:varint kind:u8 size:varint name:str [text:str]
  Enum = 7,     ///< id:varint type:ostr count:varint (value:svarint name:str)...
  Block = 8,    ///< thread:varint, then thread records to the payload's end
  Feedback = 9, ///< see docs/trace-format.md
  Cut = 10,     ///< site:varint calls:varint recorded:varint
  End = 11,     ///< nodes dropped flags:u8 cut lost (all varint but flags)
  ThreadStart = 12, ///< thread:varint seq:varint (numbering continues after)
  /// source:u8 hz:varint origin:varint monotonic:varint: how Op::Time
  /// ticks convert to time. Before the first block (version 3).
  Clock = 13,
};

/// Clock sources (the Clock record's source).
enum class ClockSource : uint8_t {
  Monotonic = 0, ///< clock_gettime(CLOCK_MONOTONIC) in ns; hz is 1e9.
  Tsc = 1,       ///< the x86 time-stamp counter; hz measured at start.
};

/// Thread records: the low 3 bits of the tag byte.
enum class Op : uint8_t {
  /// A call starts: node seq + 1 of the thread, parent the innermost open
  /// call. Site id in tag >> 3, or, when that is 31, a varint after the tag.
  Enter = 0,
  /// A captured value; see ValueTag below.
  Value = 1,
  /// The innermost open call returned without a value (void).
  Void = 2,
  /// The innermost open call returned a value that could not be looked at.
  NotCaptured = 3,
  /// The innermost open call ended by an exception:
  /// flags:u8 (ExcWhat, ExcWhere) type:str [what:str] [file:varint line:varint]
  Exception = 4,
  /// A call's time (version 3): tag = Time | which << 3 | (delta & 15) << 4,
  /// then varint(delta >> 4). which: TimeEntry (right after the call's enter
  /// record) or TimeExit (right before the record that ends the call). delta:
  /// clock ticks since the thread's previous time record in the file (the
  /// first: since the Clock record's origin).
  Time = 5,
  /// A coroutine's call (version 4): tag = Coro | which << 3. CoSuspend: the
  /// innermost open call is suspended; it is no longer open on this thread,
  /// and has not ended. CoResume, then node:varint (the full node id): that
  /// call, suspended earlier on any thread, is this thread's innermost open
  /// call again. CoDestroyed: the innermost open call ended unfinished, its
  /// coroutine destroyed while suspended (preceded by a TimeExit record when
  /// times are recorded).
  Coro = 6,
};
constexpr uint8_t TimeEntry = 0, TimeExit = 1;
constexpr uint8_t CoSuspend = 0, CoResume = 1, CoDestroyed = 2;
constexpr unsigned EnterInlineMax = 31; ///< tag >> 3 == 31: varint follows.

/// Value tag: Op::Value | slot << 3 | form << 5 | has-flags << 7.
/// Then: type:varint, [index:varint for Arg], [flags:u8 if has-flags], the
/// optional fields in flag order, then the payload by form.
enum class Slot : uint8_t { Arg = 0, Self = 1, Global = 2, Ret = 3 };
enum class Form : uint8_t {
  Bytes = 0,  ///< the type's size in raw little-endian bytes
  String = 1, ///< len:varint bytes: a string's own bytes, shown quoted
  Text = 2,   ///< len:varint bytes: the value already rendered (UTF-8)
  Fixed = 3,  ///< no payload: the value is the type record's text
};
enum : uint8_t {
  ValueFrom = 1,    ///< from:varint, a node reference (see nodeRef)
  ValueDerived = 2, ///< count:varint omitted:varint node-ref...
  ValueParam = 4,   ///< string id of a trainable variable's id
  ValueSub = 8,     ///< pack element + 1
  ValueOmitted = 16, ///< bytes cut by the value limit
  ValueEnum = 32,   ///< enum table id (names for an enum's values)
  /// A string cut at the value limit whose full length is unknown (a
  /// `char *` with no NUL within the limit): `…` follows its closing quote.
  ValueCut = 64,
};
constexpr uint8_t ExcWhat = 1, ExcWhere = 2;

/// How a Bytes value renders (the Type record's kind).
enum class TypeKind : uint8_t {
  Text = 0,     ///< rendered at capture: values are Text or String
  Signed = 1,   ///< two's complement integer of the type's size
  Unsigned = 2, ///< unsigned integer of the type's size
  Float = 3,    ///< IEEE float (4, 8) or the platform's long double (16)
  Bool = 4,
  Char = 5,     ///< a char, shown as a C++ character literal
  Pointer = 6,  ///< an address, 0x... or nullptr
  Null = 7,     ///< std::nullptr_t
  Enum = 8,     ///< signed underlying value; names from a ValueEnum table
  EnumUnsigned = 9,
  Fixed = 10,   ///< every value renders as the type record's text
};

/// Feedback flags. FeedbackTime (version 3): `thread:varint ticks:varint`
/// follow the score, ticks counted from the Clock record's origin.
constexpr uint8_t FeedbackScore = 1, FeedbackSuccess = 2, FeedbackUncaught = 4,
                  FeedbackTime = 8;
/// End flags.
constexpr uint8_t EndHasLimit = 1;

//===----------------------------------------------------------------------===//
// Integer encodings
//===----------------------------------------------------------------------===//

/// Unsigned LEB128. At most 10 bytes.
inline char *putVarint(char *P, uint64_t V) {
  while (V >= 0x80) {
    *P++ = static_cast<char>(V | 0x80);
    V >>= 7;
  }
  *P++ = static_cast<char>(V);
  return P;
}
constexpr std::size_t MaxVarint = 10;

/// Reads a varint from [P, End); null when it is cut short or longer than
/// 10 bytes.
inline const char *getVarint(const char *P, const char *End, uint64_t &V) {
  uint64_t R = 0;
  for (unsigned Shift = 0; P < End && Shift < 70; Shift += 7) {
    uint8_t B = static_cast<uint8_t>(*P++);
    R |= static_cast<uint64_t>(B & 0x7f) << Shift;
    if (!(B & 0x80)) {
      V = R;
      return P;
    }
  }
  return nullptr;
}

inline uint64_t zigzag(int64_t V) {
  return (static_cast<uint64_t>(V) << 1) ^ static_cast<uint64_t>(V >> 63);
}
inline int64_t unzigzag(uint64_t V) {
  return static_cast<int64_t>(V >> 1) ^ -static_cast<int64_t>(V & 1);
}

/// A reference to a node from a value of node \p Current (same thread as
/// the record's block): an earlier node of the same thread is stored as the
/// distance back, any other as its full id. Bit 0: full id; bit 1: wildcard
/// (the edge holds only if the value equals the producer's output).
inline uint64_t nodeRef(uint64_t Current, uint64_t Node, bool Wild) {
  uint64_t W = Wild ? 2 : 0;
  if ((Node >> 32) == (Current >> 32) && Node <= Current)
    return ((Current - Node) << 2) | W;
  return (Node << 2) | W | 1;
}
/// Inverse of nodeRef; \p Wild receives bit 1.
inline uint64_t nodeFromRef(uint64_t Current, uint64_t Ref, bool &Wild) {
  Wild = (Ref & 2) != 0;
  if (Ref & 1)
    return Ref >> 2;
  return Current - (Ref >> 2);
}

} // namespace __trace_format

#endif // TRACE_FORMAT_HPP
