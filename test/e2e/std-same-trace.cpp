// A C++11 program's trace and prompt are those of its C++17 build: the
// injected code and the runtime headers read the same in every standard.
// Only the recorded command line (it holds -std=) may differ.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clangxx_trace -std=c++11 -Werror %s -o %t/cxx11 %trace_ldflags
// RUN: %clangxx_trace -std=c++17 -Werror %s -o %t/cxx17 %trace_ldflags
// RUN: env TRACE_FILE=%t/cxx11.bin %t/cxx11 > %t/cxx11.out
// RUN: env TRACE_FILE=%t/cxx17.bin %t/cxx17 > %t/cxx17.out
// RUN: diff %t/cxx11.out %t/cxx17.out
// RUN: %python %S/Inputs/same-std.py %t/cxx11.bin %t/cxx17.bin | FileCheck %s
// RUN: cd %t && trace-optimize prompt --trace cxx11.bin > cxx11.prompt
// RUN: cd %t && trace-optimize prompt --trace cxx17.bin > cxx17.prompt
// The prompt names the standard a new definition must compile under; the rest
// is the same.
// RUN: grep -v "is compiled as C++" %t/cxx11.prompt > %t/cxx11.rest
// RUN: grep -v "is compiled as C++" %t/cxx17.prompt > %t/cxx17.rest
// RUN: diff %t/cxx11.rest %t/cxx17.rest
// RUN: FileCheck %s --check-prefix=PROMPT < %t/cxx11.prompt
// CHECK: same: {{[0-9]+}} records, 12 calls

#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <trace/trace.hpp>
#include <tuple>
#include <utility>
#include <vector>

enum class Colour { Red, Green };
struct Opaque {
  int A;
  double B;
};

[[trace::trainable]] static double Scale = 1.5;

/// Scales a value.
[[trace::trainable]] double scaled(double X) { return X * Scale; }
[[trace::bundle]] std::string label(const std::string &Name, Colour C) {
  return Name + (C == Colour::Red ? ":red" : ":green");
}
[[trace::bundle]] std::vector<int> squares(int N) {
  std::vector<int> V;
  for (int I = 1; I <= N; ++I)
    V.push_back(I * I);
  return V;
}
[[trace::bundle]] int sum(const std::vector<int> &V) {
  int S = 0;
  for (int X : V)
    S += X;
  return S;
}
[[trace::bundle]] std::map<std::string, int> count(const char *Text) {
  std::map<std::string, int> M;
  for (const char *P = Text; *P; ++P)
    ++M[std::string(1, *P)];
  return M;
}
[[trace::bundle]] std::pair<int, std::tuple<char, bool>> pack(int X) {
  return std::make_pair(X, std::make_tuple('x', X > 1));
}
[[trace::bundle]] Opaque opaque(int A) { return Opaque{A, A / 2.0}; }
[[trace::bundle]] std::vector<bool> bits(unsigned X) {
  std::vector<bool> B;
  for (int I = 0; I < 4; ++I)
    B.push_back((X >> I) & 1);
  return B;
}
[[trace::bundle]] int checked(int X) {
  if (X < 0)
    throw std::invalid_argument("negative");
  return X;
}
[[trace::bundle]] const int &first(const int (&A)[3]) { return A[0]; }
[[trace::bundle]] void report(int X) { std::printf("%d\n", X); }

int main() {
  double D = scaled(2.0);
  std::string L = label("a\xff", Colour::Green);
  std::vector<int> V = squares(4);
  int S = sum(V);
  std::map<std::string, int> M = count("abca");
  auto P = pack(S);
  Opaque O = opaque(3);
  std::vector<bool> B = bits(5);
  try {
    checked(-1);
  } catch (const std::exception &) {
  }
  int A[3] = {7, 8, 9};
  const int &F = first(A);
  std::function<int(int)> Fn = [](int X) { return checked(X) + 1; };
  report(Fn(F) + static_cast<int>(D) + static_cast<int>(L.size() + M.size() +
                                                         B.size()) +
         P.first + O.A);
  trace::feedback(D, "scaled looks right", 1.0);
  return 0;
}

// PROMPT-DAG: scaled looks right
// PROMPT-DAG: compiled as C++11 (-std=c++11)
