//===- BinaryTrace.h - Streaming reader of binary traces ---------*- C++ -*-===//
//
// Decodes the binary trace format (versions 2 and 3, docs/trace-format.md and
// runtime/include/trace/format.hpp) into records with their values rendered
// as text, in file order, for a handler: the JSON Lines export
// (JsonDump.h) and trace-optimize's loader (traceset/LoadBinary.cpp) are two
// handlers of the same decoder, so that loading a binary trace and loading its
// dump give the same result.
//
// The decoder numbers the nodes of each thread (an enter is node seq + 1, its parent
// the innermost open call), renders values from their bytes, keeps a
// wildcard `from` only when the value renders as the producer's output, and
// marks an argument `modified` when it does not. A call is reported once its
// arguments, `this` and globals are all read.
//
// Everything handed to a handler is a view that lives until the handler
// returns (strings of metadata records: as long as the bytes). Strings are
// the bytes of the file, rendered texts the bytes the runtime's renderers
// produced: not necessarily UTF-8. Captured strings are already escaped by
// trace/escape.hpp (a byte that is not UTF-8 is `\xNN`); the JSON export and
// a reader that keeps other text clean it the same way (cleanUtf8), so
// that both ways of reading a trace agree. Values are compared (`from`,
// `modified`) by these bytes, as the format says.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEREAD_BINARYTRACE_H
#define TRACEREAD_BINARYTRACE_H

#include <trace/format.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

/// True if \p Bytes starts with the binary trace magic ("\x7fTRACEB\0").
bool isBinaryTrace(std::string_view Bytes);

/// An optional string of the format (`ostr`): null, or a text that may be
/// empty.
struct OptStr {
  std::string_view Text;
  bool Null = true;
};

struct BinHeader {
  uint64_t Pid = 0;
  std::string_view Program, Time;
};

/// The `clock` record of a trace with call times (version 3). Readers get
/// times already in ns since Origin.
struct BinClock {
  __trace_format::ClockSource Source = __trace_format::ClockSource::Monotonic;
  uint64_t Hz = 0, Origin = 0, Monotonic = 0;
};

struct BinTu {
  OptStr File, Directory;
  std::vector<std::string_view> Args;
};

/// A `site` record. Its address is stable for the reader's lifetime.
struct BinSite {
  uint64_t Id = 0;
  /// Position among the file's site records, from 0: handlers index their
  /// own per-site tables with it instead of hashing ids.
  uint32_t Index = 0;
  OptStr Key, Name, Signature, File;
  uint64_t Line = 0;
  std::vector<std::string_view> Params;
  std::string_view Doc;
  OptStr Param;
};

struct BinParam {
  std::string_view Id;
  uint8_t Kind = 0; ///< 0 code, 1 value.
  OptStr Name, Type, Value, File;
  uint64_t Line = 0, Begin = 0, End = 0;
  OptStr Hash, Text, Signature, Constraint;
};

/// A captured value, rendered.
struct BinValue {
  __trace_format::Slot Slot = __trace_format::Slot::Arg;
  uint32_t Index = 0; ///< The parameter's position (arguments).
  uint32_t Sub = 0;   ///< Pack element + 1, or 0.
  /// Position of the value's `type` record among the file's type records,
  /// from 0 (see BinSite::Index).
  uint32_t TypeIndex = 0;
  std::string_view Type; ///< The type's name.
  /// An argument's name: the site's parameter name, `name[i]` for a pack
  /// element, "" (or `[i]`) past the site's list. Empty for other slots.
  std::string_view Name;
  /// The text, with the truncation marker when Omitted is not 0.
  std::string_view Text;
  /// Text is known to be UTF-8 (rendered from a number, a bool or an
  /// address): a reader that cleans texts can skip it.
  bool Utf8 = false;
  uint64_t Omitted = 0; ///< Bytes cut by the value limit (`truncated`).
  /// A string cut at the value limit whose length is unknown: its text ends
  /// with `…` after the closing quote, and there is no `truncated` count.
  bool Cut = false;
  /// The producer (`from`) once the wildcard rule is applied; 0 if none.
  uint64_t From = 0;
  /// The value came from From but no longer renders as its output.
  bool Modified = false;
  /// A `param` field: `from_param` of an argument, `this` or result, the
  /// `param` of a global.
  bool HasParam = false;
  std::string_view Param;
  /// The value carried a `derived` list (even one naming no node): only
  /// then is DerivedOmitted shown, as the runtime's writer did.
  bool HasDerived = false;
  const uint64_t *Derived = nullptr; ///< Producers of parts; node ids, never 0.
  uint32_t NumDerived = 0;
  uint64_t DerivedOmitted = 0;
};

/// A call, reported when its arguments, `this` and globals are all read.
struct BinCall {
  uint64_t Node = 0, Parent = 0;
  uint32_t Thread = 0;
  /// Byte offset of the call's enter record in the file: where
  /// BinaryTraceReader::decodeCall reads the call again.
  uint64_t At = 0;
  /// The call's values are not simply the value records after its enter
  /// in the same block: they go on in a later block of the thread, or the
  /// call was ended by a record of the whole file (feedback, cut, end).
  /// decodeCall then needs their count.
  bool Irregular = false;
  const BinSite *Site = nullptr;
  /// In parameter order (index, then pack element). Null with
  /// BinaryTraceReader::setSkipValues when no argument has flags (nothing
  /// but its index and type: no producer, parameter or pack element), so
  /// that the reader need not make a BinValue for each; NumArgs still
  /// counts them.
  const BinValue *Args = nullptr;
  size_t NumArgs = 0;
  const BinValue *This = nullptr; ///< Null for a free function.
  const BinValue *Globals = nullptr;
  size_t NumGlobals = 0;
  /// When the call started, in ns since the clock's origin (a trace
  /// recorded with TRACE_TIMESTAMPS).
  bool HasTime = false;
  uint64_t Time = 0;
};

/// How a call ended. Unfinished: a coroutine destroyed while suspended.
enum class RetKind : uint8_t { Value, Void, NotCaptured, Exception, Unfinished };

struct BinRet {
  uint64_t Node = 0;
  uint64_t At = 0; ///< Byte offset of the record that ended the call.
  RetKind Kind = RetKind::Void;
  const BinValue *Value = nullptr; ///< The result, for RetKind::Value.
  std::string_view ExcType;
  bool HasWhat = false;
  std::string_view What;
  bool HasWhere = false; ///< Where a `throw` of instrumented code threw it.
  std::string_view File;
  uint64_t Line = 0;
  /// When the call ended, in ns since the clock's origin.
  bool HasTime = false;
  uint64_t Time = 0;
};

struct BinFeedback {
  uint64_t Node = 0;
  const uint64_t *Derived = nullptr; ///< As written; 0 stands for no node.
  size_t NumDerived = 0;
  uint64_t DerivedOmitted = 0;
  OptStr Unattributed;
  std::string_view Text;
  bool HasScore = false;
  double Score = 0;
  bool Success = false, Uncaught = false;
  /// The thread that gave it (0: none recorded) and when, in ns since the
  /// clock's origin.
  bool HasTime = false;
  uint32_t Thread = 0;
  uint64_t Time = 0;
};

struct BinCut {
  uint64_t Site = 0, Calls = 0, Recorded = 0;
};

struct BinEnd {
  uint64_t Nodes = 0, Dropped = 0;
  bool HasLimit = false; ///< A call limit was set: the JSON shows `cut`.
  uint64_t Cut = 0, Lost = 0;
};

/// Receives the records of a binary trace in file order. A method that
/// returns false stops the reader, which then reports Failure (with the
/// file name and the record's offset) as its error.
class BinHandler {
public:
  virtual ~BinHandler();
  virtual bool header(const BinHeader &) { return true; }
  virtual bool tu(const BinTu &) { return true; }
  virtual bool clock(const BinClock &) { return true; }
  virtual bool site(const BinSite &) { return true; }
  virtual bool param(const BinParam &) { return true; }
  virtual bool call(const BinCall &) { return true; }
  virtual bool ret(const BinRet &) { return true; }
  /// With BinaryTraceReader::setSkipValues, a *leaf call*: one that made
  /// no call, whose values are arguments without flags (so \p C has no
  /// Args, only NumArgs), ended in the same block by a result without
  /// flags, a void or a not-captured record (\p R). Nearly every call of a
  /// large trace is one. The same as call(C) then ret(R), which it defaults
  /// to; a handler that keeps little of such a call can take it in one step.
  virtual bool leafCall(const BinCall &C, const BinRet &R) {
    return call(C) && ret(R);
  }
  virtual bool feedback(const BinFeedback &) { return true; }
  virtual bool cut(const BinCut &) { return true; }
  virtual bool end(const BinEnd &) { return true; }
  /// Something the trace lacks that does not stop reading it, such as the
  /// records after a crash. \p Message names the file.
  virtual void warning(std::string Message) { (void)Message; }
  /// Once, after about the first 4 MiB: how many calls and values the whole
  /// file probably holds (extrapolated, with a margin), to reserve for.
  virtual void sizeHint(uint64_t Calls, uint64_t Values) {
    (void)Calls;
    (void)Values;
  }

  /// With BinaryTraceReader::setSkipValues: the offset of the record
  /// that ended call \p Node (BinRet::At), 0 if unknown. The reader renders
  /// that result again when a value names \p Node as its producer, instead
  /// of keeping every output it read.
  virtual uint64_t resultAt(uint64_t Node) {
    (void)Node;
    return 0;
  }

  /// Why a method returned false.
  std::string Failure;
};

/// Reads one binary trace. Errors name the file, the byte offset of the
/// record (or field) at fault, and the cause; a trace cut short (a crash)
/// is read up to its last complete record, thread records of a cut block
/// included, with a warning.
class BinaryTraceReader {
public:
  /// \p Bytes must stay valid as long as the reader.
  BinaryTraceReader(std::string_view Bytes, std::string Name, BinHandler &Handler);
  ~BinaryTraceReader();
  BinaryTraceReader(const BinaryTraceReader &) = delete;
  BinaryTraceReader &operator=(const BinaryTraceReader &) = delete;

  /// Reads the whole trace; false with error() set.
  bool read();
  const std::string &error() const;

  /// With \p Skip, read() renders no value that it need not compare: the
  /// handler gets values with an empty Text (and Name, Type, flags and
  /// producers as usual). A value with a `from` is compared with the output
  /// of its producer, read again from the file: by their bytes when they
  /// are the same, else rendered (its Text is then the value's), so that
  /// `from` and `modified` come out as in a full read. For an index that
  /// decodes values later with decodeCall and decodeRet.
  void setSkipValues(bool Skip);

  /// After read(): decodes again the call whose enter record is at byte
  /// \p At (BinCall::At) and reports it to \p Out with its values rendered;
  /// a value's From is the producer the record names, before the wildcard
  /// rule (the caller knows the outcome from the first read). \p Count is
  /// the number of values for an irregular call, UINT32_MAX otherwise. False with
  /// \p Error set if the bytes do not hold such a call.
  bool decodeCall(uint64_t At, uint64_t Node, uint64_t Parent, uint32_t Count, BinHandler &Out,
                  std::string &Error);
  /// After read(): decodes again the record at byte \p At (BinRet::At) that
  /// ended call \p Node, and reports it to \p Out.
  bool decodeRet(uint64_t At, uint64_t Node, BinHandler &Out, std::string &Error);
  /// The offset of the record that ended the leaf call (BinHandler::leafCall)
  /// whose enter record is at byte \p At: it follows the call's values, so
  /// that a handler need not keep it. 0 if no leaf call is there.
  uint64_t leafResultAt(uint64_t At);
  /// Lets the pages of the file before byte \p Offset go from memory (they
  /// are read again from the page cache when needed): see MappedFile.
  void setReleaser(void (*Release)(void *Ctx, uint64_t Offset), void *Ctx);

  class Impl;

private:
  std::unique_ptr<Impl> P;
};

} // namespace traceopt

#endif
