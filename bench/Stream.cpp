//===- Stream.cpp - A long recording run --------------------------------===//
//
// Makes N calls of the `int add(int, int)` bundle in a loop and ends with a
// feedback on the last result, so the run is a complete trace. run.py runs
// it for 1M and 10M calls to measure the maximum RSS (it must not grow with
// N: chunks stream to the file), the writer's end-to-end throughput, and to
// check the `end` record: nodes == N and dropped == 0.
//
// Usage: trace-bench-stream N
// Prints on stderr the loop's elapsed nanoseconds and the peak resident set
// (VmHWM of this process image; getrusage's maximum would include the
// parent's image from before exec) after everything recorded was written.
//
//===----------------------------------------------------------------------===//

#include "BenchFuncs.h"

#define __TRACE_PLUGIN__ 1
#include "trace/trace.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static long peakRssKiB() {
  std::FILE *F = std::fopen("/proc/self/status", "r");
  if (!F)
    return -1;
  char Line[256];
  long KiB = -1;
  while (std::fgets(Line, sizeof Line, F))
    if (std::strncmp(Line, "VmHWM:", 6) == 0)
      KiB = std::atol(Line + 6);
  std::fclose(F);
  return KiB;
}

int main(int Argc, char **Argv) {
  long long N = Argc > 1 ? std::atoll(Argv[1]) : 1000000;
  auto T0 = std::chrono::steady_clock::now();
  int X = 0;
  for (long long I = 0; I < N; ++I)
    X = traced::add(X, static_cast<int>(I & 1023));
  trace::feedback(X, "run finished", 1.0);
  auto T1 = std::chrono::steady_clock::now();
  trace::flush();
  std::fprintf(stderr, "elapsed_ns %lld\npeak_rss_kib %ld\nresult %d\n",
               static_cast<long long>(
                   std::chrono::duration_cast<std::chrono::nanoseconds>(T1 - T0)
                       .count()),
               peakRssKiB(), X);
  return 0;
}
