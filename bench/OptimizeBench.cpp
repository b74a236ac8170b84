//===- OptimizeBench.cpp - Scaling of the trace-optimize core -------------===//
//
// Google Benchmark micro-benchmarks for the trace-optimize goals of issue 4:
//   * LoadTraces/N: read an N-node trace file (goal: 1M nodes in 2 s), with
//     the page faults per node and the memory the loaded set keeps resident
//     per node;
//   * Backward/N: the backward pass, graph construction included (goal:
//     linear, 1M nodes in 1 s); several sizes so the fitted complexity and
//     the per-node time show whether it stays linear; BuildGraph/N and
//     BackwardWalk/N time its two halves;
//   * Prompt/10000: the prompt for a 10k-node subgraph, with the estimated
//     tokens of the user message next to the budget (goal: 100 ms, within
//     budget).
// The traces are synthesised in the documented format (docs/trace-format.md):
// pairs of a trainable `step` call and a nested `helper` call, each step and
// its helper taking the previous step's output (data edges), feedback on the
// last step, so every node lies between the parameter and the feedback. Set
// TRACE_BENCH_REAL_TRACE to a trace file (e.g. the one trace-bench-stream
// wrote) to also time reading it (LoadTraces/real).
//
//===----------------------------------------------------------------------===//

#include "graph/Backward.h"
#include "graph/Graph.h"
#include "traceset/TraceSet.h"
#ifdef TRACE_BENCH_HAVE_PROMPT
#include "prompt/Prompt.h"
#endif

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace {

constexpr uint64_t Thread1 = uint64_t(1) << 32;

/// A valid trace of \p N nodes (N/2 steps, each with one nested helper).
std::string synthesise(std::size_t N) {
  std::string T;
  T.reserve(N * 200);
  T += "{\"k\":\"header\",\"format\":\"trace-cpp\",\"version\":1,\"pid\":1,"
       "\"program\":\"/bench/chain\",\"time\":\"2026-01-01T00:00:00Z\"}\n";
  T += "{\"k\":\"param\",\"id\":\"code:step(int, int)\",\"kind\":\"code\","
       "\"name\":\"step\",\"file\":\"/bench/chain.cpp\",\"line\":3,\"begin\":10,"
       "\"end\":80,\"hash\":\"fnv1a64:0123456789abcdef\",\"text\":\"[[trace::"
       "trainable]] int step(int x, int k) { return helper(x) + k; }\","
       "\"signature\":\"int step(int x, int k)\",\"constraint\":null}\n";
  T += "{\"k\":\"site\",\"site\":1,\"key\":\"step(int, int)\",\"name\":\"step\","
       "\"signature\":\"int step(int, int)\",\"file\":\"/bench/chain.cpp\","
       "\"line\":3,\"params\":[\"x\",\"k\"],\"doc\":\"One step of the chain.\","
       "\"param\":\"code:step(int, int)\"}\n";
  T += "{\"k\":\"site\",\"site\":2,\"key\":\"helper(int)\",\"name\":\"helper\","
       "\"signature\":\"int helper(int)\",\"file\":\"/bench/chain.cpp\","
       "\"line\":2,\"params\":[\"v\"],\"doc\":\"Doubles v.\",\"param\":null}\n";
  char Buf[512];
  uint64_t Prev = 0;
  long Value = 1;
  std::size_t Steps = N / 2;
  for (std::size_t I = 0; I < Steps; ++I) {
    uint64_t Step = Thread1 | (2 * I + 1), Helper = Step + 1;
    long K = static_cast<long>(I % 7);
    int Len;
    if (Prev)
      Len = std::snprintf(Buf, sizeof Buf,
                          "{\"k\":\"call\",\"node\":%llu,\"site\":1,\"parent\":0,"
                          "\"thread\":1,\"args\":[{\"name\":\"x\",\"type\":\"int\","
                          "\"value\":\"%ld\",\"from\":%llu},{\"name\":\"k\","
                          "\"type\":\"int\",\"value\":\"%ld\"}]}\n",
                          (unsigned long long)Step, Value, (unsigned long long)Prev, K);
    else
      Len = std::snprintf(Buf, sizeof Buf,
                          "{\"k\":\"call\",\"node\":%llu,\"site\":1,\"parent\":0,"
                          "\"thread\":1,\"args\":[{\"name\":\"x\",\"type\":\"int\","
                          "\"value\":\"%ld\"},{\"name\":\"k\",\"type\":\"int\","
                          "\"value\":\"%ld\"}]}\n",
                          (unsigned long long)Step, Value, K);
    T.append(Buf, static_cast<std::size_t>(Len));
    long H = (2 * Value) % 1000003;
    Len = std::snprintf(Buf, sizeof Buf,
                        "{\"k\":\"call\",\"node\":%llu,\"site\":2,\"parent\":%llu,"
                        "\"thread\":1,\"args\":[{\"name\":\"v\",\"type\":\"int\","
                        "\"value\":\"%ld\",\"from\":%llu}]}\n"
                        "{\"k\":\"ret\",\"node\":%llu,\"type\":\"int\",\"value\":\"%ld\"}\n",
                        (unsigned long long)Helper, (unsigned long long)Step, Value,
                        (unsigned long long)(Prev ? Prev : Step), (unsigned long long)Helper, H);
    T.append(Buf, static_cast<std::size_t>(Len));
    Value = (H + K) % 1000003;
    Len = std::snprintf(Buf, sizeof Buf,
                        "{\"k\":\"ret\",\"node\":%llu,\"type\":\"int\",\"value\":\"%ld\"}\n",
                        (unsigned long long)Step, Value);
    T.append(Buf, static_cast<std::size_t>(Len));
    Prev = Step;
  }
  std::snprintf(Buf, sizeof Buf,
                "{\"k\":\"feedback\",\"node\":%llu,\"text\":\"expected 42, got "
                "%ld\",\"score\":0.0}\n{\"k\":\"end\",\"nodes\":%zu,\"dropped\":0}\n",
                (unsigned long long)Prev, Value, Steps * 2);
  T += Buf;
  return T;
}

/// A synthesised trace written to a temporary file, removed at exit.
struct TraceFile {
  std::string Path;
  std::size_t Bytes = 0;
  explicit TraceFile(std::size_t N) {
    const char *Dir = std::getenv("TMPDIR");
    Path = std::string(Dir && *Dir ? Dir : "/tmp") + "/trace-bench-" +
           std::to_string(::getpid()) + "-" + std::to_string(N) + ".jsonl";
    std::string Text = synthesise(N);
    Bytes = Text.size();
    std::FILE *F = std::fopen(Path.c_str(), "wb");
    if (!F || std::fwrite(Text.data(), 1, Text.size(), F) != Text.size()) {
      std::perror(Path.c_str());
      std::exit(1);
    }
    std::fclose(F);
  }
  ~TraceFile() { std::remove(Path.c_str()); }
};

const TraceFile &traceFile(std::size_t N) {
  static std::map<std::size_t, std::unique_ptr<TraceFile>> Files;
  auto &F = Files[N];
  if (!F)
    F = std::make_unique<TraceFile>(N);
  return *F;
}

const traceopt::TraceSet &traceSet(std::size_t N) {
  static std::map<std::size_t, std::unique_ptr<traceopt::TraceSet>> Sets;
  auto &S = Sets[N];
  if (!S) {
    std::string Error;
    auto T = traceopt::loadTraces({traceFile(N).Path}, Error);
    if (!T) {
      std::fprintf(stderr, "cannot read the synthesised trace: %s\n", Error.c_str());
      std::exit(1);
    }
    S = std::make_unique<traceopt::TraceSet>(std::move(*T));
  }
  return *S;
}

/// Resident memory of the process in bytes (/proc/self/statm).
long residentBytes() {
  std::FILE *F = std::fopen("/proc/self/statm", "r");
  if (!F)
    return 0;
  long Size = 0, Resident = 0;
  if (std::fscanf(F, "%ld %ld", &Size, &Resident) != 2)
    Resident = 0;
  std::fclose(F);
  return Resident * ::sysconf(_SC_PAGESIZE);
}

long minorFaults() {
  struct rusage U;
  ::getrusage(RUSAGE_SELF, &U);
  return U.ru_minflt;
}

void load(benchmark::State &State, const std::string &Path, std::size_t Bytes) {
  std::size_t Nodes = 0;
  long Faults = minorFaults();
  long Held = 0;
  for (auto _ : State) {
    long Before = residentBytes();
    std::string Error;
    auto T = traceopt::loadTraces({Path}, Error);
    if (!T) {
      State.SkipWithError(("loadTraces failed: " + Error).c_str());
      return;
    }
    Nodes = T->Nodes.size();
    benchmark::DoNotOptimize(T->Nodes.data());
    // What the loaded set keeps resident (the file is no longer mapped).
    Held = std::max(Held, residentBytes() - Before);
  }
  State.counters["nodes"] = static_cast<double>(Nodes);
  State.counters["resident_bytes_per_node"] = static_cast<double>(Held) / static_cast<double>(Nodes ? Nodes : 1);
  // Page faults are expensive on the VM; show how many a load takes.
  State.counters["page_faults_per_node"] =
      static_cast<double>(minorFaults() - Faults) /
      static_cast<double>(State.iterations()) / static_cast<double>(Nodes ? Nodes : 1);
  State.counters["nodes_per_s"] =
      benchmark::Counter(static_cast<double>(Nodes), benchmark::Counter::kIsIterationInvariantRate);
  State.SetBytesProcessed(static_cast<int64_t>(State.iterations() * Bytes));
}

void BM_LoadTraces(benchmark::State &State) {
  const TraceFile &F = traceFile(static_cast<std::size_t>(State.range(0)));
  load(State, F.Path, F.Bytes);
}
BENCHMARK(BM_LoadTraces)
    ->Name("LoadTraces")
    ->Arg(250000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

void BM_LoadRealTrace(benchmark::State &State) {
  const char *Path = std::getenv("TRACE_BENCH_REAL_TRACE");
  if (!Path || !*Path) {
    State.SkipWithError("TRACE_BENCH_REAL_TRACE is not set");
    return;
  }
  std::FILE *F = std::fopen(Path, "rb");
  if (!F) {
    State.SkipWithError("cannot open TRACE_BENCH_REAL_TRACE");
    return;
  }
  std::fseek(F, 0, SEEK_END);
  auto Bytes = static_cast<std::size_t>(std::ftell(F));
  std::fclose(F);
  load(State, Path, Bytes);
}
BENCHMARK(BM_LoadRealTrace)->Name("LoadTraces/real")->Unit(benchmark::kMillisecond);

void BM_Backward(benchmark::State &State) {
  const traceopt::TraceSet &T = traceSet(static_cast<std::size_t>(State.range(0)));
  std::size_t Kept = 0;
  long Faults = minorFaults();
  for (auto _ : State) {
    traceopt::Subgraph S = traceopt::backward(T);
    Kept = S.Nodes.size();
    benchmark::DoNotOptimize(S.Nodes.data());
  }
  State.counters["subgraph_nodes"] = static_cast<double>(Kept);
  State.counters["page_faults_per_node"] =
      static_cast<double>(minorFaults() - Faults) /
      static_cast<double>(State.iterations()) / static_cast<double>(State.range(0));
  State.SetComplexityN(State.range(0));
}
BENCHMARK(BM_Backward)
    ->Name("Backward")
    ->Arg(125000)
    ->Arg(250000)
    ->Arg(500000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

/// The two halves of Backward: resolving ids into the graph, and the walk.
void BM_BuildGraph(benchmark::State &State) {
  const traceopt::TraceSet &T = traceSet(static_cast<std::size_t>(State.range(0)));
  for (auto _ : State) {
    traceopt::Graph G = traceopt::buildGraph(T);
    benchmark::DoNotOptimize(G.InputIdx.data());
  }
}
BENCHMARK(BM_BuildGraph)->Name("BuildGraph")->Arg(125000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_BackwardWalk(benchmark::State &State) {
  const traceopt::TraceSet &T = traceSet(static_cast<std::size_t>(State.range(0)));
  traceopt::Graph G = traceopt::buildGraph(T);
  for (auto _ : State) {
    traceopt::Subgraph S = traceopt::backward(T, G);
    benchmark::DoNotOptimize(S.Nodes.data());
  }
}
BENCHMARK(BM_BackwardWalk)->Name("BackwardWalk")->Arg(125000)->Arg(1000000)->Unit(benchmark::kMillisecond);

#ifdef TRACE_BENCH_HAVE_PROMPT
void BM_Prompt(benchmark::State &State) {
  const traceopt::TraceSet &T = traceSet(static_cast<std::size_t>(State.range(0)));
  traceopt::Subgraph S = traceopt::backward(T);
  traceopt::PromptOptions O;
  std::size_t Tokens = 0;
  for (auto _ : State) {
    traceopt::Prompt P = traceopt::buildPrompt(T, S, O);
    Tokens = traceopt::estimateTokens(P.User);
    benchmark::DoNotOptimize(P.User.data());
  }
  State.counters["subgraph_nodes"] = static_cast<double>(S.Nodes.size());
  State.counters["user_tokens"] = static_cast<double>(Tokens);
  State.counters["token_budget"] = static_cast<double>(O.TokenBudget);
}
BENCHMARK(BM_Prompt)->Name("Prompt")->Arg(10000)->Unit(benchmark::kMillisecond);
#endif

} // namespace

BENCHMARK_MAIN();
