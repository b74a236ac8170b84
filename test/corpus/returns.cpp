// Return types: auto, trailing, decltype(auto) (by value and by reference), auto & and
// const auto &, pointers, rvalue references (return_const_ref.cpp covers const-qualified
// references); structured bindings of bundle results (including a bit-field binding passed on
// as an argument), and returns of braced-init-lists. A trailing return type (trailing) is
// recorded like any other.
//
// Needs c++14: deduced return types.
// REQUIRES: c++14
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

int Global = 1;
std::vector<int> Table{10, 20, 30};

[[trace::bundle]] auto deduced(int X) { return X * 2; }
[[trace::bundle]] auto trailing(int X) -> long { return X * 3L; }
[[trace::bundle]] decltype(auto) byValue() { return Global; }
[[trace::bundle]] decltype(auto) byRef() { return (Global); }
[[trace::bundle]] auto &slot(std::size_t I) { return Table[I]; }
[[trace::bundle]] const auto &constSlot(std::size_t I) { return Table[I]; }
[[trace::bundle]] auto *pointerTo(std::size_t I) { return &Table[I]; }
[[trace::bundle]] int &&expiring(int &X) { return static_cast<int &&>(X); }

struct Point {
  int X, Y;
};
struct Flags {
  unsigned Low : 3;
  unsigned High : 5;
};

Point Shared{1, 2};
[[trace::bundle]] Point &shared() { return Shared; }
[[trace::bundle]] Point origin() { return {}; }
[[trace::bundle]] Point diagonal(int V) { return {V, V}; }
[[trace::bundle]] std::pair<int, std::string> named(int V) { return {V, std::to_string(V)}; }
[[trace::bundle]] std::vector<int> upTo(int N) {
  if (N <= 0)
    return {};
  if (N == 1)
    return {1};
  return {1, N};
}
[[trace::bundle]] std::tuple<int, double, char> triple() { return {1, 2.5, 'c'}; }
[[trace::bundle]] Flags makeFlags(unsigned L, unsigned H) { return {L, H}; }
[[trace::bundle]] unsigned widen(unsigned V) { return V * 10; }

[[trace::bundle]] int sumPoint() {
  auto [X, Y] = diagonal(4);
  auto &[A, B] = shared();
  A += X;
  return X + Y + B;
}

int main() {
  std::printf("deduced %d trailing %ld\n", deduced(2), trailing(2));
  std::printf("byValue %d\n", byValue());
  byRef() = 5;
  std::printf("byRef %d\n", Global);
  slot(1) = 21;
  std::printf("slot %d const %d ptr %d\n", Table[1], constSlot(1), *pointerTo(2));
  int Local = 4;
  int &&R = expiring(Local);
  R += 1;
  std::printf("expiring %d\n", Local);
  Point O = origin();
  std::printf("origin %d %d\n", O.X, O.Y);
  auto [N, Text] = named(12);
  std::printf("named %d %s\n", N, Text.c_str());
  std::printf("upTo %zu %zu %zu\n", upTo(0).size(), upTo(1).size(), upTo(5).size());
  auto [I, D, C] = triple();
  std::printf("triple %d %g %c\n", I, D, C);
  auto [Lo, Hi] = makeFlags(5, 17);
  std::printf("flags %u\n", widen(Lo) + widen(Hi));
  std::printf("sumPoint %d shared %d\n", sumPoint(), Shared.X);
  std::map<std::string, int> M{{"a", 1}, {"b", 2}};
  int Total = 0;
  for (const auto &[K, V] : M)
    Total += deduced(V);
  std::printf("map %d\n", Total);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=12
// CHECK-DAG: site byRef key={{.*}} calls=1 rets=1
// CHECK-DAG: site byValue key={{.*}} calls=1 rets=1
// CHECK-DAG: site constSlot key={{.*}} calls=1 rets=1
// CHECK-DAG: site deduced key={{.*}} calls=3 rets=3
// CHECK-DAG: site diagonal key={{.*}} calls=1
// CHECK-DAG: site expiring key={{.*}} calls=1
// CHECK-DAG: site makeFlags key={{.*}} calls=1
// CHECK-DAG: site named key={{.*}} calls=1
// CHECK-DAG: site origin key={{.*}} calls=1
// CHECK-DAG: site pointerTo key={{.*}} calls=1
// CHECK-DAG: site slot key={{.*}} calls=1
// CHECK-DAG: site shared key={{.*}} calls=1
// CHECK-DAG: site sumPoint key={{.*}} calls=1
// CHECK-DAG: site trailing key=trailing(int) calls=1 rets=1
// CHECK-DAG: site triple key={{.*}} calls=1
// CHECK-DAG: site upTo key={{.*}} calls=3 rets=3
// CHECK-DAG: site widen key={{.*}} calls=2
// CHECK: thread 1
// CHECK-NEXT: deduced(X=2) -> 4
// CHECK-NEXT: trailing(X=2) -> 6
// CHECK-NEXT: byValue() -> 1
// CHECK-NEXT: byRef() -> 1
// CHECK-NEXT: slot(I=1) -> 20
// CHECK-NEXT: constSlot(I=1) -> 21
// CHECK:      upTo(N=0) -> []
// CHECK:      widen(V=5) -> 50
// CHECK-NEXT: widen(V=17) -> 170
// CHECK-NEXT: sumPoint() -> 10
// CHECK-NEXT: | diagonal(V=4) -> {{.*}}
// CHECK-NEXT: | shared() -> {{.*}}
