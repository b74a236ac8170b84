// -Wunreachable-code sees the user's functions: code after a return or a
// [[noreturn]] call is reported the same way with the plugin (all functions
// instrumented), and correct code builds under -Werror.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all --expect-clean -- -std=%trace_std -Werror -Wunreachable-code -Wunreachable-code-return %s
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all -- -std=%trace_std -Wunreachable-code -Wunreachable-code-return -DWRONG %s | FileCheck %s --check-prefix=WRONG
// WRONG: plain: exit=0 diagnostics=2
// WRONG-DAG: code will never be executed
// WRONG-DAG: 'return' will never be executed
// WRONG: same
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <cstdlib>

[[noreturn]] void stop(int Code) { std::exit(Code); }

int clamp(int V) {
  if (V > 10)
    return 10;
  return V;
}

#ifdef WRONG
int after(int V) {
  return V;
  std::printf("never\n");
}
int afterStop(int V) {
  stop(V);
  return V;
}
#endif

int main(int Argc, char **) {
  if (Argc > 5)
    stop(3);
  std::printf("%d\n", clamp(12));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site clamp key={{.*}} calls=1 rets=1
