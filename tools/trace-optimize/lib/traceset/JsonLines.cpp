//===- JsonLines.cpp - Reading a JSON Lines trace -------------------------===//
//
// JSON Lines: a hand-written scanner instead of a JSON DOM: one record is
// read field by field into a reused Record of views into the line, so
// reading is linear. What the result keeps is copied into the TraceSet's
// text pool, a few large blocks, rather than into a std::string per value:
// with millions of calls, allocations and the page faults of scattered
// small objects cost more than parsing (docs/performance.md). The file
// itself is not kept.
//
//===----------------------------------------------------------------------===//
#include "traceset/Loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace traceopt {
namespace loader {

namespace {

/// The decoded form of the escaped strings of one line. The scanner hands
/// out views into the line itself, or into one of these strings when the
/// text had escapes; std::deque keeps them in place as it grows, and they
/// keep their capacity from line to line.
class Scratch {
public:
  std::string &next() {
    if (Used == Strings.size())
      Strings.emplace_back();
    std::string &S = Strings[Used++];
    S.clear();
    return S;
  }
  void reset() { Used = 0; }

private:
  std::deque<std::string> Strings;
  size_t Used = 0;
};

/// A pull scanner over one JSON text. Errors are kept as a message with the
/// column; the caller adds file:line. Strings are views valid until the
/// line's Scratch is reset.
class Scanner {
public:
  Scanner(const char *B, const char *E, Scratch &Decoded) : Begin(B), P(B), End(E), Decoded(Decoded) {}

  bool failed() const { return !Error.empty(); }
  const std::string &error() const { return Error; }
  size_t column() const { return size_t(P - Begin) + 1; }

  bool fail(std::string_view What) {
    if (Error.empty())
      Error = fmt::format("column {}: {}", column(), What);
    return false;
  }

  void ws() {
    while (P < End && (*P == ' ' || *P == '\t' || *P == '\r' || *P == '\n'))
      ++P;
  }
  bool atEnd() {
    ws();
    return P == End;
  }
  char peek() {
    ws();
    return P < End ? *P : '\0';
  }
  bool consume(char C) {
    // The writer puts no whitespace between tokens: test for C first.
    if ((P < End && *P == C) || peek() == C) {
      ++P;
      return true;
    }
    return false;
  }
  bool expect(char C) {
    if (consume(C))
      return true;
    return expected(C);
  }

  /// Consumes `null` if it is next.
  bool null() {
    ws();
    if (End - P >= 4 && std::memcmp(P, "null", 4) == 0) {
      P += 4;
      return true;
    }
    return false;
  }

  bool string(std::string_view &Out) {
    if (!expect('"'))
      return false;
    const char *Start = P;
    skipPlain();
    if (P < End && *P == '"') {
      // No escapes (the usual case): a view into the line.
      Out = std::string_view(Start, size_t(P - Start));
      ++P;
      return true;
    }
    std::string &Buf = Decoded.next();
    Buf.assign(Start, P);
    while (true) {
      if (P == End)
        return fail("unterminated string");
      char C = *P++;
      if (C == '"') {
        Out = Buf;
        return true;
      }
      if (C != '\\')
        return --P, fail("control character inside a string");
      if (P == End)
        return fail("unterminated escape");
      switch (*P++) {
      case '"': Buf += '"'; break;
      case '\\': Buf += '\\'; break;
      case '/': Buf += '/'; break;
      case 'b': Buf += '\b'; break;
      case 'f': Buf += '\f'; break;
      case 'n': Buf += '\n'; break;
      case 'r': Buf += '\r'; break;
      case 't': Buf += '\t'; break;
      case 'u': {
        uint32_t Cp;
        if (!hex4(Cp))
          return false;
        if (Cp >= 0xD800 && Cp < 0xDC00 && End - P >= 6 && P[0] == '\\' && P[1] == 'u') {
          P += 2;
          uint32_t Lo;
          if (!hex4(Lo))
            return false;
          if (Lo >= 0xDC00 && Lo < 0xE000)
            Cp = 0x10000 + ((Cp - 0xD800) << 10) + (Lo - 0xDC00);
        }
        appendUtf8(Buf, Cp);
        break;
      }
      default:
        --P;
        return fail("invalid escape in a string");
      }
      const char *Run = P;
      skipPlain();
      Buf.append(Run, P);
    }
  }

  /// The characters of a number token.
  bool numberToken(std::string_view &Tok) {
    ws();
    const char *Start = P;
    while (P < End && (std::isdigit(static_cast<unsigned char>(*P)) || *P == '-' || *P == '+' || *P == '.' ||
                       *P == 'e' || *P == 'E'))
      ++P;
    if (P == Start)
      return fail(P == End ? "expected a number but the line ends" : "expected a number");
    Tok = std::string_view(Start, size_t(P - Start));
    return true;
  }

  bool u64(uint64_t &V) {
    // Fast path: up to 19 digits cannot overflow, and the next character
    // ends the number. Anything else is left to the general path below.
    const char *Start = P;
    uint64_t X = 0;
    while (P < End && P - Start < 19 && unsigned(*P - '0') < 10)
      X = X * 10 + uint64_t(*P++ - '0');
    if (P > Start && (P == End || (!std::isdigit(static_cast<unsigned char>(*P)) && *P != '-' && *P != '+' &&
                                   *P != '.' && *P != 'e' && *P != 'E'))) {
      V = X;
      return true;
    }
    P = Start;
    std::string_view Tok;
    if (!numberToken(Tok))
      return false;
    auto [Ptr, Ec] = std::from_chars(Tok.data(), Tok.data() + Tok.size(), V);
    if (Ec != std::errc() || Ptr != Tok.data() + Tok.size())
      return fail(fmt::format("expected a non-negative integer, found '{}'", Tok));
    return true;
  }

  bool number(double &V) {
    std::string_view Tok;
    if (!numberToken(Tok))
      return false;
    auto [Ptr, Ec] = std::from_chars(Tok.data(), Tok.data() + Tok.size(), V);
    if (Ec != std::errc() || Ptr != Tok.data() + Tok.size())
      return fail(fmt::format("expected a number, found '{}'", Tok));
    return true;
  }

  bool boolean(bool &V) {
    ws();
    if (End - P >= 4 && std::memcmp(P, "true", 4) == 0) {
      P += 4;
      V = true;
      return true;
    }
    if (End - P >= 5 && std::memcmp(P, "false", 5) == 0) {
      P += 5;
      V = false;
      return true;
    }
    return fail("expected true or false");
  }

  bool skipValue(unsigned Depth = 0) {
    if (Depth > 200)
      return fail("nested too deeply");
    char C = peek();
    if (C == '"') {
      std::string_view Ignored;
      return string(Ignored);
    }
    if (C == '{')
      return object([&](std::string_view) { return skipValue(Depth + 1); });
    if (C == '[')
      return array([&] { return skipValue(Depth + 1); });
    if (C == 't' || C == 'f') {
      bool B;
      return boolean(B);
    }
    if (null())
      return true;
    double D;
    return number(D);
  }

  /// Reads an object, calling OnKey(Key) for each member; OnKey consumes the value.
  template <class F> bool object(F &&OnKey) {
    if (!expect('{'))
      return false;
    if (consume('}'))
      return true;
    while (true) {
      std::string_view Key;
      if (!string(Key))
        return false;
      if (!expect(':'))
        return false;
      if (!OnKey(Key))
        return false;
      if (consume(','))
        continue;
      return expect('}');
    }
  }

  template <class F> bool array(F &&OnElem) {
    if (!expect('['))
      return false;
    if (consume(']'))
      return true;
    while (true) {
      if (!OnElem())
        return false;
      if (consume(','))
        continue;
      return expect(']');
    }
  }

  /// A string, or null (then \p Out is empty and \p IsNull set).
  bool stringOrNull(std::string_view &Out, bool *IsNull = nullptr) {
    if (null()) {
      Out = std::string_view();
      if (IsNull)
        *IsNull = true;
      return true;
    }
    if (IsNull)
      *IsNull = false;
    return string(Out);
  }

private:
  /// The failure of expect(), out of line so that expect() stays small
  /// enough to inline.
  [[gnu::noinline]] bool expected(char C) {
    if (P == End)
      return fail(fmt::format("expected '{}' but the line ends", C));
    return fail(fmt::format("expected '{}' but found '{}'", C, *P));
  }

  /// Moves P over characters that stand for themselves inside a string.
  void skipPlain() {
    while (P < End && *P != '"' && *P != '\\' && static_cast<unsigned char>(*P) >= 0x20)
      ++P;
  }

  bool hex4(uint32_t &V) {
    if (End - P < 4)
      return fail("truncated \\u escape");
    V = 0;
    for (int I = 0; I < 4; ++I) {
      char C = *P++;
      V <<= 4;
      if (C >= '0' && C <= '9')
        V |= uint32_t(C - '0');
      else if (C >= 'a' && C <= 'f')
        V |= uint32_t(C - 'a' + 10);
      else if (C >= 'A' && C <= 'F')
        V |= uint32_t(C - 'A' + 10);
      else
        return fail("invalid \\u escape");
    }
    return true;
  }

  static void appendUtf8(std::string &Out, uint32_t Cp) {
    if (Cp < 0x80) {
      Out += char(Cp);
    } else if (Cp < 0x800) {
      Out += char(0xC0 | (Cp >> 6));
      Out += char(0x80 | (Cp & 0x3F));
    } else if (Cp < 0x10000) {
      Out += char(0xE0 | (Cp >> 12));
      Out += char(0x80 | ((Cp >> 6) & 0x3F));
      Out += char(0x80 | (Cp & 0x3F));
    } else {
      Out += char(0xF0 | (Cp >> 18));
      Out += char(0x80 | ((Cp >> 12) & 0x3F));
      Out += char(0x80 | ((Cp >> 6) & 0x3F));
      Out += char(0x80 | (Cp & 0x3F));
    }
  }

  const char *Begin, *P, *End;
  Scratch &Decoded;
  std::string Error;
};

} // namespace

/// Which list of a call record an argument is in.
enum class ArgList : uint8_t { Args, This, Globals };

/// The `derived`/`from_param` fields of one argument of the current record.
struct PendingExtra {
  ArgList List = ArgList::Args;
  uint32_t Pos = 0; ///< Position within List.
  uint32_t FirstDerived = 0, NumDerived = 0; ///< Record::DerivedIds[FirstDerived ..).
  uint64_t Omitted = 0;
  std::string_view FromParam;
};

/// The union of the fields of all record kinds, reused line after line. The
/// strings are views valid until the next line.
struct Record {
  std::string_view K, Format, Key, Name, Signature, File, Doc, SiteParam, Id, Kind, Hash, Text, Constraint, Type,
      Value, Directory, ExcType, ExcWhat, ExcFile, Unattributed;
  uint64_t Node = 0, Site = 0, Parent = 0, Thread = 0, Line = 0, Begin = 0, End = 0, Version = 0, Dropped = 0,
           ExcLine = 0, Lost = 0;
  bool HasNode = false, HasSite = false, HasValue = false, HasType = false, HasExc = false, HasText = false,
       HasVersion = false, HasBegin = false, HasEnd = false, Success = false, HasThis = false, Uncaught = false;
  std::optional<double> Score;
  std::vector<Arg> Args, Globals;
  std::vector<std::string_view> Strings; ///< `args` of a tu, `params` of a site.
  Arg This;
  std::vector<PendingExtra> Extras;
  std::vector<uint64_t> DerivedIds;
  /// A feedback record's own `derived` list: DerivedIds[FirstDerived ..),
  /// kept there so that it reuses that vector's capacity.
  uint32_t FirstDerived = 0, NumDerived = 0;
  uint64_t DerivedOmitted = 0;

  void reset() {
    for (std::string_view *S : {&K, &Format, &Key, &Name, &Signature, &File, &Doc, &SiteParam, &Id, &Kind, &Hash,
                                &Text, &Constraint, &Type, &Value, &Directory, &ExcType, &ExcWhat, &ExcFile,
                                &Unattributed})
      *S = std::string_view();
    Node = Site = Parent = Thread = Line = Begin = End = Version = Dropped = ExcLine = Lost = DerivedOmitted = 0;
    FirstDerived = NumDerived = 0;
    HasNode = HasSite = HasValue = HasType = HasExc = HasText = HasVersion = HasBegin = HasEnd = Success = HasThis =
        Uncaught = false;
    Score.reset();
    Args.clear();
    Globals.clear();
    Strings.clear();
    Extras.clear();
    DerivedIds.clear();
  }
};

namespace {

/// Reads one argument object. The fields every argument may have are tested
/// first; the rare `derived`/`from_param` go to \p R's extras, tagged with
/// the argument's place (\p List, \p Pos).
bool readArg(Scanner &S, Arg &A, Record &R, ArgList List, size_t Pos) {
  auto Extra = [&]() -> PendingExtra & {
    if (R.Extras.empty() || R.Extras.back().List != List || R.Extras.back().Pos != Pos) {
      PendingExtra &E = R.Extras.emplace_back();
      E.List = List;
      E.Pos = uint32_t(Pos);
    }
    return R.Extras.back();
  };
  return S.object([&](std::string_view Key) {
    if (Key == "name" || Key == "param")
      return S.stringOrNull(A.Name);
    if (Key == "type")
      return S.stringOrNull(A.Type);
    if (Key == "value")
      return S.stringOrNull(A.Value);
    if (Key == "from") {
      if (S.null())
        return true;
      return S.u64(A.From);
    }
    if (Key == "modified")
      return S.boolean(A.Modified);
    if (Key == "derived") {
      if (S.null())
        return true;
      PendingExtra &E = Extra();
      E.FirstDerived = uint32_t(R.DerivedIds.size());
      bool Ok = S.array([&] { return S.u64(R.DerivedIds.emplace_back()); });
      E.NumDerived = uint32_t(R.DerivedIds.size() - E.FirstDerived);
      return Ok;
    }
    if (Key == "derived_omitted")
      return S.null() || S.u64(Extra().Omitted);
    if (Key == "from_param")
      return S.stringOrNull(Extra().FromParam);
    return S.skipValue();
  });
}

bool readArgList(Scanner &S, Record &R, ArgList List, std::vector<Arg> &Out, std::vector<std::string_view> *Strings) {
  return S.array([&] {
    if (Strings && S.peek() == '"')
      return S.string(Strings->emplace_back());
    size_t Pos = Out.size();
    return readArg(S, Out.emplace_back(), R, List, Pos);
  });
}
/// Reads one record into \p R. The slot of its node id in \p Ids is
/// prefetched as soon as the id is read: the id map of a million-node trace
/// is far larger than the cache, and a call record's insertion is otherwise
/// a cache miss per node.
bool readRecord(Scanner &S, Record &R, const NodeIdMap &Ids) {
  return S.object([&](std::string_view Key) -> bool {
    switch (Key.empty() ? '\0' : Key[0]) {
    case 'a':
      if (Key == "args")
        return readArgList(S, R, ArgList::Args, R.Args, &R.Strings);
      break;
    case 'b':
      if (Key == "begin")
        return R.HasBegin = true, S.u64(R.Begin);
      break;
    case 'c':
      if (Key == "constraint")
        return S.stringOrNull(R.Constraint);
      break;
    case 'd':
      if (Key == "doc")
        return S.stringOrNull(R.Doc);
      if (Key == "directory")
        return S.stringOrNull(R.Directory);
      if (Key == "dropped")
        return S.u64(R.Dropped);
      if (Key == "derived") {
        // A feedback record's value built from parts of several outputs.
        if (S.null())
          return true;
        R.FirstDerived = uint32_t(R.DerivedIds.size());
        bool Ok = S.array([&] { return S.u64(R.DerivedIds.emplace_back()); });
        R.NumDerived = uint32_t(R.DerivedIds.size() - R.FirstDerived);
        return Ok;
      }
      if (Key == "derived_omitted")
        return S.null() || S.u64(R.DerivedOmitted);
      break;
    case 'e':
      if (Key == "end")
        return R.HasEnd = true, S.u64(R.End);
      if (Key == "exception") {
        R.HasExc = true;
        return S.object([&](std::string_view EK) {
          if (EK == "type")
            return S.stringOrNull(R.ExcType);
          if (EK == "what")
            return S.stringOrNull(R.ExcWhat);
          if (EK == "file")
            return S.stringOrNull(R.ExcFile);
          if (EK == "line")
            return S.null() || S.u64(R.ExcLine);
          return S.skipValue();
        });
      }
      break;
    case 'f':
      if (Key == "file")
        return S.stringOrNull(R.File);
      if (Key == "format")
        return S.stringOrNull(R.Format);
      break;
    case 'g':
      if (Key == "globals")
        return readArgList(S, R, ArgList::Globals, R.Globals, nullptr);
      break;
    case 'h':
      if (Key == "hash")
        return S.stringOrNull(R.Hash);
      break;
    case 'i':
      if (Key == "id")
        return S.stringOrNull(R.Id);
      break;
    case 'k':
      if (Key == "k")
        return S.string(R.K);
      if (Key == "key")
        return S.stringOrNull(R.Key);
      if (Key == "kind")
        return S.stringOrNull(R.Kind);
      break;
    case 'l':
      if (Key == "line")
        return S.u64(R.Line);
      if (Key == "lost")
        return S.null() || S.u64(R.Lost);
      break;
    case 'n':
      if (Key == "node") {
        R.HasNode = true;
        if (!S.u64(R.Node))
          return false;
        Ids.prefetch(R.Node);
        return true;
      }
      if (Key == "name")
        return S.stringOrNull(R.Name);
      break;
    case 'p':
      if (Key == "parent")
        return S.null() || S.u64(R.Parent);
      if (Key == "param")
        return S.stringOrNull(R.SiteParam);
      if (Key == "params")
        return S.array([&] {
          R.Strings.emplace_back();
          return S.stringOrNull(R.Strings.back());
        });
      break;
    case 's':
      if (Key == "site")
        return R.HasSite = true, S.u64(R.Site);
      if (Key == "signature")
        return S.stringOrNull(R.Signature);
      if (Key == "score") {
        if (S.null())
          return true;
        double D;
        if (!S.number(D))
          return false;
        R.Score = D;
        return true;
      }
      if (Key == "success")
        return S.boolean(R.Success);
      break;
    case 't':
      if (Key == "thread")
        return S.u64(R.Thread);
      if (Key == "type")
        return R.HasType = true, S.stringOrNull(R.Type);
      if (Key == "text")
        return R.HasText = true, S.stringOrNull(R.Text);
      if (Key == "this") {
        if (S.null())
          return true;
        R.HasThis = true;
        R.This = Arg();
        return readArg(S, R.This, R, ArgList::This, 0);
      }
      break;
    case 'u':
      if (Key == "unattributed")
        return S.stringOrNull(R.Unattributed);
      if (Key == "uncaught")
        return S.boolean(R.Uncaught);
      break;
    case 'v':
      if (Key == "value")
        return R.HasValue = true, S.stringOrNull(R.Value);
      if (Key == "version")
        return R.HasVersion = true, S.u64(R.Version);
      break;
    }
    return S.skipValue();
  });
}

/// How many calls and arguments a trace holds, to size the arrays once
/// instead of growing them (growing copies them, and page faults on the
/// copies cost more than the copying). Counted from the text the writer
/// produces (`{"k":"call"`, `{"name":`, `{"param":`, `"this":{`) in the
/// first few MiB and extrapolated with a margin: counting a whole
/// 200 MB trace takes longer than parsing a tenth of it. A hint only: if it
/// is short, the arrays grow; room reserved beyond it is never touched.
struct SizeHint {
  size_t Calls = 0, Args = 0;
};

SizeHint estimateSize(std::string_view Text) {
  const size_t Sample = size_t(4) << 20;
  std::string_view Head = Text.substr(0, Sample);
  SizeHint H;
  const char *Begin = Head.data(), *End = Begin + Head.size();
  auto StartsWith = [&](const char *P, std::string_view S) {
    return size_t(End - P) >= S.size() && std::memcmp(P, S.data(), S.size()) == 0;
  };
  for (const char *P = Begin; P < End; ++P) {
    P = static_cast<const char *>(std::memchr(P, '{', size_t(End - P)));
    if (!P)
      break;
    if (StartsWith(P, "{\"k\":\"call\""))
      ++H.Calls;
    else if (StartsWith(P, "{\"name\":") || StartsWith(P, "{\"param\":") ||
             (P - Begin >= 7 && std::memcmp(P - 7, "\"this\":", 7) == 0))
      ++H.Args;
  }
  if (Text.size() > Head.size()) {
    double Scale = 1.25 * double(Text.size()) / double(Head.size());
    H.Calls = size_t(double(H.Calls) * Scale) + 1024;
    H.Args = size_t(double(H.Args) * Scale) + 1024;
  }
  return H;
}

} // namespace

bool FileReader::read(std::string_view Text, std::string &Error) {
  SizeHint Hint = estimateSize(Text);
  T.Nodes.reserve(T.Nodes.size() + Hint.Calls);
  T.Calls.reserve(T.Calls.size() + Hint.Calls);
  T.CallOf.reserve(T.Nodes.size() + Hint.Calls);
  T.Args.reserve(T.Args.size() + Hint.Args);
  T.IdToIndex[Instance].reserve(Hint.Calls);

  size_t Pos = 0, LineNo = 0;
  bool SawHeader = false;
  Record R;
  Scratch Decoded;
  while (Pos < Text.size()) {
    size_t Nl = Text.find('\n', Pos);
    bool LastUnterminated = Nl == std::string_view::npos;
    size_t LineEnd = LastUnterminated ? Text.size() : Nl;
    std::string_view Line = Text.substr(Pos, LineEnd - Pos);
    Pos = LastUnterminated ? Text.size() : Nl + 1;
    ++LineNo;
    Decoded.reset();
    Scanner S(Line.data(), Line.data() + Line.size(), Decoded);
    if (S.atEnd())
      continue;
    R.reset();
    bool Ok = readRecord(S, R, T.IdToIndex[Instance]) && (S.atEnd() || S.fail("unexpected text after the record"));
    if (!Ok) {
      if (LastUnterminated && SawHeader) {
        T.Warnings.push_back(fmt::format("{}:{}: the last line is incomplete ({}); it was ignored (the program "
                                         "was cut short?)",
                                         Name, LineNo, S.error()));
        break;
      }
      Error = fmt::format("{}:{}: malformed record: {}", Name, LineNo, S.error());
      return false;
    }
    if (!SawHeader) {
      if (R.K != "header" || R.Format != "trace-cpp") {
        Error = fmt::format("{}:{}: not a trace-cpp trace: the first record must be "
                            "{{\"k\":\"header\",\"format\":\"trace-cpp\",...}}",
                            Name, LineNo);
        return false;
      }
      if (!R.HasVersion || R.Version != 1) {
        Error = fmt::format("{}:{}: unsupported trace format version {} (this trace-optimize reads version 1)",
                            Name, LineNo, R.HasVersion ? std::to_string(R.Version) : "(missing)");
        return false;
      }
      SawHeader = true;
      continue;
    }
    if (!handle(R, LineNo, Error))
      return false;
  }
  if (!SawHeader) {
    Error = fmt::format("{}: empty trace file (no header record)", Name);
    return false;
  }
  finish();
  return true;
}

bool FileReader::require(bool Has, const char *Field, const Record &R, size_t LineNo, std::string &Error) {
  if (Has)
    return true;
  Error = fmt::format("{}:{}: '{}' record without '{}'", Name, LineNo, R.K, Field);
  return false;
}

bool FileReader::handleCall(const Record &R, size_t LineNo, std::string &Error) {
  if (!require(R.HasNode && R.Node != 0, "node", R, LineNo, Error) || !require(R.HasSite, "site", R, LineNo, Error))
    return false;
  // Indices into Nodes and Args are 32 bits, and so are those of the
  // graph's edges, which are at most one per node and one per argument.
  size_t NewArgs = R.Args.size() + R.HasThis + R.Globals.size() + R.DerivedIds.size();
  if (T.Nodes.size() + T.Args.size() + T.Derived.size() + 1 + NewArgs >= NoIndex) {
    Error = fmt::format("{}:{}: too many calls and arguments (at most {} in all traces)", Name, LineNo,
                        NoIndex - 1);
    return false;
  }
  size_t Index = T.Nodes.size();
  if (!T.IdToIndex[Instance].insert(R.Node, Index)) {
    Error = fmt::format("{}:{}: node {} is called twice", Name, LineNo, R.Node);
    return false;
  }
  Node &N = T.appendNode(uint32_t(T.Calls.size()));
  N.ParentIndex = resolve(R.Parent);
  if (R.Parent && N.ParentIndex == NoIndex)
    T.ParentIds.push_back({uint32_t(Index), R.Parent});
  N.setFlag(Node::TopLevelFlag, R.Parent == 0);
  N.Site = siteIndex(R.Site);
  if (N.Site < 0)
    LaterSites.push_back({uint32_t(Index), R.Site});
  CallValues &V = T.Calls.emplace_back();
  V.Id = R.Node;
  V.Instance = uint16_t(Instance);
  V.FirstArg = uint32_t(T.Args.size());
  V.NumArgs = uint32_t(R.Args.size());
  V.HasThis = R.HasThis;
  V.NumGlobals = uint32_t(R.Globals.size());
  for (const Arg &A : R.Args)
    keepArg(A);
  if (R.HasThis)
    keepArg(R.This);
  for (const Arg &A : R.Globals)
    keepArg(A);
  for (const PendingExtra &P : R.Extras)
    keepExtra(V, R, P);
  return true;
}

void FileReader::keepExtra(const CallValues &N, const Record &R, const PendingExtra &P) {
  size_t Offset = P.List == ArgList::Args ? P.Pos : P.List == ArgList::This ? N.NumArgs : N.NumArgs + N.HasThis + P.Pos;
  ArgExtra &E = T.Extras.emplace_back();
  E.ArgIndex = uint32_t(N.FirstArg + Offset);
  E.FromParam = keep(P.FromParam);
  E.DerivedOmitted = P.Omitted;
  E.FirstDerived = uint32_t(T.Derived.size());
  E.NumDerived = P.NumDerived;
  for (uint32_t I = 0; I < P.NumDerived; ++I) {
    uint64_t Id = R.DerivedIds[P.FirstDerived + I];
    T.Derived.push_back({Id, resolve(Id)});
  }
  T.Args[E.ArgIndex].HasExtra = true;
}

bool FileReader::handle(Record &R, size_t LineNo, std::string &Error) {
  if (R.K.empty()) {
    Error = fmt::format("{}:{}: record without a kind (\"k\")", Name, LineNo);
    return false;
  }
  if (R.K == "call")
    return handleCall(R, LineNo, Error);
  if (R.K == "ret") {
    if (!require(R.HasNode, "node", R, LineNo, Error))
      return false;
    size_t Index = T.IdToIndex[Instance].find(R.Node);
    if (Index == NodeIdMap::npos) {
      ++UnknownRets;
      return true;
    }
    Node &N = T.Nodes[Index];
    Finished += !N.finished();
    N.setFlag(Node::FinishedFlag, true);
    N.setFlag(Node::ThrewFlag, R.HasExc);
    CallValues &V = T.values(N);
    if (R.HasExc) {
      V.setException(keep(R.ExcType), keep(R.ExcWhat));
      if (!R.ExcFile.empty() && R.ExcLine) {
        // Usually in call order already; finish() sorts what is not.
        ThrowSitesSorted = ThrowSitesSorted && (T.ThrowSites.empty() || T.ThrowSites.back().Node < Index);
        T.ThrowSites.push_back({uint32_t(Index), keep(R.ExcFile), unsigned(R.ExcLine)});
      }
      return true;
    }
    std::optional<std::string_view> Type, Value;
    if (R.HasType)
      Type = keep(R.Type);
    if (R.HasValue)
      Value = keep(R.Value);
    V.setReturn(Type, Value);
    return true;
  }
  if (R.K == "site") {
    if (!require(R.HasSite, "site", R, LineNo, Error))
      return false;
    auto [It, New] = SiteByKey.emplace(std::string(R.Key), int(T.Sites.size()));
    if (New && T.Sites.size() >= Node::MaxSites) {
      Error = fmt::format("{}:{}: too many functions (at most {} in all traces)", Name, LineNo, Node::MaxSites);
      return false;
    }
    if (New) {
      Site &S = T.Sites.emplace_back();
      S.Key = R.Key;
      S.Name = R.Name;
      S.Signature = R.Signature;
      S.File = R.File;
      S.Doc = R.Doc;
      S.ParamId = R.SiteParam;
      S.Line = unsigned(R.Line);
      S.Params.assign(R.Strings.begin(), R.Strings.end());
    }
    // Site ids are small numbers counted from 1: a flat table finds them
    // for every call without hashing.
    if (R.Site < (uint64_t(1) << 16)) {
      if (R.Site >= SiteBySmallId.size())
        SiteBySmallId.resize(R.Site + 1, -1);
      SiteBySmallId[R.Site] = It->second;
    } else {
      SiteById[R.Site] = It->second;
    }
    return true;
  }
  if (R.K == "feedback") {
    Feedback &F = T.Feedbacks.emplace_back();
    F.Node = R.Node;
    F.Text = R.Text;
    F.Unattributed = R.Unattributed;
    F.Score = R.Score;
    F.Success = R.Success;
    F.Uncaught = R.Uncaught;
    F.Instance = Instance;
    // A value has one producer (`node`) or several (`derived`); only the
    // runtime's form, node 0 with the list, is read as the latter.
    if (R.Node == 0 && (R.NumDerived || R.DerivedOmitted)) {
      F.Derived.reserve(R.NumDerived);
      for (uint32_t I = 0; I < R.NumDerived; ++I) {
        uint64_t Id = R.DerivedIds[R.FirstDerived + I];
        if (Id)
          F.Derived.push_back({Id, resolve(Id)});
        else
          ++F.DerivedOmitted;
      }
      F.DerivedOmitted += R.DerivedOmitted;
    }
    return true;
  }
  if (R.K == "param") {
    if (!require(!R.Id.empty(), "id", R, LineNo, Error))
      return false;
    if (R.Kind != "code" && R.Kind != "value") {
      Error = fmt::format("{}:{}: param '{}' has kind '{}' (expected \"code\" or \"value\")", Name, LineNo, R.Id,
                          R.Kind);
      return false;
    }
    if (!require(R.HasBegin && R.HasEnd, "begin/end", R, LineNo, Error))
      return false;
    if (T.findParam(R.Id))
      return true;
    Param &P = T.Params.emplace_back();
    P.Id = R.Id;
    P.Kind = R.Kind;
    P.Name = R.Name;
    P.File = R.File;
    P.Hash = R.Hash;
    P.Text = R.Text;
    P.Signature = R.Signature;
    P.Type = R.Type;
    P.Value = R.HasValue ? R.Value : R.Text;
    P.Constraint = R.Constraint;
    P.Line = unsigned(R.Line);
    P.Begin = R.Begin;
    P.End = R.End;
    return true;
  }
  if (R.K == "tu") {
    for (const TuInfo &Tu : T.Tus)
      if (Tu.File == R.File)
        return true;
    TuInfo &Tu = T.Tus.emplace_back();
    Tu.File = R.File;
    Tu.Directory = R.Directory;
    Tu.Args.assign(R.Strings.begin(), R.Strings.end());
    return true;
  }
  if (R.K == "end") {
    SawEnd = true;
    Dropped = R.Dropped;
    T.Lost[Instance] = R.Lost;
    return true;
  }
  if (R.K == "header") {
    Error = fmt::format("{}:{}: a second header record (were two traces concatenated? pass them as separate "
                        "files)",
                        Name, LineNo);
    return false;
  }
  // Unknown kinds come from newer writers; they carry nothing we need.
  return true;
}

} // namespace loader
} // namespace traceopt
