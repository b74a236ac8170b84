//===- search/RunDb.h - The run database of a search ------------*- C++ -*-===//
//
// One SQLite file, <work-dir>/search.db, holds everything a search decided and
// measured: its seed and options, every candidate (parent, texts, diff, scores,
// trace path, tokens, cost, timings), the scheduler's job of each evaluation
// that ran as one, and every LLM answer in request order.
// Each row is written when it is known, in its own transaction, so a killed
// search loses at most the evaluations in flight; `--resume` re-runs the same
// decisions from the recorded answers and results.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_RUNDB_H
#define TRACEOPT_SEARCH_RUNDB_H

#include "llm/Llm.h"
#include "search/Candidate.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace traceopt::search {

class RunDb {
public:
  /// Opens (creating when needed) the database at Path; nullptr with Error naming the file.
  static std::unique_ptr<RunDb> open(const std::string &Path, std::string &Error);
  ~RunDb();

  bool setMeta(const std::string &Key, const std::string &Value, std::string &Error);
  std::optional<std::string> meta(const std::string &Key);

  /// Inserts or replaces the candidate's row.
  bool putCandidate(const Candidate &C, std::string &Error);
  std::map<unsigned, Candidate> candidates(std::string &Error);

  /// Where a candidate's evaluation ran as a scheduler's job: the executor, the job ("12_3" for
  /// Slurm's array job 12, task 3) and the state it ended in.
  bool putJob(unsigned Candidate, const std::string &Executor, const std::string &Job, const std::string &State,
              std::string &Error);
  /// The jobs of Executor in State, as (candidate, job).
  std::vector<std::pair<unsigned, std::string>> jobsIn(const std::string &Executor, const std::string &State,
                                                       std::string &Error);

  /// The answers to LLM request number Seq (counted from 0 in the order the search made them).
  bool putReplies(unsigned Seq, const std::vector<LlmReply> &Replies, std::string &Error);
  std::optional<std::vector<LlmReply>> replies(unsigned Seq);

  const std::string &path() const { return Path; }

private:
  RunDb(sqlite3 *Db, std::string Path) : Db(Db), Path(std::move(Path)) {}
  bool exec(const char *Sql, std::string &Error);
  std::string lastError() const;

  sqlite3 *Db;
  std::string Path;
};

} // namespace traceopt::search

#endif
