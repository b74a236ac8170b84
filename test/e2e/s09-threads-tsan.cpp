// S9: four threads call bundles at once; every node is recorded, edges stay
// within their thread, and ThreadSanitizer reports nothing.
// Needs c++17: the runtime's own sources, compiled along, are C++17.
// REQUIRES: c++17
// REQUIRES: tsan
// The runtime's sources are built with the sanitizer too, so races inside
// the library would be reported, not only those in the instrumented code.
// RUN: %clangxx_trace -fsanitize=thread -g -O1 %s %trace_src/runtime/lib/*.cpp -o %t -lpthread
// RUN: env TRACE_FILE=%t.bin TSAN_OPTIONS=halt_on_error=1 %t
// RUN: %python %support/tracecheck.py %t.bin validate summary | FileCheck %s
// With a call limit the threads count cut calls on shared sites, also race-free.
// RUN: env TRACE_FILE=%t.cut.bin TRACE_MAX_CALLS_PER_FUNCTION=5 TSAN_OPTIONS=halt_on_error=1 %t
// RUN: %python %support/tracecheck.py %t.cut.bin validate | FileCheck --check-prefix=CUT %s
// RUN: %dump %t.cut.bin | FileCheck --check-prefix=CUTEND %s

#include <string>
#include <thread>
#include <vector>

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] std::string g(int y) { return std::to_string(y); }

int main() {
  std::vector<std::thread> Threads;
  for (int T = 0; T < 4; ++T)
    Threads.emplace_back([] {
      for (int I = 0; I < 5000; ++I) {
        auto a = f(I);
        auto s = g(a);
        (void)s;
      }
    });
  for (auto &T : Threads)
    T.join();
  return 0;
}

// CHECK: valid
// CHECK-NEXT: calls f 20000
// CHECK-NEXT: calls g 20000
// CHECK-NEXT: nodes 40000
// CHECK-NEXT: threads 4
// CHECK-NEXT: edges 20000
// CHECK-NEXT: dropped 0

// CUT: valid
// CUTEND: {"k":"cut",
// CUTEND: {"k":"end",{{.*}},"cut":{{[1-9][0-9]*}}}
