//===- RecordTest.cpp - Recording through the ABI, output parsed back -----===//
//
// The functions below are written in the exact form the plugin emits (see
// the appendix of docs/design.md), so these tests also pin the ABI.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "trace/abi.hpp"
#include "JsonDump.h"

#define __TRACE_PLUGIN__ 1
#include "trace/trace.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using nlohmann::json;

namespace {

constexpr uint64_t HashF = 0x1111ull, HashG = 0x2222ull, HashH = 0x3333ull;

int f(int x) {
  static ::__trace_rt::__Site __trace_site{0x1111ull, "f(int)", "f", __PRETTY_FUNCTION__, "/t.cpp", 1, "x\0", 1, "Doubles x.", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return 2 * x; });}

int g(const int &y) {
  static ::__trace_rt::__Site __trace_site{0x2222ull, "g(const int &)", "g", __PRETTY_FUNCTION__, "/t.cpp", 2, "y\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__argRef(0, y);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return y + 1; });}

int h(int a, int b) {
  static ::__trace_rt::__Site __trace_site{0x3333ull, "h(int, int)", "h", __PRETTY_FUNCTION__, "/t.cpp", 3, "a\0b\0", 2, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, a); __trace_call.__arg(1, b);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return a * b; });}

std::string echo(const std::string &s) {
  static ::__trace_rt::__Site __trace_site{0x4444ull, "echo(const std::string &)", "echo", __PRETTY_FUNCTION__, "/t.cpp", 4, "s\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__argRef(0, s);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> std::string { return s; });}

int thrower(int n) {
  static ::__trace_rt::__Site __trace_site{0x5555ull, "thrower(int)", "thrower", __PRETTY_FUNCTION__, "/t.cpp", 5, "n\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, n);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { if (n > 0) throw std::out_of_range("n too big"); return n; });}

void sink(int v) {
  static ::__trace_rt::__Site __trace_site{0x6666ull, "sink(int)", "sink", __PRETTY_FUNCTION__, "/t.cpp", 6, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, v);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> void { (void)v; });}

int outer(int x) {
  static ::__trace_rt::__Site __trace_site{0x7777ull, "outer(int)", "outer", __PRETTY_FUNCTION__, "/t.cpp", 7, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return f(::__trace_rt::__note(x, 0x1111ull, 0)) + 1; });}

/// Counts copies and moves, to show invoke adds none.
struct Counted {
  static int Copies, Moves;
  int V = 0;
  explicit Counted(int V) : V(V) {}
  Counted(const Counted &O) : V(O.V) { ++Copies; }
  Counted(Counted &&O) noexcept : V(O.V) { ++Moves; }
};
int Counted::Copies = 0, Counted::Moves = 0;

Counted makeCounted(int v) {
  static ::__trace_rt::__Site __trace_site{0x8888ull, "makeCounted(int)", "makeCounted", __PRETTY_FUNCTION__, "/t.cpp", 8, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, v);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> Counted { return Counted(v); });}

struct Pinned {
  explicit Pinned(int V) : V(V) {}
  Pinned(const Pinned &) = delete;
  Pinned(Pinned &&) = delete;
  int V;
};
Pinned makePinned(int v) {
  static ::__trace_rt::__Site __trace_site{0x9999ull, "makePinned(int)", "makePinned", __PRETTY_FUNCTION__, "/t.cpp", 9, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, v);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> Pinned { return Pinned(v); });}

int &pick(int &a) {
  static ::__trace_rt::__Site __trace_site{0xaaaaull, "pick(int &)", "pick", __PRETTY_FUNCTION__, "/t.cpp", 10, "a\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__argRef(0, a);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int & { return a; });}

double Gain = 0.5;
double scaled(double x) {
  static ::__trace_rt::__Site __trace_site{0xbbbbull, "scaled(double)", "scaled", __PRETTY_FUNCTION__, "/t.cpp", 11, "x\0", 1, "", "code:scaled(double)", 1u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  __trace_call.__global(0xccccull, "var:Gain", ::Gain);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> double { return x * Gain; });}

struct Box {
  int K = 3;
  int get() const {
    static ::__trace_rt::__Site __trace_site{0xddddull, "Box::get() const", "Box::get", __PRETTY_FUNCTION__, "/t.cpp", 12, "", 0, "", nullptr, 2u};
    ::__trace_rt::__Call __trace_call(__trace_site);
    __trace_call.__self(*this);
    return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return K; });}
};
Box makeBox() {
  static ::__trace_rt::__Site __trace_site{0xeeeeull, "makeBox()", "makeBox", __PRETTY_FUNCTION__, "/t.cpp", 13, "", 0, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> Box { return Box(); });}

// The in-place forms: the statements stay the function's; each return
// records its result, the handler records an exception, the __Call's
// destructor records what no return did.
int inThrower(int n) {
  static ::__trace_rt::__Site __trace_site{0x1a1aull, "inThrower(int)", "inThrower", __PRETTY_FUNCTION__, "/t.cpp", 20, "n\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, n); try {
  if (n > 0)
    throw std::out_of_range("n too big");
  return ::__trace_rt::__retv(__trace_call, n);
  } catch (...) { __trace_call.__threw(); throw; }}
void inVoid(int v) {
  static ::__trace_rt::__Site __trace_site{0x1b1bull, "inVoid(int)", "inVoid", __PRETTY_FUNCTION__, "/t.cpp", 21, "v\0", 1, "", nullptr, 8u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, v); try {
  if (v)
    return;
  } catch (...) { __trace_call.__threw(); throw; }}
/// No handler (its end is reachable): an exception of unknown type.
int inLoose(int n) {
  static ::__trace_rt::__Site __trace_site{0x1c1cull, "inLoose(int)", "inLoose", __PRETTY_FUNCTION__, "/t.cpp", 22, "n\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, n);
  if (n > 0)
    return ::__trace_rt::__retv(__trace_call, n);
  throw std::runtime_error("not positive");
}
Counted inNamed(int v) {
  static ::__trace_rt::__Site __trace_site{0x1d1dull, "inNamed(int)", "inNamed", __PRETTY_FUNCTION__, "/t.cpp", 23, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, v); try {
  Counted C(v);
  {__trace_call.__ret(C); return C;}
  } catch (...) { __trace_call.__threw(); throw; }}
Counted inMade(int v) {
  static ::__trace_rt::__Site __trace_site{0x1e1eull, "inMade(int)", "inMade", __PRETTY_FUNCTION__, "/t.cpp", 24, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, v); try {
  return ::__trace_rt::__result(__trace_call, [&]() -> Counted { return Counted(v); });
  } catch (...) { __trace_call.__threw(); throw; }}
Pinned inPinned(int v) {
  static ::__trace_rt::__Site __trace_site{0x1f1full, "inPinned(int)", "inPinned", __PRETTY_FUNCTION__, "/t.cpp", 25, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, v); try {
  return ::__trace_rt::__result(__trace_call, [&]() -> Pinned { return Pinned(v); });
  } catch (...) { __trace_call.__threw(); throw; }}
int &inRef(int &a) {
  static ::__trace_rt::__Site __trace_site{0x2a2aull, "inRef(int &)", "inRef", __PRETTY_FUNCTION__, "/t.cpp", 26, "a\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__argRef(0, a); try {
  return ::__trace_rt::__retRef(__trace_call, a);
  } catch (...) { __trace_call.__threw(); throw; }}
long inAs(int v) {
  static ::__trace_rt::__Site __trace_site{0x2b2bull, "inAs(int)", "inAs", __PRETTY_FUNCTION__, "/t.cpp", 27, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, v); try {
  return ::__trace_rt::__retAs< long>(__trace_call, v * 2);
  } catch (...) { __trace_call.__threw(); throw; }}
int inUnrecorded(int v) {
  static ::__trace_rt::__Site __trace_site{0x2c2cull, "inUnrecorded(int)", "inUnrecorded", __PRETTY_FUNCTION__, "/t.cpp", 28, "v\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, v); __trace_call.__unrecorded(); try {
  return v;
  } catch (...) { __trace_call.__threw(); throw; }}

::__trace_rt::__ParamInfo ParamGain{"var:Gain", 1, "Gain", "/t.cpp", 10, 100, 103, "fnv1a64:0123456789abcdef", "0.5", nullptr, "keep in [0, 1]", "double"};
::__trace_rt::__Registrar RegGain(ParamGain, Gain);
::__trace_rt::__ParamInfo ParamGainAgain{"var:Gain", 1, "Gain", "/t.cpp", 10, 100, 103, "fnv1a64:0123456789abcdef", "0.5", nullptr, "keep in [0, 1]", "double"};
::__trace_rt::__Registrar RegGainAgain(ParamGainAgain, Gain);
::__trace_rt::__ParamInfo ParamCode{"code:scaled(double)", 0, "scaled", "/t.cpp", 11, 200, 260, "fnv1a64:fedcba9876543210", "double scaled(double x) { return x * Gain; }", "double scaled(double x)", nullptr, nullptr};
::__trace_rt::__Registrar RegCode(ParamCode);
::__trace_rt::__TuInfo Tu{"/t.cpp", "/build", "-cc1\0-std=c++17\0"};
::__trace_rt::__Registrar RegTu(Tu);

/// The JSON Lines export of binary trace bytes, one object per line.
std::vector<json> dumpLines(const std::string &Bytes, const std::string &Name) {
  std::string Text, Error;
  std::vector<std::string> Warnings;
  EXPECT_TRUE(traceopt::dumpTraceToString(Bytes, Name, Text, Warnings, Error))
      << Error;
  std::vector<json> Lines;
  std::istringstream In(Text);
  std::string L;
  while (std::getline(In, L))
    Lines.push_back(json::parse(L));
  return Lines;
}

/// Everything written so far, one JSON object per line (the binary trace
/// read back through `trace-optimize dump`'s library).
/// The trace so far: every definition (sites, types, parameters...), which the
/// file holds once, and the events recorded since the previous call, so that
/// the tests also pass when they share one process (one trace file).
/// Set by the first readTrace(): the runtime has opened its trace file.
bool TraceFileOpen = false;

std::vector<json> readTrace() {
  static size_t Seen = 0;
  TraceFileOpen = true;
  trace::flush();
  std::string Path =
      __trace_rt::expandPath(__trace_rt::config().Path, ::getpid());
  std::ifstream In(Path, std::ios::binary);
  EXPECT_TRUE(In.good()) << Path;
  std::stringstream Bytes;
  Bytes << In.rdbuf();
  std::vector<json> All = dumpLines(Bytes.str(), Path);
  std::vector<json> New;
  for (size_t I = 0; I < All.size(); ++I) {
    const std::string K = All[I].value("k", "");
    bool Event = K == "call" || K == "ret" || K == "feedback" || K == "cut" ||
                 K == "end";
    if (!Event || I >= Seen)
      New.push_back(All[I]);
  }
  Seen = All.size();
  return New;
}

std::map<uint64_t, std::string> siteNames(const std::vector<json> &T) {
  std::map<uint64_t, std::string> M;
  for (const json &J : T)
    if (J["k"] == "site")
      M[J["site"].get<uint64_t>()] = J["name"];
  return M;
}

/// The call records of the bundle \p Name, in order.
std::vector<json> calls(const std::vector<json> &T, const std::string &Name) {
  auto Sites = siteNames(T);
  std::vector<json> R;
  for (const json &J : T)
    if (J["k"] == "call" && Sites[J["site"].get<uint64_t>()] == Name)
      R.push_back(J);
  return R;
}

json retOf(const std::vector<json> &T, uint64_t Node) {
  for (const json &J : T)
    if (J["k"] == "ret" && J["node"] == Node)
      return J;
  return json();
}

uint64_t node(const json &Call) { return Call["node"].get<uint64_t>(); }

} // namespace

TEST(Record, HeaderSitesCallsAndReturns) {
  int R = f(21);
  EXPECT_EQ(R, 42);
  auto T = readTrace();
  ASSERT_FALSE(T.empty());
  EXPECT_EQ(T[0]["k"], "header");
  EXPECT_EQ(T[0]["version"], 1);
  EXPECT_EQ(T[0]["format"], "trace-cpp");
  auto Fs = calls(T, "f");
  ASSERT_EQ(Fs.size(), 1u);
  EXPECT_EQ(Fs[0]["args"][0]["name"], "x");
  EXPECT_EQ(Fs[0]["args"][0]["type"], "int");
  EXPECT_EQ(Fs[0]["args"][0]["value"], "21");
  EXPECT_EQ(Fs[0]["parent"], 0);
  EXPECT_EQ(node(Fs[0]) & 0xffffffffu, 1u);
  json Ret = retOf(T, node(Fs[0]));
  EXPECT_EQ(Ret["value"], "42");
  for (const json &J : T)
    if (J["k"] == "site" && J["name"] == "f") {
      EXPECT_EQ(J["key"], "f(int)");
      EXPECT_EQ(J["doc"], "Doubles x.");
      EXPECT_EQ(J["params"], json::array({"x"}));
      EXPECT_TRUE(J["param"].is_null());
    }
}

TEST(Record, ParamsAndTuListedOnceEvenIfNeverCalled) {
  auto T = readTrace();
  int Gains = 0, Codes = 0, Tus = 0;
  for (const json &J : T) {
    if (J["k"] == "param" && J["id"] == "var:Gain") {
      ++Gains;
      EXPECT_EQ(J["kind"], "value");
      EXPECT_EQ(J["value"], "0.5");
      EXPECT_EQ(J["type"], "double");
      EXPECT_EQ(J["constraint"], "keep in [0, 1]");
      EXPECT_EQ(J["begin"], 100);
    }
    if (J["k"] == "param" && J["id"] == "code:scaled(double)") {
      ++Codes;
      EXPECT_EQ(J["kind"], "code");
      EXPECT_EQ(J["signature"], "double scaled(double x)");
      EXPECT_TRUE(J["constraint"].is_null());
    }
    if (J["k"] == "tu") {
      ++Tus;
      EXPECT_EQ(J["args"], json::array({"-cc1", "-std=c++17"}));
    }
  }
  EXPECT_EQ(Gains, 1);
  EXPECT_EQ(Codes, 1);
  EXPECT_EQ(Tus, 1);
}

TEST(Record, NamedLocalsLinkByAddress) {
  int x = 5;
  ::__trace_rt::__Local B1; auto a = f(::__trace_rt::__note(x, HashF, 0)); B1.__init(a);
  ::__trace_rt::__Local B2; auto b = g(::__trace_rt::__note(a, HashG, 0)); B2.__init(b);
  int c = h(::__trace_rt::__note(a, HashH, 0), ::__trace_rt::__note(b, HashH, 1));
  EXPECT_EQ(c, 110);
  auto T = readTrace();
  auto F = calls(T, "f"), G = calls(T, "g"), H = calls(T, "h");
  ASSERT_EQ(F.size(), 1u);
  ASSERT_EQ(G.size(), 1u);
  ASSERT_EQ(H.size(), 1u);
  EXPECT_FALSE(F[0]["args"][0].contains("from"));
  EXPECT_EQ(G[0]["args"][0]["from"], node(F[0]));
  EXPECT_EQ(H[0]["args"][0]["from"], node(F[0]));
  EXPECT_EQ(H[0]["args"][1]["from"], node(G[0]));
  EXPECT_FALSE(H[0]["args"][0].contains("modified"));
}

TEST(Record, NestedTemporariesLinkByExpect) {
  int x = 1;
  int r = h((::__trace_rt::__expect(HashH, 0), g((::__trace_rt::__expect(HashG, 0), f(::__trace_rt::__note(x, HashF, 0))))),
            (::__trace_rt::__expect(HashH, 1), f(::__trace_rt::__note(x, HashF, 0))));
  EXPECT_EQ(r, 6);
  auto T = readTrace();
  auto F = calls(T, "f"), G = calls(T, "g"), H = calls(T, "h");
  ASSERT_EQ(F.size(), 2u);
  ASSERT_EQ(G.size(), 1u);
  ASSERT_EQ(H.size(), 1u);
  // Argument evaluation order is unspecified; find each f by its consumer.
  uint64_t GFrom = G[0]["args"][0]["from"];
  uint64_t H1From = H[0]["args"][1]["from"];
  EXPECT_NE(GFrom, H1From);
  EXPECT_TRUE(GFrom == node(F[0]) || GFrom == node(F[1]));
  EXPECT_TRUE(H1From == node(F[0]) || H1From == node(F[1]));
  EXPECT_EQ(H[0]["args"][0]["from"], node(G[0]));
}

TEST(Record, SameFunctionNested) {
  int x = 3;
  int r = f((::__trace_rt::__expect(HashF, 0), f(::__trace_rt::__note(x, HashF, 0))));
  EXPECT_EQ(r, 12);
  auto T = readTrace();
  auto F = calls(T, "f");
  ASSERT_EQ(F.size(), 2u);
  EXPECT_EQ(F[1]["args"][0]["from"], node(F[0]));
}

TEST(Record, EqualValuesLinkToTheRightCall) {
  ::__trace_rt::__Local B1; auto a = f(1); B1.__init(a);
  ::__trace_rt::__Local B2; auto b = f(1); B2.__init(b);
  g(::__trace_rt::__note(b, HashG, 0));
  g(::__trace_rt::__note(a, HashG, 0));
  auto T = readTrace();
  auto F = calls(T, "f"), G = calls(T, "g");
  ASSERT_EQ(F.size(), 2u);
  ASSERT_EQ(G.size(), 2u);
  EXPECT_EQ(G[0]["args"][0]["from"], node(F[1]));
  EXPECT_EQ(G[1]["args"][0]["from"], node(F[0]));
}

TEST(Record, ModifiedValueIsMarked) {
  ::__trace_rt::__Local B1; auto a = f(4); B1.__init(a);
  a += 1;
  g(::__trace_rt::__note(a, HashG, 0));
  auto T = readTrace();
  auto G = calls(T, "g");
  ASSERT_EQ(G.size(), 1u);
  EXPECT_EQ(G[0]["args"][0]["value"], "9");
  EXPECT_EQ(G[0]["args"][0]["modified"], true);
  EXPECT_EQ(G[0]["args"][0]["from"], node(calls(T, "f")[0]));
}

static int helperNotABundle(const int &v) { return g(::__trace_rt::__note(v, HashG, 0)); }

TEST(Record, ConstRefThroughUnannotatedHelper) {
  ::__trace_rt::__Local B1; auto a = f(2); B1.__init(a);
  helperNotABundle(a);
  // A reference parameter without a note is looked up by its own address.
  g(a);
  auto T = readTrace();
  auto G = calls(T, "g");
  ASSERT_EQ(G.size(), 2u);
  EXPECT_EQ(G[0]["args"][0]["from"], node(calls(T, "f")[0]));
  EXPECT_EQ(G[1]["args"][0]["from"], node(calls(T, "f")[0]));
}

TEST(Record, BindingEndsWithScope) {
  int Saved;
  {
    ::__trace_rt::__Local B1; auto a = f(2); B1.__init(a);
    Saved = a;
  }
  // Not a copy of a variable (the plugin, when it builds this file, would
  // follow a copy): a new value, maybe at a's old address.
  int Other = Saved + 0;
  g(Other);
  auto T = readTrace();
  EXPECT_FALSE(calls(T, "g")[0]["args"][0].contains("from"));
}

TEST(Record, MemberObjectIsAnInput) {
  ::__trace_rt::__Local B1; auto b = makeBox(); B1.__init(b);
  EXPECT_EQ(b.get(), 3);
  auto T = readTrace();
  auto Get = calls(T, "Box::get");
  ASSERT_EQ(Get.size(), 1u);
  EXPECT_EQ(Get[0]["this"]["type"], "(anonymous namespace)::Box");
  EXPECT_EQ(Get[0]["this"]["from"], node(calls(T, "makeBox")[0]));
}

TEST(Record, ParentsAndRecursionDepth) {
  int x = 4;
  outer(x);
  auto T = readTrace();
  auto O = calls(T, "outer"), F = calls(T, "f");
  ASSERT_EQ(O.size(), 1u);
  ASSERT_EQ(F.size(), 1u);
  EXPECT_EQ(F[0]["parent"], node(O[0]));
  // outer's x is a by-value parameter: no producer.
  EXPECT_FALSE(F[0]["args"][0].contains("from"));
}

TEST(Record, ExceptionsAreRecordedAndRethrown) {
  EXPECT_THROW(thrower(1), std::out_of_range);
  EXPECT_EQ(thrower(0), 0);
  auto T = readTrace();
  auto C = calls(T, "thrower");
  ASSERT_EQ(C.size(), 2u);
  json R = retOf(T, node(C[0]));
  EXPECT_EQ(R["exception"]["type"], "std::out_of_range");
  EXPECT_EQ(R["exception"]["what"], "n too big");
  EXPECT_FALSE(R.contains("value"));
  EXPECT_EQ(retOf(T, node(C[1]))["value"], "0");
}

TEST(Record, VoidReferenceMoveOnlyAndPinnedReturns) {
  sink(1);
  Counted::Copies = Counted::Moves = 0;
  Counted C = makeCounted(7);
  EXPECT_EQ(C.V, 7);
  EXPECT_EQ(Counted::Copies, 0);
  EXPECT_EQ(Counted::Moves, 0);
  Pinned P = makePinned(8);
  EXPECT_EQ(P.V, 8);
  int Target = 9;
  int &Ref = pick(Target);
  EXPECT_EQ(&Ref, &Target);
  auto T = readTrace();
  EXPECT_FALSE(retOf(T, node(calls(T, "sink")[0])).contains("value"));
  EXPECT_EQ(retOf(T, node(calls(T, "makePinned")[0]))["value"], "<not captured>");
  EXPECT_EQ(retOf(T, node(calls(T, "pick")[0]))["value"], "9");
}

TEST(Record, InPlaceReturnsAndExceptions) {
  EXPECT_THROW(inThrower(1), std::out_of_range);
  EXPECT_EQ(inThrower(0), 0);
  inVoid(0);
  inVoid(1);
  EXPECT_EQ(inLoose(2), 2);
  EXPECT_THROW(inLoose(0), std::runtime_error);
  Counted::Copies = Counted::Moves = 0;
  Counted N = inNamed(4);
  Counted M = inMade(5);
  EXPECT_EQ(N.V + M.V, 9);
  EXPECT_EQ(Counted::Copies, 0);
  EXPECT_EQ(Counted::Moves, 0);
  Pinned P = inPinned(6);
  EXPECT_EQ(P.V, 6);
  int Target = 9;
  EXPECT_EQ(&inRef(Target), &Target);
  EXPECT_EQ(inAs(3), 6);
  EXPECT_EQ(inUnrecorded(7), 7);
  auto T = readTrace();
  auto Thr = calls(T, "inThrower");
  ASSERT_EQ(Thr.size(), 2u);
  EXPECT_EQ(retOf(T, node(Thr[0]))["exception"]["type"], "std::out_of_range");
  EXPECT_EQ(retOf(T, node(Thr[0]))["exception"]["what"], "n too big");
  EXPECT_EQ(retOf(T, node(Thr[1]))["value"], "0");
  auto V = calls(T, "inVoid");
  ASSERT_EQ(V.size(), 2u);
  for (const json &C : V) {
    json R = retOf(T, node(C));
    EXPECT_FALSE(R.is_null());
    EXPECT_FALSE(R.contains("value"));
    EXPECT_FALSE(R.contains("exception"));
  }
  auto L = calls(T, "inLoose");
  ASSERT_EQ(L.size(), 2u);
  EXPECT_EQ(retOf(T, node(L[0]))["value"], "2");
  EXPECT_EQ(retOf(T, node(L[1]))["exception"]["type"], "unknown");
  EXPECT_FALSE(retOf(T, node(L[1]))["exception"].contains("what"));
  for (const char *Name : {"inNamed", "inMade"}) {
    json R = retOf(T, node(calls(T, Name)[0]));
    ASSERT_TRUE(R.contains("value")) << Name;
    EXPECT_NE(R["value"], "<not captured>") << Name;
  }
  EXPECT_EQ(retOf(T, node(calls(T, "inPinned")[0]))["value"], "<not captured>");
  EXPECT_EQ(retOf(T, node(calls(T, "inRef")[0]))["value"], "9");
  EXPECT_EQ(retOf(T, node(calls(T, "inAs")[0]))["value"], "6");
  EXPECT_EQ(retOf(T, node(calls(T, "inUnrecorded")[0]))["value"], "<not captured>");
}

TEST(Record, GlobalsAreInputs) {
  scaled(4.0);
  auto T = readTrace();
  auto S = calls(T, "scaled");
  ASSERT_EQ(S.size(), 1u);
  EXPECT_EQ(S[0]["globals"][0]["param"], "var:Gain");
  EXPECT_EQ(S[0]["globals"][0]["value"], "0.5");
  EXPECT_EQ(retOf(T, node(S[0]))["value"], "2");
}

TEST(Record, LongStringsAreTruncatedWithMarker) {
  std::size_t Max = __trace_rt::config().MaxValue;
  std::string Long(Max + 100, 'z');
  echo(Long);
  auto T = readTrace();
  auto E = calls(T, "echo");
  ASSERT_EQ(E.size(), 1u);
  const json &A = E[0]["args"][0];
  EXPECT_EQ(A["truncated"], 100);
  EXPECT_EQ(A["type"], "std::string");
  std::string V = A["value"];
  EXPECT_EQ(V, "\"" + std::string(Max, 'z') + "\"\xE2\x80\xA6[+100 bytes]");
}

TEST(Record, FeedbackAttachesToProducer) {
  ::__trace_rt::__Local B1; auto a = f(10); B1.__init(a);
  f(11);
  trace::feedback(a, "too small", 0.25);
  // What the plugin writes for a temporary: the feedback expects the next
  // bundle to return.
  trace::feedback((::__trace_rt::__expect(::__trace_rt::__FeedbackHash, 0), f(12)),
                  "temporary");
  int Plain = 5;
  trace::feedback(Plain, "not from a call");
  trace::feedback("overall");
  trace::success("done");
  auto T = readTrace();
  auto F = calls(T, "f");
  ASSERT_EQ(F.size(), 3u);
  std::vector<json> Fb;
  for (const json &J : T)
    if (J["k"] == "feedback")
      Fb.push_back(J);
  ASSERT_EQ(Fb.size(), 5u);
  EXPECT_EQ(Fb[0]["node"], node(F[0]));
  EXPECT_EQ(Fb[0]["score"], 0.25);
  EXPECT_EQ(Fb[0]["text"], "too small");
  EXPECT_EQ(Fb[1]["node"], node(F[2]));
  EXPECT_FALSE(Fb[1].contains("score"));
  // A value no recorded call produced is never pinned on the latest call.
  EXPECT_EQ(Fb[2]["node"], 0);
  EXPECT_EQ(Fb[2]["unattributed"], "not produced by a recorded call");
  // Run-level feedback names no call.
  EXPECT_EQ(Fb[3]["node"], 0);
  EXPECT_FALSE(Fb[3].contains("unattributed"));
  EXPECT_EQ(Fb[4]["node"], 0);
  EXPECT_EQ(Fb[4]["success"], true);
  EXPECT_EQ(Fb[4]["text"], "done");
}

TEST(Record, ManyCallsStayInOneChunkAndAllArrive) {
  constexpr int N = 200000;
  for (int I = 0; I < N; ++I)
    f(I);
  __trace_rt::ThreadState *TS = __trace_rt::currentThread();
  ASSERT_NE(TS, nullptr);
  EXPECT_EQ(TS->Buffer->Cap, __trace_rt::config().ChunkBytes);
  auto T = readTrace();
  auto F = calls(T, "f");
  ASSERT_EQ(F.size(), static_cast<std::size_t>(N));
  for (int I = 0; I < N; I += 9973)
    EXPECT_EQ(F[I]["args"][0]["value"], std::to_string(I));
  // Node numbers are consecutive across every carry of their decimal text.
  for (int I = 1; I < N; ++I)
    ASSERT_EQ(node(F[I]), node(F[I - 1]) + 1) << "call " << I;
  EXPECT_EQ(retOf(T, node(F[N - 1]))["value"], std::to_string(2 * (N - 1)));
}

TEST(Record, FourThreadsRecordEveryNode) {
  constexpr int PerThread = 20000;
  std::vector<std::thread> Ts;
  for (int K = 0; K < 4; ++K)
    Ts.emplace_back([] {
      for (int I = 0; I < PerThread; ++I) {
        ::__trace_rt::__Local B; auto a = f(I); B.__init(a);
        g(::__trace_rt::__note(a, HashG, 0));
      }
    });
  for (auto &T : Ts)
    T.join();
  auto T = readTrace();
  auto F = calls(T, "f"), G = calls(T, "g");
  EXPECT_EQ(F.size(), 4u * PerThread);
  EXPECT_EQ(G.size(), 4u * PerThread);
  std::set<uint64_t> Nodes, Threads;
  for (const json &C : F) {
    Nodes.insert(node(C));
    Threads.insert(C["thread"].get<uint64_t>());
    EXPECT_EQ(node(C) >> 32, C["thread"].get<uint64_t>());
  }
  EXPECT_EQ(Nodes.size(), F.size());
  EXPECT_EQ(Threads.size(), 4u);
  std::set<uint64_t> FromSeen;
  for (const json &C : G) {
    uint64_t From = C["args"][0]["from"];
    EXPECT_EQ(From >> 32, node(C) >> 32);
    FromSeen.insert(From);
  }
  EXPECT_EQ(FromSeen, Nodes);
}

TEST(Record, ExitedThreadsStateIsReusedWithANewIndex) {
  __trace_rt::ThreadState *First = nullptr, *Second = nullptr;
  uint32_t FirstIndex = 0, SecondIndex = 0;
  std::thread([&] {
    f(1);
    First = __trace_rt::currentThread();
    FirstIndex = First->Index;
  }).join();
  std::thread([&] {
    f(2);
    Second = __trace_rt::currentThread();
    SecondIndex = Second->Index;
    EXPECT_EQ(Second->Seq, 1u);
  }).join();
  EXPECT_EQ(First, Second);
  EXPECT_NE(FirstIndex, SecondIndex);
  auto T = readTrace();
  auto F = calls(T, "f");
  ASSERT_EQ(F.size(), 2u);
  EXPECT_EQ(F[0]["thread"], FirstIndex);
  EXPECT_EQ(F[1]["thread"], SecondIndex);
  EXPECT_EQ(F[1]["args"][0]["value"], "2");
}

namespace {
/// Overloads unary & (like some COM smart pointers): recording must not use it.
struct AmpersandTrap {
  int V = 4;
  AmpersandTrap *operator&() = delete;
};
int trap(const AmpersandTrap &t, volatile int v, int (&fn)(int)) {
  static ::__trace_rt::__Site __trace_site{0xf00dull, "trap", "trap", __PRETTY_FUNCTION__, "/t.cpp", 20, "t\0v\0fn\0", 3, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__argRef(0, t); __trace_call.__arg(1, v); __trace_call.__argRef(2, fn);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return t.V + v + fn(0); });}
} // namespace

TEST(Record, OddParameterKinds) {
  AmpersandTrap T;
  EXPECT_EQ(trap(T, 1, f), 5);
  auto Tr = readTrace();
  auto C = calls(Tr, "trap");
  ASSERT_EQ(C.size(), 1u);
  EXPECT_EQ(C[0]["args"][1]["value"], "1");
  std::string Fn = C[0]["args"][2]["value"];
  EXPECT_EQ(Fn.rfind("0x", 0), 0u) << Fn;
}

namespace {
// Two Site objects for one function, as a static function defined in a
// header gets in each translation unit.
int copyA(int x) {
  static ::__trace_rt::__Site __trace_site{0xabcull, "twin(int)", "twin", "int twin(int)", "/h.hpp", 1, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return x; });}
int copyB(int x) {
  static ::__trace_rt::__Site __trace_site{0xabcull, "twin(int)", "twin", "int twin(int)", "/h.hpp", 1, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return x; });}
} // namespace

TEST(Record, SitesWithTheSameKeyAndSignatureShareAnId) {
  copyA(1);
  copyB(2);
  auto T = readTrace();
  int Sites = 0;
  for (const json &J : T)
    Sites += J["k"] == "site" && J["name"] == "twin";
  EXPECT_EQ(Sites, 1);
  auto C = calls(T, "twin");
  ASSERT_EQ(C.size(), 2u);
  EXPECT_EQ(C[0]["site"], C[1]["site"]);
}

namespace {
int pairs(std::pair<int, int> p, std::pair<const char *, int> q) {
  static ::__trace_rt::__Site __trace_site{0xbeefull, "pairs", "pairs", __PRETTY_FUNCTION__, "/t.cpp", 30, "p\0q\0", 2, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, p); __trace_call.__arg(1, q);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return p.first + q.second; });}
} // namespace

TEST(Record, PairsAsBytesAndAsText) {
  std::string Label = "lbl";
  pairs({1, 2}, {Label.c_str(), 3});
  Label = "changed after the call";
  auto T = readTrace();
  auto C = calls(T, "pairs");
  ASSERT_EQ(C.size(), 1u);
  EXPECT_EQ(C[0]["args"][0]["value"], "(1, 2)");
  EXPECT_EQ(C[0]["args"][1]["value"], "(\"lbl\", 3)");
}

namespace {
int limitedInner(int x) {
  static ::__trace_rt::__Site __trace_site{0xf1f1ull, "limitedInner(int)", "limitedInner", __PRETTY_FUNCTION__, "/t.cpp", 20, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return x + 1; });}

int limitedOuter(int x) {
  static ::__trace_rt::__Site __trace_site{0xf2f2ull, "limitedOuter(int)", "limitedOuter", __PRETTY_FUNCTION__, "/t.cpp", 21, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return x >= 5 ? limitedInner(x) : x; });}
} // namespace

TEST(Record, CallLimitRecordsTheFirstCallsAndCountsTheRest) {
  __trace_rt::CallLimit = 3;
  int Sum = 0;
  for (int I = 0; I < 10; ++I)
    Sum += limitedOuter(I);
  // Each thread counts its own calls; the counts reach the sites when the
  // thread exits or the run ends.
  __trace_rt::foldCounts(__trace_rt::currentThread()->Counts);
  __trace_rt::CallLimit = 0;
  // Cut calls still run: the program's results do not change.
  EXPECT_EQ(Sum, 0 + 1 + 2 + 3 + 4 + 6 + 7 + 8 + 9 + 10);
  auto T = readTrace();
  auto O = calls(T, "limitedOuter"), In = calls(T, "limitedInner");
  ASSERT_EQ(O.size(), 3u);
  ASSERT_EQ(In.size(), 3u);
  for (int I = 0; I < 3; ++I)
    EXPECT_EQ(O[I]["args"][0]["value"], std::to_string(I));
  // The inner calls run inside cut outer calls: no recorded ancestor.
  for (const json &J : In) {
    EXPECT_EQ(J["parent"], 0);
    EXPECT_EQ(retOf(T, node(J))["value"].is_string(), true);
  }

  // A private writer gives the sites ids of its own; read its output with
  // its own site records.
  std::vector<__trace_rt::__Site *> Sites;
  for (__trace_rt::__Site *S = __trace_rt::CutSites; S; S = S->NextCut)
    Sites.push_back(S);
  std::vector<uint32_t> SavedIds;
  for (__trace_rt::__Site *S : Sites) {
    SavedIds.push_back(S->Id);
    S->Id = 0;
  }
  __trace_rt::Writer W;
  uint64_t Cut = W.cuts(__trace_rt::CutSites);
  W.header(1, "unit", "2026-01-01T00:00:00Z");
  for (std::size_t I = 0; I < Sites.size(); ++I)
    Sites[I]->Id = SavedIds[I];
  EXPECT_EQ(Cut, (10u - 3u) + (5u - 3u));
  std::map<std::string, json> BySite;
  auto Lines = dumpLines(W.Text, "cuts");
  auto Names = siteNames(Lines);
  for (const json &J : Lines) {
    if (J["k"] != "cut")
      continue;
    BySite[Names[J["site"].get<uint64_t>()]] = J;
  }
  ASSERT_EQ(BySite.size(), 2u);
  EXPECT_EQ(BySite["limitedOuter"]["calls"], 10);
  EXPECT_EQ(BySite["limitedOuter"]["recorded"], 3);
  EXPECT_EQ(BySite["limitedInner"]["calls"], 5);
  EXPECT_EQ(BySite["limitedInner"]["recorded"], 3);
  __trace_rt::CutSites = nullptr;
}

TEST(Record, NoNoteForAVariableOnlyTheFrontBindingCouldName) {
  // `y = h(y, j)` in a loop: y is the front binding, j is bound nowhere.
  // With no trainable variable's address known, a note on j could name no
  // producer, so none is pushed and the callee's entry stays inline.
  const bool SavedParams = __trace_rt::ParamsKnown;
  __trace_rt::ParamsKnown = false;
  int J = 2;
  ::__trace_rt::__Local B1; int Y = f(1); B1.__init(Y);
  __trace_rt::HotThread *Hot = __trace_rt::CurrentHot;
  ASSERT_NE(Hot, nullptr);
  ASSERT_EQ(Hot->BindAddr, static_cast<const void *>(&Y));
  const uint64_t Before = Hot->Pending.size();
  ::__trace_rt::__note(J, HashH, 1);
  EXPECT_EQ(Hot->Pending.size(), Before);
  Hot->Pending.truncate(Before);
  for (int I = 0; I < 3; ++I) {
    ((void)::__trace_rt::__Assign(Y, ::__trace_rt::__BindSet), Y = h(::__trace_rt::__note(Y, HashH, 0), ::__trace_rt::__note(J, HashH, 1)));
  }
  EXPECT_EQ(Hot->Pending.size(), Before);
  __trace_rt::ParamsKnown = SavedParams;
  auto T = readTrace();
  auto F = calls(T, "f"), H = calls(T, "h");
  ASSERT_EQ(F.size(), 1u);
  ASSERT_EQ(H.size(), 3u);
  EXPECT_EQ(H[0]["args"][0]["from"], node(F[0]));
  EXPECT_EQ(H[1]["args"][0]["from"], node(H[0]));
  EXPECT_EQ(H[2]["args"][0]["from"], node(H[1]));
  for (const json &C : H)
    EXPECT_FALSE(C["args"][1].contains("from"));
}

/// The two tests below watch the runtime open its trace file, which it does
/// once per process, at its first record: they need a process of their own
/// (ctest gives each test one).
bool traceFileOpenedEarlier() { return TraceFileOpen; }

TEST(Record, AnEarlierTraceIsReplacedNotTruncated) {
  if (traceFileOpenedEarlier())
    GTEST_SKIP()
        << "the trace file was opened by an earlier test of this process";
  // Truncating a file to zero makes ext4 write it back when it is closed,
  // in the traced process; a new file leaves that to the kernel's flusher.
  // Whoever still has the old file open keeps reading its bytes.
  const std::string Path =
      __trace_rt::expandPath(__trace_rt::config().Path, ::getpid());
  {
    std::ofstream Old(Path, std::ios::binary | std::ios::trunc);
    Old << "an earlier trace";
  }
  int Fd = ::open(Path.c_str(), O_RDONLY);
  ASSERT_GE(Fd, 0);
  f(4);
  auto T = readTrace();
  EXPECT_EQ(calls(T, "f").size(), 1u);
  char Buf[64] = {};
  ssize_t N = ::pread(Fd, Buf, sizeof Buf - 1, 0);
  ::close(Fd);
  EXPECT_EQ(std::string(Buf, N > 0 ? static_cast<std::size_t>(N) : 0),
            "an earlier trace");
}

TEST(Record, ATraceWithAnotherNameIsTruncatedInPlace) {
  if (traceFileOpenedEarlier())
    GTEST_SKIP()
        << "the trace file was opened by an earlier test of this process";
  // A file with a second name (or a link, a device) is written in place.
  const std::string Path =
      __trace_rt::expandPath(__trace_rt::config().Path, ::getpid());
  const std::string Other = Path + ".other";
  {
    std::ofstream Old(Path, std::ios::binary | std::ios::trunc);
    Old << "an earlier trace";
  }
  ::unlink(Other.c_str());
  ASSERT_EQ(::link(Path.c_str(), Other.c_str()), 0);
  f(5);
  auto T = readTrace();
  EXPECT_EQ(calls(T, "f").size(), 1u);
  std::ifstream In(Other, std::ios::binary);
  std::stringstream Bytes;
  Bytes << In.rdbuf();
  ::unlink(Other.c_str());
  EXPECT_EQ(dumpLines(Bytes.str(), Other).size(), T.size());
}
