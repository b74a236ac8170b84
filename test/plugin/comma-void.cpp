// Every comma the plugin inserts at a call site or a throw casts its left
// operand to void, so -Wcomma (which clang 14 and 15 fire on `(f(), g(x))`)
// stays quiet: a -Weverything -Werror build of the user's code is not broken
// by the instrumentation.
// clang-format off
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %clangxx_trace -Wcomma -Werror -fsyntax-only %s
#include <future>

struct Pair {
  int First;
  int Second;
};

[[trace::bundle]] int twice(int X) { return 2 * X; }
int helper(int X) { return twice(X) + 1; }

int caller(int Arg, Pair P, std::future<int> &Pending) {
  // CHECK-LABEL: int caller(int Arg, Pair P, std::future<int> &Pending) {
  int A = twice(twice(Arg));
  // CHECK: int A = twice(((void)::__trace_rt::__expect(0x{{[0-9a-f]+}}, 0), twice(::__trace_rt::__note(Arg, 0x{{[0-9a-f]+}}, 0))));
  int B = twice(helper(Arg));
  // CHECK: int B = twice(((void)::__trace_rt::__expectLast(0x{{[0-9a-f]+}}, 0), helper(::__trace_rt::__note(Arg, 0, 0))));
  int C = twice(P.Second);
  // CHECK: int C = twice(((void)::__trace_rt::__notePart(P, 0x{{[0-9a-f]+}}, 0), P.Second));
  int D = twice(Pending.get());
  // CHECK: int D = twice(((void)::__trace_rt::__noteObject(Pending, 0x{{[0-9a-f]+}}, 0), Pending.get()));
  if (A + B + C + D < 0)
    throw A;
  // CHECK: throw ((void)::__trace_rt::__thrownAt("{{.*}}comma-void.cpp", [[@LINE-1]]), A);
  return A + B + C + D;
}
