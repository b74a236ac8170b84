// inline, static and extern "C" functions; functions in named, nested, inline and anonymous
// namespaces; static member functions; a function declared extern "C" and called through a C
// function pointer (qsort's comparator).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <cstdlib>

[[trace::bundle]] inline int inlineTwice(int X) { return 2 * X; }
[[trace::bundle]] static int staticThrice(int X) { return 3 * X; }

extern "C" {
[[trace::bundle]] int c_add(int A, int B) { return A + B; }
[[trace::bundle]] static int c_cmp(const void *A, const void *B) {
  int L = *static_cast<const int *>(A), R = *static_cast<const int *>(B);
  return (L > R) - (L < R);
}
}
extern "C" [[trace::bundle]] double c_half(double X) { return X / 2; }

namespace geo {
inline namespace v1 {
[[trace::bundle]] int dims() { return 2; }
} // namespace v1
namespace detail {
[[trace::bundle]] int scale(int X) { return X * dims(); }
} // namespace detail
} // namespace geo

namespace {
[[trace::bundle]] int hidden(int X) { return geo::detail::scale(X) + 1; }
} // namespace

struct Registry {
  static int Count;
  [[trace::bundle]] static int next() { return ++Count; }
  [[trace::bundle]] static inline int peek() { return Count; }
};
int Registry::Count = 0;

int main() {
  std::printf("inline %d static %d\n", inlineTwice(2), staticThrice(2));
  std::printf("c %d %g\n", c_add(1, 2), c_half(3));
  int V[] = {3, 1, 2};
  std::qsort(V, 3, sizeof(int), c_cmp);
  std::printf("sorted %d %d %d\n", V[0], V[1], V[2]);
  std::printf("hidden %d\n", hidden(5));
  Registry::next();
  std::printf("registry %d %d\n", Registry::next(), Registry::peek());
  return 0;
}

// CHECK: run: exit=0 stdout-lines=5
// CHECK-DAG: site Registry::next key={{.*}} calls=2
// CHECK-DAG: site Registry::peek key={{.*}} calls=1
// CHECK-DAG: site c_add key={{.*}} calls=1
// CHECK-DAG: site c_cmp key={{.*}} rets=
// CHECK-DAG: site c_half key={{.*}} calls=1
// CHECK-DAG: site geo::{{(v1::)?}}dims key={{.*}} calls=1
// CHECK-DAG: site geo::detail::scale key={{.*}} calls=1
// CHECK-DAG: site {{.*}}hidden key={{.*}} calls=1
// CHECK-DAG: site inlineTwice key={{.*}} calls=1
// CHECK-DAG: site staticThrice key={{.*}} calls=1
// CHECK: thread 1
// CHECK-NEXT: inlineTwice(X=2) -> 4
// CHECK-NEXT: staticThrice(X=2) -> 6
// CHECK-NEXT: c_add(A=1, B=2) -> 3
// CHECK-NEXT: c_half(X=3) -> 1.5
// CHECK-NEXT: c_cmp(
// CHECK:      {{.*}}hidden(X=5) -> 11
// CHECK-NEXT: | geo::detail::scale(X=5) -> 10
// CHECK-NEXT: | | geo::{{(v1::)?}}dims() -> 2
// CHECK-NEXT: Registry::next() -> 1
// CHECK-NEXT: Registry::next() -> 2
// CHECK-NEXT: Registry::peek() -> 2
