//===- Stream.cpp - A long recording run --------------------------------===//
//
// Makes N calls of the `int add(int, int)` bundle in a loop and ends with a
// feedback on the last result, so the run is a complete trace. run.py runs
// it for 1M and 10M calls to measure the maximum RSS (it must not grow with
// N: chunks stream to the file), the writer's end-to-end throughput, and to
// check the `end` record: nodes == N and dropped == 0.
//
// Usage: trace-bench-stream N [traced|plain|chain-traced|chain-plain|
//                              chainvar-traced|chainvar-plain|
//                              tokens-traced|tokens-plain]
// (plain: the same loop over the uninstrumented copy, for the whole
// process's cost per call as traced minus plain; chain-*: the loop
// `y = add(y, i & 1023)` inside the instrumented file, one data-flow edge a
// call; chainvar-*: `y = add(y, j)`, j a plain variable the call site notes
// too;
// tokens-*: the tokenizer run, N unused).
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
#include <string>

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

/// The tokenizer-shaped run: a `const char *` cursor walks a large text,
/// one call per token. About 1.6 MB of words, as in the example.
static long long tokenize(bool Traced, long long &Tokens) {
  std::string Text;
  Text.reserve(1700000);
  for (int I = 0; Text.size() < 1600000; ++I) {
    Text += "word";
    Text += std::to_string(I % 9973);
    Text += (I % 7 == 0) ? "  " : " ";
  }
  const char *P = Text.c_str();
  Tokens = 0;
  auto T0 = std::chrono::steady_clock::now();
  while (*P) {
    P = Traced ? traced::nextToken(P) : plain::nextToken(P);
    ++Tokens;
  }
  auto T1 = std::chrono::steady_clock::now();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(T1 - T0).count();
}

int main(int Argc, char **Argv) {
  long long N = Argc > 1 ? std::atoll(Argv[1]) : 1000000;
  const char *Mode = Argc > 2 ? Argv[2] : "traced";
  if (std::strncmp(Mode, "tokens-", 7) == 0) {
    long long Tokens = 0;
    long long Ns = tokenize(std::strcmp(Mode + 7, "traced") == 0, Tokens);
    trace::flush();
    std::fprintf(stderr, "elapsed_ns %lld\npeak_rss_kib %ld\ncalls %lld\n", Ns,
                 peakRssKiB(), Tokens);
    return 0;
  }
  bool Traced = std::strcmp(Mode, "plain") != 0 &&
                std::strcmp(Mode, "chain-plain") != 0 &&
                std::strcmp(Mode, "chainvar-plain") != 0;
  auto T0 = std::chrono::steady_clock::now();
  int X = 0;
  if (std::strncmp(Mode, "chainvar-", 9) == 0)
    X = Traced ? traced::chainVar(static_cast<int>(N))
               : plain::chainVar(static_cast<int>(N));
  else if (std::strncmp(Mode, "chain-", 6) == 0)
    X = Traced ? traced::chain(static_cast<int>(N))
               : plain::chain(static_cast<int>(N));
  else if (Traced)
    for (long long I = 0; I < N; ++I)
      X = traced::add(X, static_cast<int>(I & 1023));
  else
    for (long long I = 0; I < N; ++I)
      X = plain::add(X, static_cast<int>(I & 1023));
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
