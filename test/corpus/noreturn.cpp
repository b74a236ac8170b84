// [[noreturn]] functions: one that throws (caught by the caller), one that calls std::exit from
// inside nested bundles. The program's exit status and output must not change, and the trace
// written at exit must hold every call, the ones left open by exit() without a "ret"
// (main is left alone by the plugin, so the open calls are stage and die).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls --allow-open 2 > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

struct Flusher {
  ~Flusher() { std::printf("static destructor ran\n"); }
} TheFlusher;

[[noreturn]] [[trace::bundle]] void raise(int Code) { throw std::runtime_error("code " + std::to_string(Code)); }

[[noreturn]] [[trace::bundle]] void die(int Status) {
  std::printf("dying with %d\n", Status);
  std::fflush(stdout);
  std::exit(Status);
}

[[trace::bundle]] int stage(int N) {
  if (N == 2)
    die(N + 1);
  try {
    raise(N);
  } catch (const std::exception &E) {
    std::printf("stage %d caught %s\n", N, E.what());
  }
  return N;
}

int main() {
  for (int N = 0;; ++N)
    stage(N);
}

// CHECK: run: exit=3 stdout-lines=4
// CHECK: graph: nodes=6 open=2
// CHECK-DAG: site die key={{.*}} calls=1 rets=0
// CHECK-DAG: site raise key={{.*}} calls=2 rets=2 exceptions=2
// CHECK-DAG: site stage key={{.*}} calls=3 rets=2
// CHECK: thread 1
// CHECK-NEXT: stage(N=0) -> 0
// CHECK-NEXT: | raise(Code=0) -> throws std::runtime_error: code 0
// CHECK-NEXT: stage(N=1) -> 1
// CHECK-NEXT: | raise(Code=1) -> throws std::runtime_error: code 1
// CHECK-NEXT: stage(N=2) -> open
// CHECK-NEXT: | die(Status=3) -> open
