// -fplugin-arg-trace-verbose counts the functions 'all' selected but left
// alone and names each with its reason, while the compile itself stays free
// of warnings (the dogfood stage adds these counts up over a whole build).
// A body that uses __func__ is instrumented in place; constructors are
// selected by all too.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-verbose -Werror -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: %clangxx_trace -fplugin-arg-trace-all -fsyntax-only %s 2>&1 | count 0

// CHECK: trace plugin: {{.*}}verbose-left-alone.cpp: 4 bundle(s), 2 left alone,
// CHECK-DAG: verbose-left-alone.cpp:[[@LINE+3]]:15: left alone: 'twice' is not instrumented: it is constexpr
// CHECK-DAG: verbose-left-alone.cpp:[[@LINE+10]]:5: left alone: 'byHand' is not instrumented: its body already declares '__trace_call'
// CHECK-NOT: left alone
constexpr int twice(int X) { return 2 * X; }
struct Box {
  Box(int V) : V(V) {}
  int get() const { return V; }
  int V;
};
int named() { return __func__[0]; }
int add(int A, int B) { return A + B; }
int byHand(int X) {
  int __trace_call = X;
  return __trace_call;
}
int main() { return add(Box(twice(1)).get(), named() + byHand(0)) > 0 ? 0 : 1; }
