// thread_local state: a namespace-scope thread_local counter, a static thread_local inside a
// bundle, and a thread_local object whose destructor calls a bundle while its thread exits
// (after or before the runtime's own per-thread state is torn down). Threads run one after the
// other so the output is deterministic.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain -lpthread
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <string>
#include <thread>

thread_local int Counter = 0;

[[trace::bundle]] int bump(int By) {
  Counter += By;
  return Counter;
}

[[trace::bundle]] int serial() {
  static thread_local int Next = 10;
  return Next++;
}

[[trace::bundle]] int farewell(int Seen) { return Seen * 100; }

struct Goodbye {
  int Seen = 0;
  ~Goodbye() { std::printf("goodbye %d -> %d\n", Seen, farewell(Seen)); }
};
thread_local Goodbye Bye;

[[trace::bundle]] void worker(int Id) {
  Bye.Seen = Id;
  int A = bump(Id);
  int B = bump(Id);
  int S1 = serial();
  int S2 = serial();
  std::printf("worker %d: %d %d %d %d\n", Id, A, B, S1, S2);
}

int main() {
  for (int Id = 1; Id <= 3; ++Id) {
    std::thread T(worker, Id);
    T.join();
  }
  std::printf("main counter %d serial %d\n", bump(0), serial());
  return 0;
}

// CHECK: run: exit=0 stdout-lines=7
// CHECK-DAG: site Goodbye::~Goodbye key={{.*}} calls=3 rets=3
// CHECK-DAG: site bump key={{.*}} calls=7 rets=7
// CHECK-DAG: site farewell key={{.*}} calls=3 rets=3
// CHECK-DAG: site serial key={{.*}} calls=7 rets=7
// CHECK-DAG: site worker key={{.*}} calls=3 rets=3
// Threads are numbered in the order of their first call, or of the first
// thread they start with an argument to hand over: main, then the workers.
// CHECK: thread 1
// CHECK-NEXT: bump(By=0) -> 0
// CHECK-NEXT: serial() -> 10
// CHECK-NEXT: thread 2
// CHECK-NEXT: worker(Id=1) -> void
// CHECK-NEXT: | bump(By=1) -> 1
// CHECK-NEXT: | bump(By=1) -> 2
// CHECK-NEXT: | serial() -> 10
// CHECK-NEXT: | serial() -> 11
// The thread_local object's destructor, as the thread exits.
// CHECK-NEXT: Goodbye::~Goodbye() -> void
// CHECK-NEXT: | farewell(Seen=1) -> 100
// CHECK-NEXT: thread 3
// CHECK-NEXT: worker(Id=2) -> void
// CHECK-NEXT: | bump(By=2) -> 2
// CHECK-NEXT: | bump(By=2) -> 4
// CHECK:      thread 4
// CHECK-NEXT: worker(Id=3) -> void
// CHECK:      Goodbye::~Goodbye() -> void
// CHECK-NEXT: | farewell(Seen=3) -> 300
