//===- JsonDump.cpp - The JSON Lines export of a binary trace -------------===//
//
// Field order and the conditions for optional fields follow the runtime's
// former JSON writer (runtime/lib/Writer.cpp at format version 1): that
// text is what the tests and users' scripts were written against.
//
//===----------------------------------------------------------------------===//
#include "JsonDump.h"

#include "BinaryTrace.h"
#include "TraceText.h"

#include <charconv>
#include <cmath>

namespace traceopt {

namespace {

/// Writes each record as one line into a buffer handed to the writer in
/// pieces of about 1 MiB.
class JsonDumper final : public BinHandler {
public:
  explicit JsonDumper(const DumpWriter &Write) : Write(Write) { Out.reserve(FlushAt + (64 << 10)); }

  bool flush() {
    if (Out.empty())
      return true;
    bool Ok = Write(Out);
    Out.clear();
    if (!Ok)
      Failure = "cannot write the JSON output";
    return Ok;
  }

  bool header(const BinHeader &H) override {
    Out += "{\"k\":\"header\",\"format\":\"trace-cpp\",\"version\":1,\"pid\":";
    appendUInt(Out, H.Pid);
    Out += ",\"program\":";
    appendJsonString(Out, H.Program);
    Out += ",\"time\":";
    appendJsonString(Out, H.Time);
    return line();
  }

  bool clock(const BinClock &C) override {
    Out += "{\"k\":\"clock\",\"source\":";
    Out += C.Source == __trace_format::ClockSource::Tsc ? "\"tsc\"" : "\"monotonic\"";
    Out += ",\"hz\":";
    appendUInt(Out, C.Hz);
    Out += ",\"monotonic_ns\":";
    appendUInt(Out, C.Monotonic);
    return line();
  }

  /// A call's, a result's or a feedback's time, when the trace has them.
  void time(bool Has, uint64_t Ns) {
    if (!Has)
      return;
    Out += ",\"t_ns\":";
    appendUInt(Out, Ns);
  }

  bool tu(const BinTu &T) override {
    Out += "{\"k\":\"tu\",\"file\":";
    nullable(T.File);
    Out += ",\"directory\":";
    nullable(T.Directory);
    Out += ",\"args\":[";
    for (size_t I = 0; I < T.Args.size(); ++I) {
      if (I)
        Out += ',';
      appendJsonString(Out, T.Args[I]);
    }
    Out += ']';
    return line();
  }

  bool site(const BinSite &S) override {
    Out += "{\"k\":\"site\",\"site\":";
    appendUInt(Out, S.Id);
    Out += ",\"key\":";
    nullable(S.Key);
    Out += ",\"name\":";
    nullable(S.Name);
    Out += ",\"signature\":";
    nullable(S.Signature);
    Out += ",\"file\":";
    nullable(S.File);
    Out += ",\"line\":";
    appendUInt(Out, S.Line);
    Out += ",\"params\":[";
    for (size_t I = 0; I < S.Params.size(); ++I) {
      if (I)
        Out += ',';
      appendJsonString(Out, S.Params[I]);
    }
    Out += "],\"doc\":";
    appendJsonString(Out, S.Doc);
    Out += ",\"param\":";
    nullable(S.Param);
    return line();
  }

  bool param(const BinParam &P) override {
    // A code parameter has no type or value, a value parameter no signature.
    bool Code = P.Kind == 0;
    Out += "{\"k\":\"param\",\"id\":";
    appendJsonString(Out, P.Id);
    Out += Code ? ",\"kind\":\"code\"" : ",\"kind\":\"value\"";
    Out += ",\"name\":";
    nullable(P.Name);
    if (!Code) {
      Out += ",\"type\":";
      nullable(P.Type);
      Out += ",\"value\":";
      nullable(P.Value);
    }
    Out += ",\"file\":";
    nullable(P.File);
    Out += ",\"line\":";
    appendUInt(Out, P.Line);
    Out += ",\"begin\":";
    appendUInt(Out, P.Begin);
    Out += ",\"end\":";
    appendUInt(Out, P.End);
    Out += ",\"hash\":";
    nullable(P.Hash);
    Out += ",\"text\":";
    nullable(P.Text);
    if (Code) {
      Out += ",\"signature\":";
      nullable(P.Signature);
    }
    Out += ",\"constraint\":";
    nullable(P.Constraint);
    return line();
  }

  bool call(const BinCall &C) override {
    Out += "{\"k\":\"call\",\"node\":";
    appendUInt(Out, C.Node);
    Out += ",\"site\":";
    appendUInt(Out, C.Site->Id);
    Out += ",\"parent\":";
    appendUInt(Out, C.Parent);
    Out += ",\"thread\":";
    appendUInt(Out, C.Thread);
    Out += ",\"args\":[";
    for (size_t I = 0; I < C.NumArgs; ++I) {
      const BinValue &V = C.Args[I];
      if (I)
        Out += ',';
      Out += "{\"name\":";
      appendJsonString(Out, V.Name);
      value(V);
      Out += '}';
    }
    Out += ']';
    if (C.This) {
      Out += ",\"this\":{";
      value(*C.This, /*LeadingComma=*/false);
      Out += '}';
    }
    if (C.NumGlobals) {
      Out += ",\"globals\":[";
      for (size_t I = 0; I < C.NumGlobals; ++I) {
        const BinValue &V = C.Globals[I];
        if (I)
          Out += ',';
        // A global's `param` names the variable; it has no from_param.
        Out += "{\"param\":";
        if (V.HasParam)
          appendJsonString(Out, V.Param);
        else
          Out += "null";
        value(V, /*LeadingComma=*/true, /*WithParam=*/false);
        Out += '}';
      }
      Out += ']';
    }
    time(C.HasTime, C.Time);
    return line();
  }

  bool ret(const BinRet &R) override {
    Out += "{\"k\":\"ret\",\"node\":";
    appendUInt(Out, R.Node);
    switch (R.Kind) {
    case RetKind::Value:
      value(*R.Value);
      break;
    case RetKind::Void:
      break;
    case RetKind::NotCaptured:
      Out += ",\"value\":\"<not captured>\"";
      break;
    case RetKind::Unfinished:
      Out += ",\"value\":\"<not finished>\"";
      break;
    case RetKind::Exception:
      Out += ",\"exception\":{\"type\":";
      appendJsonString(Out, R.ExcType);
      if (R.HasWhat) {
        Out += ",\"what\":";
        appendJsonString(Out, R.What);
      }
      if (R.HasWhere) {
        Out += ",\"file\":";
        appendJsonString(Out, R.File);
        Out += ",\"line\":";
        appendUInt(Out, R.Line);
      }
      Out += '}';
      break;
    }
    time(R.HasTime, R.Time);
    return line();
  }

  bool feedback(const BinFeedback &F) override {
    Out += "{\"k\":\"feedback\",\"node\":";
    appendUInt(Out, F.Node);
    if (F.NumDerived) {
      Out += ",\"derived\":[";
      for (size_t I = 0; I < F.NumDerived; ++I) {
        if (I)
          Out += ',';
        appendUInt(Out, F.Derived[I]);
      }
      Out += ']';
      if (F.DerivedOmitted) {
        Out += ",\"derived_omitted\":";
        appendUInt(Out, F.DerivedOmitted);
      }
    }
    if (!F.Unattributed.Null && !F.Unattributed.Text.empty()) {
      Out += ",\"unattributed\":";
      appendJsonString(Out, F.Unattributed.Text);
    }
    Out += ",\"text\":";
    appendJsonString(Out, F.Text);
    if (F.HasScore) {
      Out += ",\"score\":";
      // JSON has no inf or nan: such a score is written as null.
      if (std::isfinite(F.Score)) {
        char Buf[64];
        auto R = std::to_chars(Buf, Buf + sizeof Buf, F.Score);
        Out.append(Buf, size_t(R.ptr - Buf));
      } else {
        Out += "null";
      }
    }
    if (F.Success)
      Out += ",\"success\":true";
    if (F.Uncaught)
      Out += ",\"uncaught\":true";
    if (F.HasTime) {
      Out += ",\"thread\":";
      appendUInt(Out, F.Thread);
      time(true, F.Time);
    }
    return line();
  }

  bool cut(const BinCut &C) override {
    Out += "{\"k\":\"cut\",\"site\":";
    appendUInt(Out, C.Site);
    Out += ",\"calls\":";
    appendUInt(Out, C.Calls);
    Out += ",\"recorded\":";
    appendUInt(Out, C.Recorded);
    return line();
  }

  bool end(const BinEnd &E) override {
    Out += "{\"k\":\"end\",\"nodes\":";
    appendUInt(Out, E.Nodes);
    Out += ",\"dropped\":";
    appendUInt(Out, E.Dropped);
    if (E.HasLimit) {
      Out += ",\"cut\":";
      appendUInt(Out, E.Cut);
    }
    if (E.Lost) {
      Out += ",\"lost\":";
      appendUInt(Out, E.Lost);
    }
    return line();
  }

  void warning(std::string Message) override { Warnings.push_back(std::move(Message)); }

  std::vector<std::string> Warnings;

private:
  static constexpr size_t FlushAt = size_t(1) << 20;

  bool line() {
    Out += "}\n";
    return Out.size() < FlushAt || flush();
  }

  void nullable(const OptStr &S) {
    if (S.Null)
      Out += "null";
    else
      appendJsonString(Out, S.Text);
  }

  /// The fields of a value after its name or param: type, value,
  /// truncated, from, modified, derived, derived_omitted, from_param.
  void value(const BinValue &V, bool LeadingComma = true, bool WithParam = true) {
    Out += LeadingComma ? ",\"type\":" : "\"type\":";
    appendJsonString(Out, V.Type);
    Out += ",\"value\":";
    appendJsonString(Out, V.Text);
    if (V.Omitted) {
      Out += ",\"truncated\":";
      appendUInt(Out, V.Omitted);
    }
    if (V.From) {
      Out += ",\"from\":";
      appendUInt(Out, V.From);
      if (V.Modified)
        Out += ",\"modified\":true";
    }
    if (V.HasDerived) {
      if (V.NumDerived) {
        Out += ",\"derived\":[";
        for (uint32_t I = 0; I < V.NumDerived; ++I) {
          if (I)
            Out += ',';
          appendUInt(Out, V.Derived[I]);
        }
        Out += ']';
      }
      if (V.DerivedOmitted) {
        Out += ",\"derived_omitted\":";
        appendUInt(Out, V.DerivedOmitted);
      }
    }
    if (WithParam && V.HasParam) {
      Out += ",\"from_param\":";
      appendJsonString(Out, V.Param);
    }
  }

  const DumpWriter &Write;
  std::string Out;
};

} // namespace

bool dumpTrace(std::string_view Bytes, const std::string &Name, const DumpWriter &Write,
               std::vector<std::string> &Warnings, std::string &Error) {
  if (!isBinaryTrace(Bytes)) {
    // Already JSON Lines (or not a trace at all, which its reader reports):
    // scripts call dump on any trace file.
    if (!Bytes.empty() && !Write(Bytes)) {
      Error = Name + ": cannot write the JSON output";
      return false;
    }
    return true;
  }
  JsonDumper Dumper(Write);
  BinaryTraceReader Reader(Bytes, Name, Dumper);
  bool Ok = Reader.read();
  // What was decoded before an error is written too: it is the readable
  // part of a damaged trace.
  bool Flushed = Dumper.flush();
  Warnings.insert(Warnings.end(), Dumper.Warnings.begin(), Dumper.Warnings.end());
  if (!Ok) {
    Error = Reader.error();
    return false;
  }
  if (!Flushed) {
    Error = Name + ": " + Dumper.Failure;
    return false;
  }
  return true;
}

bool dumpTraceToString(std::string_view Bytes, const std::string &Name, std::string &Out,
                       std::vector<std::string> &Warnings, std::string &Error) {
  DumpWriter Write = [&Out](std::string_view S) {
    Out.append(S);
    return true;
  };
  return dumpTrace(Bytes, Name, Write, Warnings, Error);
}

} // namespace traceopt
