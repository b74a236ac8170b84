//===- Latency.cpp - Per-call latency percentiles and bytes per node ------===//
//
// Times calls with the TSC (lfence; rdtsc; lfence on both sides),
// interleaving blocks of plain and traced calls so both see the same machine
// state. Two kinds of samples, because the TSC of the VM advances in steps of
// about 10 ns:
//   * "batch8": the time of 8 consecutive calls divided by 8; fine enough for
//     the median, but a batch holding one slow call hides which call it was;
//   * "single": one call per sample; 10 ns resolution, but the tail
//     percentiles (p99, p99.9) are those of individual calls.
// Prints one JSON object with p50/p99/p99.9/mean in ns per call for each
// variant and for an empty probe (the timing itself, inside every sample),
// added_* = traced percentile - plain percentile, and the bytes one call
// appends to the thread's chunk (runtime internals) for the memory goal.
//
// Usage: trace-bench-latency [samples-per-variant]   (default 200000)
//
//===----------------------------------------------------------------------===//

#include "BenchFuncs.h"

#include "Internal.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <x86intrin.h>

namespace {

inline uint64_t ticks() {
  _mm_lfence();
  uint64_t T = __rdtsc();
  _mm_lfence();
  return T;
}

template <class T> inline void keep(const T &V) {
  asm volatile("" : : "r"(V) : "memory");
}

double ticksPerNs() {
  auto C0 = std::chrono::steady_clock::now();
  uint64_t T0 = ticks();
  while (std::chrono::steady_clock::now() - C0 < std::chrono::milliseconds(200))
    ;
  auto C1 = std::chrono::steady_clock::now();
  uint64_t T1 = ticks();
  double Ns = std::chrono::duration<double, std::nano>(C1 - C0).count();
  return static_cast<double>(T1 - T0) / Ns;
}

struct Stats {
  double P50, P99, P999, Mean;
};

/// Percentiles of \p S (ticks per sample of \p Calls calls) in ns per call.
Stats stats(std::vector<uint64_t> &S, double TicksPerNs, unsigned Calls) {
  std::sort(S.begin(), S.end());
  double Scale = TicksPerNs * Calls;
  auto At = [&](double Q) {
    auto I = static_cast<std::size_t>(Q * static_cast<double>(S.size() - 1));
    return static_cast<double>(S[I]) / Scale;
  };
  double Sum = 0;
  for (uint64_t V : S)
    Sum += static_cast<double>(V);
  return {At(0.50), At(0.99), At(0.999),
          Sum / static_cast<double>(S.size()) / Scale};
}

/// Fills \p Out[From .. From + N) with the time of \p Calls consecutive
/// calls of \p Fn each.
template <unsigned Calls, class F>
__attribute__((noinline)) void sample(F Fn, std::vector<uint64_t> &Out,
                                      std::size_t From, std::size_t N) {
  for (std::size_t I = 0; I < N; ++I) {
    int Arg = static_cast<int>(I * Calls);
    uint64_t A = ticks();
    for (unsigned J = 0; J < Calls; ++J)
      Fn(Arg + static_cast<int>(J));
    uint64_t B = ticks();
    Out[From + I] = B - A;
  }
}

struct Variant {
  const char *Name;
  std::vector<uint64_t> Single, Batch;
  Stats SingleStats{}, BatchStats{};
};

constexpr unsigned BatchCalls = 8;

void printStats(const Stats &S) {
  std::printf("{\"p50\": %.2f, \"p99\": %.2f, \"p999\": %.2f, \"mean\": %.2f}",
              S.P50, S.P99, S.P999, S.Mean);
}

Stats minus(const Stats &A, const Stats &B) {
  return {A.P50 - B.P50, A.P99 - B.P99, A.P999 - B.P999, A.Mean - B.Mean};
}

/// Bytes one call of \p Fn appends to the calling thread's chunk.
template <class F> long bytesPerCall(F Fn) {
  using namespace __trace_rt;
  Fn();
  ThreadState *TS = currentThread();
  if (!TS)
    return -1;
  for (int Try = 0; Try < 4; ++Try) {
    std::size_t Before = TS->used();
    Fn();
    std::size_t After = TS->used();
    if (After > Before)
      return static_cast<long>(After - Before);
  }
  return -1;
}

} // namespace

int main(int Argc, char **Argv) {
  std::size_t N = Argc > 1 ? std::strtoull(Argv[1], nullptr, 10) : 200000;
  constexpr std::size_t Block = 2000;
  N = std::max<std::size_t>(Block, N / Block * Block);
  const std::string Text(1024, 'x');
  double TPN = ticksPerNs();

  auto Nothing = [](int I) { keep(I); };
  auto AddPlain = [](int I) { keep(plain::add(I, I + 1)); };
  auto AddTraced = [](int I) { keep(traced::add(I, I + 1)); };
  auto StrPlain = [&Text](int) { keep(plain::measure(Text)); };
  auto StrTraced = [&Text](int) { keep(traced::measure(Text)); };
  Variant V[5] = {{"empty"},
                  {"add_plain"},
                  {"add_traced"},
                  {"string1k_plain"},
                  {"string1k_traced"}};
  for (Variant &X : V) {
    X.Single.resize(N);
    X.Batch.resize(N);
  }
  // Warm up: the first calls register the thread and the sites.
  for (int I = 0; I < 1000; ++I) {
    AddTraced(I);
    StrTraced(I);
  }
  for (std::size_t From = 0; From < N; From += Block) {
    sample<1>(Nothing, V[0].Single, From, Block);
    sample<1>(AddPlain, V[1].Single, From, Block);
    sample<1>(AddTraced, V[2].Single, From, Block);
    sample<1>(StrPlain, V[3].Single, From, Block);
    sample<1>(StrTraced, V[4].Single, From, Block);
    sample<BatchCalls>(Nothing, V[0].Batch, From, Block);
    sample<BatchCalls>(AddPlain, V[1].Batch, From, Block);
    sample<BatchCalls>(AddTraced, V[2].Batch, From, Block);
    sample<BatchCalls>(StrPlain, V[3].Batch, From, Block);
    sample<BatchCalls>(StrTraced, V[4].Batch, From, Block);
  }
  for (Variant &X : V) {
    X.SingleStats = stats(X.Single, TPN, 1);
    X.BatchStats = stats(X.Batch, TPN, BatchCalls);
  }
  long AddBytes = bytesPerCall([] { keep(traced::add(1, 2)); });
  long StrBytes = bytesPerCall([&Text] { keep(traced::measure(Text)); });

  std::printf("{\n  \"samples\": %zu,\n  \"batch_calls\": %u,\n"
              "  \"ticks_per_ns\": %.4f,\n",
              N, BatchCalls, TPN);
  for (const Variant &X : V) {
    std::printf("  \"%s\": {\"single\": ", X.Name);
    printStats(X.SingleStats);
    std::printf(", \"batch8\": ");
    printStats(X.BatchStats);
    std::printf("},\n");
  }
  for (int Pair = 0; Pair < 2; ++Pair) {
    const Variant &T = V[2 + 2 * Pair], &P = V[1 + 2 * Pair];
    std::printf("  \"added_%s\": {\"single\": ", Pair ? "string1k" : "add");
    printStats(minus(T.SingleStats, P.SingleStats));
    std::printf(", \"batch8\": ");
    printStats(minus(T.BatchStats, P.BatchStats));
    std::printf("},\n");
  }
  std::printf("  \"chunk_bytes_add\": %ld,\n  \"chunk_bytes_string1k\": %ld,\n"
              "  \"payload_bytes_add\": %zu,\n"
              "  \"payload_bytes_string1k\": %zu\n}\n",
              AddBytes, StrBytes, 3 * sizeof(int),
              Text.size() + sizeof(std::size_t));
  return 0;
}
