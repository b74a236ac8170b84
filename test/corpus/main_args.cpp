// main itself: main(argc, argv) with arguments, an early return, and a non-zero exit status
// returned from main. The plugin leaves main alone (at its end it returns 0, a wrapping lambda
// would not), so only its callees are recorded, and main behaves exactly as without the plugin.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls -- one two > %t/summary
// RUN: FileCheck %s --implicit-check-not="site main" < %t/summary

#include <cstdio>
#include <cstring>

[[trace::bundle]] int weigh(const char *Word) { return static_cast<int>(std::strlen(Word)); }

int main(int argc, char **argv) {
  if (argc < 0)
    return 0;
  int Total = 0;
  for (int I = 1; I < argc; ++I)
    Total += weigh(argv[I]);
  std::printf("argc %d total %d\n", argc, Total);
  return argc + 10;
}

// CHECK: run: exit=13 stdout-lines=1
// CHECK: graph: nodes=2 open=0
// CHECK-DAG: site weigh key={{.*}} calls=2 rets=2
// CHECK: thread 1
// CHECK-NEXT: weigh(Word={{.*}}one{{.*}}) -> 3
// CHECK-NEXT: weigh(Word={{.*}}two{{.*}}) -> 3
