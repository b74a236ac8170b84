//===- RecordBench.cpp - Cost of recording a bundle call ------------------===//
//
// Google Benchmark micro-benchmarks for the recording goals of issue 4:
//   * Add/plain vs Add/traced: an `int f(int, int)` bundle against the same
//     function built without the plugin. Run once with recording on and once
//     with TRACE_ENABLE=0 (same binary) for the "off" figure. The plain names
//     measure the calling thread's CPU time; ".../process_time" the whole
//     process's, the writer thread included.
//   * String1K/plain vs String1K/traced: a 1 KiB std::string argument.
//   * WriterBlock: the writer stage alone (a chunk of records framed as a
//     block of the binary trace), in nodes per second.
// The traced figures are amortized over chunk hand-offs: a full chunk goes to
// the writer thread (or, with TRACE_WRITER_THREAD=0, is written on the
// calling thread inside the timed loop). Per-call percentiles come
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

/// Frames a chunk holding real records of `traced::add` calls as a block,
/// through a private Writer (so the process's own trace is not disturbed):
/// all the writer does per chunk besides the write() itself.
void BM_WriterBlock(benchmark::State &State) {
  using namespace __trace_rt;
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
  if (TS->used() == 0) {
    State.SkipWithError("chunk drained while recording the sample");
    return;
  }
  std::vector<char> Bytes(TS->Buffer->Data.get(),
                          TS->Buffer->Data.get() + TS->used());
  Writer W;
  std::size_t Bytes_ = 0;
  for (auto _ : State) {
    W.block(99, Bytes.data(), Bytes.size());
    Bytes_ += W.Text.size();
    W.Text.clear();
  }
  State.SetItemsProcessed(State.iterations() * Calls);
  State.SetBytesProcessed(static_cast<int64_t>(Bytes_));
  State.counters["chunk_bytes_per_node"] =
      static_cast<double>(Bytes.size()) / Calls;
}
BENCHMARK(BM_WriterBlock)->Name("WriterBlock");

} // namespace

BENCHMARK_MAIN();
