//===- search/Executor.h - Where candidates are built and run ---*- C++ -*-===//
//
// An evaluation takes one candidate's copy of the user's tree, builds it, runs
// the quick command (a cascade stage) and the full run command, and reads the
// score from the trace. An Executor runs evaluations somewhere: LocalExecutor
// on this machine, N at a time; a cluster executor (Slurm, a runner template)
// implements the same two calls.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_EXECUTOR_H
#define TRACEOPT_SEARCH_EXECUTOR_H

#include "search/Candidate.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace traceopt::search {

struct EvalJob {
  unsigned CandidateId = 0;
  /// The user's project directory, copied to Dir/tree (WorkDir and Excluded left out).
  std::string ProjectDir, Dir;
  std::vector<std::string> Excluded;
  /// Files to write into the copy, relative to the project directory, with their content.
  std::vector<std::pair<std::string, std::string>> Files;
  std::string BuildCmd, QuickCmd, RunCmd;
  std::optional<double> QuickThreshold;
  double Timeout = 600;
  uint64_t MemoryBytes = 0;
  bool FeedbackFromRun = false;
};

struct EvalResult {
  unsigned CandidateId = 0;
  CandidateStatus Status = CandidateStatus::Evaluated;
  std::optional<double> Score;
  bool Success = false;
  int ExitStatus = -1;
  std::string TracePath, Note;
  double BuildSeconds = 0, RunSeconds = 0;
};

/// Runs one evaluation here, in the calling thread.
EvalResult evaluate(const EvalJob &Job);

class Executor {
public:
  virtual ~Executor();
  /// Starts an evaluation; returns at once.
  virtual void submit(EvalJob Job) = 0;
  /// Waits for the next evaluation to finish; nullopt when none is running or queued.
  virtual std::optional<EvalResult> next() = 0;
  virtual std::string describe() const = 0;
};

/// Evaluations on this machine, up to Jobs at a time (worker threads, each running one
/// candidate's build and runs as child processes).
class LocalExecutor : public Executor {
public:
  explicit LocalExecutor(unsigned Jobs);
  ~LocalExecutor() override;
  void submit(EvalJob Job) override;
  std::optional<EvalResult> next() override;
  std::string describe() const override;

private:
  void work();

  unsigned Jobs;
  std::mutex M;
  std::condition_variable Cv;
  std::deque<EvalJob> Queue;
  std::deque<EvalResult> Done;
  unsigned Pending = 0; ///< submitted and not yet returned by next()
  bool Stop = false;
  std::vector<std::thread> Workers;
};

/// Copies the directory From to To recursively (symlinks as links), leaving out the paths in
/// Excluded (absolute). To must not exist yet.
bool copyTree(const std::string &From, const std::string &To, const std::vector<std::string> &Excluded,
              std::string &Error);

} // namespace traceopt::search

#endif
