//===- Loop.cpp - The build/run/step loop ---------------------------------===//
#include "run/Loop.h"
#include "common/Progress.h"
#include "run/History.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <map>
#include <unistd.h>

namespace traceopt {

using Clock = std::chrono::steady_clock;

static double since(Clock::time_point Start) {
  return std::chrono::duration<double>(Clock::now() - Start).count();
}

static std::string tail(const std::string &S, size_t Max) {
  if (S.size() <= Max)
    return S;
  size_t Cut = S.size() - Max;
  size_t Nl = S.find('\n', Cut);
  if (Nl != std::string::npos && Nl + 1 < S.size())
    Cut = Nl + 1;
  return "[... " + std::to_string(Cut) + " bytes cut ...]\n" + S.substr(Cut);
}

static std::string absolutePath(const std::string &P) {
  if (!P.empty() && P[0] == '/')
    return P;
  char Buf[PATH_MAX];
  if (!::getcwd(Buf, sizeof(Buf)))
    return P;
  return std::string(Buf) + "/" + P;
}

static void writeLog(const std::string &Path, const std::string &Text) {
  std::string Ignored;
  writeFileAtomic(Path, Text, Ignored, 0644);
}

/// What the sources are at the end of a loop, for its last line: the iteration whose run judged
/// them, what that run said, and which of this loop's steps are in place. The best score is
/// named only where it is not the final one, so that a success is never reported as an earlier
/// score.
static std::string finalState(bool Restored, unsigned BestIter, std::optional<double> BestScore,
                              std::optional<unsigned> LastIter, std::optional<double> LastScore, bool LastSuccess,
                              const std::vector<unsigned> &AppliedSteps, const std::vector<unsigned> &StepsThisRun) {
  std::vector<unsigned> InPlace;
  for (unsigned S : StepsThisRun)
    if (std::find(AppliedSteps.begin(), AppliedSteps.end(), S) != AppliedSteps.end())
      InPlace.push_back(S);
  std::string Steps;
  for (size_t I = 0; I < InPlace.size(); ++I)
    Steps += (I == 0 ? "" : I + 1 == InPlace.size() ? " and " : ", ") + std::to_string(InPlace[I]);
  Steps = InPlace.empty() ? "no step of this run in place"
                          : fmt::format("step{} {} in place", InPlace.size() == 1 ? "" : "s", Steps);
  auto Score = [](std::optional<double> S) { return S ? fmt::format("score {:.3g}", *S) : std::string("no score"); };
  if (Restored)
    return fmt::format("final version: iteration {} (the best, restored), {}, {}", BestIter, Score(BestScore), Steps);
  if (!LastIter)
    return "final version: not judged (no run left a trace), " + Steps;
  std::string Best;
  if (BestScore && BestIter != *LastIter)
    Best = fmt::format("; best score {:.3g} (iteration {})", *BestScore, BestIter);
  return fmt::format("final version: iteration {}, {}{}, {}{}", *LastIter, LastSuccess ? "success, " : "",
                     Score(LastScore), Steps, Best);
}

/// The history record of step S, taken from candidate Parent; Child is the candidate it made.
static HistoryStep historyStep(const StepResult &S, unsigned Iter, std::string Parent, std::string Child) {
  HistoryStep H;
  H.Parent = std::move(Parent);
  H.Child = std::move(Child);
  H.Iteration = Iter;
  switch (S.Status) {
  case StepStatus::Applied:
    H.Status = "applied";
    H.BackupStep = S.Step;
    break;
  case StepStatus::NoChange:
    H.Status = "no change";
    break;
  case StepStatus::OutOfTokens:
    H.Status = "out of tokens";
    break;
  case StepStatus::NothingToOptimize:
    H.Status = "nothing to optimize";
    break;
  case StepStatus::DryRun:
    H.Status = "dry run";
    break;
  case StepStatus::NoLlm:
  case StepStatus::Failed:
    H.Status = "failed";
    break;
  }
  H.System = S.System;
  H.User = S.User;
  H.Diff = S.Diff;
  H.Error = S.Error;
  for (const StepAttempt &A : S.Attempts) {
    HistoryAttempt &HA = H.Attempts.emplace_back();
    HA.Request = A.Request;
    HA.Reply = A.Reply;
    HA.Outcome = A.Outcome;
    HA.Problem = A.Problem;
    HA.PromptTokens = A.PromptTokens;
    HA.CompletionTokens = A.CompletionTokens;
    HA.Seconds = A.Seconds;
  }
  return H;
}

int runLoop(const LoopOptions &O, LlmBackend *Llm, std::ostream &RawOut, std::ostream &RawErr) {
  // Everything the loop and its steps print goes through the status line,
  // which steps aside for it on a terminal.
  ProgressLine Status(RawOut, RawErr, O.LiveStatus, O.Quiet);
  std::ostream &Out = Status.out();
  std::ostream &Err = Status.err();
  std::string WorkDir = absolutePath(O.Step.WorkDir);
  std::string RunsDir = WorkDir + "/runs";
  std::string Error;
  if (!makeDirs(RunsDir, Error)) {
    Err << "trace-optimize run: " << Error << "\n";
    return 1;
  }
  StepOptions SO = O.Step;
  SO.WorkDir = WorkDir;
  BackupStore Store(WorkDir);
  // Earlier steps on this work directory, from earlier invocations too; read before anything
  // runs, so that a damaged file stops the loop before it builds or asks.
  std::optional<Memory> Loaded = loadMemory(WorkDir, Error);
  if (!Loaded) {
    Err << "trace-optimize run: " << Error << "\n";
    return 1;
  }
  Memory Mem = std::move(*Loaded);
  HistoryRun RunInfo;
  RunInfo.Llm = Llm ? Llm->describe() : "";
  RunInfo.BuildCmd = O.BuildCmd;
  RunInfo.RunCmd = O.RunCmd;
  RunInfo.Iterations = O.Iterations;
  RunInfo.Target = O.Target;
  // What each iteration evaluated and each step did, for `report`.
  HistoryWriter History(WorkDir, RunInfo);
  bool HistoryWarned = false;
  auto WarnHistory = [&] {
    if (History.error().empty() || HistoryWarned)
      return;
    Err << "trace-optimize: warning: " << History.error() << "; the loop goes on without it\n";
    HistoryWarned = true;
  };
  uint64_t Tokens = 0;
  unsigned LlmCalls = 0, Applied = 0;
  std::optional<double> BestScore, LastScore;
  unsigned BestIter = 0, BestFirstStep = 0;
  // The iteration whose run judged the sources as they are now, and what it said; a run that
  // left no trace judged nothing.
  std::optional<unsigned> LastIter;
  bool LastSuccess = false;
  std::vector<unsigned> StepsThisRun;
  Clock::time_point Start = Clock::now();
  std::string StopReason;
  int Rc = 3;

  auto Build = [&](const char *When) -> bool {
    if (O.BuildCmd.empty())
      return true;
    CommandResult B = runShell(O.BuildCmd, {}, O.CommandTimeout);
    if (B.Status == 0 && !B.TimedOut)
      return true;
    Err << fmt::format("trace-optimize run: the build command failed {} ({}):\n{}\n", When,
                       B.TimedOut ? "timed out" : "exit status " + std::to_string(B.Status), tail(B.Output, 3000));
    return false;
  };

  for (unsigned Iter = 0;; ++Iter) {
    Clock::time_point IterStart = Clock::now();
    Status.iteration(Iter, O.Iterations);
    if (Iter == 0)
      Status.phase("building");
    if (Iter == 0 && !Build("before the first run")) {
      Err << "trace-optimize run: fix the build first; nothing was changed\n";
      return 1;
    }
    std::string TraceFile = fmt::format("{}/iter-{}.bin", RunsDir, Iter);
    ::unlink(TraceFile.c_str());
    Status.phase("running the program");
    CommandResult Run = runShell(O.RunCmd, {{"TRACE_FILE", TraceFile}}, O.CommandTimeout);
    writeLog(fmt::format("{}/iter-{}.log", RunsDir, Iter), Run.Output);
    std::string LoadErr;
    Status.phase("reading the trace");
    std::optional<TraceSet> T = loadTraces({TraceFile}, LoadErr);
    if (!T) {
      Err << fmt::format("trace-optimize run: iteration {}: no usable trace from the run command ({}): {}\n"
                         "Is the program built with the Trace plugin and runtime? Last output:\n{}\n",
                         Iter, Run.TimedOut ? "timed out" : "exit status " + std::to_string(Run.Status), LoadErr,
                         tail(Run.Output, 2000));
      Rc = 1;
      StopReason = "the run produced no trace";
      break;
    }
    for (const std::string &W : T->Warnings)
      Err << "trace-optimize: warning: " << W << "\n";
    if (O.FeedbackFromRun && T->Feedbacks.empty()) {
      // The exit status and output judge the whole run, not one value: node
      // 0, so that the backward pass starts at every output of the run.
      Feedback F;
      F.Text = fmt::format("The program {} with status {}. End of its output:\n{}",
                           Run.TimedOut ? "timed out and was killed" : "exited", Run.Status, tail(Run.Output, 2000));
      F.Score = Run.Status == 0 && !Run.TimedOut ? 1.0 : 0.0;
      F.Success = Run.Status == 0 && !Run.TimedOut;
      T->Feedbacks.push_back(std::move(F));
    }
    LastScore = traceScore(*T);
    bool Success = traceSuccess(*T);
    LastIter = Iter;
    LastSuccess = Success;
    HistoryCandidate Candidate;
    Candidate.Id = History.candidateId(Iter);
    // Each iteration's version is the previous one with one step applied.
    if (Iter > 0)
      Candidate.Parent = History.candidateId(Iter - 1);
    Candidate.Iteration = Iter;
    Candidate.Score = LastScore;
    Candidate.Success = Success;
    Candidate.Trace = fmt::format("runs/iter-{}.bin", Iter);
    for (const Param &Prm : T->Params)
      Candidate.Params.push_back({Prm.Id, Prm.Text});
    History.candidate(Candidate);
    WarnHistory();
    if (LastScore && (!BestScore || *LastScore > *BestScore)) {
      BestScore = LastScore;
      BestIter = Iter;
      std::vector<unsigned> Steps = Store.appliedSteps();
      BestFirstStep = Steps.empty() ? 1 : Steps.back() + 1;
    }

    Status.scores(BestScore, Tokens);
    auto Progress = [&](const std::string &Note) {
      Status.line(fmt::format("[iteration {}/{}] score {}{}, tokens {}, {:.1f} s{}\n", Iter, O.Iterations,
                              LastScore ? fmt::format("{:.3g}", *LastScore) : "n/a",
                              BestScore ? fmt::format(" (best {:.3g})", *BestScore) : "", Tokens, since(IterStart),
                              Note.empty() ? "" : ": " + Note));
    };
    if (Success) {
      Progress("success");
      StopReason = "the program reported success";
      Rc = 0;
      break;
    }
    if (O.Target && LastScore && *LastScore >= *O.Target) {
      Progress("target reached");
      StopReason = fmt::format("score {:.3g} reached the target {:.3g}", *LastScore, *O.Target);
      Rc = 0;
      break;
    }
    if (Iter >= O.Iterations) {
      Progress("");
      StopReason = fmt::format("{} iteration{} done", O.Iterations, O.Iterations == 1 ? "" : "s");
      break;
    }
    if (O.MaxTokens && Tokens >= O.MaxTokens) {
      Progress("");
      StopReason = fmt::format("token budget of {} used up", O.MaxTokens);
      break;
    }

    PostApplyCheck AfterApply;
    if (!O.BuildCmd.empty())
      AfterApply = [&]() -> std::optional<std::string> {
        Status.phase("building the patched program");
        CommandResult B = runShell(O.BuildCmd, {}, O.CommandTimeout);
        Status.phase("asking the LLM");
        if (B.Status == 0 && !B.TimedOut)
          return std::nullopt;
        return "The build failed after the patch:\n" + tail(B.Output, 4000) + "\n";
      };
    SO.MaxTokens = O.MaxTokens;
    SO.TokensUsedBefore = Tokens;
    Status.phase("asking the LLM");
    StepResult S = optimizeStep(*T, SO, Llm, O.MemorySize ? &Mem : nullptr, AfterApply, Out, Err);
    Tokens += S.Tokens;
    LlmCalls += S.LlmCalls;
    Status.scores(BestScore, Tokens);
    if (S.Status == StepStatus::NoLlm)
      return 0;
    History.step(historyStep(S, Iter, History.candidateId(Iter),
                             S.Status == StepStatus::Applied ? History.candidateId(Iter + 1) : ""));
    WarnHistory();
    if (S.Status == StepStatus::Applied) {
      ++Applied;
      StepsThisRun.push_back(S.Step);
      std::string Changed;
      for (const std::string &P : S.ChangedParams)
        Changed += (Changed.empty() ? "" : ", ") + P;
      Progress("applied step " + std::to_string(S.Step) + " (" + Changed + ")");
      // The step wrote the same entry to the memory file for later invocations.
      Mem.Entries.push_back({S.Variables, S.FeedbackText});
      continue;
    }
    if (S.Status == StepStatus::NoChange) {
      Progress("no change suggested");
      StopReason = "the LLM suggested no change";
      break;
    }
    if (S.Status == StepStatus::OutOfTokens) {
      Progress("token budget used up");
      Err << "trace-optimize run: " << S.Error << "\n";
      StopReason = fmt::format("token budget of {} used up", O.MaxTokens);
      break;
    }
    if (S.Status == StepStatus::NothingToOptimize) {
      Progress("");
      Err << "trace-optimize run: " << S.Error << "\n";
      StopReason = "nothing to optimize";
      Rc = 1;
      break;
    }
    Progress("step failed");
    Err << "trace-optimize run: " << S.Error << "\n";
    StopReason = "a step failed";
    Rc = 1;
    break;
  }

  // Keep the best version: go back to it if later steps scored worse. A version that reached the
  // goal is kept whatever its score.
  bool Restored = false;
  if (Rc != 0 && BestScore && (!LastScore || *LastScore < *BestScore)) {
    std::vector<unsigned> Steps = Store.appliedSteps();
    if (!Steps.empty() && Steps.back() >= BestFirstStep) {
      std::string RestoreErr;
      Status.phase("restoring the best version");
      if (!Store.restoreBefore(BestFirstStep, RestoreErr)) {
        Err << "trace-optimize run: cannot restore the best version: " << RestoreErr << "\n";
        return 1;
      }
      Err << fmt::format("trace-optimize run: restored the best version (iteration {}, score {:.3g})\n", BestIter,
                         *BestScore);
      Restored = true;
      if (!Build("after restoring the best version"))
        Rc = 1;
    }
  }
  RunInfo.StopReason = StopReason;
  RunInfo.Restored = Restored;
  if (Restored) {
    RunInfo.Final = History.candidateId(BestIter);
    for (unsigned I = BestIter + 1; LastIter && I <= *LastIter; ++I)
      RunInfo.RolledBack.push_back(History.candidateId(I));
  } else if (LastIter) {
    RunInfo.Final = History.candidateId(*LastIter);
  }
  History.end(RunInfo);
  WarnHistory();
  Status.done();
  Out << fmt::format("trace-optimize run: {}; {} step{} applied, {} LLM call{}, {} tokens, {:.1f} s; {}\n", StopReason,
                     Applied, Applied == 1 ? "" : "s", LlmCalls, LlmCalls == 1 ? "" : "s", Tokens, since(Start),
                     finalState(Restored, BestIter, BestScore, LastIter, LastScore, LastSuccess,
                                Store.appliedSteps(), StepsThisRun));
  return Rc;
}

} // namespace traceopt
