//===- search/Search.h - trace-optimize search ------------------*- C++ -*-===//
//
// A search asks for several candidates per step, evaluates each in its own
// copy of the user's tree (in parallel, through an Executor), keeps every
// candidate in a run database, and applies the best one to the user's
// sources at the end, with the same hash-checked, undoable patching as
// `step`. Strategies: best-of-k, beam, evolve (islands). See
// docs/optimizer.md, "search".
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_SEARCH_H
#define TRACEOPT_SEARCH_SEARCH_H

#include "llm/Llm.h"
#include "run/Loop.h"

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace traceopt::search {

enum class Strategy { BestOfK, Beam, Evolve };
/// Where evaluations run: this machine, Slurm job arrays, or a command template per evaluation.
enum class ExecutorKind { Local, Slurm, Runner };
std::optional<ExecutorKind> parseExecutor(const std::string &Name);
const char *executorName(ExecutorKind K);
std::optional<Strategy> parseStrategy(const std::string &Name);
const char *strategyName(Strategy S);

/// US dollars per million prompt and completion tokens.
struct Price {
  double Prompt = 0, Completion = 0;
};
/// The built-in price of a model (matched by the longest known prefix of its name), if any.
std::optional<Price> knownPrice(const std::string &Model);

struct SearchOptions {
  StepOptions Step;
  Strategy Strat = Strategy::BestOfK;
  /// Candidates asked for per parent and step.
  unsigned K = 4;
  /// best-of-k and evolve: steps (generations); beam: its depth.
  unsigned Iterations = 5;
  /// beam: parents kept per generation.
  unsigned Width = 2;
  /// evolve: islands, migration every N generations, earlier programs shown in a prompt.
  unsigned Islands = 2, MigrationInterval = 3, Inspirations = 2;
  /// Temperatures of the K candidates: the first request uses Low; later ones spread up to High.
  double TemperatureLow = 0.4, TemperatureHigh = 1.0;

  std::string ProjectDir;
  std::vector<std::string> Excluded;
  std::string BuildCmd, QuickCmd, RunCmd;
  std::optional<double> QuickThreshold;
  std::optional<double> Target;
  bool FeedbackFromRun = false;
  double EvalTimeout = 600;
  uint64_t MemoryBytes = 0;
  unsigned Jobs = 1;
  ExecutorKind Exec = ExecutorKind::Local;
  /// --runner: the command line run per evaluation (search/Runner.h).
  std::string RunnerTemplate;
  /// --slurm-arg: passed to sbatch.
  std::vector<std::string> SlurmArgs;
  /// Where the candidates' copies (and Slurm's scripts and logs) go, visible at the same path
  /// where the evaluations run (default: the work directory).
  std::string SharedDir;

  /// Budgets (0: none).
  uint64_t MaxTokens = 0;
  unsigned MaxEvaluations = 0;
  double MaxCost = 0;
  std::string Model;
  std::optional<Price> PriceOverride;

  std::optional<uint64_t> Seed;
  bool Resume = false;
  bool DryRun = false;
  bool Quiet = false;
};

/// Exit status: 0 goal reached (success or --target), 3 stopped without reaching it, 1 error.
int runSearch(const SearchOptions &O, LlmBackend *Llm, std::ostream &Out, std::ostream &Err);

} // namespace traceopt::search

#endif
