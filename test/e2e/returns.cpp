// invoke does not change behaviour: no copy or move of a result is added,
// references stay references, move-only and non-movable results work,
// noexcept and void functions are recorded.
// Needs c++17: C++17 library types.
// REQUIRES: c++17
// C++20 gives std::unique_ptr an operator<< (its address), checked below as C++17 renders it.
// RUN: %clangxx_trace -std=c++17 %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// RUN: FileCheck --check-prefix=OUT %s < %t.out
// The same program without the plugin prints the same counts.
// RUN: %clangxx_plain -Wno-unknown-attributes %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <cstdio>
#include <memory>
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

[[trace::bundle]] Counted make(int v) { return Counted(v); }
[[trace::bundle]] Counted named(int v) { Counted C(v); C.V += 1; return C; }
[[trace::bundle]] std::unique_ptr<int> own(int v) { return std::make_unique<int>(v); }
[[trace::bundle]] Pinned pin(int v) { return Pinned(v); }
[[trace::bundle]] int &pick(int &a, int &b) { return a > b ? a : b; }
[[trace::bundle]] int safe(int v) noexcept { return v + 1; }
[[trace::bundle]] void nothing(int v) { (void)v; }

int main() {
  int one = 1, two = 2;
  Counted C = make(one);
  Counted D = named(two);
  int CopiesInvoke = Counted::Copies, MovesInvoke = Counted::Moves;
  auto P = own(two);
  Pinned Q = pin(one);
  int &R = pick(one, two);
  R = 7;
  int S = safe(one);
  nothing(S);
  std::printf("copies=%d moves=%d C=%d D=%d P=%d Q=%d two=%d S=%d\n", CopiesInvoke, MovesInvoke,
              C.V, D.V, *P, Q.V, two, S);
  return 0;
}

// OUT: copies=0 moves=0 C=1 D=3 P=2 Q=1 two=7 S=2

// CHECK: valid
// CHECK: ret make#0 value=Counted(1)
// CHECK: ret named#0 value=Counted(3)
// CHECK: ret own#0 value=std::unique_ptr<int>{...}
// CHECK: ret pin#0 value=<not captured>
// CHECK: call pick#0 parent=- args=[a=1, b=2]
// CHECK-NEXT: ret pick#0 value=2
// CHECK: call safe#0 parent=- args=[v=1]
// CHECK-NEXT: ret safe#0 value=2
// CHECK: call nothing#0 parent=- args=[v=2<-safe#0]
// CHECK-NEXT: ret nothing#0 void
