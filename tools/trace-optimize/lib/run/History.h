//===- History.h - what an optimization evaluated and did, for reports ----===//
//
// `run` appends one JSON object per line to <work-dir>/history.jsonl: a "run"
// record when it starts, a "candidate" record for every version of the
// sources it evaluated (its score, its parent, the text of its parameters),
// a "step" record for every step (the prompt, each request with its reply,
// tokens and outcome, the diff written) and an "end" record (why it stopped,
// which candidate the sources are left at, which were rolled back). The
// format is in docs/optimizer.md ("The run's history").
//
// The model is a list of candidates with parent ids and the steps between
// them, so a search that keeps several candidates per step fills the same
// structures; `report` renders any History.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_HISTORY_H
#define TRACEOPT_HISTORY_H

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace traceopt {

/// One request of a step and what became of its reply.
struct HistoryAttempt {
  std::string Request, Reply;
  /// "applied", "refused", "rolled back", "no change", "dry run" or "error".
  std::string Outcome, Problem;
  uint64_t PromptTokens = 0, CompletionTokens = 0;
  double Seconds = 0;
  /// Money spent on this request, when the writer knew a price.
  std::optional<double> Cost;
};

/// One step: from candidate Parent, the LLM was asked for a new version.
struct HistoryStep {
  std::string Run, Parent;
  /// The candidate the step made (empty when it made none: refused, no change, failed). It may
  /// be missing from the candidates when its run left no trace.
  std::string Child;
  unsigned Iteration = 0;
  /// "applied", "no change", "failed", "out of tokens" or "nothing to optimize".
  std::string Status;
  /// The backup step under <work-dir>/backups when applied.
  std::optional<unsigned> BackupStep;
  std::string System, User, Diff, Error;
  std::vector<HistoryAttempt> Attempts;
  std::optional<double> Cost;

  uint64_t tokens() const;
};

/// One version of the sources that was evaluated.
struct HistoryCandidate {
  std::string Id, Parent, Run;
  unsigned Iteration = 0;
  std::optional<double> Score;
  bool Success = false;
  /// The trace of its evaluation, relative to the work directory.
  std::string Trace;
  /// Parameter id and its text as the evaluated program had it.
  std::vector<std::pair<std::string, std::string>> Params;
};

/// One invocation of `run`.
struct HistoryRun {
  std::string Id, Time, Llm, BuildCmd, RunCmd;
  unsigned Iterations = 0;
  std::optional<double> Target;
  /// From the "end" record; a run killed before its end has none.
  bool Ended = false;
  std::string StopReason;
  /// The candidate the sources were left at (empty: none was judged).
  std::string Final;
  /// The loop went back to its best version, undoing the steps after it.
  bool Restored = false;
  /// Candidates whose steps were undone at the end.
  std::vector<std::string> RolledBack;
};

struct History {
  std::string Path;
  std::vector<HistoryRun> Runs;
  std::vector<HistoryCandidate> Candidates;
  std::vector<HistoryStep> Steps;

  const HistoryCandidate *findCandidate(const std::string &Id) const;
  const HistoryRun *findRun(const std::string &Id) const;
};

/// <WorkDir>/history.jsonl.
std::string historyPath(const std::string &WorkDir);

/// Appends the records of one `run` to the history file. Write errors are reported once, as
/// a warning, by the caller: the history is for reading later, and the loop goes on without it.
class HistoryWriter {
public:
  /// Opens the history of WorkDir and starts a run record; its id is one more than the runs
  /// already there.
  HistoryWriter(const std::string &WorkDir, HistoryRun Run);

  const std::string &runId() const { return RunId; }
  /// The id of this run's candidate of iteration Iter ("<run>.<iter>").
  std::string candidateId(unsigned Iter) const;

  void candidate(const HistoryCandidate &C);
  void step(const HistoryStep &S);
  void end(const HistoryRun &Run);

  /// The first write error, empty when every record was written.
  const std::string &error() const { return Error; }

private:
  void append(const std::string &Line);

  std::string Path, RunId, Error;
};

/// Reads the history of WorkDir. nullopt with Error naming the file (and line) and the cause
/// when the work directory or its history is missing or a record is malformed.
std::optional<History> readHistory(const std::string &WorkDir, std::string &Error);

} // namespace traceopt

#endif
