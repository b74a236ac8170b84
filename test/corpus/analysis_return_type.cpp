// -Wreturn-type sees the user's functions: a function whose every path
// returns or ends in a [[noreturn]] call builds under -Werror with the plugin
// (all functions instrumented), and a path without a return is reported the
// same way.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all --expect-clean -- -std=%trace_std -Werror -Wreturn-type %s
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all -- -std=%trace_std -Wreturn-type -DWRONG %s | FileCheck %s --check-prefix=WRONG
// WRONG: plain: exit=0 diagnostics=2
// WRONG-DAG: non-void function does not return a value in all control paths
// WRONG-DAG: non-void function does not return a value
// WRONG: same
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <cstdlib>

enum class Color { Red, Green };

[[noreturn]] void fail(const char *Why) {
  std::fprintf(stderr, "%s\n", Why);
  std::exit(2);
}

int code(Color C) {
  switch (C) {
  case Color::Red:
    return 1;
  case Color::Green:
    return 2;
  }
  fail("bad color");
}

int checked(int V) {
  if (V >= 0)
    return V;
  fail("negative");
}

#ifdef WRONG
int missing(int V) {
  if (V > 0)
    return V;
}
int none() {}
#endif

int main() {
  std::printf("%d %d\n", code(Color::Green), checked(4));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site code key={{.*}} calls=1 rets=1
// CHECK-DAG: site checked key={{.*}} calls=1 rets=1
