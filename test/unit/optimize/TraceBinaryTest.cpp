//===- TraceBinaryTest.cpp - Reading binary traces ------------------------===//
//
// Binary traces are built here with a small encoder on top of
// trace/format.hpp, so that the tests do not depend on the runtime's
// writer: every record kind, value form and flag, then the JSON Lines
// export is compared with text written out by hand, loading the binary
// trace with loading its export, and truncated and malformed traces with
// the errors and warnings they must give.
//
//===----------------------------------------------------------------------===//
#include "trace/BinaryTrace.h"
#include "trace/JsonDump.h"
#include "traceset/TraceSet.h"

#include <trace/format.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

using namespace traceopt;
namespace tf = __trace_format;

namespace {

//===----------------------------------------------------------------------===//
// Encoder
//===----------------------------------------------------------------------===//

void varint(std::string &S, uint64_t V) {
  char Buf[tf::MaxVarint];
  S.append(Buf, size_t(tf::putVarint(Buf, V) - Buf));
}
void str(std::string &S, std::string_view Text) {
  varint(S, Text.size());
  S += Text;
}
/// `ostr`; nullopt is null.
void ostr(std::string &S, std::optional<std::string_view> Text) {
  if (!Text) {
    varint(S, 0);
    return;
  }
  varint(S, Text->size() + 1);
  S += *Text;
}
/// \p Size bytes of \p V, little-endian.
std::string le(uint64_t V, size_t Size) {
  std::string S;
  for (size_t I = 0; I < Size; ++I)
    S += char((V >> (8 * I)) & 0xFF);
  return S;
}
template <class T> std::string raw(T V) {
  std::string S(sizeof V, '\0');
  std::memcpy(S.data(), &V, sizeof V);
  return S;
}

constexpr uint64_t T1 = uint64_t(1) << 32, T2 = uint64_t(2) << 32, T3 = uint64_t(3) << 32;

/// A value record of a block.
struct Val {
  tf::Slot Slot = tf::Slot::Arg;
  tf::Form Form = tf::Form::Bytes;
  uint64_t Type = 0;
  uint64_t Index = 0;
  std::optional<uint64_t> From; ///< A raw noderef.
  std::optional<std::pair<uint64_t, std::vector<uint64_t>>> Derived; ///< omitted, raw noderefs.
  std::optional<uint64_t> Param, Sub, Omitted, Enum;
  bool Cut = false;    ///< A string whose length is unknown.
  std::string Payload; ///< Bytes, or the string/text (its length is added).

  std::string encode() const {
    uint8_t Flags = (From ? tf::ValueFrom : 0) | (Derived ? tf::ValueDerived : 0) | (Param ? tf::ValueParam : 0) |
                    (Sub ? tf::ValueSub : 0) | (Omitted ? tf::ValueOmitted : 0) | (Enum ? tf::ValueEnum : 0) |
                    (Cut ? tf::ValueCut : 0);
    std::string S;
    S += char(uint8_t(tf::Op::Value) | uint8_t(Slot) << 3 | uint8_t(Form) << 5 | (Flags ? 0x80 : 0));
    varint(S, Type);
    if (Slot == tf::Slot::Arg)
      varint(S, Index);
    if (Flags)
      S += char(Flags);
    if (From)
      varint(S, *From);
    if (Derived) {
      varint(S, Derived->second.size());
      varint(S, Derived->first);
      for (uint64_t R : Derived->second)
        varint(S, R);
    }
    if (Param)
      varint(S, *Param);
    if (Sub)
      varint(S, *Sub);
    if (Omitted)
      varint(S, *Omitted);
    if (Enum)
      varint(S, *Enum);
    if (Form == tf::Form::String || Form == tf::Form::Text)
      str(S, Payload);
    else
      S += Payload;
    return S;
  }
};

/// noderefs: \p Back nodes before the value's node, or a full id.
uint64_t back(uint64_t Back, bool Wild = false) { return Back << 2 | (Wild ? 2 : 0); }
uint64_t full(uint64_t Id, bool Wild = false) { return Id << 2 | (Wild ? 2 : 0) | 1; }

Val arg(uint64_t Index, uint64_t Type, std::string Payload) {
  Val V;
  V.Index = Index;
  V.Type = Type;
  V.Payload = std::move(Payload);
  return V;
}
Val intArg(uint64_t Index, int32_t X) { return arg(Index, 1, raw(X)); }
Val result(uint64_t Type, std::string Payload, tf::Form Form = tf::Form::Bytes) {
  Val V;
  V.Slot = tf::Slot::Ret;
  V.Type = Type;
  V.Form = Form;
  V.Payload = std::move(Payload);
  return V;
}

/// The thread records of one block.
struct Block {
  std::string P;
  Block &enter(uint64_t Site) {
    if (Site < tf::EnterInlineMax) {
      P += char(Site << 3);
    } else {
      P += char(tf::EnterInlineMax << 3);
      varint(P, Site);
    }
    return *this;
  }
  Block &value(const Val &V) {
    P += V.encode();
    return *this;
  }
  Block &raw(std::string_view Bytes) {
    P += Bytes;
    return *this;
  }
  Block &voidRet() {
    P += char(tf::Op::Void);
    return *this;
  }
  Block &notCaptured() {
    P += char(tf::Op::NotCaptured);
    return *this;
  }
  Block &suspend() {
    P += char(uint8_t(tf::Op::Coro) | tf::CoSuspend << 3);
    return *this;
  }
  Block &resume(uint64_t Node) {
    P += char(uint8_t(tf::Op::Coro) | tf::CoResume << 3);
    varint(P, Node);
    return *this;
  }
  Block &destroyed() {
    P += char(uint8_t(tf::Op::Coro) | tf::CoDestroyed << 3);
    return *this;
  }
  Block &exception(std::string_view Type, std::optional<std::string_view> What,
                   std::optional<std::pair<uint64_t, uint64_t>> Where = std::nullopt) {
    P += char(tf::Op::Exception);
    P += char((What ? tf::ExcWhat : 0) | (Where ? tf::ExcWhere : 0));
    str(P, Type);
    if (What)
      str(P, *What);
    if (Where) {
      varint(P, Where->first);
      varint(P, Where->second);
    }
    return *this;
  }
};

/// A binary trace under construction.
class Trace {
public:
  Trace() {
    S.assign(tf::Magic, tf::MagicSize);
    varint(S, tf::Version);
  }

  const std::string &bytes() const { return S; }
  size_t size() const { return S.size(); }

  Trace &record(unsigned Kind, const std::string &Payload) {
    S += char(Kind);
    varint(S, Payload.size());
    S += Payload;
    return *this;
  }
  Trace &record(tf::Kind Kind, const std::string &Payload) { return record(unsigned(Kind), Payload); }

  Trace &header(uint64_t Pid = 4242, std::string_view Program = "/p/demo",
                std::string_view Time = "2026-11-27T10:00:00Z") {
    std::string P;
    varint(P, Pid);
    str(P, Program);
    str(P, Time);
    return record(tf::Kind::Header, P);
  }
  Trace &tu(std::optional<std::string_view> File, std::optional<std::string_view> Dir,
            const std::vector<std::string> &Args) {
    std::string P;
    ostr(P, File);
    ostr(P, Dir);
    varint(P, Args.size());
    for (const std::string &A : Args)
      str(P, A);
    return record(tf::Kind::Tu, P);
  }
  Trace &site(uint64_t Id, std::optional<std::string_view> Key, std::optional<std::string_view> Name,
              std::optional<std::string_view> Sig, std::optional<std::string_view> File, uint64_t Line,
              const std::vector<std::string> &Params, std::string_view Doc,
              std::optional<std::string_view> Param) {
    std::string P;
    varint(P, Id);
    ostr(P, Key);
    ostr(P, Name);
    ostr(P, Sig);
    ostr(P, File);
    varint(P, Line);
    varint(P, Params.size());
    for (const std::string &N : Params)
      str(P, N);
    str(P, Doc);
    ostr(P, Param);
    return record(tf::Kind::Site, P);
  }
  /// A site with only a key, a name and parameter names.
  Trace &site(uint64_t Id, std::string_view Key, const std::vector<std::string> &Params) {
    return site(Id, Key, Key, std::nullopt, std::nullopt, 0, Params, "", std::nullopt);
  }
  struct ParamRec {
    std::string Id;
    uint8_t Kind = 0;
    std::optional<std::string_view> Name, Type, Value, File;
    uint64_t Line = 0, Begin = 0, End = 0;
    std::optional<std::string_view> Hash, Text, Signature, Constraint;
  };
  Trace &param(const ParamRec &R) {
    std::string P;
    str(P, R.Id);
    P += char(R.Kind);
    ostr(P, R.Name);
    ostr(P, R.Type);
    ostr(P, R.Value);
    ostr(P, R.File);
    varint(P, R.Line);
    varint(P, R.Begin);
    varint(P, R.End);
    ostr(P, R.Hash);
    ostr(P, R.Text);
    ostr(P, R.Signature);
    ostr(P, R.Constraint);
    return record(tf::Kind::Param, P);
  }
  Trace &string(uint64_t Id, std::string_view Text) {
    std::string P;
    varint(P, Id);
    str(P, Text);
    return record(tf::Kind::String, P);
  }
  Trace &type(uint64_t Id, tf::TypeKind Kind, uint64_t Size, std::string_view Name, std::string_view Text = "") {
    std::string P;
    varint(P, Id);
    P += char(Kind);
    varint(P, Size);
    str(P, Name);
    if (Kind == tf::TypeKind::Fixed)
      str(P, Text);
    return record(tf::Kind::Type, P);
  }
  Trace &enumTable(uint64_t Id, std::optional<std::string_view> Type,
                   const std::vector<std::pair<int64_t, std::string>> &Values) {
    std::string P;
    varint(P, Id);
    ostr(P, Type);
    varint(P, Values.size());
    for (const auto &[V, N] : Values) {
      varint(P, tf::zigzag(V));
      str(P, N);
    }
    return record(tf::Kind::Enum, P);
  }
  Trace &block(uint64_t Thread, const Block &B) {
    std::string P;
    varint(P, Thread);
    P += B.P;
    return record(tf::Kind::Block, P);
  }
  Trace &feedback(uint64_t Node, const std::vector<uint64_t> &Derived, uint64_t Omitted,
                  std::optional<std::string_view> Unattributed, std::string_view Text,
                  std::optional<double> Score = std::nullopt, bool Success = false, bool Uncaught = false) {
    std::string P;
    varint(P, Node);
    varint(P, Derived.size());
    for (uint64_t D : Derived)
      varint(P, D);
    varint(P, Omitted);
    ostr(P, Unattributed);
    str(P, Text);
    P += char((Score ? tf::FeedbackScore : 0) | (Success ? tf::FeedbackSuccess : 0) |
              (Uncaught ? tf::FeedbackUncaught : 0));
    if (Score) {
      uint64_t Bits;
      std::memcpy(&Bits, &*Score, 8);
      P += le(Bits, 8);
    }
    return record(tf::Kind::Feedback, P);
  }
  Trace &cut(uint64_t Site, uint64_t Calls, uint64_t Recorded) {
    std::string P;
    varint(P, Site);
    varint(P, Calls);
    varint(P, Recorded);
    return record(tf::Kind::Cut, P);
  }
  Trace &end(uint64_t Nodes, uint64_t Dropped = 0, bool HasLimit = false, uint64_t Cut = 0, uint64_t Lost = 0) {
    std::string P;
    varint(P, Nodes);
    varint(P, Dropped);
    P += char(HasLimit ? tf::EndHasLimit : 0);
    varint(P, Cut);
    varint(P, Lost);
    return record(tf::Kind::End, P);
  }
  Trace &threadStart(uint64_t Thread, uint64_t Seq) {
    std::string P;
    varint(P, Thread);
    varint(P, Seq);
    return record(tf::Kind::ThreadStart, P);
  }
  Trace &rawBytes(std::string_view B) {
    S += B;
    return *this;
  }

private:
  std::string S;
};

/// Header, the `int` type (id 1) and site 1 `f(int, int)` with parameters a, b.
Trace minimal() {
  Trace T;
  T.header().type(1, tf::TypeKind::Signed, 4, "int").site(1, "f(int, int)", {"a", "b"});
  return T;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::string dump(const std::string &Bytes, std::vector<std::string> *Warnings = nullptr,
                 const std::string &Name = "t.bin") {
  std::string Out, Error;
  std::vector<std::string> W;
  EXPECT_TRUE(dumpTraceToString(Bytes, Name, Out, W, Error)) << Error;
  if (Warnings)
    *Warnings = W;
  return Out;
}

/// The error of a trace that must be refused, by dump and by the loader
/// alike (same message).
std::string refusal(const std::string &Bytes) {
  std::string Out, DumpError;
  std::vector<std::string> W;
  EXPECT_FALSE(dumpTraceToString(Bytes, "bad.bin", Out, W, DumpError));
  TraceSet T;
  std::string LoadError;
  EXPECT_FALSE(parseTraceText(Bytes, "bad.bin", T, LoadError));
  EXPECT_EQ(DumpError, LoadError);
  return LoadError;
}

/// Everything a TraceSet holds that users of the set read, as text, so
/// that two sets compare with one EXPECT_EQ that shows the difference.
std::string describe(const TraceSet &T) {
  std::ostringstream OS;
  auto Opt = [](std::optional<std::string_view> S) { return S ? "'" + std::string(*S) + "'" : std::string("none"); };
  for (const Site &S : T.Sites) {
    OS << "site key=" << S.Key << " name=" << S.Name << " sig=" << S.Signature << " file=" << S.File
       << " line=" << S.Line << " doc=" << S.Doc << " param=" << S.ParamId << " params=";
    for (const std::string &P : S.Params)
      OS << P << ",";
    OS << "\n";
  }
  for (const Param &P : T.Params)
    OS << "param " << P.Id << " kind=" << P.Kind << " name=" << P.Name << " type=" << P.Type << " value=" << P.Value
       << " file=" << P.File << " line=" << P.Line << " begin=" << P.Begin << " end=" << P.End << " hash=" << P.Hash
       << " text=" << P.Text << " sig=" << P.Signature << " constraint=" << P.Constraint << "\n";
  for (const TuInfo &Tu : T.Tus) {
    OS << "tu " << Tu.File << " dir=" << Tu.Directory << " args=";
    for (const std::string &A : Tu.Args)
      OS << A << ",";
    OS << "\n";
  }
  for (size_t I = 0; I < T.Nodes.size(); ++I) {
    const Node &N = T.Nodes[I];
    // Values through CallView: decoded from the file for a binary trace,
    // kept for its JSON Lines export.
    CallView V = T.call(I);
    OS << "node " << T.id(I) << " parent=" << T.parentId(I) << "@" << N.ParentIndex << " site=" << N.Site
       << " instance=" << T.instance(I) << " finished=" << N.finished() << " threw=" << N.threw()
       << " ret=" << Opt(V.retType()) << ":" << Opt(V.ret()) << " exc=" << Opt(V.excType()) << ":"
       << Opt(V.excWhat()) << " args=" << V.args().size() << " this=" << (V.thisArg() != nullptr)
       << " globals=" << V.globals().size() << V.Error << "\n";
    for (size_t A = 0; A < V.all().size(); ++A) {
      const Arg &Ar = V.all()[A];
      OS << "  arg name=" << Ar.Name << " type=" << Ar.Type << " value=" << Ar.Value << " from=" << Ar.From << "@"
         << Ar.FromIndex << " modified=" << Ar.Modified << " extra=" << Ar.HasExtra;
      if (const ArgExtra *E = V.extra(A)) {
        OS << " from_param=" << E->FromParam << " omitted=" << E->DerivedOmitted << " derived=";
        for (const DerivedRef &D : V.derived(*E))
          OS << D.Id << "@" << D.Index << ",";
      }
      OS << "\n";
    }
    if (const ThrowSite *S = T.throwSite(I))
      OS << "  thrown at " << S->File << ":" << S->Line << "\n";
  }
  for (const Feedback &F : T.Feedbacks) {
    OS << "feedback node=" << F.Node << " text=" << F.Text << " unattributed=" << F.Unattributed
       << " score=" << (F.Score ? std::to_string(*F.Score) : "none") << " success=" << F.Success
       << " uncaught=" << F.Uncaught << " instance=" << F.Instance << " omitted=" << F.DerivedOmitted << " derived=";
    for (const DerivedRef &D : F.Derived)
      OS << D.Id << "@" << D.Index << ",";
    OS << "\n";
  }
  for (const std::string &W : T.Warnings)
    OS << "warning " << W << "\n";
  for (const std::string &F : T.Files)
    OS << "file " << F << "\n";
  for (uint64_t L : T.Lost)
    OS << "lost " << L << "\n";
  for (size_t I = 0; I < T.IdToIndex.size(); ++I)
    OS << "ids " << I << ": " << T.IdToIndex[I].size() << "\n";
  return OS.str();
}

/// Loads \p Bytes and its JSON export under the same name; both must load
/// and give the same set.
void expectSameAsDump(const std::string &Bytes) {
  TraceSet FromBinary, FromJson;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Bytes, "t.trace", FromBinary, Error)) << Error;
  std::string Json = dump(Bytes);
  ASSERT_TRUE(parseTraceText(Json, "t.trace", FromJson, Error)) << Error;
  EXPECT_EQ(describe(FromBinary), describe(FromJson));
}

//===----------------------------------------------------------------------===//
// The trace with every record kind, value form and flag
//===----------------------------------------------------------------------===//

Trace everything() {
  Trace T;
  T.header(4242, "/p/demo", "2026-11-27T10:00:00Z");
  T.tu("/s/a.cpp", "/b", {"-cc1", "-triple", "x86_64"});
  T.tu(std::nullopt, std::nullopt, {});
  Trace::ParamRec Code;
  Code.Id = "code:f(int, int)";
  Code.Kind = 0;
  Code.Name = "f";
  Code.File = "/s/a.cpp";
  Code.Line = 3;
  Code.Begin = 10;
  Code.End = 40;
  Code.Hash = "fnv1a64:0000000000000001";
  Code.Text = "int f(int a, int b) { return \"a\"; }";
  Code.Signature = "int f(int a, int b)";
  T.param(Code);
  Trace::ParamRec Gain;
  Gain.Id = "var:gain";
  Gain.Kind = 1;
  Gain.Name = "gain";
  Gain.Type = "double";
  Gain.Value = "0.5";
  Gain.File = "/s/a.cpp";
  Gain.Line = 1;
  Gain.Begin = 5;
  Gain.End = 8;
  Gain.Hash = "fnv1a64:0000000000000002";
  Gain.Text = "0.5";
  Gain.Constraint = "keep it small";
  T.param(Gain);
  Trace::ParamRec Hidden; // A value whose registration cannot reach the variable.
  Hidden.Id = "var:S::hidden";
  Hidden.Kind = 1;
  Hidden.Type = "int";
  Hidden.Text = "1";
  T.param(Hidden);
  T.string(1, "var:gain").string(2, "/s/a.cpp");
  T.type(1, tf::TypeKind::Signed, 4, "int")
      .type(2, tf::TypeKind::Unsigned, 8, "unsigned long")
      .type(3, tf::TypeKind::Float, 8, "double")
      .type(4, tf::TypeKind::Float, 4, "float")
      .type(5, tf::TypeKind::Bool, 1, "bool")
      .type(6, tf::TypeKind::Char, 1, "char")
      .type(7, tf::TypeKind::Pointer, 8, "int *")
      .type(8, tf::TypeKind::Null, 0, "std::nullptr_t")
      .type(9, tf::TypeKind::Enum, 4, "Color")
      .type(10, tf::TypeKind::EnumUnsigned, 1, "Small")
      .type(11, tf::TypeKind::Fixed, 0, "Widget", "Widget{...}")
      .type(12, tf::TypeKind::Text, 0, "std::string")
      .type(13, tf::TypeKind::Signed, 16, "__int128")
      .type(14, tf::TypeKind::Signed, 1, "signed char")
      .type(15, tf::TypeKind::Signed, 2, "short")
      .type(16, tf::TypeKind::Unsigned, 16, "unsigned __int128")
      .type(17, tf::TypeKind::Float, 16, "long double");
  T.enumTable(1, "ns::Color", {{0, "Red"}, {1, "Green"}, {-1, "Neg"}});
  T.enumTable(2, std::nullopt, {});
  T.site(1, "f(int, int)", "f", "int f(int, int)", "/s/a.cpp", 3, {"a", "b"}, "Does f.", "code:f(int, int)");
  T.site(2, "g(auto...)", "g", std::nullopt, std::nullopt, 0, {"xs"}, "", std::nullopt);
  T.site(40, "h(...)", "h", "void h(...)", "/s/a.cpp", 9,
         {"u",  "d",  "f",  "b",    "c1", "c2", "p1",   "p2", "n",  "e1", "e2", "e3", "e4",
          "e5", "i128", "sc", "sh", "u128", "ld", "w1", "w2", "dv", "s",  "t",  "dz"},
         "Takes \"everything\".\n", std::nullopt);

  // Thread 1: f(7, -3) reading gain, returns 4.
  Val Global;
  Global.Slot = tf::Slot::Global;
  Global.Type = 3;
  Global.Param = 1;
  Global.Payload = raw(0.5);
  T.block(1, Block().enter(1).value(intArg(0, 7)).value(intArg(1, -3)).value(Global).value(result(1, raw(int32_t(4)))));

  // f(4 from :1, 5 from :1 but modified) calls g(xs...) on a Widget, which
  // returns what cannot be captured; f throws.
  Val A0 = intArg(0, 4), A1 = intArg(1, 5);
  A0.From = back(1);
  A1.From = back(1);
  Val X0 = arg(0, 12, "a\tb\"c");
  X0.Form = tf::Form::String;
  X0.Sub = 1;
  Val X1 = arg(0, 12, "[1, 2]");
  X1.Form = tf::Form::Text;
  X1.Sub = 2;
  X1.Omitted = 5;
  Val Self;
  Self.Slot = tf::Slot::Self;
  Self.Form = tf::Form::Fixed;
  Self.Type = 11;
  Self.Param = 1;
  T.block(1, Block()
                 .enter(1)
                 .value(A0)
                 .value(A1)
                 .enter(2)
                 .value(X0)
                 .value(X1)
                 .value(Self)
                 .notCaptured()
                 .exception("std::runtime_error", "boom", std::make_pair(uint64_t(2), uint64_t(14))));
  T.feedback(T1 | 2, {}, 0, std::nullopt, "too small", 0.5);

  // h(...) with a value of every kind, site id past the inline range.
  auto Enum = [](uint64_t I, uint64_t Type, int32_t X, std::optional<uint64_t> Table) {
    Val V = arg(I, Type, Type == 10 ? le(uint64_t(X), 1) : raw(X));
    V.Enum = Table;
    return V;
  };
  Val W1 = intArg(19, 4), W2 = intArg(20, 9), Dv = intArg(21, 0);
  W1.From = full(T1 | 1, /*Wild=*/true);
  W2.From = back(3, /*Wild=*/true);
  Dv.Derived = std::make_pair(uint64_t(2), std::vector<uint64_t>{back(1), full(T2 | 1), full(0)});
  Dv.Param = 1;
  Val S = arg(22, 12, std::string("\xff\x01\x7f\0z", 5));
  S.Form = tf::Form::String;
  Val Tx = arg(23, 12, "caf\xc3");
  Tx.Form = tf::Form::Text;
  Tx.Omitted = 7;
  Val Dz = intArg(24, 1);
  Dz.Derived = std::make_pair(uint64_t(0), std::vector<uint64_t>{});
  Val Extra = intArg(25, 2);
  Extra.Sub = 3;
  Val Unnamed = intArg(26, 3);
  T.block(1, Block()
                 .enter(40)
                 .value(arg(0, 2, le(~uint64_t(0), 8)))
                 .value(arg(1, 3, raw(2.5)))
                 .value(arg(2, 4, raw(0.1f)))
                 .value(arg(3, 5, "\x01"))
                 .value(arg(4, 6, "'"))
                 .value(arg(5, 6, "\n"))
                 .value(arg(6, 7, le(0x1000, 8)))
                 .value(arg(7, 7, le(0, 8)))
                 .value(arg(8, 8, ""))
                 .value(Enum(9, 9, 1, 1))
                 .value(Enum(10, 9, 5, 1))
                 .value(Enum(11, 9, -1, 1))
                 .value(Enum(12, 10, 200, std::nullopt))
                 .value(Enum(13, 9, 7, 2))
                 .value(arg(14, 13, le(0, 8) + le(uint64_t(1) << 63, 8)))
                 .value(arg(15, 14, "\x80"))
                 .value(arg(16, 15, le(0xFFFE, 2)))
                 .value(arg(17, 16, le(~uint64_t(0), 8) + le(~uint64_t(0), 8)))
                 .value(arg(18, 17, raw(1.5L)))
                 .value(W1)
                 .value(W2)
                 .value(Dv)
                 .value(S)
                 .value(Tx)
                 .value(Dz)
                 .value(Extra)
                 .value(Unnamed)
                 .voidRet());
  // f(b = 2, a = 1): arguments out of order; the result is cut by the limit.
  Val Cut = result(12, "abc", tf::Form::Text);
  Cut.Omitted = 10;
  T.block(1, Block().enter(1).value(intArg(1, 2)).value(intArg(0, 1)).value(Cut));

  // A forked child's thread 3: numbering continues after 10, and the call
  // open at the fork returns without its start in this file.
  T.threadStart(3, 10);
  T.block(3, Block().enter(1).value(intArg(0, 1)).value(intArg(1, 2)).voidRet().voidRet());

  // Thread 2: a plain edge from :4 (whose output is unknown: it returned
  // nothing) and a wildcard from :1 that holds.
  Val C0 = intArg(0, 4), C1 = intArg(1, 4);
  C0.From = full(T1 | 4);
  C1.From = full(T1 | 1, /*Wild=*/true);
  Val R2 = result(1, raw(int32_t(0)));
  R2.From = back(0);
  T.block(2, Block().enter(1).value(C0).value(C1).value(R2));

  T.feedback(0, {T1 | 1, 0}, 3, std::nullopt, "parts");
  T.feedback(0, {}, 0, "not produced by a recorded call", "expected 50");
  T.feedback(T1 | 1, {}, 0, std::nullopt, "all good", std::numeric_limits<double>::infinity(), /*Success=*/true);
  T.feedback(T1 | 4, {}, 0, "", "uncaught exception X", std::nullopt, false, /*Uncaught=*/true);
  T.cut(1, 125, 100);
  T.record(99, "from a newer writer");
  T.end(7, 0, /*HasLimit=*/true, 25, 3);
  return T;
}

const char *const EverythingJson = R"J({"k":"header","format":"trace-cpp","version":1,"pid":4242,"program":"/p/demo","time":"2026-11-27T10:00:00Z"}
{"k":"tu","file":"/s/a.cpp","directory":"/b","args":["-cc1","-triple","x86_64"]}
{"k":"tu","file":null,"directory":null,"args":[]}
{"k":"param","id":"code:f(int, int)","kind":"code","name":"f","file":"/s/a.cpp","line":3,"begin":10,"end":40,"hash":"fnv1a64:0000000000000001","text":"int f(int a, int b) { return \"a\"; }","signature":"int f(int a, int b)","constraint":null}
{"k":"param","id":"var:gain","kind":"value","name":"gain","type":"double","value":"0.5","file":"/s/a.cpp","line":1,"begin":5,"end":8,"hash":"fnv1a64:0000000000000002","text":"0.5","constraint":"keep it small"}
{"k":"param","id":"var:S::hidden","kind":"value","name":null,"type":"int","value":null,"file":null,"line":0,"begin":0,"end":0,"hash":null,"text":"1","constraint":null}
{"k":"site","site":1,"key":"f(int, int)","name":"f","signature":"int f(int, int)","file":"/s/a.cpp","line":3,"params":["a","b"],"doc":"Does f.","param":"code:f(int, int)"}
{"k":"site","site":2,"key":"g(auto...)","name":"g","signature":null,"file":null,"line":0,"params":["xs"],"doc":"","param":null}
{"k":"site","site":40,"key":"h(...)","name":"h","signature":"void h(...)","file":"/s/a.cpp","line":9,"params":["u","d","f","b","c1","c2","p1","p2","n","e1","e2","e3","e4","e5","i128","sc","sh","u128","ld","w1","w2","dv","s","t","dz"],"doc":"Takes \"everything\".\n","param":null}
{"k":"call","node":4294967297,"site":1,"parent":0,"thread":1,"args":[{"name":"a","type":"int","value":"7"},{"name":"b","type":"int","value":"-3"}],"globals":[{"param":"var:gain","type":"double","value":"0.5"}]}
{"k":"ret","node":4294967297,"type":"int","value":"4"}
{"k":"call","node":4294967298,"site":1,"parent":0,"thread":1,"args":[{"name":"a","type":"int","value":"4","from":4294967297},{"name":"b","type":"int","value":"5","from":4294967297,"modified":true}]}
{"k":"call","node":4294967299,"site":2,"parent":4294967298,"thread":1,"args":[{"name":"xs[0]","type":"std::string","value":"\"a\\tb\\\"c\""},{"name":"xs[1]","type":"std::string","value":"[1, 2]…[+5 bytes]","truncated":5}],"this":{"type":"Widget","value":"Widget{...}","from_param":"var:gain"}}
{"k":"ret","node":4294967299,"value":"<not captured>"}
{"k":"ret","node":4294967298,"exception":{"type":"std::runtime_error","what":"boom","file":"/s/a.cpp","line":14}}
{"k":"feedback","node":4294967298,"text":"too small","score":0.5}
{"k":"call","node":4294967300,"site":40,"parent":0,"thread":1,"args":[{"name":"u","type":"unsigned long","value":"18446744073709551615"},{"name":"d","type":"double","value":"2.5"},{"name":"f","type":"float","value":"0.1"},{"name":"b","type":"bool","value":"true"},{"name":"c1","type":"char","value":"'\\''"},{"name":"c2","type":"char","value":"'\\n'"},{"name":"p1","type":"int *","value":"0x1000"},{"name":"p2","type":"int *","value":"nullptr"},{"name":"n","type":"std::nullptr_t","value":"nullptr"},{"name":"e1","type":"Color","value":"Green"},{"name":"e2","type":"Color","value":"ns::Color(5)"},{"name":"e3","type":"Color","value":"Neg"},{"name":"e4","type":"Small","value":"Small(200)"},{"name":"e5","type":"Color","value":"Color(7)"},{"name":"i128","type":"__int128","value":"-170141183460469231731687303715884105728"},{"name":"sc","type":"signed char","value":"-128"},{"name":"sh","type":"short","value":"-2"},{"name":"u128","type":"unsigned __int128","value":"340282366920938463463374607431768211455"},{"name":"ld","type":"long double","value":"1.5"},{"name":"w1","type":"int","value":"4","from":4294967297},{"name":"w2","type":"int","value":"9"},{"name":"dv","type":"int","value":"0","derived":[4294967299,8589934593],"derived_omitted":2,"from_param":"var:gain"},{"name":"s","type":"std::string","value":"\"\\xff\\x01\\x7f\\0z\""},{"name":"t","type":"std::string","value":"caf\ufffd…[+7 bytes]","truncated":7},{"name":"dz","type":"int","value":"1"},{"name":"[2]","type":"int","value":"2"},{"name":"","type":"int","value":"3"}]}
{"k":"ret","node":4294967300}
{"k":"call","node":4294967301,"site":1,"parent":0,"thread":1,"args":[{"name":"a","type":"int","value":"1"},{"name":"b","type":"int","value":"2"}]}
{"k":"ret","node":4294967301,"type":"std::string","value":"abc…[+10 bytes]","truncated":10}
{"k":"call","node":12884901899,"site":1,"parent":0,"thread":3,"args":[{"name":"a","type":"int","value":"1"},{"name":"b","type":"int","value":"2"}]}
{"k":"ret","node":12884901899}
{"k":"call","node":8589934593,"site":1,"parent":0,"thread":2,"args":[{"name":"a","type":"int","value":"4","from":4294967300},{"name":"b","type":"int","value":"4","from":4294967297}]}
{"k":"ret","node":8589934593,"type":"int","value":"0","from":8589934593}
{"k":"feedback","node":0,"derived":[4294967297,0],"derived_omitted":3,"text":"parts"}
{"k":"feedback","node":0,"unattributed":"not produced by a recorded call","text":"expected 50"}
{"k":"feedback","node":4294967297,"text":"all good","score":null,"success":true}
{"k":"feedback","node":4294967300,"text":"uncaught exception X","uncaught":true}
{"k":"cut","site":1,"calls":125,"recorded":100}
{"k":"end","nodes":7,"dropped":0,"cut":25,"lost":3}
)J";

TEST(BinaryTrace, DumpWritesTheJsonLinesExport) {
  std::vector<std::string> Warnings;
  std::string Json = dump(everything().bytes(), &Warnings);
  // Line by line, so that a difference shows where it is.
  std::istringstream Got(Json), Want(EverythingJson);
  std::string G, W;
  for (size_t Line = 1; std::getline(Want, W); ++Line) {
    ASSERT_TRUE(std::getline(Got, G)) << "line " << Line << " is missing: " << W;
    EXPECT_EQ(G, W) << "line " << Line;
  }
  EXPECT_FALSE(std::getline(Got, G)) << "extra line: " << G;
  EXPECT_EQ(Json, EverythingJson);
  EXPECT_TRUE(Warnings.empty());
}

TEST(BinaryTrace, JsonLinesAreCopiedThrough) {
  std::string Json = EverythingJson;
  EXPECT_EQ(dump(Json), Json);
  EXPECT_EQ(dump(""), "");
}

TEST(BinaryTrace, LoadingEqualsLoadingTheDump) {
  expectSameAsDump(everything().bytes());
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(everything().bytes(), "t.trace", T, Error)) << Error;
  // A few facts spelled out, beyond agreeing with the JSON reader.
  ASSERT_EQ(T.Nodes.size(), 7u);
  ASSERT_EQ(T.Warnings.size(), 1u);
  EXPECT_NE(T.Warnings[0].find("3 data-flow edges were not recorded"), std::string::npos) << T.Warnings[0];
  const Node &Throws = T.Nodes[1];
  EXPECT_EQ(T.call(Throws).excWhat(), std::optional<std::string_view>("boom"));
  ASSERT_TRUE(T.throwSite(1));
  EXPECT_EQ(T.throwSite(1)->Line, 14u);
  CallView Call1 = T.call(1);
  const Arg &Modified = Call1.args()[1];
  EXPECT_EQ(Modified.From, T1 | 1);
  EXPECT_EQ(Modified.FromIndex, 0u);
  EXPECT_TRUE(Modified.Modified);
  EXPECT_EQ(T.Lost[0], 3u);
  EXPECT_EQ(T.Params.size(), 3u);
  EXPECT_EQ(T.findParam("code:f(int, int)")->Value, "int f(int a, int b) { return \"a\"; }");
}

TEST(BinaryTrace, MinibatchMixesFormats) {
  // Files in any format, in any order, are instances in that order.
  std::string Dir = ::testing::TempDir();
  std::string Bin = Dir + "/mix.bin", Json = Dir + "/mix.jsonl", Dumped = Dir + "/mix.dump.jsonl";
  std::ofstream(Bin, std::ios::binary) << everything().bytes();
  std::ofstream(Json, std::ios::binary) << EverythingJson;
  std::ofstream(Dumped, std::ios::binary) << dump(everything().bytes());
  std::string Error;
  std::optional<TraceSet> Mixed = loadTraces({Bin, Json, Bin}, Error);
  ASSERT_TRUE(Mixed) << Error;
  std::optional<TraceSet> Text = loadTraces({Dumped, Json, Dumped}, Error);
  ASSERT_TRUE(Text) << Error;
  ASSERT_EQ(Mixed->Files.size(), 3u);
  EXPECT_EQ(Mixed->Nodes.size(), 21u);
  // The same but for the file names in messages.
  std::string A = describe(*Mixed), B = describe(*Text);
  for (std::string *S : {&A, &B})
    for (const std::string &Name : {Bin, Dumped})
      for (size_t Pos; (Pos = S->find(Name)) != std::string::npos;)
        S->replace(Pos, Name.size(), "F");
  EXPECT_EQ(A, B);
}

TEST(BinaryTrace, NodeNumberingAndParents) {
  Trace T = minimal();
  // Two threads interleaved in blocks; a call's parent is the innermost open
  // call of its own thread, across blocks.
  T.block(1, Block().enter(1));
  T.block(2, Block().enter(1).enter(1));
  T.block(1, Block().enter(1).voidRet());
  T.block(2, Block().voidRet().voidRet());
  T.block(1, Block().voidRet().enter(1).voidRet());
  T.end(5);
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "n.bin", S, Error)) << Error;
  std::vector<std::pair<uint64_t, uint64_t>> Got;
  for (size_t I = 0; I < S.Nodes.size(); ++I)
    Got.push_back({S.id(I), S.parentId(I)});
  EXPECT_EQ(Got, (std::vector<std::pair<uint64_t, uint64_t>>{
                     {T2 | 1, 0}, {T1 | 1, 0}, {T1 | 2, T1 | 1}, {T2 | 2, T2 | 1}, {T1 | 3, 0}}));
  EXPECT_TRUE(S.Warnings.empty());
  expectSameAsDump(T.bytes());
}

TEST(BinaryTrace, CoroutineCallsLeaveAndRejoinThreads) {
  Trace T = minimal();
  T.site(2, "co(int)", {"x"});
  // Thread 1: co starts (node 1), suspends; g runs at top level (node 2);
  // a second co (node 3) starts and suspends.
  T.block(1, Block()
                 .enter(2)
                 .value(intArg(0, 4))
                 .suspend()
                 .enter(1)
                 .voidRet()
                 .enter(2)
                 .suspend());
  // Thread 2 resumes node 1: its call there has node 1 as parent, and node 1
  // ends there with a result.
  T.block(2, Block().resume(T1 | 1).enter(1).voidRet().value(
                 result(1, raw(int32_t(7)))));
  // Thread 1 again: a call given node 1's output, changed since; node 3 is
  // destroyed while suspended (resumed to end it, as the runtime does).
  Val From = intArg(0, 8);
  From.From = full(T1 | 1);
  T.block(1, Block().enter(1).value(From).voidRet().resume(T1 | 3).destroyed());
  T.end(5);
  std::vector<std::string> Warnings;
  std::string Json = dump(T.bytes(), &Warnings);
  EXPECT_TRUE(Warnings.empty());
  EXPECT_NE(
      Json.find(
          R"({"k":"call","node":4294967297,"site":2,"parent":0,"thread":1,"args":[{"name":"x","type":"int","value":"4"}]}
{"k":"call","node":4294967298,"site":1,"parent":0,"thread":1,"args":[]}
{"k":"ret","node":4294967298}
{"k":"call","node":4294967299,"site":2,"parent":0,"thread":1,"args":[]}
{"k":"call","node":8589934593,"site":1,"parent":4294967297,"thread":2,"args":[]}
{"k":"ret","node":8589934593}
{"k":"ret","node":4294967297,"type":"int","value":"7"}
{"k":"call","node":4294967300,"site":1,"parent":0,"thread":1,"args":[{"name":"a","type":"int","value":"8","from":4294967297,"modified":true}]}
{"k":"ret","node":4294967300}
{"k":"ret","node":4294967299,"value":"<not finished>"}
)"),
      std::string::npos)
      << Json;
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "co.bin", S, Error)) << Error;
  ASSERT_EQ(S.Nodes.size(), 5u);
  EXPECT_EQ(S.call(2).ret(), std::optional<std::string_view>("<not finished>"));
  // Node 1's output, recorded on thread 2, is what the value is compared
  // with.
  ASSERT_EQ(S.call(4).args().size(), 1u);
  EXPECT_EQ(S.call(4).args()[0].From, T1 | 1);
  EXPECT_TRUE(S.call(4).args()[0].Modified);
  EXPECT_TRUE(S.Warnings.empty());
  expectSameAsDump(T.bytes());

  // The thread that resumes a call may be written first.
  Trace Early = minimal();
  Early.site(2, "co(int)", {"x"});
  Early.block(2, Block().resume(T1 | 1).value(result(1, raw(int32_t(7)))));
  Early.block(1, Block().enter(2).value(intArg(0, 4)).suspend());
  Early.end(1);
  ASSERT_TRUE(parseTraceText(Early.bytes(), "early.bin", S, Error)) << Error;
  expectSameAsDump(Early.bytes());

  // Records with nothing to act on.
  Trace NoCall = minimal();
  NoCall.block(1, Block().suspend());
  EXPECT_NE(
      refusal(NoCall.bytes()).find("suspend record: thread 1 has no open call"),
      std::string::npos);
  Trace NoNode = minimal();
  NoNode.block(1, Block().resume(0));
  EXPECT_NE(refusal(NoNode.bytes()).find("resume record: node 0 is no node id"),
            std::string::npos);
}

TEST(BinaryTrace, CutStringsEndWithAnEllipsisAndNoCount) {
  // A `char *` read up to the value limit without finding its NUL: the bytes
  // kept, then the ellipsis after the closing quote, and no `truncated`.
  Trace T;
  T.header().type(1, tf::TypeKind::Text, 0, "const char *").site(1, "f(const char *)", {"p"});
  Val P = arg(0, 1, "ab\"c");
  P.Form = tf::Form::String;
  P.Cut = true;
  T.block(1, Block().enter(1).value(P).voidRet());
  T.end(1);
  std::string Out = dump(T.bytes());
  EXPECT_NE(Out.find(R"({"name":"p","type":"const char *","value":"\"ab\\\"c\"…"})"), std::string::npos)
      << Out;
  EXPECT_EQ(Out.find("truncated"), std::string::npos) << Out;
  expectSameAsDump(T.bytes());
}

TEST(BinaryTrace, OpenCallsAndMissingEndAreWarnings) {
  Trace T = minimal();
  T.block(1, Block().enter(1).value(intArg(0, 1)).enter(1));
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "open.bin", S, Error)) << Error;
  ASSERT_EQ(S.Nodes.size(), 2u);
  // The last call's line is written at the end of the file.
  EXPECT_EQ(S.parentId(1), T1 | 1);
  ASSERT_EQ(S.Warnings.size(), 2u);
  EXPECT_EQ(S.Warnings[0], "open.bin: 2 calls have no 'ret' record (the program crashed or a thread was still "
                           "running?)");
  EXPECT_EQ(S.Warnings[1], "open.bin: no 'end' record (the program crashed or did not exit normally?)");
  expectSameAsDump(T.bytes());
}

TEST(BinaryTrace, FeedbackFinishesPendingCalls) {
  // The runtime writes feedback after everything its thread recorded: a
  // call whose arguments came last is written before it.
  Trace T = minimal();
  T.block(1, Block().enter(1).value(intArg(0, 1)));
  T.feedback(T1 | 1, {}, 0, std::nullopt, "inside");
  T.block(1, Block().value(intArg(1, 2)).voidRet());
  T.end(1);
  std::vector<std::string> Warnings;
  std::string Json = dump(T.bytes(), &Warnings);
  EXPECT_NE(Json.find(R"({"k":"call","node":4294967297,"site":1,"parent":0,"thread":1,"args":[{"name":"a","type":"int","value":"1"}]}
{"k":"feedback","node":4294967297,"text":"inside"}
{"k":"ret","node":4294967297}
)"),
            std::string::npos)
      << Json;
  // The argument after it is dropped, and said to be.
  ASSERT_EQ(Warnings.size(), 1u);
  EXPECT_NE(Warnings[0].find("1 value record comes after the other records of its call"), std::string::npos)
      << Warnings[0];
}

TEST(BinaryTrace, LostAndDroppedWarn) {
  Trace T = minimal();
  T.end(0, 2, false, 0, 5);
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "l.bin", S, Error)) << Error;
  ASSERT_EQ(S.Warnings.size(), 2u);
  EXPECT_NE(S.Warnings[0].find("5 data-flow edges were not recorded"), std::string::npos) << S.Warnings[0];
  EXPECT_EQ(S.Warnings[1], "l.bin: the writer dropped 2 nodes (threads still running at exit?)");
  EXPECT_EQ(dump(T.bytes()).substr(dump(T.bytes()).rfind("{\"k\":\"end\"")), "{\"k\":\"end\",\"nodes\":0,\"dropped\":2,\"lost\":5}\n");
}

/// Writes the fuzz target's seeds (test/fuzz/seeds/fuzz_trace_binary) when
/// TRACE_WRITE_BINARY_SEEDS names a directory; otherwise checks that they
/// are small enough for the fuzzer (-max_len=4096).
TEST(BinaryTrace, FuzzSeeds) {
  Trace Threads = minimal();
  Threads.block(1, Block().enter(1).value(intArg(0, 1)).value(intArg(1, 2)));
  Threads.block(2, Block().enter(1).enter(1).voidRet());
  Val From = intArg(0, 3);
  From.From = full(T2 | 2);
  Threads.block(1, Block().enter(1).value(From).value(result(1, raw(int32_t(3)))).voidRet());
  Threads.feedback(T1 | 2, {}, 0, std::nullopt, "fine", 1.0, true);
  Threads.end(4);
  std::string Everything = everything().bytes();
  std::vector<std::pair<std::string, std::string>> Seeds = {
      {"everything.bin", Everything},
      {"crashed.bin", Everything.substr(0, Everything.size() * 2 / 3)},
      {"threads.bin", Threads.bytes()},
  };
  for (const auto &[Name, Bytes] : Seeds)
    EXPECT_LE(Bytes.size(), 4096u) << Name;
  if (const char *Dir = std::getenv("TRACE_WRITE_BINARY_SEEDS"))
    for (const auto &[Name, Bytes] : Seeds)
      std::ofstream(std::string(Dir) + "/" + Name, std::ios::binary) << Bytes;
}

//===----------------------------------------------------------------------===//
// Truncated traces
//===----------------------------------------------------------------------===//

TEST(BinaryTrace, EveryPrefixLoadsOrNamesAnOffset) {
  const std::string Whole = everything().bytes();
  TraceSet All;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Whole, "w.bin", All, Error)) << Error;
  // The header record ends after the magic, the version, its kind, length
  // and payload.
  size_t HeaderEnd = Trace().header(4242, "/p/demo", "2026-11-27T10:00:00Z").size();
  for (size_t N = 0; N < Whole.size(); ++N) {
    std::string Prefix = Whole.substr(0, N);
    TraceSet S;
    std::string E;
    bool Ok = parseTraceText(Prefix, "w.bin", S, E);
    std::string Json, DumpError;
    std::vector<std::string> Warnings;
    bool Dumped = dumpTraceToString(Prefix, "w.bin", Json, Warnings, DumpError);
    if (N < HeaderEnd) {
      EXPECT_FALSE(Ok) << N;
      if (N >= tf::MagicSize) {
        EXPECT_NE(E.find("w.bin: byte "), std::string::npos) << N << ": " << E;
        EXPECT_FALSE(Dumped) << N;
      }
      continue;
    }
    // After the header, a cut trace reads up to its last complete record.
    ASSERT_TRUE(Ok) << "prefix of " << N << " bytes: " << E;
    ASSERT_TRUE(Dumped) << "prefix of " << N << " bytes: " << DumpError;
    EXPECT_LE(S.Nodes.size(), All.Nodes.size());
    if (N < Whole.size())
      EXPECT_FALSE(S.Warnings.empty()) << N;
    // The export of a prefix is itself a readable trace.
    TraceSet FromJson;
    EXPECT_TRUE(parseTraceText(Json, "w.jsonl", FromJson, E)) << N << ": " << E;
    EXPECT_EQ(FromJson.Nodes.size(), S.Nodes.size()) << N;
  }
}

TEST(BinaryTrace, CutBlockKeepsItsCompleteThreadRecords) {
  Trace T = minimal();
  T.block(1, Block().enter(1).value(intArg(0, 5)).value(intArg(1, 6)).value(result(1, raw(int32_t(11)))).enter(1)
                 .value(intArg(0, 7)));
  // Cut inside the last argument's payload.
  std::string Bytes = T.bytes().substr(0, T.size() - 2);
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Bytes, "cut.bin", S, Error)) << Error;
  ASSERT_EQ(S.Nodes.size(), 2u);
  EXPECT_EQ(S.call(0).ret(), std::optional<std::string_view>("11"));
  EXPECT_EQ(S.call(1).args().size(), 0u);
  EXPECT_EQ(S.call(1).Error, "");
  ASSERT_FALSE(S.Warnings.empty());
  size_t BlockAt = minimal().size();
  EXPECT_EQ(S.Warnings[0], "cut.bin: byte " + std::to_string(BlockAt) +
                               ": the trace ends inside a block record; its complete thread records were read "
                               "(the program was cut short?)");
  std::string Json = dump(Bytes);
  EXPECT_NE(Json.find(R"({"k":"call","node":4294967298,"site":1,"parent":0,"thread":1,"args":[]})"),
            std::string::npos)
      << Json;
}

//===----------------------------------------------------------------------===//
// Malformed traces
//===----------------------------------------------------------------------===//

TEST(BinaryTrace, MalformedTracesNameTheOffset) {
  auto At = [](size_t Offset) { return "bad.bin: byte " + std::to_string(Offset) + ": "; };
  {
    // Not the magic: read as JSON Lines, which says what is wrong.
    TraceSet S;
    std::string Error;
    EXPECT_FALSE(parseTraceText(std::string("\x7fTRACEX\0\x02", 9), "bad.bin", S, Error));
    EXPECT_NE(Error.find("bad.bin:1:"), std::string::npos) << Error;
  }
  {
    std::string B(tf::Magic, tf::MagicSize);
    varint(B, 5);
    EXPECT_EQ(refusal(B), At(8) + "unsupported binary trace version 5 (this "
                                  "trace-optimize reads versions 2 to 4)");
    EXPECT_EQ(refusal(std::string(tf::Magic, tf::MagicSize)), At(8) + "the file ends before the format version");
  }
  {
    std::string B(tf::Magic, tf::MagicSize);
    B += std::string(10, '\x80');
    EXPECT_EQ(refusal(B), At(8) + "the format version is a varint longer than 10 bytes");
  }
  {
    Trace T;
    EXPECT_EQ(refusal(T.bytes()), At(9) + "empty trace (no header record)");
    T.type(1, tf::TypeKind::Signed, 4, "int");
    EXPECT_EQ(refusal(T.bytes()), At(9) + "the first record is a type record; a trace starts with its header");
  }
  {
    Trace T = minimal();
    size_t Off = T.size();
    T.rawBytes(std::string("\x08") + std::string(10, '\xff'));
    EXPECT_EQ(refusal(T.bytes()), At(Off + 1) + "malformed block record: its length is a varint longer than 10 bytes");
  }
  {
    // A string field whose length runs past its record.
    Trace T = minimal();
    size_t Off = T.size();
    std::string P;
    varint(P, 7);
    varint(P, 50);
    P += "short";
    T.record(tf::Kind::String, P);
    EXPECT_EQ(refusal(T.bytes()), At(Off + 3) + "malformed string record: the text runs past the end of its record");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3; // kind, length, thread
    T.block(1, Block().enter(9));
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "enter record: site 9 has no site record before it");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().enter(1).value(arg(0, 77, "")));
    EXPECT_EQ(refusal(T.bytes()), At(Off + 2) + "malformed thread record at byte " + std::to_string(Off + 1) +
                                      ": the type id names no type record");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    Val V = intArg(0, 1);
    V.Param = 5;
    T.block(1, Block().enter(1).value(V));
    EXPECT_EQ(refusal(T.bytes()), At(Off + 5) + "malformed thread record at byte " + std::to_string(Off + 1) +
                                      ": the param names no string record");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    Val V = intArg(0, 1);
    V.Enum = 5;
    T.block(1, Block().enter(1).value(V));
    EXPECT_EQ(refusal(T.bytes()), At(Off + 5) + "malformed thread record at byte " + std::to_string(Off + 1) +
                                      ": the enum id names no enum record");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().exception("E", std::nullopt, std::make_pair(uint64_t(4), uint64_t(1))));
    EXPECT_EQ(refusal(T.bytes()), At(Off + 4) + "malformed thread record at byte " + std::to_string(Off) +
                                      ": the exception file names no string record");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().value(intArg(0, 1)));
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "value record: thread 1 has no open call for the value to belong to");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().value(result(1, raw(int32_t(1)))));
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "result record: thread 1 has no open call to return from");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().voidRet());
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "void record: thread 1 has no open call to end");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 2;
    std::string P;
    varint(P, uint64_t(1) << 32);
    T.record(tf::Kind::Block, P);
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "malformed block record: thread 4294967296 does not fit in 32 bits "
                                            "(node ids are thread << 32 | sequence)");
  }
  auto ThreadRecord = [&](size_t Field, size_t Record, const std::string &Cause) {
    return At(Field) + "malformed thread record at byte " + std::to_string(Record) + ": " + Cause;
  };
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().raw("\x07"));
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "unknown thread record (op 7)");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1,
            Block().raw(std::string(1, char(uint8_t(tf::Op::Coro) | 3 << 3))));
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "unknown coroutine record (3)");
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().raw(std::string(1, char(tf::EnterInlineMax << 3)) + std::string(10, '\x80') + "\x01"));
    EXPECT_EQ(refusal(T.bytes()), ThreadRecord(Off + 1, Off, "the site id is a varint longer than 10 bytes"));
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().enter(1).raw(std::string("\x81\x01\x00\x80", 4)));
    EXPECT_EQ(refusal(T.bytes()), ThreadRecord(Off + 4, Off + 1, "the value flags have unknown bits set (a newer format?)"));
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    Val V = intArg(0, 1);
    V.From = back(5);
    T.block(1, Block().enter(1).value(V));
    EXPECT_EQ(refusal(T.bytes()),
              ThreadRecord(Off + 5, Off + 1, "the node reference points before the first node of its thread"));
  }
  {
    Trace T = minimal();
    size_t Off = T.size() + 3;
    T.block(1, Block().enter(1).value(arg(0, 1, "\x01\x02"))); // Two of the int's four bytes.
    T.end(1);
    EXPECT_EQ(refusal(T.bytes()), ThreadRecord(Off + 4, Off + 1, "the value runs past the end of its block"));
  }
  {
    Trace T = minimal();
    T.type(2, tf::TypeKind::Text, 0, "std::string").type(3, tf::TypeKind::Signed, 4, "int");
    size_t Off = T.size() + 3;
    T.block(1, Block().enter(1).value(arg(0, 2, "")));
    EXPECT_EQ(refusal(T.bytes()),
              ThreadRecord(Off + 1, Off + 1,
                           "the value is in bytes form, but its type renders no bytes (a text or fixed type)"));
    Trace U = minimal();
    Off = U.size() + 3;
    Val V = intArg(0, 1);
    V.Form = tf::Form::Fixed;
    V.Payload.clear();
    U.block(1, Block().enter(1).value(V));
    EXPECT_EQ(refusal(U.bytes()),
              ThreadRecord(Off + 1, Off + 1, "the value is in fixed form, but its type is not a fixed type"));
  }
  {
    Trace T = minimal();
    size_t Off = T.size();
    T.site(1, "again", {});
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "site record: site id 1 is used twice");
  }
  {
    Trace T = minimal();
    size_t Off = T.size();
    T.type(2, tf::TypeKind::Signed, 3, "int24");
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "type record: a type of kind 1 cannot have size 3 (type id 2)");
    Trace U = minimal();
    Off = U.size();
    U.type(2, tf::TypeKind(11), 0, "new");
    EXPECT_EQ(refusal(U.bytes()), At(Off) + "type record: unknown kind 11 for type id 2");
  }
  {
    Trace T = minimal();
    size_t Off = T.size();
    T.header();
    EXPECT_EQ(refusal(T.bytes()),
              At(Off) + "a second header record (were two traces concatenated? pass them as separate files)");
  }
  {
    Trace T = minimal();
    size_t Off = T.size();
    T.threadStart(1, 5);
    T.block(1, Block().enter(1).voidRet());
    Off = T.size();
    T.threadStart(1, 9);
    EXPECT_EQ(refusal(T.bytes()), At(Off) + "thread-start record: thread 1 already has calls in this file");
  }
  {
    // A count that cannot fit in its record must not size anything.
    Trace T = minimal();
    size_t Off = T.size();
    std::string P;
    varint(P, 0);
    varint(P, uint64_t(1) << 60);
    T.record(tf::Kind::Feedback, P);
    EXPECT_EQ(refusal(T.bytes()),
              At(Off + 3) + "malformed feedback record: count 1152921504606846976 is more than the record holds");
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Values read lazily: a binary trace's values stay in the file until asked for
//===----------------------------------------------------------------------===//

TEST(LazyValues, ValuesThatGoOnInTheNextBlockOfTheirThread) {
  // The runtime may hand a chunk off between a call's enter and its values.
  Trace T = minimal();
  T.block(1, Block().enter(1).value(intArg(0, 5)));
  T.block(2, Block().enter(1).value(intArg(0, 7)).value(intArg(1, 8)).value(result(1, raw(int32_t(15)))));
  T.block(1, Block().value(intArg(1, 6)).value(result(1, raw(int32_t(11)))));
  T.end(2);
  expectSameAsDump(T.bytes());
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "split.bin", S, Error)) << Error;
  ASSERT_EQ(S.Nodes.size(), 2u);
  // Thread 2's call is complete first: it is node 0.
  size_t First = S.indexOf(0, T1 | 1);
  ASSERT_EQ(First, 1u);
  CallView V = S.call(First);
  EXPECT_EQ(V.Error, "");
  ASSERT_EQ(V.args().size(), 2u);
  EXPECT_EQ(V.args()[0].Value, "5");
  EXPECT_EQ(V.args()[1].Value, "6");
  EXPECT_EQ(V.ret(), std::optional<std::string_view>("11"));
  EXPECT_EQ(S.call(0).ret(), std::optional<std::string_view>("15"));
  EXPECT_EQ(S.call(0).args()[1].Value, "8");
}

TEST(LazyValues, ValuesAfterAFeedbackRecordAreNotTheCalls) {
  // A file record ends every open argument list: a value after it is late
  // (dropped with a warning), and decoding the call again must drop it too.
  Trace T = minimal();
  T.block(1, Block().enter(1).value(intArg(0, 5)));
  T.feedback(0, {}, 0, std::nullopt, "about the run", 0);
  T.block(1, Block().value(intArg(1, 6)).value(result(1, raw(int32_t(11)))));
  T.end(1);
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "late.bin", S, Error)) << Error;
  ASSERT_EQ(S.Warnings.size(), 1u);
  EXPECT_NE(S.Warnings[0].find("1 value record comes after"), std::string::npos) << S.Warnings[0];
  ASSERT_EQ(S.call(0).args().size(), 1u);
  EXPECT_EQ(S.call(0).args()[0].Value, "5");
  EXPECT_EQ(S.call(0).ret(), std::optional<std::string_view>("11"));
}

TEST(LazyValues, MaterializeGivesTheSameSet) {
  TraceSet Lazy, Whole;
  std::string Error;
  ASSERT_TRUE(parseTraceText(everything().bytes(), "t.trace", Lazy, Error)) << Error;
  ASSERT_TRUE(parseTraceText(everything().bytes(), "t.trace", Whole, Error)) << Error;
  ASSERT_FALSE(Whole.Facts.empty());
  ASSERT_TRUE(Whole.materialize(Error)) << Error;
  EXPECT_TRUE(Whole.Facts.empty());
  for (const Node &N : Whole.Nodes)
    EXPECT_FALSE(N.lazy());
  EXPECT_EQ(describe(Lazy), describe(Whole));
  EXPECT_EQ(Whole.call(0).args().size(), Whole.args(Whole.Nodes[0]).size());
}

TEST(LazyValues, MinibatchOfBinaryAndJsonLines) {
  // The same run as a binary trace and as its JSON Lines export, in one set:
  // each node of the first reads as the same node of the second.
  std::string Bytes = everything().bytes(), Json = dump(Bytes);
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Bytes, "a.bin", T, Error)) << Error;
  size_t N = T.Nodes.size();
  ASSERT_TRUE(parseTraceText(Json, "b.jsonl", T, Error)) << Error;
  ASSERT_TRUE(parseTraceText(Bytes, "c.bin", T, Error)) << Error;
  ASSERT_EQ(T.Nodes.size(), 3 * N);
  auto Show = [&](size_t I) {
    CallView V = T.call(I);
    std::string S = std::to_string(T.id(I)) + " " + std::to_string(T.parentId(I)) + " " +
                    std::string(V.ret().value_or("-")) + std::string(V.excWhat().value_or("-")) + V.Error;
    for (size_t A = 0; A < V.all().size(); ++A) {
      const Arg &Ar = V.all()[A];
      S += "|" + std::string(Ar.Name) + "=" + std::string(Ar.Value) + "@" + std::to_string(Ar.From) + "/" +
           std::to_string(Ar.FromIndex == NoIndex ? -1 : int64_t(Ar.FromIndex % N));
      if (const ArgExtra *E = V.extra(A))
        S += " " + std::string(E->FromParam) + "+" + std::to_string(V.derived(*E).size());
    }
    return S;
  };
  for (size_t I = 0; I < N; ++I) {
    EXPECT_TRUE(T.Nodes[I].lazy());
    EXPECT_FALSE(T.Nodes[N + I].lazy());
    EXPECT_EQ(Show(I), Show(N + I)) << I;
    EXPECT_EQ(Show(2 * N + I), Show(N + I)) << I;
    EXPECT_EQ(T.instance(2 * N + I), 2u);
  }
  EXPECT_EQ(T.indexOf(2, T.id(2 * N)), 2 * N);
}

TEST(LazyValues, FarRecordsAndManyIdRuns) {
  // Where a call's records are is kept in 16-bit steps, with a table for
  // larger ones: a call whose argument is 70000 bytes long, a call with
  // 200 calls and such arguments inside, threads that interleave (runs of
  // ids), more calls than one group of offsets. Every call must decode as
  // the same call of the trace's JSON Lines export.
  Trace T = minimal();
  T.type(2, tf::TypeKind::Text, 0, "std::string");
  auto Text = [](uint64_t Index, std::string Payload) {
    Val V = arg(Index, 2, std::move(Payload));
    V.Form = tf::Form::Text;
    return V;
  };
  Block Outer;
  Outer.enter(1).value(intArg(0, -1)).value(intArg(1, -2));
  for (int32_t I = 0; I < 200; ++I) {
    Outer.enter(1).value(intArg(0, I));
    if (I % 50 == 7)
      Outer.value(Text(1, std::string(70000, char('a' + I % 26))));
    else
      Outer.value(intArg(1, I * 2));
    Outer.value(result(1, raw(int32_t(I + 1000))));
    if (I == 99) {
      // Thread 1's block ends; thread 2 runs for a while.
      T.block(1, Outer);
      Block Other;
      for (int32_t J = 0; J < 70; ++J)
        Other.enter(1).value(intArg(0, J)).value(intArg(1, J)).value(result(1, raw(int32_t(J))));
      T.block(2, Other);
      Outer = Block();
    }
  }
  Outer.value(result(1, raw(int32_t(42))));
  T.block(1, Outer);
  T.end(271);
  expectSameAsDump(T.bytes());
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "far.bin", S, Error)) << Error;
  ASSERT_EQ(S.Nodes.size(), 271u);
  EXPECT_EQ(S.call(0).ret(), std::optional<std::string_view>("42"));
  EXPECT_EQ(S.id(0), T1 | 1);
  ASSERT_EQ(S.call(S.indexOf(0, T1 | 9)).args().size(), 2u);
  EXPECT_EQ(S.call(S.indexOf(0, T1 | 9)).args()[1].Value.size(), 70000u);
  EXPECT_EQ(S.call(S.indexOf(0, T1 | 9)).ret(), std::optional<std::string_view>("1007"));
  EXPECT_EQ(S.id(101), T2 | 1);
  ASSERT_EQ(S.call(101).args().size(), 2u);
  EXPECT_EQ(S.call(101).args()[1].Value, "0");
  EXPECT_EQ(S.id(171), T1 | 102);
  EXPECT_EQ(S.call(270).ret(), std::optional<std::string_view>("1199"));
}

TEST(LazyValues, ArgumentsWithoutFlagsBeforeOneWithAProducer) {
  // Read without rendering, arguments without flags are kept as little as
  // possible until one with a flag comes: its fact must still name its
  // place among the arguments in parameter order.
  Trace T = minimal();
  T.site(2, "g(int, int, int)", {"x", "y", "z"});
  Block B;
  B.enter(1).value(intArg(0, 1)).value(intArg(1, 2)).value(result(1, raw(int32_t(3))));
  Val FromFirst = intArg(1, 3);
  FromFirst.From = back(1);
  // Captured out of order: x, z, then y with a producer.
  B.enter(2).value(intArg(0, 8)).value(intArg(2, 9)).value(FromFirst).value(result(1, raw(int32_t(4))));
  T.block(1, B);
  T.end(2);
  expectSameAsDump(T.bytes());
  TraceSet S;
  std::string Error;
  ASSERT_TRUE(parseTraceText(T.bytes(), "order.bin", S, Error)) << Error;
  ASSERT_EQ(S.facts(1).size(), 1u);
  EXPECT_EQ(S.facts(1)[0].Pos, 1u);
  CallView V = S.call(1);
  ASSERT_EQ(V.args().size(), 3u);
  EXPECT_EQ(V.args()[0].Value, "8");
  EXPECT_EQ(V.args()[1].Value, "3");
  EXPECT_EQ(V.args()[1].From, T1 | 1);
  EXPECT_EQ(V.args()[2].From, 0u);
}

TEST(LazyValues, DenseIdsNeedNoHashing) {
  NodeIdMap M;
  for (uint64_t I = 1; I <= 100000; ++I)
    ASSERT_TRUE(M.insert((uint64_t(1) << 32) | I, I - 1));
  for (uint64_t I = 1; I <= 1000; ++I) // A second thread after the first.
    ASSERT_TRUE(M.insert((uint64_t(2) << 32) | I, 100000 + I - 1));
  EXPECT_FALSE(M.insert((uint64_t(1) << 32) | 5, 7)); // Taken.
  EXPECT_EQ(M.find((uint64_t(1) << 32) | 77), 76u);
  EXPECT_EQ(M.find((uint64_t(2) << 32) | 1000), 100999u);
  EXPECT_EQ(M.find((uint64_t(2) << 32) | 1001), NodeIdMap::npos);
  EXPECT_EQ(M.size(), 101000u);
  // Sparse ids: the map turns to hashing and keeps every entry.
  NodeIdMap Sparse;
  for (uint64_t I = 1; I <= 5000; ++I)
    ASSERT_TRUE(Sparse.insert(I * 3, I));
  EXPECT_FALSE(Sparse.insert(300, 1));
  for (uint64_t I = 1; I <= 5000; ++I)
    ASSERT_EQ(Sparse.find(I * 3), I);
  EXPECT_EQ(Sparse.find(4), NodeIdMap::npos);
}

//===----------------------------------------------------------------------===//
// Reading an index without rendering values
//===----------------------------------------------------------------------===//

namespace {

/// Writes every call and result the reader reports, without the texts (a
/// reader that skips values leaves them empty), and counts leaf calls.
/// With \p Fused false it takes a leaf call as its call and its result,
/// as BinHandler does by default.
class EventLog final : public BinHandler {
public:
  explicit EventLog(bool Fused) : Fused(Fused) {}

  bool call(const BinCall &C) override {
    OS << "call " << C.Node << " parent=" << C.Parent
       << " site=" << C.Site->Index << " at=" << C.At
       << " irregular=" << C.Irregular << " args=" << C.NumArgs
       << " this=" << (C.This != nullptr) << " globals=" << C.NumGlobals;
    if (C.HasTime)
      OS << " t=" << C.Time;
    OS << "\n";
    // Only arguments with a producer: without rendering, a call whose
    // arguments have no flags reports none (NumArgs only).
    for (size_t I = 0; C.Args && I < C.NumArgs; ++I)
      if (C.Args[I].From || C.Args[I].Modified)
        OS << "  arg " << C.Args[I].Index << " " << C.Args[I].Type
           << " from=" << C.Args[I].From << " modified=" << C.Args[I].Modified
           << "\n";
    return true;
  }
  bool ret(const BinRet &R) override {
    OS << "ret " << R.Node << " at=" << R.At << " kind=" << int(R.Kind);
    if (R.Value)
      OS << " type=" << R.Value->Type << "#" << R.Value->TypeIndex
         << " slot=" << int(R.Value->Slot);
    if (R.HasTime)
      OS << " t=" << R.Time;
    OS << "\n";
    RetAt[R.Node] = R.At;
    return true;
  }
  bool leafCall(const BinCall &C, const BinRet &R) override {
    ++Leaves;
    return Fused ? call(C) && ret(R) : BinHandler::leafCall(C, R);
  }
  uint64_t resultAt(uint64_t Node) override {
    auto It = RetAt.find(Node);
    return It == RetAt.end() ? 0 : It->second;
  }

  std::ostringstream OS;
  std::map<uint64_t, uint64_t> RetAt;
  size_t Leaves = 0;
  bool Fused;
};

/// Reads \p Bytes with \p Skip into \p Log; false with the reader's error.
bool readInto(const std::string &Bytes, bool Skip, EventLog &Log,
              std::string &Error) {
  BinaryTraceReader R(Bytes, "t.bin", Log);
  R.setSkipValues(Skip);
  if (R.read())
    return true;
  Error = R.error();
  return false;
}

} // namespace

TEST(BinarySkipValues, LeafCallsAreReadInOneStepWithTheSameEvents) {
  // Leaf calls of every shape the reader takes in one step, and calls it
  // must read record by record: a call with calls inside, one with a
  // `this`, one whose result is in the next block, one that throws.
  Trace T = minimal();
  T.type(2, tf::TypeKind::Text, 0, "std::string");
  T.type(3, tf::TypeKind::Fixed, 0, "Widget", "Widget{...}");
  for (uint64_t Id = 2; Id <= 40; ++Id)
    T.site(Id, "s" + std::to_string(Id) + "()", {});
  Block B;
  B.enter(1)
      .value(intArg(0, 1))
      .value(intArg(1, 2))
      .value(result(1, raw(int32_t(3))));
  B.enter(2).voidRet();
  B.enter(3).notCaptured();
  Val Text = arg(0, 2, "long text");
  Text.Form = tf::Form::Text;
  B.enter(4).value(Text).value(result(2, "s", tf::Form::String));
  B.enter(5).value(result(3, "", tf::Form::Fixed));
  B.enter(40)
      .value(intArg(0, 7))
      .value(result(1, raw(int32_t(7)))); // Site id as a varint.
  B.enter(1)
      .value(intArg(0, 1))
      .enter(1)
      .voidRet()
      .value(result(1, raw(int32_t(1)))); // Not a leaf, then one.
  Val This;
  This.Slot = tf::Slot::Self;
  This.Type = 3;
  This.Form = tf::Form::Fixed;
  B.enter(6).value(This).voidRet();
  B.enter(7).exception("E", std::nullopt);
  B.enter(8).value(intArg(0, 5));
  T.block(1, B);
  Block Rest;
  Rest.value(result(1, raw(int32_t(5))));
  T.block(1, Rest);
  T.end(11);
  expectSameAsDump(T.bytes());

  EventLog Full(true), OneByOne(false), Fused(true);
  std::string Error;
  ASSERT_TRUE(readInto(T.bytes(), /*Skip=*/false, Full, Error)) << Error;
  ASSERT_TRUE(readInto(T.bytes(), /*Skip=*/true, OneByOne, Error)) << Error;
  ASSERT_TRUE(readInto(T.bytes(), /*Skip=*/true, Fused, Error)) << Error;
  // Sites 1 to 5 and 40, and the call inside the second call of f.
  EXPECT_EQ(Full.Leaves, 0u);
  EXPECT_EQ(OneByOne.Leaves, 7u);
  EXPECT_EQ(Fused.Leaves, 7u);
  EXPECT_EQ(Full.OS.str(), OneByOne.OS.str());
  EXPECT_EQ(Full.OS.str(), Fused.OS.str());
}

TEST(BinarySkipValues, AValuePassedOnUnchangedIsComparedByItsBytes) {
  // y = f(y): each argument is its producer's output. Without rendering,
  // the same bytes of the same type are the same text; other values are
  // rendered and compared as texts (an int and an unsigned with the same
  // bytes differ; two NaNs with other bits both render as nan).
  Trace T = minimal();
  T.type(2, tf::TypeKind::Unsigned, 4, "unsigned");
  T.type(3, tf::TypeKind::Float, 8, "double");
  T.site(2, "g(double)", {"x"});
  auto From = [](Val V, bool Wild = false) {
    V.From = back(1, Wild);
    return V;
  };
  double Nan1 = std::numeric_limits<double>::quiet_NaN();
  uint64_t Bits;
  std::memcpy(&Bits, &Nan1, 8);
  Bits ^= 1;
  double Nan2;
  std::memcpy(&Nan2, &Bits, 8);
  Block B;
  B.enter(1)
      .value(intArg(0, 1))
      .value(intArg(1, 1))
      .value(result(1, raw(int32_t(-1))));
  B.enter(1)
      .value(From(intArg(0, -1)))
      .value(intArg(1, 1))
      .value(result(2, raw(uint32_t(7)))); // Same bytes.
  B.enter(1)
      .value(From(intArg(0, 7), true))
      .value(intArg(1, 1))
      .value(result(1, raw(int32_t(-1)))); // Unsigned 7.
  B.enter(1)
      .value(From(arg(0, 2, raw(uint32_t(0xFFFFFFFF)))))
      .value(intArg(1, 1))
      .value(result(3, raw(Nan1)));
  B.enter(2).value(From(arg(0, 3, raw(Nan2)))).value(result(3, raw(1.5)));
  B.enter(2).value(From(arg(0, 3, raw(2.5)))).value(result(3, raw(2.5)));
  T.block(1, B);
  T.end(6);
  expectSameAsDump(T.bytes());

  EventLog Full(true), Skipped(true);
  std::string Error;
  ASSERT_TRUE(readInto(T.bytes(), /*Skip=*/false, Full, Error)) << Error;
  ASSERT_TRUE(readInto(T.bytes(), /*Skip=*/true, Skipped, Error)) << Error;
  EXPECT_EQ(Full.OS.str(), Skipped.OS.str());
  EXPECT_NE(Skipped.OS.str().find("arg 0 int from=4294967297 modified=0"),
            std::string::npos); // Same bytes.
  EXPECT_NE(Skipped.OS.str().find("arg 0 int from=4294967298 modified=0"),
            std::string::npos); // Wildcard kept.
  EXPECT_NE(Skipped.OS.str().find("arg 0 unsigned from=4294967299 modified=1"),
            std::string::npos);
  EXPECT_NE(Skipped.OS.str().find("arg 0 double from=4294967300 modified=0"),
            std::string::npos); // nan, nan.
  EXPECT_NE(Skipped.OS.str().find("arg 0 double from=4294967301 modified=1"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Call times (version 3)
//===----------------------------------------------------------------------===//

/// A time record of \p Delta ticks.
std::string timeRec(uint8_t Which, uint64_t Delta) {
  std::string S(1, char(uint8_t(tf::Op::Time) | Which << 3 | (Delta & 15) << 4));
  varint(S, Delta >> 4);
  return S;
}

/// A version 3 trace: minimal()'s records and a clock of 2 GHz, \p B as
/// thread 1's block and a timed feedback on thread 1 at tick 9000.
std::string timedTrace(const Block &B) {
  Trace T;
  T.header();
  std::string Clock;
  Clock += char(tf::ClockSource::Tsc);
  varint(Clock, 2000000000);
  varint(Clock, 123456);
  varint(Clock, 777);
  T.record(tf::Kind::Clock, Clock)
      .type(1, tf::TypeKind::Signed, 4, "int")
      .site(1, "f(int, int)", {"a", "b"})
      .site(2, "g()", {})
      .block(1, B);
  std::string F;
  varint(F, T1 | 1);
  varint(F, 0);
  varint(F, 0);
  ostr(F, std::nullopt);
  str(F, "late");
  F += char(tf::FeedbackTime);
  varint(F, 1);
  varint(F, 9000);
  T.record(tf::Kind::Feedback, F).end(4);
  std::string Bytes = T.bytes();
  Bytes[tf::MagicSize] = char(tf::TimedVersion);
  return Bytes;
}

TEST(BinaryTimes, EveryWayOfReadingGivesTheSameTimes) {
  // f(1, 2) calls g() and f(x, 5), a leaf whose x is g's result; times are
  // deltas from the thread's previous time record, at 2 ticks a ns; a
  // delta of 2^20 ticks takes a three-byte varint.
  Block B;
  B.enter(1)
      .raw(timeRec(tf::TimeEntry, 20))
      .value(intArg(0, 1))
      .value(intArg(1, 2))
      .enter(2)
      .raw(timeRec(tf::TimeEntry, 30))
      .raw(timeRec(tf::TimeExit, 1 << 20))
      .voidRet()
      .enter(1)
      .raw(timeRec(tf::TimeEntry, 2));
  Val X = intArg(0, 7);
  X.From = back(1);
  B.value(X)
      .value(intArg(1, 5))
      .raw(timeRec(tf::TimeExit, 17))
      .value(result(1, raw(int32_t(12))))
      .raw(timeRec(tf::TimeExit, 1))
      .value(result(1, raw(int32_t(3))));
  B.enter(1)
      .raw(timeRec(tf::TimeEntry, 4))
      .value(intArg(0, 8))
      .value(intArg(1, 9))
      .raw(timeRec(tf::TimeExit, 6))
      .value(result(1, raw(int32_t(17))));
  std::string Bytes = timedTrace(B);
  std::string Json = dump(Bytes);
  EXPECT_NE(Json.find("{\"k\":\"clock\",\"source\":\"tsc\",\"hz\":2000000000,\"monotonic_ns\":777}\n"),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"value\":\"2\"}],\"t_ns\":10}\n"), std::string::npos) << Json;
  EXPECT_NE(Json.find("{\"k\":\"call\",\"node\":4294967298,\"site\":2,\"parent\":4294967297,\"thread\":1,"
                      "\"args\":[],\"t_ns\":25}\n{\"k\":\"ret\",\"node\":4294967298,\"t_ns\":524313}\n"),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"from\":4294967298},{\"name\":\"b\",\"type\":\"int\",\"value\":\"5\"}],\"t_ns\":524314}\n"),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"node\":4294967299,\"type\":\"int\",\"value\":\"12\",\"t_ns\":524322}\n"),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"node\":4294967297,\"type\":\"int\",\"value\":\"3\",\"t_ns\":524323}\n"),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"value\":\"9\"}],\"t_ns\":524325}\n{\"k\":\"ret\",\"node\":4294967300,\"type\":\"int\","
                      "\"value\":\"17\",\"t_ns\":524328}\n"),
            std::string::npos)
      << Json;
  EXPECT_NE(Json.find("\"text\":\"late\",\"thread\":1,\"t_ns\":4500}\n"), std::string::npos) << Json;
  expectSameAsDump(Bytes);

  // Record by record, and with the leaf calls in one step.
  EventLog Full(true), Skipped(true);
  std::string Error;
  ASSERT_TRUE(readInto(Bytes, /*Skip=*/false, Full, Error)) << Error;
  ASSERT_TRUE(readInto(Bytes, /*Skip=*/true, Skipped, Error)) << Error;
  EXPECT_EQ(Full.OS.str(), Skipped.OS.str());
  EXPECT_EQ(Skipped.Leaves, 2u);
  EXPECT_NE(Full.OS.str().find("ret 4294967299 at="), std::string::npos);
  EXPECT_NE(Full.OS.str().find("t=524322\n"), std::string::npos) << Full.OS.str();
}

TEST(BinaryTimes, TimesNeedAClockAndACall) {
  Block B;
  B.raw(timeRec(tf::TimeEntry, 5));
  std::string Bytes = timedTrace(B);
  EXPECT_NE(refusal(Bytes).find("entry time record: thread 1 has no call starting"), std::string::npos)
      << refusal(Bytes);
  // A version 2 trace has no clock: its time records cannot be read.
  Trace T = minimal();
  Block C;
  C.enter(1).raw(timeRec(tf::TimeEntry, 5)).voidRet();
  T.block(1, C);
  EXPECT_NE(refusal(T.bytes()).find("time record: the trace has no clock record before it"), std::string::npos)
      << refusal(T.bytes());
}
