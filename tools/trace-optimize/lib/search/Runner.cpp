//===- search/Runner.cpp - Evaluations through a command template ---------===//
#include "search/Runner.h"
#include "patch/Apply.h"
#include "run/Loop.h"
#include "search/EvalScript.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace traceopt::search {

namespace {

const char *const Names[] = {"dir", "build", "run", "eval", "trace", "candidate", "script"};

std::string knownList() {
  std::string Out;
  for (const char *N : Names)
    Out += fmt::format("{}{{{}}}", Out.empty() ? "" : ", ", N);
  return Out;
}

/// The values of one evaluation's placeholders.
std::map<std::string, RunnerValue> valuesFor(const EvalJob &Job) {
  std::string Script = shellQuote(evalScriptPath(Job));
  return {
      {"dir", {shellQuote(Job.Dir + "/tree"), false}},
      {"build", {"sh " + Script + " build", true}},
      {"run", {"sh " + Script + " run", true}},
      {"eval", {"sh " + Script, true}},
      {"trace", {shellQuote(tracePathOf(Job, "run")), false}},
      {"candidate", {std::to_string(Job.CandidateId), false}},
      {"script", {Script, false}},
  };
}

EvalResult runTemplate(const std::string &Template, const EvalJob &Job) {
  EvalResult Failed;
  Failed.CandidateId = Job.CandidateId;
  Failed.Status = CandidateStatus::BuildFailed;
  std::string Error;
  if (!prepareCopy(Job, Failed.Note) || !writeEvalScript(Job, Failed.Note))
    return Failed;
  std::optional<std::string> Cmd = expandTemplate(Template, valuesFor(Job), Error);
  if (!Cmd) {
    Failed.Status = CandidateStatus::Failed;
    Failed.Note = Error;
    return Failed;
  }
  ShellOptions Shell;
  Shell.Dir = Job.Dir;
  // The template's command carries the whole evaluation; the script limits each stage.
  double Limit = Job.Timeout * stageCount(Job) + 60;
  CommandResult C = runShell(*Cmd, {{"TRACE_CANDIDATE_DIR", Job.Dir + "/tree"}}, Limit, Shell);
  writeFileAtomic(Job.Dir + "/runner.log", *Cmd + "\n" + C.Output, Error);
  EvalRecord Rec = readEvalRecord(Job);
  if (!Rec.Complete)
    Rec.Outcome.Missing =
        fmt::format("the runner command {} before the evaluation ended{}:\n{}",
                    C.TimedOut ? "timed out" : fmt::format("exited with status {}", C.Status),
                    Rec.Interrupted.empty() ? std::string() : fmt::format(" (its {} was interrupted)", Rec.Interrupted),
                    C.Output.size() <= 2000 ? C.Output : "[...]\n" + C.Output.substr(C.Output.size() - 2000));
  return resultOf(Job, Rec.Outcome);
}

} // namespace

const char *runnerPlaceholderHelp() {
  return "  {dir}        the candidate's copy of the project\n"
         "  {build}      a command that runs --build in the copy\n"
         "  {run}        a command that runs --quick and --run in the copy\n"
         "  {eval}       a command that runs the whole evaluation ({build} then {run})\n"
         "  {trace}      the trace file --run writes\n"
         "  {candidate}  the candidate's number\n"
         "  {script}     the path of the evaluation's script ('sh SCRIPT [build|run]')\n"
         "  {{           a literal {\n";
}

std::optional<std::string> expandTemplate(const std::string &Template, const std::map<std::string, RunnerValue> &Values,
                                          std::string &Error) {
  enum { Plain, Single, Double } Quote = Plain;
  std::string Out;
  for (size_t I = 0; I < Template.size(); ++I) {
    char C = Template[I];
    if (C == '\\' && Quote != Single && I + 1 < Template.size()) {
      Out += Template.substr(I, 2);
      ++I;
      continue;
    }
    if (C == '\'' && Quote != Double) {
      Quote = Quote == Single ? Plain : Single;
      Out += C;
      continue;
    }
    if (C == '"' && Quote != Single) {
      Quote = Quote == Double ? Plain : Double;
      Out += C;
      continue;
    }
    if (C != '{' || (I > 0 && Template[I - 1] == '$')) {
      Out += C;
      continue;
    }
    if (I + 1 < Template.size() && Template[I + 1] == '{') {
      Out += '{';
      ++I;
      continue;
    }
    size_t End = I + 1;
    while (End < Template.size() && (std::islower((unsigned char)Template[End]) || Template[End] == '_'))
      ++End;
    if (End == I + 1 || End >= Template.size() || Template[End] != '}') {
      Out += C;
      continue;
    }
    std::string Name = Template.substr(I + 1, End - I - 1);
    auto It = Values.find(Name);
    if (It == Values.end()) {
      Error = fmt::format("unknown placeholder {{{}}} in the runner template (known: {})", Name, knownList());
      return std::nullopt;
    }
    // The text the shell that runs it must see: a word quoted once, a command as it is.
    const std::string &V = It->second.Text;
    if (Quote == Plain) {
      Out += V;
    } else if (Quote == Single) {
      for (char Ch : V)
        Out += Ch == '\'' ? std::string("'\\''") : std::string(1, Ch);
    } else {
      for (char Ch : V) {
        if (Ch == '\\' || Ch == '$' || Ch == '`' || Ch == '"')
          Out += '\\';
        Out += Ch;
      }
    }
    I = End;
  }
  if (Quote != Plain) {
    Error = fmt::format("the runner template has an unterminated {} quote", Quote == Single ? "'" : "\"");
    return std::nullopt;
  }
  return Out;
}

bool checkRunnerTemplate(const std::string &Template, std::string &Error) {
  // Each placeholder stands for a marker that no quoting changes.
  auto Marker = [](const std::string &Name) { return "\x01" + Name + "\x01"; };
  std::map<std::string, RunnerValue> Probe;
  for (const char *N : Names)
    Probe[N] = {Marker(N), false};
  std::optional<std::string> Out = expandTemplate(Template, Probe, Error);
  if (!Out)
    return false;
  if (Out->find(Marker("run")) == std::string::npos && Out->find(Marker("eval")) == std::string::npos) {
    Error = "the runner template runs no evaluation: place {eval}, or {build} and {run}, in it";
    return false;
  }
  return true;
}

std::unique_ptr<Executor> makeRunnerExecutor(const std::string &Template, unsigned Jobs) {
  return std::make_unique<LocalExecutor>(
      Jobs, [Template](const EvalJob &Job) { return runTemplate(Template, Job); },
      fmt::format("the runner template '{}', {} at a time", Template, std::max(Jobs, 1u)));
}

} // namespace traceopt::search
