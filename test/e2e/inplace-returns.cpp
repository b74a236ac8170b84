// Each form of `return` keeps the copies and moves of the program without
// the plugin (counted by the program, compared with its plain build) and
// records the value: a local returned by name (NRVO), a by-value parameter
// (implicit move), a converting return of a local, a prvalue, a call's
// result, a member (one copy), a non-movable prvalue, references, deduced
// results, templates, a return inside a loop and a switch.
// Needs c++17: guaranteed elision of the non-movable result.
// REQUIRES: c++17
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// RUN: FileCheck --check-prefix=OUT %s < %t.out
// RUN: %clangxx_plain -Wno-unknown-attributes %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <cstdio>
#include <optional>
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

struct Holder {
  Counted Item{5};
  [[trace::bundle]] Counted item() const { return Item; }
  [[trace::bundle]] const Counted &itemRef() const { return Item; }
};

[[trace::bundle]] Counted local(int v) {
  Counted C(v);
  C.V += 1;
  return C;
}
[[trace::bundle]] Counted param(Counted C) {
  C.V *= 10;
  return C;
}
[[trace::bundle]] std::optional<Counted> converted(int v) {
  Counted C(v);
  return C;
}
[[trace::bundle]] Counted prvalue(int v) { return Counted(v + 100); }
[[trace::bundle]] Counted call(int v) { return prvalue(v); }
[[trace::bundle]] Pinned pin(int v) { return Pinned(v); }
[[trace::bundle]] int &larger(int &a, int &b) { return a > b ? a : b; }
[[trace::bundle]] auto deduced(int v) { return v * 3; }
[[trace::bundle]] decltype(auto) deducedRef(int &v) { return (v); }
template <class T> [[trace::bundle]] T twice(T v) {
  T r = v + v;
  return r;
}
template <class T> [[trace::bundle]] T first(T a, T) { return a; }
[[trace::bundle]] int search(int n) {
  for (int i = 0; i < 10; ++i)
    if (i * i >= n)
      return i;
  return -1;
}
[[trace::bundle]] const char *name(int k) {
  switch (k) {
  case 0:
    return "zero";
  default:
    return "many";
  }
}

int main() {
  int Moves0 = Counted::Moves;
  Counted A = local(1);
  int MovesLocal = Counted::Moves - Moves0;
  Counted B = param(Counted(2));
  std::optional<Counted> O = converted(3);
  Counted C = prvalue(4);
  Counted D = call(5);
  Holder H;
  Counted E = H.item();
  const Counted &F = H.itemRef();
  Pinned P = pin(6);
  int x = 1, y = 2;
  int &L = larger(x, y);
  L = 9;
  int &R = deducedRef(x);
  R = 8;
  std::printf("copies=%d moves=%d local-moves=%d\n", Counted::Copies, Counted::Moves, MovesLocal);
  std::printf("A=%d B=%d O=%d C=%d D=%d E=%d F=%d P=%d x=%d y=%d\n", A.V, B.V, O->V, C.V, D.V,
              E.V, F.V, P.V, x, y);
  std::printf("deduced=%d twice=%d/%s first=%d search=%d/%d name=%s\n", deduced(2), twice(21),
              twice(std::string("ab")).c_str(), first(7, 8), search(10), search(1000), name(0));
  return 0;
}

// OUT: copies=1 moves={{[0-9]+}} local-moves=0
// OUT: A=2 B=20 O=3 C=104 D=105 E=5 F=5 P=6 x=8 y=9
// OUT: deduced=6 twice=42/abab first=7 search=4/-1 name=zero

// CHECK: valid
// CHECK: ret local#0 value=Counted(2)
// CHECK: ret param#0 value=Counted(20)
// CHECK: ret converted#0 value=Counted(3)
// CHECK: ret prvalue#0 value=Counted(104)
// CHECK: ret prvalue#1 value=Counted(105)
// CHECK-NEXT: ret call#0 value=Counted(105)
// CHECK: ret Holder::item#0 value=Counted(5)
// CHECK: ret Holder::itemRef#0 value=Counted(5)
// CHECK: ret pin#0 value=<not captured>
// CHECK: ret larger#0 value=2
// CHECK: ret deducedRef#0 value=1
// CHECK: ret deduced#0 value=6
// CHECK: ret twice#0 value=42
// CHECK: ret twice#1 value="abab"
// CHECK: ret first#0 value=7
// CHECK: ret search#0 value=4
// CHECK: ret search#1 value=-1
// CHECK: ret name#0 value="zero"
