//===- fuzz_reply.cpp - libFuzzer target for the LLM-reply parser ---------===//
//
// Fuzzes traceopt::parseReply (JSON found bare, fenced or in prose, repaired,
// names mapped to parameters, values converted to C++ initializers) against a
// fixed problem with one parameter of each supported kind. Besides not
// crashing, it checks that:
//  * every suggestion names a parameter of the problem, at most once;
//  * a value's new text is one well-formed initializer of the parameter's
//    type: a bool is true/false, an integer literal fits its type, a float is
//    finite, a string or char literal is well formed, a list is one braced
//    initializer whose outer braces match;
//  * parsing is deterministic.
//
//===----------------------------------------------------------------------===//

#include "llm/Reply.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <cstring>
#include <string>

using namespace traceopt;

static void check(bool Cond, const char *What, const std::string &Detail = "") {
  if (!Cond) {
    std::fprintf(stderr, "fuzz_reply: invariant broken: %s: %s\n", What, Detail.c_str());
    std::abort();
  }
}

namespace {
struct Problem {
  TraceSet T;
  Prompt P;
};
} // namespace

static Problem makeProblem() {
  Problem Pr;
  auto Add = [&](const char *Name, const char *Id, const char *Kind, const char *Type, const char *Value) {
    Param P;
    P.Id = Id;
    P.Kind = Kind;
    P.Name = Name;
    P.Type = Type;
    P.Value = Value;
    P.Text = *Kind == 'c' ? "int f(int x) { return x; }" : Value;
    P.File = "/src/x.cpp";
    P.Line = 1;
    Pr.T.Params.push_back(P);
  };
  Add("f", "code:f(int)", "code", "", "");
  Add("gain", "var:gain", "value", "double", "0.5");
  Add("ratio", "var:ratio", "value", "float", "1.5");
  Add("count", "var:count", "value", "int", "3");
  Add("big", "var:big", "value", "long long", "-7");
  Add("mask", "var:mask", "value", "unsigned long", "7");
  Add("small", "var:small", "value", "unsigned char", "1");
  Add("enabled", "var:enabled", "value", "bool", "true");
  Add("prompt", "var:prompt", "value", "std::string", "\"hi\"");
  Add("letter", "var:letter", "value", "char", "'a'");
  Add("weights", "var:weights", "value", "std::vector<double>", "[1, 2]");
  Add("names", "var:names", "value", "std::vector<std::string>", "[\"a\"]");
  Add("grid", "var:grid", "value", "std::vector<std::vector<int>>", "[[1]]");
  Add("color", "var:color", "value", "Color", "Color::Red");
  const char *Names[] = {"__code0", "gain", "ratio", "count", "big", "mask", "small",
                         "enabled", "prompt", "letter", "weights", "names", "grid", "color"};
  for (size_t I = 0; I < Pr.T.Params.size(); ++I)
    Pr.P.NameToParamId[Names[I]] = Pr.T.Params[I].Id;
  Pr.P.System = "system";
  Pr.P.User = "user";
  return Pr;
}

// A C++ string (or char, with Quote '\'') literal from Pos; returns the end or npos.
static size_t literalEnd(const std::string &S, size_t Pos, char Quote) {
  if (Pos >= S.size() || S[Pos] != Quote)
    return std::string::npos;
  for (size_t I = Pos + 1; I < S.size(); ++I) {
    char C = S[I];
    if (C == '\n' || C == '\r')
      return std::string::npos;
    if (C == Quote)
      return I + 1;
    if (C == '\\') {
      if (++I >= S.size())
        return std::string::npos;
      char E = S[I];
      if (E >= '0' && E <= '7') {
        size_t Digits = 1;
        while (Digits < 3 && I + 1 < S.size() && S[I + 1] >= '0' && S[I + 1] <= '7')
          ++I, ++Digits;
      } else if (E == 'x') {
        if (I + 1 >= S.size() || !std::isxdigit(static_cast<unsigned char>(S[I + 1])))
          return std::string::npos;
        while (I + 1 < S.size() && std::isxdigit(static_cast<unsigned char>(S[I + 1])))
          ++I;
      } else if (!std::strchr("'\"?\\abfnrtv", E)) {
        return std::string::npos;
      }
    }
  }
  return std::string::npos;
}

static bool validInteger(const std::string &S, bool Signed, unsigned Bits) {
  std::string T = S;
  if (T.size() > 4 && T.front() == '(' && T.back() == ')') {
    // "(-N - 1)": the most negative 64-bit value.
    return Signed && Bits == 64 && T == "(-9223372036854775807 - 1)";
  }
  while (!T.empty() && std::strchr("uUlL", T.back()))
    T.pop_back();
  bool Neg = !T.empty() && T[0] == '-';
  std::string Digits = Neg ? T.substr(1) : T;
  if (Digits.empty() || Digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  if (Digits.size() > 1 && Digits[0] == '0')
    return false; // would be octal
  errno = 0;
  unsigned long long Mag = std::strtoull(Digits.c_str(), nullptr, 10);
  if (errno == ERANGE)
    return false;
  unsigned long long MaxPos = Signed ? (1ull << (Bits - 1)) - 1 : (Bits == 64 ? ~0ull : (1ull << Bits) - 1);
  unsigned long long MaxNeg = Signed ? 1ull << (Bits - 1) : 0;
  return Neg ? Mag <= MaxNeg : Mag <= MaxPos;
}

static bool validFloat(const std::string &S, bool IsFloat) {
  std::string T = S;
  if (IsFloat) {
    if (T.empty() || T.back() != 'f')
      return false;
    T.pop_back();
  }
  char *End = nullptr;
  errno = 0;
  double D = std::strtod(T.c_str(), &End);
  if (T.empty() || *End || !std::isfinite(D) || T.find_first_of(".e") == std::string::npos)
    return false;
  return !IsFloat || std::fabs(D) <= std::numeric_limits<float>::max();
}

// One braced initializer: outer braces match each other, every element valid.
static bool validList(const std::string &S, const std::string &Elem);

static bool validValue(const std::string &Type, const std::string &S) {
  if (Type == "bool")
    return S == "true" || S == "false";
  if (Type == "double")
    return validFloat(S, false);
  if (Type == "float")
    return validFloat(S, true);
  if (Type == "int")
    return validInteger(S, true, 32);
  if (Type == "long long")
    return validInteger(S, true, 64);
  if (Type == "unsigned long")
    return validInteger(S, false, 64);
  if (Type == "unsigned char")
    return validInteger(S, false, 8);
  if (Type == "std::string")
    return literalEnd(S, 0, '"') == S.size();
  if (Type == "char")
    return literalEnd(S, 0, '\'') == S.size() || validInteger(S, true, 8);
  if (Type == "std::vector<double>")
    return validList(S, "double");
  if (Type == "std::vector<std::string>")
    return validList(S, "std::string");
  if (Type == "std::vector<std::vector<int>>")
    return validList(S, "std::vector<int>");
  if (Type == "std::vector<int>")
    return validList(S, "int");
  return true; // enums: checked by compiling, not here
}

static bool validList(const std::string &S, const std::string &Elem) {
  if (S.size() < 2 || S.front() != '{' || S.back() != '}')
    return false;
  // The brace at 0 must close at the end, outside literals.
  int Depth = 0;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (C == '"' || C == '\'') {
      size_t E = literalEnd(S, I, C);
      if (E == std::string::npos)
        return false;
      I = E - 1;
      continue;
    }
    if (C == '{')
      ++Depth;
    else if (C == '}' && --Depth == 0 && I + 1 != S.size())
      return false;
    else if (C == ';' && Depth <= 1)
      return false;
  }
  (void)Elem; // Elements of a list the model wrote in C++ braces are left to the compile check.
  return Depth == 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static const Problem Pr = makeProblem();
  std::string_view Reply(reinterpret_cast<const char *>(Data), Size);
  ParsedReply R = parseReply(Reply, Pr.P, Pr.T);
  std::set<std::string> Seen;
  for (const Suggestion &S : R.Suggestions) {
    const Param *P = Pr.T.findParam(S.ParamId);
    check(P != nullptr, "a suggestion names a parameter of the problem", S.ParamId);
    check(Seen.insert(S.ParamId).second, "at most one suggestion per parameter", S.ParamId);
    if (P->Kind == "value")
      check(validValue(P->Type, S.NewText), "a value is one initializer of its type",
            P->Type + " <- " + S.NewText);
  }
  ParsedReply Again = parseReply(Reply, Pr.P, Pr.T);
  check(Again.Suggestions.size() == R.Suggestions.size() && Again.Errors.size() == R.Errors.size() &&
            Again.Reasoning == R.Reasoning,
        "parsing is deterministic");
  return 0;
}
