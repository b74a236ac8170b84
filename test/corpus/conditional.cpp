// Code in #if branches: functions defined in the taken and the skipped branch of #if/#elif/#else,
// directives inside a bundle's body (also around its closing brace's line and its return
// statements), and a function that exists only when the plugin is on (__TRACE_PLUGIN__) but does
// not change the output.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s --implicit-check-not="site skipped" < %t/summary

#include <cstdio>

#define LEVEL 2

#if LEVEL > 2
[[trace::bundle]] int skipped(int X) { return X; }
#elif LEVEL == 2
[[trace::bundle]] int level(int X) { return X * 2; }
#else
[[trace::bundle]] int skipped(int X) { return -X; }
#endif

[[trace::bundle]] int branches(int X) {
#if defined(__cplusplus)
  if (X > 10)
    return X;
#endif
#ifdef NOT_DEFINED
  return 0;
}
#else
  int Y = X * 3;
#endif
  return Y
#if LEVEL == 2
         + 1
#endif
      ;
#if 0
}
#endif
}

[[trace::bundle]] int tail(int X) {
  return X - 1;
#if LEVEL
}
#else
  }
#endif

#ifdef __TRACE_PLUGIN__
[[trace::bundle]] int onlyWithPlugin() { return 1; }
#endif

int main() {
  std::printf("level %d branches %d %d tail %d\n", level(4), branches(20), branches(2), tail(1));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site branches key={{.*}} calls=2 rets=2
// CHECK-DAG: site level key={{.*}} calls=1 rets=1
// CHECK-DAG: site tail key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: level(X=4) -> 8
// CHECK-NEXT: branches(X=20) -> 20
// CHECK-NEXT: branches(X=2) -> 7
// CHECK-NEXT: tail(X=1) -> 0
