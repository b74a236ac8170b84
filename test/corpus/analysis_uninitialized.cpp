// -Wuninitialized and -Wsometimes-uninitialized see the user's functions:
// a variable assigned on every path builds under -Werror with the plugin
// (all functions instrumented), and a use before assignment is reported
// the same way.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all --expect-clean -- -std=%trace_std -Werror -Wuninitialized -Wsometimes-uninitialized %s
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all -- -std=%trace_std -Wuninitialized -Wsometimes-uninitialized -DWRONG %s | FileCheck %s --check-prefix=WRONG
// WRONG: plain: exit=0 diagnostics=2
// WRONG-DAG: variable 'R' is used uninitialized whenever 'if' condition is false
// WRONG-DAG: variable 'X' is uninitialized when used here
// WRONG: same
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>

int twice(int V) { return 2 * V; }

int pick(bool Big) {
  int R;
  if (Big)
    R = 100;
  else
    R = 1;
  return R;
}

#ifdef WRONG
int sometimes(bool Big) {
  int R;
  if (Big)
    R = 100;
  return R;
}
int never() {
  int X;
  return X * 2;
}
#endif

int main() {
  std::printf("%d %d\n", pick(true), twice(pick(false)));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site pick key={{.*}} calls=2 rets=2
// CHECK-DAG: site twice key={{.*}} calls=1 rets=1
