// Control flow: goto and labels, early returns on every path (in loops, switches, try blocks),
// void functions that return early, [[noreturn]] functions that throw, exceptions crossing
// several bundles, and returns of braced-init-lists.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

[[trace::bundle]] int findFirst(const std::vector<int> &V, int Want) {
  std::size_t I = 0;
again:
  if (I == V.size())
    goto missing;
  if (V[I] == Want)
    goto found;
  ++I;
  goto again;
found:
  return static_cast<int>(I);
missing:
  return -1;
}

[[trace::bundle]] const char *classify(int N) {
  switch (N) {
  case 0:
    return "zero";
  case 1:
  case 2:
    return "small";
  default:
    break;
  }
  for (int I = 2; I * I <= N; ++I)
    if (N % I == 0)
      return "composite";
  if (N < 0)
    return "negative";
  return "prime";
}

[[trace::bundle]] void report(int N) {
  if (N < 0) {
    std::printf("report: negative\n");
    return;
  }
  while (true) {
    if (N > 100)
      return;
    N *= 10;
  }
}

[[noreturn]] [[trace::bundle]] void fail(const std::string &Why) { throw std::runtime_error(Why); }

[[trace::bundle]] int checked(int N) {
  if (N > 3)
    fail("too big: " + std::to_string(N));
  return N;
}

[[trace::bundle]] int guarded(int N) {
  try {
    return checked(N) * 2;
  } catch (const std::runtime_error &E) {
    std::printf("caught %s\n", E.what());
    return -1;
  }
}

struct Range {
  int Lo, Hi;
};
[[trace::bundle]] Range bounds(const std::vector<int> &V) {
  if (V.empty())
    return {0, 0};
  Range R{V[0], V[0]};
  for (int X : V) {
    if (X < R.Lo)
      R.Lo = X;
    if (X > R.Hi)
      R.Hi = X;
  }
  return R;
}

int main() {
  std::vector<int> V{4, 8, 15, 16, 23, 42};
  std::printf("find %d %d\n", findFirst(V, 15), findFirst(V, 7));
  for (int N : {0, 2, 9, 13, -4})
    std::printf("%d is %s\n", N, classify(N));
  report(-1);
  report(5);
  std::printf("guarded %d %d\n", guarded(2), guarded(5));
  try {
    checked(9);
  } catch (const std::exception &E) {
    std::printf("main caught %s\n", E.what());
  }
  Range R = bounds(V);
  Range E = bounds({});
  std::printf("bounds %d %d %d %d\n", R.Lo, R.Hi, E.Lo, E.Hi);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=11
// CHECK-DAG: site bounds key={{.*}} calls=2 rets=2
// CHECK-DAG: site checked key={{.*}} calls=3 rets=3 exceptions=2
// CHECK-DAG: site classify key={{.*}} calls=5 rets=5 exceptions=0
// CHECK-DAG: site fail key={{.*}} calls=2 rets=2 exceptions=2
// CHECK-DAG: site findFirst key={{.*}} calls=2 rets=2
// CHECK-DAG: site guarded key={{.*}} calls=2 rets=2 exceptions=0
// CHECK-DAG: site report key={{.*}} calls=2 rets=2
// CHECK: thread 1
// CHECK-NEXT: findFirst(V={{.*}}, Want=15) -> 2
// CHECK-NEXT: findFirst(V={{.*}}, Want=7) -> -1
// CHECK-NEXT: classify(N=0) -> {{.*}}zero{{.*}}
// CHECK-NEXT: classify(N=2) -> {{.*}}small{{.*}}
// CHECK-NEXT: classify(N=9) -> {{.*}}composite{{.*}}
// CHECK-NEXT: classify(N=13) -> {{.*}}prime{{.*}}
// CHECK-NEXT: classify(N=-4) -> {{.*}}negative{{.*}}
// CHECK-NEXT: report(N=-1) -> void
// CHECK-NEXT: report(N=5) -> void
// CHECK-NEXT: guarded(N=2) -> 4
// CHECK-NEXT: | checked(N=2) -> 2
// CHECK-NEXT: guarded(N=5) -> -1
// CHECK-NEXT: | checked(N=5) -> throws std::runtime_error: too big: 5
// CHECK-NEXT: | | fail(Why="too big: 5") -> throws std::runtime_error: too big: 5
// CHECK-NEXT: checked(N=9) -> throws std::runtime_error: too big: 9
// CHECK-NEXT: | fail(Why="too big: 9") -> throws std::runtime_error: too big: 9
// CHECK-NEXT: bounds(V={{.*}}) -> {{.*}}
// CHECK-NEXT: bounds(V=[]) -> {{.*}}
