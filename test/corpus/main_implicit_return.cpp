// main without a return statement returns 0; that must stay so under instrument-everything
// (the plugin leaves main alone for this reason, and records its callees).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s --implicit-check-not="site main" < %t/summary

#include <cstdio>

[[trace::bundle]] void hello(const char *Who) { std::printf("hello %s\n", Who); }

int main() {
  hello("world");
  if (std::printf("%s", "") != 0)
    return 7;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site hello key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: hello(Who={{.*}}world{{.*}}) -> void
