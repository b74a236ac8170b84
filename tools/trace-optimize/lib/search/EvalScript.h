//===- search/EvalScript.h - An evaluation as a shell script ----*- C++ -*-===//
//
// An evaluation that runs elsewhere (a Slurm node, a host reached by ssh)
// cannot be followed command by command. It runs as a POSIX shell script in
// the candidate's folder, which must be visible at the same path there: the
// script runs the build, the quick run and the run in the copy, and appends
// each stage's start, end and exit status to a record beside it. The tool
// reads the record back and turns it into a result with resultOf, as for a
// local evaluation.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_EVALSCRIPT_H
#define TRACEOPT_SEARCH_EVALSCRIPT_H

#include "search/Executor.h"

#include <string>

namespace traceopt::search {

/// S as one word for a POSIX shell: in single quotes, a quote inside as '\''.
std::string shellQuote(const std::string &S);

/// Job.Dir/eval.sh. `sh eval.sh` runs the whole evaluation; `sh eval.sh build` the build only and
/// `sh eval.sh run` the quick run and the run, for templates that place them.
std::string evalScriptPath(const EvalJob &Job);

/// Writes the script and removes the record of an earlier attempt.
bool writeEvalScript(const EvalJob &Job, std::string &Error);

/// The stages of a script's evaluation so far, and whether the script came to its end.
struct EvalRecord {
  EvalOutcome Outcome;
  bool Complete = false;
  /// A stage that started and never ended (its job was killed meanwhile); empty when none.
  std::string Interrupted;
  /// The host the last stage ran on.
  std::string Host;
};

/// Reads Job.Dir/stages and the stages' logs. A missing record is an evaluation that did not
/// start.
EvalRecord readEvalRecord(const EvalJob &Job);

/// How many commands the evaluation runs (for the time limit of a whole evaluation).
unsigned stageCount(const EvalJob &Job);

/// The last Max characters of the file at Path ("" when it cannot be read).
std::string fileTail(const std::string &Path, size_t Max);

} // namespace traceopt::search

#endif
