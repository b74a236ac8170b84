//===- Export.cpp - Traces as a timeline for Perfetto and chrome://tracing -===//
//
// The Chrome JSON trace-event format: {"traceEvents":[...]} with times in
// microseconds. Events are written as the binary reader reports the records,
// so the output grows with the trace while memory holds only what a later
// record may need: each thread's open calls, and for every call the moment
// a flow from it starts (8 bytes a call).
//
// A slice is written when its call ends (a complete event needs its
// duration). A flow starts at a moment of the producer's own time (after
// its last child ended) and ends at a moment of the consumer's own time
// (before its first child started), so that a viewer binds each end to that
// call's slice and not to a child's: the "f" event binds to its enclosing
// slice ("bp":"e"), as the "s" event always does.
//
//===----------------------------------------------------------------------===//
#include "report/Export.h"

#include "trace/BinaryTrace.h"
#include "trace/MappedFile.h"
#include "trace/TraceText.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

namespace traceopt {

namespace {

constexpr uint64_t Unknown = UINT64_MAX;

/// Appends \p Ns as microseconds with three decimals (the format's unit).
void appendMicros(std::string &Out, uint64_t Ns) {
  appendUInt(Out, Ns / 1000);
  char Frac[4] = {'.', char('0' + Ns / 100 % 10), char('0' + Ns / 10 % 10), char('0' + Ns % 10)};
  Out.append(Frac, 4);
}

/// The middle of [A, B] (B >= A), in whole ns.
uint64_t middle(uint64_t A, uint64_t B) { return B > A ? A + (B - A) / 2 : A; }

/// State shared by the traces of one export: the output and the flow ids.
struct Output {
  const DumpWriter &Write;
  std::string Text;
  bool First = true;
  uint64_t NextFlow = 1;
  static constexpr size_t FlushAt = size_t(1) << 20;

  /// Starts an event: the separator, then "{".
  std::string &begin() {
    Text += First ? "\n{" : ",\n{";
    First = false;
    return Text;
  }
  bool end() {
    Text += '}';
    return Text.size() < FlushAt || flush();
  }
  bool flush() {
    bool Ok = Text.empty() || Write(Text);
    Text.clear();
    return Ok;
  }
};

/// Turns the records of one trace into events.
class Timeline final : public BinHandler {
public:
  Timeline(Output &Out, uint32_t Pid, std::string Name) : Out(Out), Pid(Pid), Name(std::move(Name)) {}

  bool header(const BinHeader &H) override {
    meta("process_name", 0,
         std::string(cleanUtf8(H.Program, Scratch)) + " (pid " + std::to_string(H.Pid) + ", " + Name + ")");
    return sortIndex("process_sort_index", 0, Pid);
  }

  bool clock(const BinClock &) override {
    HasClock = true;
    return true;
  }

  bool call(const BinCall &C) override {
    if (!C.HasTime)
      return noTimes();
    Track &T = track(C.Thread);
    if (!T.Open.empty() && T.Open.back().FirstChild == Unknown)
      T.Open.back().FirstChild = C.Time;
    T.Last = std::max(T.Last, C.Time);
    uint64_t Seq = C.Node & 0xFFFFFFFFu;
    if (T.Points.empty() && !T.Base)
      T.Base = Seq - 1;
    if (Seq > T.Base && Seq - T.Base > T.Points.size())
      T.Points.resize(Seq - T.Base, Unknown);
    OpenCall &O = T.Open.emplace_back();
    O.Node = C.Node;
    O.Start = C.Time;
    O.Name = C.Site->Name.Null ? C.Site->Key.Text : C.Site->Name.Text;
    std::string &A = O.Args;
    A += "\"node\":";
    appendUInt(A, C.Node);
    if (C.Args && C.NumArgs) {
      A += ",\"arguments\":{";
      for (size_t I = 0; I < C.NumArgs; ++I) {
        const BinValue &V = C.Args[I];
        if (I)
          A += ',';
        appendJsonString(A, V.Name.empty() ? "arg" + std::to_string(V.Index) : std::string(V.Name));
        A += ':';
        appendJsonString(A, V.Text);
        producers(O, V);
      }
      A += '}';
    }
    if (C.This) {
      A += ",\"this\":";
      appendJsonString(A, C.This->Text);
      producers(O, *C.This);
    }
    if (C.NumGlobals) {
      A += ",\"globals\":{";
      for (size_t I = 0; I < C.NumGlobals; ++I) {
        if (I)
          A += ',';
        appendJsonString(A, C.Globals[I].Param);
        A += ':';
        appendJsonString(A, C.Globals[I].Text);
      }
      A += '}';
    }
    return true;
  }

  bool ret(const BinRet &R) override {
    Track *T = find(uint32_t(R.Node >> 32));
    if (!T)
      return true;
    // The innermost open call, or a coroutine's call that went on after its
    // thread started others (it may even end on another thread).
    auto It = std::find_if(T->Open.rbegin(), T->Open.rend(), [&](const OpenCall &O) { return O.Node == R.Node; });
    if (It == T->Open.rend())
      return true; // A call begun before the file (a forked child's).
    OpenCall O = std::move(*It);
    T->Open.erase(std::next(It).base());
    std::string &A = O.Args;
    switch (R.Kind) {
    case RetKind::Value:
      A += ",\"result\":";
      appendJsonString(A, R.Value->Text);
      break;
    case RetKind::Void:
      break;
    case RetKind::NotCaptured:
      A += ",\"result\":\"<not captured>\"";
      break;
    case RetKind::Unfinished:
      A += ",\"result\":\"<not finished>\"";
      break;
    case RetKind::Exception:
      A += ",\"exception\":{\"type\":";
      appendJsonString(A, R.ExcType);
      if (R.HasWhat) {
        A += ",\"what\":";
        appendJsonString(A, R.What);
      }
      if (R.HasWhere) {
        A += ",\"file\":";
        appendJsonString(A, R.File);
        A += ",\"line\":";
        appendUInt(A, R.Line);
      }
      A += '}';
      break;
    }
    uint64_t End = R.HasTime ? std::max(R.Time, O.Start) : std::max(T->Last, O.Start);
    T->Last = std::max(T->Last, End);
    return close(*T, O, End, R.Kind == RetKind::Exception);
  }

  bool feedback(const BinFeedback &F) override {
    if (!F.HasTime) {
      ++Untimed;
      return true;
    }
    if (F.Thread)
      track(F.Thread);
    std::string &T = Out.begin();
    T += "\"ph\":\"i\",\"name\":\"feedback\",\"cat\":\"feedback\",\"s\":";
    T += F.Thread ? "\"t\"" : "\"p\"";
    T += ",\"pid\":";
    appendUInt(T, Pid);
    T += ",\"tid\":";
    appendUInt(T, F.Thread);
    T += ",\"ts\":";
    appendMicros(T, F.Time);
    T += ",\"args\":{\"text\":";
    appendJsonString(T, F.Text);
    if (F.HasScore && std::isfinite(F.Score)) {
      T += ",\"score\":";
      char Buf[64];
      auto Res = std::to_chars(Buf, Buf + sizeof Buf, F.Score);
      T.append(Buf, size_t(Res.ptr - Buf));
    }
    if (F.Node) {
      T += ",\"node\":";
      appendUInt(T, F.Node);
    }
    for (size_t I = 0; I < F.NumDerived; ++I) {
      T += I ? "," : ",\"derived\":[";
      appendUInt(T, F.Derived[I]);
    }
    if (F.NumDerived)
      T += ']';
    if (!F.Unattributed.Null && !F.Unattributed.Text.empty()) {
      T += ",\"unattributed\":";
      appendJsonString(T, F.Unattributed.Text);
    }
    if (F.Success)
      T += ",\"success\":true";
    if (F.Uncaught)
      T += ",\"uncaught\":true";
    T += '}';
    return written(Out.end());
  }

  void warning(std::string Message) override { Warnings.push_back(std::move(Message)); }

  /// After the whole trace: calls that never ended (the program was cut
  /// short, a thread still ran at exit) end at their thread's last time;
  /// edges whose producer never ended are dropped, with a warning.
  bool finish() {
    if (!HasClock)
      return noTimes();
    size_t Unfinished = 0;
    for (auto &[Id, T] : Tracks) {
      while (!T.Open.empty()) {
        OpenCall O = std::move(T.Open.back());
        T.Open.pop_back();
        O.Args += ",\"unfinished\":true";
        ++Unfinished;
        if (!close(T, O, std::max(T.Last, O.Start), false))
          return false;
      }
    }
    if (Unfinished)
      Warnings.push_back(Name + ": " + std::to_string(Unfinished) +
                         " call(s) have no end in the trace; their slices end at their thread's last time");
    size_t Dropped = 0;
    for (const auto &[Node, Ends] : Waiting)
      Dropped += Ends.size();
    if (Dropped)
      Warnings.push_back(Name + ": " + std::to_string(Dropped) +
                         " data-flow edge(s) name a producer that is not in the trace; not drawn");
    if (Untimed)
      Warnings.push_back(Name + ": " + std::to_string(Untimed) + " feedback record(s) have no time; not drawn");
    return true;
  }

  std::vector<std::string> Warnings;

private:
  struct OpenCall {
    uint64_t Node = 0, Start = 0;
    /// When the first child started and the last one ended, if any.
    uint64_t FirstChild = Unknown, LastChildEnd = Unknown;
    std::string_view Name;
    std::string Args;           ///< The slice's args, without braces.
    std::vector<uint64_t> From; ///< Producers of its values.
  };
  struct Track {
    std::vector<OpenCall> Open;
    /// Where flows from each call start: indexed by seq - Base - 1.
    std::vector<uint64_t> Points;
    uint64_t Base = 0;
    uint64_t Last = 0; ///< The latest time seen on the thread.
  };
  /// A flow waiting for its producer to end (another thread's call whose
  /// end comes later in the file).
  struct FlowEnd {
    uint32_t Thread;
    uint64_t At;
  };

  Track &track(uint32_t Id) {
    auto [It, New] = Tracks.try_emplace(Id);
    if (New) {
      meta("thread_name", Id, "thread " + std::to_string(Id));
      sortIndex("thread_sort_index", Id, Id);
    }
    return It->second;
  }
  Track *find(uint32_t Id) {
    auto It = Tracks.find(Id);
    return It == Tracks.end() ? nullptr : &It->second;
  }

  void producers(OpenCall &O, const BinValue &V) {
    if (V.From)
      O.From.push_back(V.From);
    for (uint32_t I = 0; I < V.NumDerived; ++I)
      if (V.Derived[I])
        O.From.push_back(V.Derived[I]);
  }

  /// Where flows from \p Node start, or Unknown.
  uint64_t pointOf(uint64_t Node) {
    Track *T = find(uint32_t(Node >> 32));
    uint64_t Seq = Node & 0xFFFFFFFFu;
    if (!T || Seq <= T->Base || Seq - T->Base > T->Points.size())
      return Unknown;
    return T->Points[Seq - T->Base - 1];
  }

  /// Writes the slice of \p O, which ended at \p End, and the flows that
  /// its end makes known.
  bool close(Track &T, OpenCall &O, uint64_t End, bool Threw) {
    uint32_t Thread = uint32_t(O.Node >> 32);
    std::string &S = Out.begin();
    S += "\"ph\":\"X\",\"name\":";
    appendJsonString(S, O.Name);
    S += Threw ? ",\"cat\":\"call,exception\",\"pid\":" : ",\"cat\":\"call\",\"pid\":";
    appendUInt(S, Pid);
    S += ",\"tid\":";
    appendUInt(S, Thread);
    S += ",\"ts\":";
    appendMicros(S, O.Start);
    S += ",\"dur\":";
    appendMicros(S, End - O.Start);
    S += ",\"args\":{";
    S += O.Args;
    S += '}';
    if (!written(Out.end()))
      return false;
    if (!T.Open.empty())
      T.Open.back().LastChildEnd = End;
    // Its own time: after its last child, before its first.
    uint64_t From = middle(O.LastChildEnd == Unknown ? O.Start : O.LastChildEnd, End);
    uint64_t To = middle(O.Start, O.FirstChild == Unknown ? End : O.FirstChild);
    uint64_t Seq = O.Node & 0xFFFFFFFFu;
    if (Seq > T.Base && Seq - T.Base <= T.Points.size())
      T.Points[Seq - T.Base - 1] = From;
    for (uint64_t P : O.From) {
      uint64_t At = pointOf(P);
      if (At == Unknown) {
        Waiting[P].push_back({Thread, To});
        continue;
      }
      if (!flow(P, At, Thread, To))
        return false;
    }
    if (!Waiting.empty()) {
      auto It = Waiting.find(O.Node);
      if (It != Waiting.end()) {
        std::vector<FlowEnd> Ends = std::move(It->second);
        Waiting.erase(It);
        for (const FlowEnd &E : Ends)
          if (!flow(O.Node, From, E.Thread, E.At))
            return false;
      }
    }
    return true;
  }

  /// A flow from \p Producer's slice at \p At to the slice on \p Thread
  /// that encloses \p To.
  bool flow(uint64_t Producer, uint64_t At, uint32_t Thread, uint64_t To) {
    uint64_t Id = Out.NextFlow++;
    std::string &S = Out.begin();
    S += "\"ph\":\"s\",\"name\":\"value\",\"cat\":\"dataflow\",\"id\":";
    appendUInt(S, Id);
    S += ",\"pid\":";
    appendUInt(S, Pid);
    S += ",\"tid\":";
    appendUInt(S, uint32_t(Producer >> 32));
    S += ",\"ts\":";
    appendMicros(S, At);
    if (!written(Out.end()))
      return false;
    std::string &F = Out.begin();
    F += "\"ph\":\"f\",\"bp\":\"e\",\"name\":\"value\",\"cat\":\"dataflow\",\"id\":";
    appendUInt(F, Id);
    F += ",\"pid\":";
    appendUInt(F, Pid);
    F += ",\"tid\":";
    appendUInt(F, Thread);
    F += ",\"ts\":";
    appendMicros(F, To);
    return written(Out.end());
  }

  /// Starts a metadata event \p What of the track \p Tid, up to the opening
  /// of its arguments.
  std::string &metaHead(const char *What, uint32_t Tid) {
    std::string &T = Out.begin();
    T += "\"ph\":\"M\",\"name\":\"";
    T += What;
    T += "\",\"pid\":";
    appendUInt(T, Pid);
    T += ",\"tid\":";
    appendUInt(T, Tid);
    T += ",\"args\":{";
    return T;
  }

  /// A metadata event that orders the tracks: \p What is process_sort_index
  /// or thread_sort_index.
  bool sortIndex(const char *What, uint32_t Tid, uint64_t Index) {
    std::string &T = metaHead(What, Tid);
    T += "\"sort_index\":";
    appendUInt(T, Index);
    T += '}';
    return written(Out.end());
  }

  void meta(const char *What, uint32_t Tid, const std::string &Value) {
    std::string &T = metaHead(What, Tid);
    T += "\"name\":";
    appendJsonString(T, Value);
    T += "}";
    Out.end();
  }

  bool written(bool Ok) {
    if (!Ok)
      Failure = "cannot write the timeline";
    return Ok;
  }

  bool noTimes() {
    Failure = "the trace has no call times (it was recorded without timestamps); run the program again with "
              "TRACE_TIMESTAMPS=1 to record them";
    return false;
  }

  Output &Out;
  uint32_t Pid;
  std::string Name;
  std::string Scratch;
  bool HasClock = false;
  size_t Untimed = 0;
  std::unordered_map<uint32_t, Track> Tracks;
  std::unordered_map<uint64_t, std::vector<FlowEnd>> Waiting;
};

} // namespace

bool exportTimeline(const std::vector<std::string> &Paths, const DumpWriter &Write, std::vector<std::string> &Warnings,
                    std::string &Error) {
  Output Out{Write};
  Out.Text = "{\"traceEvents\":[";
  for (size_t I = 0; I < Paths.size(); ++I) {
    const std::string &Path = Paths[I];
    MappedFile File;
    if (!File.open(Path, Error, /*Whole=*/false))
      return false;
    if (!isBinaryTrace(File.bytes())) {
      Error = Path + ": not a binary trace; export reads the traces that programs write (TRACE_FILE), "
                     "recorded with TRACE_TIMESTAMPS=1";
      return false;
    }
    Timeline T(Out, uint32_t(I + 1), Path);
    BinaryTraceReader Reader(File.bytes(), Path, T);
    Reader.setReleaser([](void *Ctx, uint64_t Offset) { static_cast<MappedFile *>(Ctx)->release(Offset); }, &File);
    bool Ok = Reader.read() && T.finish();
    Warnings.insert(Warnings.end(), T.Warnings.begin(), T.Warnings.end());
    if (!Ok) {
      Error = !Reader.error().empty() ? Reader.error() : Path + ": " + T.Failure;
      return false;
    }
  }
  Out.Text += "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"trace-optimize export\",\"traces\":[";
  for (size_t I = 0; I < Paths.size(); ++I) {
    if (I)
      Out.Text += ',';
    appendJsonString(Out.Text, Paths[I]);
  }
  Out.Text += "]}}\n";
  if (!Out.flush()) {
    Error = "cannot write the timeline";
    return false;
  }
  return true;
}

} // namespace traceopt
