//===- ConvertFuzzTest.cpp - The converter checked against a compiler -----===//
//
// Random JSON values for a set of C++ types go through toCppInitializer; one
// generated C++ file declares a variable per value with the converted
// initializer and prints each variable back as JSON. The printed JSON must be
// the value that was given, in the type's own shape, byte for byte: a string
// keeps its quotes, backslashes, newlines, NULs and UTF-8; a double keeps
// every bit, sign of zero included; an integer keeps its extreme values.
//
// The seed is fixed (TRACE_CONVERT_FUZZ_SEED overrides it) and printed, so a
// failure repeats.
//
//===----------------------------------------------------------------------===//
#include "patch/Convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <unistd.h>

#ifndef TRACEOPT_TEST_CLANGXX
#define TRACEOPT_TEST_CLANGXX "clang++-19"
#endif

using nlohmann::json;

namespace {

using Rng = std::mt19937_64;

/// One value: what the reply gives (Given) and what the variable must hold, as JSON in the
/// type's own shape (Expected), which the generated program prints.
struct Value {
  json Given, Expected;
};

struct TypeGen {
  std::string Type;
  std::function<Value(Rng &)> Make;
};

template <class T> T pick(Rng &R, std::initializer_list<T> Items) {
  return *(Items.begin() + std::uniform_int_distribution<size_t>(0, Items.size() - 1)(R));
}

bool chance(Rng &R, double P) { return std::uniform_real_distribution<double>(0, 1)(R) < P; }

/// A string made of the pieces that break naive quoting: quotes, backslashes, newlines, control
/// characters, NUL, digits after an escape, trigraph-like "??", a "*/", and UTF-8 of 2, 3 and 4
/// bytes.
std::string randomString(Rng &R) {
  static const char *Pieces[] = {"a",  "Z",  " ",    "\"",     "\\",        "\n",        "\r",       "\t",
                                 "'",  "?",  "?\?=",  "?\?/",    "*/",        "/*",        "//",       "{",
                                 "}",  ",",  ";",    "0",      "7",         "\x01",      "\x1f",     "\x7f",
                                 "é",  "中", "😀",   "\\n",    "\\\"",      "%s",        "$",        "#define",
                                 "\\x41", "\\0", "q", "entry", "std::string", "R\"(", ")\"", "\xc3\xa9" "1"};
  std::string S;
  size_t N = std::uniform_int_distribution<size_t>(0, 8)(R);
  for (size_t I = 0; I < N; ++I) {
    if (chance(R, 0.04))
      S += std::string(1, '\0');
    else if (chance(R, 0.05))
      S += std::string(1, '\0') + "12"; // digits right after a NUL
    else
      S += Pieces[std::uniform_int_distribution<size_t>(0, std::size(Pieces) - 1)(R)];
  }
  return S;
}

template <class T> T randomInt(Rng &R) {
  using L = std::numeric_limits<T>;
  if (chance(R, 0.4))
    return pick<T>(R, {L::min(), L::max(), T(0), T(1), T(L::min() + 1), T(L::max() - 1), T(L::max() / 2)});
  if (chance(R, 0.3))
    return T(std::uniform_int_distribution<int>(-1000, 1000)(R));
  return std::uniform_int_distribution<T>(L::min(), L::max())(R);
}

double randomDouble(Rng &R) {
  using L = std::numeric_limits<double>;
  if (chance(R, 0.4))
    return pick<double>(R, {0.0, -0.0, 1.0, -1.0, 0.1, 1e300, -1e-300, L::max(), -L::max(), L::min(),
                            L::denorm_min(), -L::denorm_min(), 9007199254740993.0, 0.30000000000000004, 5e-324,
                            1.7976931348623157e308, 2.2250738585072009e-308, 123456789.0});
  if (chance(R, 0.3))
    return std::uniform_int_distribution<int>(-100000, 100000)(R) / 64.0;
  // Any finite double, from its bits.
  for (;;) {
    uint64_t Bits = R();
    double D;
    std::memcpy(&D, &Bits, sizeof(D));
    if (std::isfinite(D))
      return D;
  }
}

Value intValue(Rng &R) {
  int I = randomInt<int>(R);
  json Given = I;
  // The other shapes a reply may use for an integer.
  if (chance(R, 0.1))
    Given = double(I);
  else if (chance(R, 0.1))
    Given = std::to_string(I);
  return {Given, I};
}

Value doubleValue(Rng &R) {
  double D = randomDouble(R);
  json Given = D;
  if (chance(R, 0.1) && D == std::floor(D) && std::fabs(D) < 1e15)
    Given = (long long)D; // an integer for a double
  return {Given, D};
}

Value stringValue(Rng &R) {
  std::string S = randomString(R);
  return {S, S};
}

const std::vector<TypeGen> &types() {
  static const std::vector<TypeGen> Types = {
      {"int", intValue},
      {"long long",
       [](Rng &R) {
         long long V = randomInt<long long>(R);
         return Value{V, V};
       }},
      {"unsigned long long",
       [](Rng &R) {
         unsigned long long V = randomInt<unsigned long long>(R);
         return Value{V, V};
       }},
      {"double", doubleValue},
      {"bool",
       [](Rng &R) {
         bool B = chance(R, 0.5);
         return Value{chance(R, 0.2) ? json(B ? 1 : 0) : json(B), B};
       }},
      {"std::string", stringValue},
      {"std::vector<std::string>",
       [](Rng &R) {
         json L = json::array();
         for (size_t I = 0, N = std::uniform_int_distribution<size_t>(0, 4)(R); I < N; ++I)
           L.push_back(randomString(R));
         return Value{L, L};
       }},
      {"std::pair<std::string, int>",
       [](Rng &R) {
         std::string S = randomString(R);
         int I = randomInt<int>(R);
         json L = json::array({S, I});
         // The shape the prompt shows a pair in, given back as a string: ("q", 2).
         if (chance(R, 0.25))
           return Value{"(" + json(S).dump() + ", " + std::to_string(I) + ")", L};
         return Value{L, L};
       }},
      {"std::tuple<int, std::string, double, bool>",
       [](Rng &R) {
         int I = randomInt<int>(R);
         std::string S = randomString(R);
         double D = randomDouble(R);
         bool B = chance(R, 0.5);
         json L = json::array({I, S, D, B});
         return Value{L, L};
       }},
      {"std::map<std::string, std::vector<int>>",
       [](Rng &R) {
         json Obj = json::object();
         for (size_t I = 0, N = std::uniform_int_distribution<size_t>(0, 4)(R); I < N; ++I) {
           json Ints = json::array();
           for (size_t K = 0, M = std::uniform_int_distribution<size_t>(0, 3)(R); K < M; ++K)
             Ints.push_back(randomInt<int>(R));
           Obj[randomString(R)] = Ints;
         }
         // Also as a list of [key, value] pairs.
         if (chance(R, 0.3)) {
           json Pairs = json::array();
           for (auto It = Obj.begin(); It != Obj.end(); ++It)
             Pairs.push_back(json::array({It.key(), It.value()}));
           return Value{Pairs, Obj};
         }
         return Value{Obj, Obj};
       }},
      {"std::optional<std::string>",
       [](Rng &R) {
         if (chance(R, 0.3))
           return Value{nullptr, nullptr};
         return stringValue(R);
       }},
      {"std::optional<int>",
       [](Rng &R) {
         if (chance(R, 0.3))
           return Value{nullptr, nullptr};
         return intValue(R);
       }},
      // A struct: its members in declaration order; the converter does not know their types.
      {"Rec",
       [](Rng &R) {
         json W = json::array();
         for (size_t I = 0, N = std::uniform_int_distribution<size_t>(0, 3)(R); I < N; ++I) {
           double D = randomDouble(R);
           // A member of a struct is a double only by its declaration: give it as JSON float.
           W.push_back(D);
         }
         json L = json::array({randomString(R), randomInt<int>(R), W, chance(R, 0.5)});
         return Value{L, L};
       }},
  };
  return Types;
}

/// The generated program's preamble: the struct and a printer per type, writing JSON in the
/// type's shape (a double always with a '.' or an exponent, so that -0.0 and 1.0 stay floats).
const char *Preamble = R"cpp(#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

struct Rec {
  std::string Name;
  int N;
  std::vector<double> W;
  bool On;
};

static std::string Out;
static void put(int V) { Out += std::to_string(V); }
static void put(long long V) { Out += std::to_string(V); }
static void put(unsigned long long V) { Out += std::to_string(V); }
static void put(bool V) { Out += V ? "true" : "false"; }
static void put(double V) {
  char Buf[64];
  std::snprintf(Buf, sizeof Buf, "%.17g", V);
  std::string S = Buf;
  if (S.find_first_of(".e") == std::string::npos)
    S += ".0";
  Out += S;
}
static void put(const std::string &S) {
  Out += '"';
  for (unsigned char C : S) {
    if (C == '"' || C == '\\') {
      Out += '\\';
      Out += char(C);
    } else if (C < 0x20 || C == 0x7f) {
      char Buf[8];
      std::snprintf(Buf, sizeof Buf, "\\u%04x", C);
      Out += Buf;
    } else {
      Out += char(C);
    }
  }
  Out += '"';
}
template <class T> static void put(const std::vector<T> &V);
template <class A, class B> static void put(const std::pair<A, B> &P);
template <class... Ts> static void put(const std::tuple<Ts...> &T);
template <class V> static void put(const std::map<std::string, V> &M);
template <class T> static void put(const std::optional<T> &O);
static void put(const Rec &R);
template <class T> static void put(const std::vector<T> &V) {
  Out += '[';
  for (size_t I = 0; I < V.size(); ++I) {
    if (I)
      Out += ',';
    put(V[I]);
  }
  Out += ']';
}
template <class A, class B> static void put(const std::pair<A, B> &P) {
  Out += '[';
  put(P.first);
  Out += ',';
  put(P.second);
  Out += ']';
}
template <class... Ts> static void put(const std::tuple<Ts...> &T) {
  Out += '[';
  bool First = true;
  std::apply([&](const auto &...E) { ((Out += First ? "" : ",", First = false, put(E)), ...); }, T);
  Out += ']';
}
template <class V> static void put(const std::map<std::string, V> &M) {
  Out += '{';
  bool First = true;
  for (const auto &[K, Val] : M) {
    if (!First)
      Out += ',';
    First = false;
    put(K);
    Out += ':';
    put(Val);
  }
  Out += '}';
}
template <class T> static void put(const std::optional<T> &O) {
  if (O)
    put(*O);
  else
    Out += "null";
}
static void put(const Rec &R) {
  Out += '[';
  put(R.Name);
  Out += ',';
  put(R.N);
  Out += ',';
  put(R.W);
  Out += ',';
  put(R.On);
  Out += ']';
}
template <class T> static void line(const T &V) {
  Out.clear();
  put(V);
  std::printf("%s\n", Out.c_str());
}
)cpp";

/// A double in JSON as the printer writes it, for comparing text: a float stays a float.
std::string canonical(const json &J) {
  if (J.is_number_float()) {
    char Buf[64];
    std::snprintf(Buf, sizeof Buf, "%.17g", J.get<double>());
    std::string S = Buf;
    if (S.find_first_of(".e") == std::string::npos)
      S += ".0";
    return S;
  }
  if (J.is_array()) {
    std::string S = "[";
    for (size_t I = 0; I < J.size(); ++I)
      S += (I ? "," : "") + canonical(J[I]);
    return S + "]";
  }
  if (J.is_object()) {
    std::string S = "{";
    bool First = true;
    for (auto It = J.begin(); It != J.end(); ++It) {
      S += (First ? "" : ",") + canonical(json(It.key())) + ":" + canonical(It.value());
      First = false;
    }
    return S + "}";
  }
  // Strings: the printer escapes exactly the control characters, quote and backslash.
  if (J.is_string()) {
    std::string S = "\"";
    for (unsigned char C : J.get_ref<const std::string &>()) {
      if (C == '"' || C == '\\') {
        S += '\\';
        S += char(C);
      } else if (C < 0x20 || C == 0x7f) {
        char Buf[8];
        std::snprintf(Buf, sizeof Buf, "\\u%04x", C);
        S += Buf;
      } else {
        S += char(C);
      }
    }
    return S + "\"";
  }
  return J.dump();
}

std::string run(const std::string &Cmd, int &Status) {
  std::string Out;
  FILE *P = ::popen(Cmd.c_str(), "r");
  if (!P) {
    Status = -1;
    return Out;
  }
  char Buf[65536];
  size_t N;
  while ((N = std::fread(Buf, 1, sizeof Buf, P)) > 0)
    Out.append(Buf, N);
  Status = ::pclose(P);
  return Out;
}

TEST(ConvertFuzz, InitializersMeanTheGivenValues) {
  uint64_t Seed = 20261205;
  if (const char *S = std::getenv("TRACE_CONVERT_FUZZ_SEED"))
    Seed = std::strtoull(S, nullptr, 10);
  const size_t PerType = 100;
  std::printf("ConvertFuzz seed %llu (set TRACE_CONVERT_FUZZ_SEED to repeat another), %zu values per type\n",
              (unsigned long long)Seed, PerType);
  Rng R(Seed);

  struct Case {
    std::string Type, Init, Expected;
    json Given;
  };
  std::vector<Case> Cases;
  std::string Program = Preamble;
  std::string Main = "int main() {\n";
  for (const TypeGen &T : types()) {
    for (size_t I = 0; I < PerType; ++I) {
      Value V = T.Make(R);
      std::string Error;
      std::optional<std::string> Init = traceopt::toCppInitializer(V.Given, T.Type, "", Error);
      ASSERT_TRUE(Init) << "seed " << Seed << ": " << V.Given.dump() << " as " << T.Type << ": " << Error;
      size_t K = Cases.size();
      // Namespace-scope variables, copy-initialised, as a trainable variable is.
      Program += T.Type + " v" + std::to_string(K) + " = " + *Init + ";\n";
      Main += "  line(v" + std::to_string(K) + ");\n";
      Cases.push_back({T.Type, *Init, canonical(V.Expected), V.Given});
    }
  }
  Program += Main + "}\n";

  char Dir[] = "/tmp/convert-fuzz-XXXXXX";
  ASSERT_TRUE(::mkdtemp(Dir));
  std::string Src = std::string(Dir) + "/values.cpp", Exe = std::string(Dir) + "/values";
  std::ofstream(Src) << Program;
  int Status = 0;
  std::string Diags = run(std::string(TRACEOPT_TEST_CLANGXX) + " -std=c++17 -O0 -w " + Src + " -o " + Exe + " 2>&1",
                          Status);
  ASSERT_EQ(Status, 0) << "seed " << Seed << ": the converted initializers do not compile (" << Src << "):\n"
                       << Diags.substr(0, 4000);
  std::string Output = run(Exe, Status);
  ASSERT_EQ(Status, 0) << Output;

  std::istringstream Lines(Output);
  std::string Line;
  size_t K = 0, Bad = 0;
  while (std::getline(Lines, Line) && K < Cases.size()) {
    const Case &C = Cases[K++];
    if (Line != C.Expected && ++Bad <= 10)
      ADD_FAILURE() << "seed " << Seed << ", value " << K - 1 << ": " << C.Given.dump() << " as " << C.Type
                    << "\n  became   " << C.Init << "\n  which is " << Line << "\n  expected " << C.Expected;
  }
  EXPECT_EQ(K, Cases.size()) << "the program printed fewer values than it declares";
  EXPECT_EQ(Bad, 0u) << Bad << " of " << Cases.size() << " values differ (seed " << Seed << ")";
  if (Bad == 0 && !::testing::Test::HasFailure()) {
    std::remove(Src.c_str());
    std::remove(Exe.c_str());
    ::rmdir(Dir);
  }
}

} // namespace
