//===- Trace.cpp - Reading trace files ------------------------------------===//
//
// A hand-written scanner instead of a JSON DOM: one record is read field by
// field into a reused Record (strings keep their capacity), so reading is
// linear and allocates little beyond what the result keeps.
//
//===----------------------------------------------------------------------===//
#include "Trace.h"

#include <fmt/format.h>

#include <cerrno>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace traceopt {

const Param *TraceSet::findParam(std::string_view Id) const {
  for (const Param &P : Params)
    if (P.Id == Id)
      return &P;
  return nullptr;
}

const Site *TraceSet::findSite(std::string_view Key) const {
  for (const Site &S : Sites)
    if (S.Key == Key)
      return &S;
  return nullptr;
}

size_t TraceSet::indexOf(unsigned Instance, uint64_t Id) const {
  if (Instance >= IdToIndex.size())
    return npos;
  return IdToIndex[Instance].find(Id);
}

/// Ids are (thread << 32) | sequence: mix the bits so that consecutive
/// sequences of several threads spread over the table.
static size_t mixId(uint64_t Id) {
  Id ^= Id >> 33;
  Id *= 0xff51afd7ed558ccdull;
  Id ^= Id >> 33;
  return size_t(Id);
}

void NodeIdMap::reserve(size_t N) {
  size_t Want = 16;
  while (Want < N + N / 2 + 1)
    Want *= 2;
  if (Want > Slots.size())
    grow(Want);
}

void NodeIdMap::grow(size_t MinSlots) {
  std::vector<std::pair<uint64_t, size_t>> Old = std::move(Slots);
  Slots.assign(MinSlots, {0, 0});
  Count = 0;
  for (const auto &[Id, Index] : Old)
    if (Id)
      insert(Id, Index);
}

bool NodeIdMap::insert(uint64_t Id, size_t Index) {
  if (Id == 0)
    return false;
  if ((Count + 1) * 3 > Slots.size() * 2)
    grow(Slots.empty() ? 16 : Slots.size() * 2);
  size_t Mask = Slots.size() - 1;
  for (size_t I = mixId(Id) & Mask;; I = (I + 1) & Mask) {
    if (Slots[I].first == Id)
      return false;
    if (Slots[I].first == 0) {
      Slots[I] = {Id, Index};
      ++Count;
      return true;
    }
  }
}

size_t NodeIdMap::find(uint64_t Id) const {
  if (Slots.empty() || Id == 0)
    return npos;
  size_t Mask = Slots.size() - 1;
  for (size_t I = mixId(Id) & Mask;; I = (I + 1) & Mask) {
    if (Slots[I].first == Id)
      return Slots[I].second;
    if (Slots[I].first == 0)
      return npos;
  }
}

namespace {

/// A pull scanner over one JSON text. Errors are kept as a message with the
/// column; the caller adds file:line.
class Scanner {
public:
  Scanner(const char *B, const char *E) : Begin(B), P(B), End(E) {}

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
    if (peek() != C)
      return false;
    ++P;
    return true;
  }
  bool expect(char C) {
    if (consume(C))
      return true;
    if (P == End)
      return fail(fmt::format("expected '{}' but the line ends", C));
    return fail(fmt::format("expected '{}' but found '{}'", C, *P));
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

  bool string(std::string &Out) {
    Out.clear();
    if (!expect('"'))
      return false;
    while (true) {
      const char *Start = P;
      while (P < End && *P != '"' && *P != '\\' && static_cast<unsigned char>(*P) >= 0x20)
        ++P;
      Out.append(Start, P);
      if (P == End)
        return fail("unterminated string");
      char C = *P++;
      if (C == '"')
        return true;
      if (C != '\\')
        return --P, fail("control character inside a string");
      if (P == End)
        return fail("unterminated escape");
      switch (char X = *P++) {
      case '"': Out += '"'; break;
      case '\\': Out += '\\'; break;
      case '/': Out += '/'; break;
      case 'b': Out += '\b'; break;
      case 'f': Out += '\f'; break;
      case 'n': Out += '\n'; break;
      case 'r': Out += '\r'; break;
      case 't': Out += '\t'; break;
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
        appendUtf8(Out, Cp);
        break;
      }
      default:
        (void)X;
        --P;
        return fail("invalid escape in a string");
      }
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
    if (C == '"')
      return string(Scratch);
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
    std::string Key;
    while (true) {
      if (!string(Key))
        return false;
      if (!expect(':'))
        return false;
      if (!OnKey(std::string_view(Key)))
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

  /// A string, or null (then \p Out is cleared and \p IsNull set).
  bool stringOrNull(std::string &Out, bool *IsNull = nullptr) {
    if (null()) {
      Out.clear();
      if (IsNull)
        *IsNull = true;
      return true;
    }
    if (IsNull)
      *IsNull = false;
    return string(Out);
  }

private:
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
  std::string Error, Scratch;
};

/// The union of the fields of all record kinds, reused line after line.
struct Record {
  std::string K, Format, Key, Name, Signature, File, Doc, SiteParam, Id, Kind, Hash, Text, Constraint, Type,
      Value, Directory, ExcType, ExcWhat;
  uint64_t Node = 0, Site = 0, Parent = 0, Thread = 0, Line = 0, Begin = 0, End = 0, Version = 0, Dropped = 0;
  bool HasNode = false, HasSite = false, HasValue = false, HasType = false, HasExc = false, HasText = false,
       HasVersion = false, HasBegin = false, HasEnd = false, Success = false;
  std::optional<double> Score;
  std::vector<Arg> Args, Globals;
  std::vector<std::string> Strings; ///< `args` of a tu, `params` of a site.
  std::optional<Arg> This;

  void reset() {
    for (std::string *S : {&K, &Format, &Key, &Name, &Signature, &File, &Doc, &SiteParam, &Id, &Kind, &Hash,
                           &Text, &Constraint, &Type, &Value, &Directory, &ExcType, &ExcWhat})
      S->clear();
    Node = Site = Parent = Thread = Line = Begin = End = Version = Dropped = 0;
    HasNode = HasSite = HasValue = HasType = HasExc = HasText = HasVersion = HasBegin = HasEnd = Success = false;
    Score.reset();
    Args.clear();
    Globals.clear();
    Strings.clear();
    This.reset();
  }
};

bool readArg(Scanner &S, Arg &A) {
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
    return S.skipValue();
  });
}

bool readArgList(Scanner &S, std::vector<Arg> &Out, std::vector<std::string> *Strings) {
  return S.array([&] {
    if (Strings && S.peek() == '"') {
      Strings->emplace_back();
      return S.string(Strings->back());
    }
    Out.emplace_back();
    return readArg(S, Out.back());
  });
}

bool readRecord(Scanner &S, Record &R) {
  return S.object([&](std::string_view Key) -> bool {
    switch (Key.empty() ? '\0' : Key[0]) {
    case 'a':
      if (Key == "args")
        return readArgList(S, R.Args, &R.Strings);
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
        return readArgList(S, R.Globals, nullptr);
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
      break;
    case 'n':
      if (Key == "node")
        return R.HasNode = true, S.u64(R.Node);
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
        R.This.emplace();
        return readArg(S, *R.This);
      }
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

/// State of reading one file into a TraceSet.
class FileReader {
public:
  FileReader(TraceSet &T, const std::string &Name) : T(T), Name(Name), Instance(unsigned(T.IdToIndex.size())) {
    T.IdToIndex.emplace_back();
    T.Files.push_back(Name);
    FirstNode = T.Nodes.size();
    for (size_t I = 0; I < T.Sites.size(); ++I)
      SiteByKey.emplace(T.Sites[I].Key, int(I));
  }

  bool read(std::string_view Text, std::string &Error) {
    size_t Pos = 0, LineNo = 0;
    bool SawHeader = false;
    Record R;
    while (Pos < Text.size()) {
      size_t Nl = Text.find('\n', Pos);
      bool LastUnterminated = Nl == std::string_view::npos;
      size_t LineEnd = LastUnterminated ? Text.size() : Nl;
      std::string_view Line = Text.substr(Pos, LineEnd - Pos);
      Pos = LastUnterminated ? Text.size() : Nl + 1;
      ++LineNo;
      Scanner S(Line.data(), Line.data() + Line.size());
      if (S.atEnd())
        continue;
      R.reset();
      bool Ok = readRecord(S, R) && (S.atEnd() || S.fail("unexpected text after the record"));
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

private:
  bool require(bool Has, const char *Field, const Record &R, size_t LineNo, std::string &Error) {
    if (Has)
      return true;
    Error = fmt::format("{}:{}: '{}' record without '{}'", Name, LineNo, R.K, Field);
    return false;
  }

  bool handle(Record &R, size_t LineNo, std::string &Error) {
    if (R.K.empty()) {
      Error = fmt::format("{}:{}: record without a kind (\"k\")", Name, LineNo);
      return false;
    }
    if (R.K == "call") {
      if (!require(R.HasNode && R.Node != 0, "node", R, LineNo, Error) ||
          !require(R.HasSite, "site", R, LineNo, Error))
        return false;
      if (!T.IdToIndex[Instance].insert(R.Node, T.Nodes.size())) {
        Error = fmt::format("{}:{}: node {} is called twice", Name, LineNo, R.Node);
        return false;
      }
      Node &N = T.Nodes.emplace_back();
      N.Id = R.Node;
      N.Parent = R.Parent;
      N.Thread = unsigned(R.Thread);
      N.Instance = Instance;
      N.Args = std::move(R.Args);
      N.This = std::move(R.This);
      N.Globals = std::move(R.Globals);
      LocalSite.push_back(R.Site);
      return true;
    }
    if (R.K == "ret") {
      if (!require(R.HasNode, "node", R, LineNo, Error))
        return false;
      size_t Index = T.IdToIndex[Instance].find(R.Node);
      if (Index == NodeIdMap::npos) {
        ++UnknownRets;
        return true;
      }
      Node &N = T.Nodes[Index];
      N.Finished = true;
      if (R.HasExc) {
        N.ExcType = std::move(R.ExcType);
        N.ExcWhat = std::move(R.ExcWhat);
        return true;
      }
      if (R.HasType)
        N.RetType = std::move(R.Type);
      if (R.HasValue)
        N.Ret = std::move(R.Value);
      return true;
    }
    if (R.K == "site") {
      if (!require(R.HasSite, "site", R, LineNo, Error))
        return false;
      auto [It, New] = SiteByKey.emplace(R.Key, int(T.Sites.size()));
      if (New) {
        Site &S = T.Sites.emplace_back();
        S.Key = R.Key;
        S.Name = R.Name;
        S.Signature = R.Signature;
        S.File = R.File;
        S.Doc = R.Doc;
        S.ParamId = R.SiteParam;
        S.Line = unsigned(R.Line);
        S.Params = std::move(R.Strings);
      }
      SiteById[R.Site] = It->second;
      return true;
    }
    if (R.K == "feedback") {
      Feedback &F = T.Feedbacks.emplace_back();
      F.Node = R.Node;
      F.Text = R.Text;
      F.Score = R.Score;
      F.Success = R.Success;
      F.Instance = Instance;
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
      Tu.Args = std::move(R.Strings);
      return true;
    }
    if (R.K == "end") {
      SawEnd = true;
      Dropped = R.Dropped;
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

  void finish() {
    size_t Unfinished = 0, UnknownSite = 0;
    for (size_t I = FirstNode; I < T.Nodes.size(); ++I) {
      Node &N = T.Nodes[I];
      auto It = SiteById.find(LocalSite[I - FirstNode]);
      if (It != SiteById.end())
        N.Site = It->second;
      else
        ++UnknownSite;
      if (!N.Finished)
        ++Unfinished;
    }
    if (Unfinished)
      T.Warnings.push_back(fmt::format("{}: {} call{} no 'ret' record (the program crashed or a thread was "
                                       "still running?)",
                                       Name, Unfinished, Unfinished == 1 ? " has" : "s have"));
    if (UnknownSite)
      T.Warnings.push_back(fmt::format("{}: {} call{} name a site with no 'site' record", Name, UnknownSite,
                                       UnknownSite == 1 ? "" : "s"));
    if (UnknownRets)
      T.Warnings.push_back(fmt::format("{}: {} 'ret' record{} name no known call", Name, UnknownRets,
                                       UnknownRets == 1 ? "" : "s"));
    if (!SawEnd)
      T.Warnings.push_back(fmt::format("{}: no 'end' record (the program crashed or did not exit normally?)",
                                       Name));
    else if (Dropped)
      T.Warnings.push_back(fmt::format("{}: the writer dropped {} node{} (threads still running at exit?)", Name,
                                       Dropped, Dropped == 1 ? "" : "s"));
  }

  TraceSet &T;
  const std::string &Name;
  unsigned Instance;
  size_t FirstNode;
  std::vector<uint64_t> LocalSite; ///< Site id of each node of this file, resolved in finish().
  std::unordered_map<uint64_t, int> SiteById;
  std::unordered_map<std::string, int> SiteByKey;
  size_t UnknownRets = 0;
  uint64_t Dropped = 0;
  bool SawEnd = false;
};

/// The bytes of a trace file: mapped when it is a regular file (no copy, and
/// pages come from the page cache), read otherwise (pipes, /dev/stdin).
class FileText {
public:
  ~FileText() {
    if (Map)
      ::munmap(Map, MapSize);
  }

  bool open(const std::string &Path, std::string &Error) {
    int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
    if (Fd < 0) {
      Error = fmt::format("cannot open trace file '{}': {}", Path, std::strerror(errno));
      return false;
    }
    struct stat St;
    if (::fstat(Fd, &St) == 0 && S_ISREG(St.st_mode) && St.st_size > 0) {
      void *P = ::mmap(nullptr, size_t(St.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, Fd, 0);
      if (P != MAP_FAILED) {
        ::madvise(P, size_t(St.st_size), MADV_SEQUENTIAL);
        Map = P;
        MapSize = size_t(St.st_size);
        ::close(Fd);
        return true;
      }
    }
    char Buf[1 << 16];
    while (true) {
      ssize_t N = ::read(Fd, Buf, sizeof(Buf));
      if (N < 0 && errno == EINTR)
        continue;
      if (N < 0) {
        Error = fmt::format("cannot read trace file '{}': {}", Path, std::strerror(errno));
        ::close(Fd);
        return false;
      }
      if (N == 0)
        break;
      Copy.append(Buf, size_t(N));
    }
    ::close(Fd);
    return true;
  }

  std::string_view text() const {
    return Map ? std::string_view(static_cast<const char *>(Map), MapSize) : std::string_view(Copy);
  }

private:
  void *Map = nullptr;
  size_t MapSize = 0;
  std::string Copy;
};

/// Asks for transparent huge pages on a large, freshly reserved array: with
/// millions of nodes, faulting in 4 KiB pages one by one costs more than
/// parsing them.
void adviseHugePages(void *Data, size_t Bytes) {
  const uintptr_t Huge = uintptr_t(2) << 20;
  if (Bytes < 4 * Huge)
    return;
  uintptr_t Begin = (reinterpret_cast<uintptr_t>(Data) + Huge - 1) & ~(Huge - 1);
  uintptr_t End = (reinterpret_cast<uintptr_t>(Data) + Bytes) & ~(Huge - 1);
  if (End > Begin)
    ::madvise(reinterpret_cast<void *>(Begin), End - Begin, MADV_HUGEPAGE);
}

/// An upper bound of the number of calls in \p Text, to size the node
/// vector and id map once instead of growing them.
size_t countCalls(std::string_view Text) {
  size_t Count = 0;
  for (size_t Pos = 0; (Pos = Text.find("\"call\"", Pos)) != std::string_view::npos; Pos += 6)
    ++Count;
  return Count;
}

} // namespace

bool parseTraceText(std::string_view Text, const std::string &Name, TraceSet &T, std::string &Error) {
  size_t Calls = countCalls(Text);
  T.Nodes.reserve(T.Nodes.size() + Calls);
  adviseHugePages(T.Nodes.data(), T.Nodes.capacity() * sizeof(Node));
  FileReader R(T, Name);
  T.IdToIndex.back().reserve(Calls);
  return R.read(Text, Error);
}

std::optional<TraceSet> loadTraces(const std::vector<std::string> &Paths, std::string &Error) {
  TraceSet T;
  if (Paths.empty()) {
    Error = "no trace file given";
    return std::nullopt;
  }
  for (const std::string &Path : Paths) {
    FileText Text;
    if (!Text.open(Path, Error))
      return std::nullopt;
    if (!parseTraceText(Text.text(), Path, T, Error))
      return std::nullopt;
  }
  return T;
}

} // namespace traceopt
