//===- search/EvalScript.cpp - An evaluation as a shell script ------------===//
#include "search/EvalScript.h"
#include "patch/Apply.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace traceopt::search {

std::string shellQuote(const std::string &S) {
  std::string Out = "'";
  for (char C : S) {
    if (C == '\'')
      Out += "'\\''";
    else
      Out += C;
  }
  return Out + "'";
}

std::string evalScriptPath(const EvalJob &Job) { return Job.Dir + "/eval.sh"; }

static std::string recordPath(const EvalJob &Job) { return Job.Dir + "/stages"; }

unsigned stageCount(const EvalJob &Job) { return !Job.BuildCmd.empty() + !Job.QuickCmd.empty() + 1; }

bool writeEvalScript(const EvalJob &Job, std::string &Error) {
  std::string S =
      fmt::format("#!/bin/sh\n"
                  "# The evaluation of candidate {0}, written by trace-optimize search. 'sh eval.sh' runs it\n"
                  "# whole; 'sh eval.sh build' the build and 'sh eval.sh run' the runs. Each stage's start, end\n"
                  "# and exit status go to the record ./stages, and 'done' when the evaluation is over.\n"
                  "dir={1}\n"
                  "tree=\"$dir/tree\"\n"
                  "rec=\"$dir/stages\"\n"
                  "TRACE_CANDIDATE_DIR=$tree\n"
                  "export TRACE_CANDIDATE_DIR\n"
                  "# Killed (scancel, a time limit): said in the record, and never 'done'.\n"
                  "trap 'echo signal >> \"$rec\"; exit 143' TERM INT HUP\n",
                  Job.CandidateId, shellQuote(Job.Dir));
  if (Job.MemoryBytes)
    S += fmt::format("ulimit -v {}\n", std::max<uint64_t>(Job.MemoryBytes >> 10, 1));
  // Each command runs under the same limit as a local one; coreutils' timeout says 124 when it
  // struck.
  S += fmt::format("stage() {{\n"
                   "  echo \"start $1 $(date +%s.%N) $(uname -n)\" >> \"$rec\"\n"
                   "  if [ -n \"$2\" ]; then rm -f \"$2\"; TRACE_FILE=$2; export TRACE_FILE; fi\n"
                   "  if command -v timeout >/dev/null 2>&1; then\n"
                   "    (cd \"$tree\" && exec timeout -k 5 {0} /bin/sh -c \"$3\") > \"$dir/$1.log\" 2>&1\n"
                   "  else\n"
                   "    (cd \"$tree\" && exec /bin/sh -c \"$3\") > \"$dir/$1.log\" 2>&1\n"
                   "  fi\n"
                   "  s=$?\n"
                   "  echo \"end $1 $s $(date +%s.%N)\" >> \"$rec\"\n"
                   "  return $s\n"
                   "}}\n",
                   Job.Timeout);
  S += "build() {\n";
  if (!Job.BuildCmd.empty())
    S += fmt::format("  stage build '' {} && return 0\n"
                     "  echo done >> \"$rec\"\n"
                     "  exit 1\n",
                     shellQuote(Job.BuildCmd));
  else
    S += "  return 0\n";
  S += "}\n"
       "run() {\n";
  if (!Job.QuickCmd.empty())
    S += fmt::format("  stage quick \"$dir/quick.bin\" {}\n", shellQuote(Job.QuickCmd));
  S += fmt::format("  stage run \"$dir/run.bin\" {}\n"
                   "  s=$?\n"
                   "  echo done >> \"$rec\"\n"
                   "  return $s\n"
                   "}}\n",
                   shellQuote(Job.RunCmd));
  S += "case \"${1:-all}\" in\n"
       "build) build ;;\n"
       "run) run ;;\n"
       "all) build && run ;;\n"
       "*) echo \"eval.sh: expected build or run, got '$1'\" >&2; exit 2 ;;\n"
       "esac\n";
  std::error_code Ec;
  fs::remove(recordPath(Job), Ec);
  return writeFileAtomic(evalScriptPath(Job), S, Error);
}

std::string fileTail(const std::string &Path, size_t Max) {
  std::ifstream In(Path, std::ios::binary);
  if (!In)
    return "";
  std::stringstream Ss;
  Ss << In.rdbuf();
  std::string S = Ss.str();
  return S.size() <= Max ? S : "[...]\n" + S.substr(S.size() - Max);
}

EvalRecord readEvalRecord(const EvalJob &Job) {
  EvalRecord R;
  std::ifstream In(recordPath(Job));
  std::map<std::string, double> Started;
  bool Killed = false;
  std::string Line;
  auto StageOf = [&](const std::string &Name) -> StageOutcome * {
    if (Name == "build")
      return &R.Outcome.Build;
    if (Name == "quick")
      return &R.Outcome.Quick;
    if (Name == "run")
      return &R.Outcome.Run;
    return nullptr;
  };
  while (std::getline(In, Line)) {
    std::istringstream Ls(Line);
    std::string What, Name;
    Ls >> What >> Name;
    if (What == "done") {
      R.Complete = !Killed;
      continue;
    }
    if (What == "signal") {
      Killed = true;
      R.Complete = false;
      continue;
    }
    if (What == "start") {
      double T = 0;
      Ls >> T >> R.Host;
      Started[Name] = T;
      R.Interrupted = Name;
      continue;
    }
    StageOutcome *S = StageOf(Name);
    if (What != "end" || !S)
      continue;
    double T = 0;
    Ls >> S->Status >> T;
    S->Ran = true;
    S->TimedOut = S->Status == 124;
    S->Seconds = Started.count(Name) ? std::max(T - Started[Name], 0.0) : 0;
    S->Output = fileTail(Job.Dir + "/" + Name + ".log", 4000);
    R.Interrupted.clear();
  }
  return R;
}

} // namespace traceopt::search
