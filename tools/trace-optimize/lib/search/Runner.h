//===- search/Runner.h - Evaluations through a command template -*- C++ -*-===//
//
// `--executor runner --runner TEMPLATE` runs one command line per evaluation,
// --jobs at a time, with placeholders for the candidate's copy and its
// commands: `ssh host 'cd {dir} && {build} && {run}'`, or a GNU parallel or
// srun line. The commands behind {build}, {run} and {eval} are the
// evaluation's script (search/EvalScript.h), so the stages, times and exit
// statuses come back the same way wherever the template sent them.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_SEARCH_RUNNER_H
#define TRACEOPT_SEARCH_RUNNER_H

#include "search/Executor.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace traceopt::search {

/// What a placeholder stands for: a word (a path, a number), or a command line.
struct RunnerValue {
  std::string Text;
  bool Command = false;
};

/// The placeholders, with a line each for --help.
const char *runnerPlaceholderHelp();

/// Replaces each {name} of Template by its value, quoted for the place it stands in: outside
/// quotes a word is quoted once and a command is left as it is; inside '...' or "..." (a
/// command line for a second shell, as with ssh or sh -c) the value is quoted for that shell
/// and then escaped for the quotes around it. "{{" is a literal "{"; a "{" not followed by a
/// name and "}" (a brace group, ${VAR}) is left alone. nullopt with Error naming an unknown
/// placeholder or an unterminated quote.
std::optional<std::string> expandTemplate(const std::string &Template, const std::map<std::string, RunnerValue> &Values,
                                          std::string &Error);

/// Checks a template before the search starts: every placeholder known, quotes closed, and the
/// run placed ({run} or {eval}).
bool checkRunnerTemplate(const std::string &Template, std::string &Error);

/// Runs the template per evaluation, Jobs at a time.
std::unique_ptr<Executor> makeRunnerExecutor(const std::string &Template, unsigned Jobs);

} // namespace traceopt::search

#endif
