// Clang's flow-sensitive analyses see the user's function under the
// plugin: the same warnings (line and text) with and without it, for
// -Wreturn-type, -Wuninitialized, -Wunreachable-code and the lifetime
// warnings, on bundles that trigger each one; the plugin did rewrite them.
// RUN: %clangxx_trace -fplugin-arg-trace-print -Wall -Wextra -Wunreachable-code-aggressive -Wconditional-uninitialized -fsyntax-only %s > %t.out 2> %t.trace
// RUN: %clangxx_plain -Wno-unknown-attributes -Wall -Wextra -Wunreachable-code-aggressive -Wconditional-uninitialized -fsyntax-only %s 2> %t.plain
// RUN: grep -v RUN %t.out | grep -c "__trace_call(__trace_site)" | FileCheck --check-prefix=SITES %s
// RUN: sed -n 's/^[^ ]*analyses.cpp:\([0-9]*\):[0-9]*: \(warning: .*\)/\1: \2/p' %t.plain > %t.plain.w
// RUN: sed -n 's/^[^ ]*analyses.cpp:\([0-9]*\):[0-9]*: \(warning: .*\)/\1: \2/p' %t.trace > %t.trace.w
// RUN: FileCheck --check-prefix=WARN %s < %t.trace.w
// RUN: diff %t.plain.w %t.trace.w
// SITES: 8

[[trace::bundle]] int missing(int x) {
  if (x > 0)
    return 1;
}
// WARN-DAG: [[@LINE-1]]: warning: non-void function does not return a value in all control paths [-Wreturn-type]

[[trace::bundle]] int never(int x) {
  switch (x) {
  case 0:
    return 0;
  }
}
// WARN-DAG: [[@LINE-1]]: warning: non-void function does not return a value in all control paths [-Wreturn-type]

[[trace::bundle]] int unset(bool b) {
  int v;
  if (b)
    v = 1;
  return v;
}
// WARN-DAG: [[@LINE-4]]: warning: variable 'v' is used uninitialized whenever 'if' condition is false [-Wsometimes-uninitialized]

[[trace::bundle]] int dead(int x) {
  return x;
  x += 1;
}
// WARN-DAG: [[@LINE-2]]: warning: code will never be executed [-Wunreachable-code]

[[trace::bundle]] int deadAfterThrow(int x) {
  throw x;
  return x;
}
// WARN-DAG: [[@LINE-2]]: warning: 'return' will never be executed [-Wunreachable-code-return]

[[trace::bundle]] const int &local() {
  int v = 3;
  return v;
}
// WARN-DAG: [[@LINE-2]]: warning: reference to stack memory associated with local variable 'v' returned [-Wreturn-stack-address]

[[trace::bundle]] int *address() {
  int v = 3;
  return &v;
}
// WARN-DAG: [[@LINE-2]]: warning: address of stack memory associated with local variable 'v' returned [-Wreturn-stack-address]

[[trace::bundle]] void fine(int &x) { x += 1; }
