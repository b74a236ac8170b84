// -fplugin-arg-trace-verbose counts the functions 'all' selected but left
// alone and names each with its reason, while the compile itself stays free
// of warnings (the dogfood stage adds these counts up over a whole build).
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-verbose -Werror -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: %clangxx_trace -fplugin-arg-trace-all -fsyntax-only %s 2>&1 | count 0

// CHECK: trace plugin: {{.*}}verbose-left-alone.cpp: 2 bundle(s), 3 left alone,
// CHECK-DAG: verbose-left-alone.cpp:[[@LINE+4]]:15: left alone: 'twice' is not instrumented: it is constexpr
// CHECK-DAG: verbose-left-alone.cpp:[[@LINE+5]]:3: left alone: 'Box::Box' is not instrumented: constructors
// CHECK-DAG: verbose-left-alone.cpp:[[@LINE+8]]:5: left alone: 'named' is not instrumented: its body uses __func__
// CHECK-NOT: left alone
constexpr int twice(int X) { return 2 * X; }
struct Box {
  Box(int V) : V(V) {}
  int get() const { return V; }
  int V;
};
int named() { return __func__[0]; }
int add(int A, int B) { return A + B; }
int main() { return add(Box(twice(1)).get(), named()) > 0 ? 0 : 1; }
