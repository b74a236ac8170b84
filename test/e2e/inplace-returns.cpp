// The in-place rewrite records every kind of return without adding a copy
// or a move: prvalues (guaranteed elision, also of a type that cannot be
// moved), NRVO of a local, the implicit move of a by-value parameter,
// references, comma expressions, a return in a braceless if, braced
// initializer lists, void returns, a returned lambda, deduced return types.
// Guaranteed elision of a type that cannot be moved is C++17.
// REQUIRES: c++17
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// RUN: FileCheck --check-prefix=OUT %s < %t.out
// The same program without the plugin prints the same counts.
// RUN: %clangxx_plain -Wno-unknown-attributes %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <cstdio>
#include <string>

struct Counted {
  static int Copies, Moves;
  int V;
  explicit Counted(int V) : V(V) {}
  Counted(const Counted &O) : V(O.V) { ++Copies; }
  Counted(Counted &&O) noexcept : V(O.V) { ++Moves; }
};
int Counted::Copies = 0, Counted::Moves = 0;
std::string trace_format(const Counted &C) { return "Counted(" + std::to_string(C.V) + ")"; }

struct Pinned {
  explicit Pinned(int V) : V(V) {}
  Pinned(const Pinned &) = delete;
  Pinned(Pinned &&) = delete;
  int V;
};

struct Pair {
  int A, B;
};
std::string trace_format(const Pair &P) {
  return "Pair(" + std::to_string(P.A) + "," + std::to_string(P.B) + ")";
}

int Side = 0;
int bump() { return ++Side; }

[[trace::bundle]] Counted make(int v) { return Counted(v); }
[[trace::bundle]] Counted named(int v) { Counted C(v); C.V += 1; return C; }
[[trace::bundle]] Counted pass(Counted c) { return c; }
[[trace::bundle]] Pinned pin(int v) { return Pinned(v); }
[[trace::bundle]] int &pick(int &a, int &b) { return a > b ? a : b; }
[[trace::bundle]] int comma(int v) { return bump(), v * 10; }
[[trace::bundle]] int sign(int v) {
  if (v < 0)
    return -1;
  else if (v == 0)
    return 0;
  return 1;
}
[[trace::bundle]] Pair both(int a, int b) { return {a, b}; }
[[trace::bundle]] long widen(int v) { return v; }
[[trace::bundle]] const char *none(bool z) {
  if (z)
    return 0;
  return "text";
}
[[trace::bundle]] void early(int v) {
  if (v > 1)
    return;
  Side += v;
}
[[trace::bundle]] auto adder(int k) { return [k](int x) { return x + k; }; }
[[trace::bundle]] auto half(int v) { return v / 2; }
[[trace::bundle]] decltype(auto) first(int (&a)[2]) { return (a[0]); }
[[trace::bundle]] auto fact(int n) {
  if (n <= 1)
    return 1;
  return n * fact(n - 1);
}

int main() {
  int one = 1, two = 2;
  Counted C = make(one);
  Counted D = named(two);
  int CopiesBefore = Counted::Copies, MovesBefore = Counted::Moves;
  Counted E = pass(Counted(5));
  int MovesPass = Counted::Moves - MovesBefore;
  Pinned Q = pin(one);
  int &R = pick(one, two);
  R = 7;
  int K = comma(3);
  int S = sign(-4) + sign(0) + sign(9);
  Pair P = both(one, two);
  long W = widen(two);
  const char *N = none(true);
  early(one);
  early(two);
  int L = adder(2)(3);
  int H = half(9);
  int A[2] = {4, 5};
  first(A) = 6;
  int F = fact(4);
  std::printf("copies=%d moves=%d movespass=%d C=%d D=%d E=%d Q=%d two=%d K=%d Side=%d S=%d P=%d,%d "
              "W=%ld N=%d L=%d H=%d A=%d F=%d\n",
              CopiesBefore, MovesBefore, MovesPass, C.V, D.V, E.V, Q.V, two, K, Side, S, P.A, P.B, W,
              N == nullptr, L, H, A[0], F);
  return 0;
}

// OUT: copies=0 moves=0 movespass=1 C=1 D=3 E=5 Q=1 two=7 K=30 Side=2 S=0 P=1,7 W=7 N=1 L=5 H=4 A=6 F=24

// CHECK: valid
// CHECK: ret make#0 value=Counted(1)
// CHECK: ret named#0 value=Counted(3)
// CHECK: call pass#0
// CHECK-NEXT: ret pass#0 value=Counted(5)
// CHECK: ret pin#0 value=<not captured>
// CHECK: call pick#0 parent=- args=[a=1, b=2]
// CHECK-NEXT: ret pick#0 value=2
// CHECK: call comma#0 parent=- args=[v=3]
// CHECK-NEXT: ret comma#0 value=30
// CHECK: ret sign#0 value=-1
// CHECK: ret sign#1 value=0
// CHECK: ret sign#2 value=1
// CHECK: ret both#0 value=Pair(1,7)
// CHECK: ret widen#0 value=7
// CHECK: ret none#0 value=nullptr
// CHECK: call early#0 parent=- args=[v=1]
// CHECK-NEXT: ret early#0 void
// CHECK: call early#1 parent=- args=[v=7{{.*}}]
// CHECK-NEXT: ret early#1 void
// CHECK: call adder#0 parent=- args=[k=2]
// CHECK-NEXT: ret adder#0 value=(lambda at {{.*}}){...}
// CHECK: ret half#0 value=4
// CHECK: ret first#0 value=4
// CHECK: call fact#0 parent=- args=[n=4]
// CHECK: ret fact#3 value=1
// CHECK: ret fact#0 value=24
