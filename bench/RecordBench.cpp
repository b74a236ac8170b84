//===- RecordBench.cpp - Cost of recording a bundle call ------------------===//
//
// Google Benchmark micro-benchmarks for the recording goals of issue 4:
//   * Add/plain vs Add/traced: an `int f(int, int)` bundle against the same
//     function built without the plugin. Run once with recording on and once
//     with TRACE_ENABLE=0 (same binary) for the "off" figure. The plain names
//     measure the calling thread's CPU time; ".../process_time" the whole
//     process's, the writer thread included.
//   * String1K/plain vs String1K/traced: a 1 KiB std::string argument.
//   * WriterConsume: the writer stage alone (binary records to JSON lines),
//     in nodes per second.
// The traced figures are amortized over chunk hand-offs: a full chunk goes to
// the writer thread (or, with TRACE_WRITER_THREAD=0, is rendered and written
// on the calling thread inside the timed loop). Per-call percentiles come
// from trace-bench-latency.
//
//===----------------------------------------------------------------------===//

#include "BenchFuncs.h"

#include "Internal.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

void BM_AddPlain(benchmark::State &State) {
  int I = 0;
  for (auto _ : State) {
    benchmark::DoNotOptimize(plain::add(I, I + 1));
    ++I;
  }
}
BENCHMARK(BM_AddPlain)->Name("Add/plain");

void BM_AddTraced(benchmark::State &State) {
  int I = 0;
  for (auto _ : State) {
    benchmark::DoNotOptimize(traced::add(I, I + 1));
    ++I;
  }
}
BENCHMARK(BM_AddTraced)->Name("Add/traced");
// The writer thread's CPU counts here too (the process's CPU time).
BENCHMARK(BM_AddPlain)->Name("Add/plain")->MeasureProcessCPUTime();
BENCHMARK(BM_AddTraced)->Name("Add/traced")->MeasureProcessCPUTime();

const std::string &text1K() {
  static const std::string S = [] {
    std::string T;
    const char *Words = "the quick brown fox jumps over the lazy dog ";
    while (T.size() < 1024)
      T += Words;
    T.resize(1024);
    return T;
  }();
  return S;
}

void BM_String1KPlain(benchmark::State &State) {
  const std::string &S = text1K();
  for (auto _ : State)
    benchmark::DoNotOptimize(plain::measure(S));
}
BENCHMARK(BM_String1KPlain)->Name("String1K/plain");

void BM_String1KTraced(benchmark::State &State) {
  const std::string &S = text1K();
  for (auto _ : State)
    benchmark::DoNotOptimize(traced::measure(S));
}
BENCHMARK(BM_String1KTraced)->Name("String1K/traced");
BENCHMARK(BM_String1KPlain)->Name("String1K/plain")->MeasureProcessCPUTime();
BENCHMARK(BM_String1KTraced)->Name("String1K/traced")->MeasureProcessCPUTime();

/// Renders a chunk holding real records of `traced::add` calls, through a
/// private Writer (so the process's own trace is not disturbed).
void BM_WriterConsume(benchmark::State &State) {
  using namespace __trace_rt;
  // Record a known number of calls into this thread's chunk, then copy it.
  traced::add(0, 0);
  ThreadState *TS = currentThread();
  if (!TS) {
    State.SkipWithError("recording is off");
    return;
  }
  handOff(*TS);
  constexpr int Calls = 100;
  for (int I = 0; I < Calls; ++I)
    benchmark::DoNotOptimize(traced::add(I, 2 * I));
  if (TS->Buffer->Used == 0) {
    State.SkipWithError("chunk drained while recording the sample");
    return;
  }
  std::vector<char> Bytes(TS->Buffer->Data.get(),
                          TS->Buffer->Data.get() + TS->Buffer->Used);
  // The writer assigns site ids into Site::Id; give it a copy of the site.
  static Site Copy;
  bool Found = false;
  ValueView V;
  for (std::size_t Off = 0; Off < Bytes.size();) {
    char *P = Bytes.data() + Off;
    std::size_t N = decodeRecord(P, Bytes.size() - Off, V);
    if (!N)
      break;
    uint64_t W;
    std::memcpy(&W, P, 8);
    if (recKind(W) == RecKind::Enter) {
      if (!Found) {
        std::memcpy(static_cast<void *>(&Copy), tagPointer<Site>(W),
                    sizeof(Site));
        Copy.Id = 0;
        Found = true;
      }
      W = static_cast<uint64_t>(RecKind::Enter) |
          (reinterpret_cast<uintptr_t>(&Copy) << 16);
      std::memcpy(P, &W, 8);
    }
    Off += N;
  }
  Writer W(config().MaxValue);
  std::size_t Bytes_ = 0;
  for (auto _ : State) {
    W.consume(99, Bytes.data(), Bytes.size());
    W.finishThread(99);
    Bytes_ += W.Text.size();
    W.Text.clear();
  }
  State.SetItemsProcessed(State.iterations() * Calls);
  State.SetBytesProcessed(static_cast<int64_t>(Bytes_));
  State.counters["chunk_bytes_per_node"] =
      static_cast<double>(Bytes.size()) / Calls;
}
BENCHMARK(BM_WriterConsume)->Name("WriterConsume");

} // namespace

BENCHMARK_MAIN();
