// Concurrency: 8 threads each make 100,000 bundle calls at the same time. The trace must hold
// exactly 800,000 nodes of that bundle, each with its "ret", none dropped, each thread's calls
// under its own thread id. (test/sanitize/ runs the same program under ThreadSanitizer.)
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain -O1 %s -o %t/plain -lpthread
// RUN: %corpus_trace -O1 %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --min-nodes 800000 > %t/summary
// RUN: FileCheck %s < %t/summary

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#ifndef THREADS
#define THREADS 8
#endif
#ifndef CALLS
#define CALLS 100000
#endif

[[trace::bundle]] unsigned long step(unsigned long State, int Thread) {
  return State * 6364136223846793005ul + 1442695040888963407ul + static_cast<unsigned long>(Thread);
}

[[trace::bundle]] unsigned long run(int Thread, std::atomic<int> *Ready) {
  Ready->fetch_add(1);
  while (Ready->load() < THREADS) {
  }
  unsigned long State = Thread;
  for (int I = 0; I < CALLS; ++I)
    State = step(State, Thread);
  return State;
}

int main() {
  std::atomic<int> Ready{0};
  std::vector<unsigned long> Results(THREADS);
  std::vector<std::thread> Pool;
  for (int T = 0; T < THREADS; ++T)
    Pool.emplace_back([T, &Ready, &Results] { Results[T] = run(T, &Ready); });
  for (auto &Th : Pool)
    Th.join();
  unsigned long Mix = 0;
  for (unsigned long R : Results)
    Mix ^= R;
  std::printf("threads %d calls %d mix %lx\n", THREADS, CALLS, Mix);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK: graph: nodes={{800008|800009}} open=0 dropped=0
// CHECK-DAG: site run key={{.*}} calls=8 rets=8 exceptions=0
// CHECK-DAG: site step key={{.*}} calls=800000 rets=800000 exceptions=0
