//===- search/Executor.h - Where candidates are built and run ---*- C++ -*-===//
//
// An evaluation takes one candidate's copy of the user's tree, builds it, runs
// the quick command (a cascade stage) and the full run command, and reads the
// score from the trace. An Executor runs evaluations somewhere: LocalExecutor
// on this machine, N at a time; SlurmExecutor as job arrays, and the runner
// template through any command line (search/Slurm.h, search/Runner.h). Wherever
// the commands ran, resultOf turns what they did into the result.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_EXECUTOR_H
#define TRACEOPT_SEARCH_EXECUTOR_H

#include "search/Candidate.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
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
  /// Where it ran when that is a job of a scheduler ("12_3", Slurm's array job and task), and
  /// the state the scheduler gave it at the end; empty for local evaluations.
  std::string Job, JobState;
};

/// What one command of an evaluation did, wherever it ran.
struct StageOutcome {
  bool Ran = false;
  int Status = -1; ///< exit status, 128+signal, or -1 when it could not start
  bool TimedOut = false;
  double Seconds = 0;
  std::string Output; ///< its output, or the end of it
};

/// The commands of one evaluation as they ran. A stage with Ran false did not run: there is no
/// such command, the evaluation stopped before it, or its job ended first.
struct EvalOutcome {
  StageOutcome Build, Quick, Run;
  /// Why the run is missing when it should have run (a lost job); empty otherwise.
  std::string Missing;
};

/// The trace file of a run stage ("quick" or "run") of the evaluation.
std::string tracePathOf(const EvalJob &Job, const std::string &Stage);

/// The one path from the commands of a finished evaluation to its result, the same for every
/// executor: the build's status, the quick run's score against the threshold, then the full run's
/// trace, score and success.
EvalResult resultOf(const EvalJob &Job, const EvalOutcome &O);

/// Makes Job.Dir/tree a fresh copy of the project (a rerun after --resume starts anew) with the
/// candidate's files written into it.
bool prepareCopy(const EvalJob &Job, std::string &Error);

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
  using EvalFn = std::function<EvalResult(const EvalJob &)>;
  explicit LocalExecutor(unsigned Jobs);
  /// Each evaluation is Eval(Job) in a worker thread (the runner template runs a command per
  /// evaluation this way); Where is what describe() says.
  LocalExecutor(unsigned Jobs, EvalFn Eval, std::string Where);
  ~LocalExecutor() override;
  void submit(EvalJob Job) override;
  std::optional<EvalResult> next() override;
  std::string describe() const override;

private:
  void work();

  unsigned Jobs;
  EvalFn Eval;
  std::string Where;
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
