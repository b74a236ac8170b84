//===- search/Candidate.h - One program of a search -------------*- C++ -*-===//
//
// A candidate is the user's program with some trainable parameters replaced:
// for each parameter it changes, the full new text of the recorded range.
// Texts are always relative to the user's original sources (the root), so a
// candidate is materialised in its own copy of the tree, and the final apply
// is one hash-checked patch of the user's files.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_CANDIDATE_H
#define TRACEOPT_SEARCH_CANDIDATE_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace traceopt::search {

/// Where a candidate is in its life; the database stores the name (statusName).
enum class CandidateStatus {
  Proposed,    ///< checked, waiting for (or in) its evaluation
  Evaluated,   ///< built and run; Score/Success say how it did
  BuildFailed, ///< its build command failed
  Dropped,     ///< scored below --quick-threshold in the quick run
  Duplicate,   ///< the same normalised text as an earlier candidate; not evaluated
  Failed,      ///< its evaluation did not finish (a cluster job cancelled, timed out or lost)
};

const char *statusName(CandidateStatus S);
std::optional<CandidateStatus> parseStatus(const std::string &Name);

struct Candidate {
  unsigned Id = 0;
  std::optional<unsigned> Parent;
  unsigned Generation = 0, Island = 0;
  /// Parameter id -> new text of its whole recorded range; empty for the root.
  std::map<std::string, std::string> Texts;
  /// normalisedKey(Texts): equal for candidates that differ only in whitespace or comments.
  std::string Key;
  CandidateStatus Status = CandidateStatus::Proposed;
  std::optional<unsigned> SameAs; ///< Duplicate: the candidate evaluated instead
  std::optional<double> Score;
  bool Success = false;
  int ExitStatus = -1;
  std::string TracePath, Diff, Note;
  uint64_t Tokens = 0;
  double Cost = 0, LlmSeconds = 0, BuildSeconds = 0, RunSeconds = 0;

  bool evaluated() const { return Status == CandidateStatus::Evaluated; }
};

/// C++ text with comments dropped and whitespace between tokens collapsed to one space.
std::string normaliseCode(const std::string &Text);
/// A digest of every parameter's normalised text, in parameter order.
std::string normalisedKey(const std::map<std::string, std::string> &Texts);

/// True when A did better than B: success first, then the score (none is worst), then a clean
/// exit. Candidates not evaluated rank below every evaluated one.
bool better(const Candidate &A, const Candidate &B);

} // namespace traceopt::search

#endif
