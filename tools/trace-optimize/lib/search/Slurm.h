//===- search/Slurm.h - Evaluations as Slurm job arrays ---------*- C++ -*-===//
//
// `--executor slurm`: the evaluations submitted between two waits (a round of
// the search) go to Slurm as one job array, `sbatch --parsable
// --array=0-N%J`; task I runs the evaluation script of the round's I-th
// candidate (search/EvalScript.h) in a folder shared with the nodes, and
// records its stages there itself. The tool follows the tasks with squeue,
// reads the records back, and asks sacct (when accounting works) or scontrol
// how a task that left no complete record ended: cancelled, timed out, lost
// with its node, or lost altogether. Those become failed evaluations with the
// reason.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_SLURM_H
#define TRACEOPT_SEARCH_SLURM_H

#include "search/Executor.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace traceopt::search {

struct SlurmOptions {
  /// Array tasks running at a time (the %J of --array).
  unsigned Jobs = 1;
  /// Passed to sbatch before the script (--partition=x, --account=y, ...).
  std::vector<std::string> SbatchArgs;
  /// Where the array scripts and the tasks' logs go, one folder per array; shared with the nodes.
  std::string Dir;
  /// Seconds between two looks at the queue.
  double PollSeconds = 1;
  /// Progress lines (submissions, squeue trouble); none when empty.
  std::function<void(const std::string &)> Log;
  /// Told of each array task as soon as sbatch has taken it (candidate, task id "J_I"), so that a
  /// search killed before the task ends can still name it.
  std::function<void(unsigned, const std::string &)> Submitted;
};

/// nullptr with Error when sbatch, squeue or scontrol is not on PATH.
std::unique_ptr<Executor> makeSlurmExecutor(SlurmOptions O, std::string &Error);

/// Cancels array tasks ("J_I") that a killed search left queued or running: scancel's output,
/// empty when it succeeded.
std::string cancelSlurmTasks(const std::vector<std::string> &Ids);

/// The --time of a task that runs Job: every command's limit, in whole minutes, and one more.
unsigned slurmMinutes(const EvalJob &Job);

} // namespace traceopt::search

#endif
