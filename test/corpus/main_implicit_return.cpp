// main without a return statement returns 0; that must stay so when main's body is
// instrumented.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.jsonl --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>

[[trace::bundle]] void hello(const char *Who) { std::printf("hello %s\n", Who); }

int main() {
  hello("world");
  if (std::printf("%s", "") != 0)
    return 7;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site hello key={{.*}} calls=1 rets=1
// CHECK-DAG: site main key=main() calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: main() -> 0
// CHECK-NEXT: | hello(Who={{.*}}world{{.*}}) -> void
