// User macros named like what the injected code could meet. The program defines, after its
// includes, a macro for every name the injected code used to spell (and a few more that code
// near it uses: `move`, `maybe_unused`, `detail`, `addr`), once as function-like macros and once
// (-DOBJECT_LIKE) as object-like ones, then uses bundles, trainables, call-site notes, stores,
// members, templates, packs, enums, threads, futures, throws and feedback. Injected code spells
// only reserved names (test/plugin/injected-names.test checks that every name it spells is
// reserved or the user's), so both builds compile, run, and record the same graph.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain -lpthread
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %dump %t/trace.bin | FileCheck %s --check-prefix=DUMP
// RUN: %corpus_plain -DOBJECT_LIKE %s -o %t/plain2 -lpthread
// RUN: %corpus_trace -DOBJECT_LIKE %s -o %t/traced2 %corpus_ldflags
// RUN: %corpus_check --plain %t/plain2 --traced %t/traced2 --trace %t/trace2.bin --source %s --calls > %t/summary2
// RUN: FileCheck %s < %t/summary2
// RUN: %dump %t/trace2.bin | FileCheck %s --check-prefix=DUMP

#include <cstdio>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "trace/trace.hpp"

#ifdef OBJECT_LIKE
#define Site 1 +
#define Call 1 +
#define EnumInfo 1 +
#define ParamInfo 1 +
#define Registrar 1 +
#define TuInfo 1 +
#define Local 1 +
#define Assign 1 +
#define BindSet 1 +
#define BindAdd 1 +
#define BindParts 1 +
#define FeedbackHash 1 +
#define invoke 1 +
#define note 1 +
#define noteObject 1 +
#define notePart 1 +
#define expect 1 +
#define expectLast 1 +
#define thrownAt 1 +
#define carry 1 +
#define detail 1 +
#define addr 1 +
#define arg 1 +
#define argRef 1 +
#define self 1 +
#define global 1 +
#define pack 1 +
#define retEnum 1 +
#define init 1 +
#define copy 1 +
#define guard 1 +
#define parts 1 +
#define move 1 +
#define maybe_unused 1 +
#define mark 1 +
#define render 1 +
#else
#define Site(...) 1 +
#define Call(...) 1 +
#define EnumInfo(...) 1 +
#define ParamInfo(...) 1 +
#define Registrar(...) 1 +
#define TuInfo(...) 1 +
#define Local(...) 1 +
#define Assign(...) 1 +
#define BindSet(...) 1 +
#define BindAdd(...) 1 +
#define BindParts(...) 1 +
#define FeedbackHash(...) 1 +
#define invoke(...) 1 +
#define note(...) 1 +
#define noteObject(...) 1 +
#define notePart(...) 1 +
#define expect(x, v) __builtin_expect((x), (v))
#define expectLast(...) 1 +
#define thrownAt(...) 1 +
#define carry(...) 1 +
#define detail(...) 1 +
#define addr(...) 1 +
#define arg(...) 1 +
#define argRef(...) 1 +
#define self(...) 1 +
#define global(...) 1 +
#define pack(...) 1 +
#define retEnum(...) 1 +
#define init(...) 1 +
#define copy(...) 1 +
#define guard(...) 1 +
#define parts(...) 1 +
#define move(...) 1 +
#define maybe_unused(...) 1 +
#define mark(...) 1 +
#define render(...) 1 +
#endif

enum class Shape { Circle, Square };

struct Point {
  int X, Y;
};

[[trace::trainable]] static double Gain = 0.5;

/// Scales a value by the trainable gain (reads a global: a `global` capture).
[[trace::trainable]] double scaled(double V) { return V * Gain; }

[[trace::bundle]] int add(int A, int B) { return A + B; }

/// Takes its argument by reference and by value, and returns the copy (moved).
[[trace::bundle]] std::string joined(const std::string &Head, std::string Tail) {
  Tail.insert(0, Head);
  return Tail;
}

[[trace::bundle]] Shape other(Shape S) { return S == Shape::Circle ? Shape::Square : Shape::Circle; }

[[trace::bundle]] int unnamedSecond(int A, int) { return A; }

template <class T> [[trace::bundle]] T twice(T V) { return V + V; }

template <class... Ts> [[trace::bundle]] int count(const Ts &...Vs) { return static_cast<int>(sizeof...(Vs)); }

[[trace::bundle]] int checked(int V) {
  if (V < 0)
    throw std::invalid_argument("negative");
  return V;
}

[[trace::bundle]] Point makePoint(int X) { return Point{X, X + 1}; }

struct Counter {
  int Total = 0;
  [[trace::bundle]] int bump(int By) {
    Total += By;
    return Total;
  }
};

static int helper(int V) { return add(V, 1); }

int main() {
  int A = add(1, 2);
  int B = A;
  int C = add(A, add(B, 3));
  C = add(C, 1);
  C += add(C, 2);
  Point P = makePoint(C);
  int D = add(P.X, helper(P.Y));
  auto [X, Y] = makePoint(D);
  std::string S = joined("a", "b");
  Shape Sh = other(Shape::Circle);
  int E = unnamedSecond(X, Y) + twice(3) + static_cast<int>(twice(1.5)) + count(1, 'c', S);
  Counter Ct;
  Ct.bump(E);
  std::vector<int> V;
  V.push_back(add(E, 1));
  int Threaded = 0;
  std::thread T([&Threaded](int In) { Threaded = add(In, In); }, A);
  T.join();
  std::future<int> F = std::async(std::launch::async, add, A, B);
  int G = add(F.get(), 1);
  int Caught = 0;
  try {
    checked(-1);
  } catch (const std::invalid_argument &) {
    Caught = 1;
  }
  double Sc = scaled(4.0);
  trace::feedback(add(G, Caught), "fine");
  std::printf("%d %d %d %d %s %d %d %d %d %d %g\n", A, C, D, E, S.c_str(), static_cast<int>(Sh), Ct.Total,
              V[0], Threaded, G, Sc);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-NEXT: graph: nodes=24 open=0 dropped=0 sites=12
// CHECK-NEXT: site Counter::bump key=Counter::bump(int) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site add key=add(int, int) calls=12 rets=12 exceptions=0
// CHECK-NEXT: site checked key=checked(int) calls=1 rets=1 exceptions=1
// CHECK-NEXT: site count key=count<int, char, std::basic_string<char>>(const Ts &...) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site helper key=helper(int) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site joined key=joined(const std::string &, std::string) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site makePoint key=makePoint(int) calls=2 rets=2 exceptions=0
// CHECK-NEXT: site other key=other(Shape) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site scaled key=scaled(double) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site twice key=twice<double>(T) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site twice key=twice<int>(T) calls=1 rets=1 exceptions=0
// CHECK-NEXT: site unnamedSecond key=unnamedSecond(int, int) calls=1 rets=1 exceptions=0
// CHECK-NEXT: thread 1
// CHECK-NEXT: add(A=1, B=2) -> 3
// CHECK-NEXT: add(A=3, B=3) -> 6
// CHECK-NEXT: add(A=3, B=6) -> 9
// CHECK-NEXT: add(A=9, B=1) -> 10
// CHECK-NEXT: add(A=10, B=2) -> 12
// CHECK-NEXT: makePoint(X=22) -> Point{{[{]}}...}
// CHECK-NEXT: helper(V=23) -> 24
// CHECK-NEXT: | add(A=23, B=1) -> 24
// CHECK-NEXT: add(A=22, B=24) -> 46
// CHECK-NEXT: makePoint(X=46) -> Point{{[{]}}...}
// CHECK-NEXT: joined(Head="a", Tail="b") -> "ab"
// CHECK-NEXT: other(S=Shape::Circle) -> Shape::Square
// CHECK-NEXT: unnamedSecond(A=46, arg1=47) -> 46
// CHECK-NEXT: twice(V=3) -> 6
// CHECK-NEXT: twice(V=1.5) -> 3
// CHECK-NEXT: count(Vs[0]=1, Vs[1]='c', Vs[2]="ab") -> 3
// CHECK-NEXT: Counter::bump(By=58) -> 58
// CHECK-NEXT: add(A=58, B=1) -> 59
// CHECK-NEXT: add(A=6, B=1) -> 7
// CHECK-NEXT: checked(V=-1) -> throws std::invalid_argument: negative
// CHECK-NEXT: scaled(V=4) -> 2
// CHECK-NEXT: add(A=7, B=1) -> 8
// CHECK-NEXT: thread 2
// CHECK-NEXT: add(A=3, B=3) -> 6
// CHECK-NEXT: thread 3
// CHECK-NEXT: add(A=3, B=3) -> 6

// DUMP-DAG: "k":"param","id":"code:scaled(double)","kind":"code"
// DUMP-DAG: "k":"param","id":"var:Gain","kind":"value","name":"Gain","type":"double","value":"0.5"
