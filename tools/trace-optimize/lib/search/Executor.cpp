//===- search/Executor.cpp - Where candidates are built and run -----------===//
#include "search/Executor.h"
#include "patch/Apply.h"
#include "run/Loop.h"
#include "traceset/TraceSet.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace traceopt::search {

Executor::~Executor() = default;

bool copyTree(const std::string &From, const std::string &To, const std::vector<std::string> &Excluded,
              std::string &Error) {
  std::error_code Ec;
  fs::create_directories(To, Ec);
  if (Ec) {
    Error = fmt::format("cannot create {}: {}", To, Ec.message());
    return false;
  }
  for (auto It = fs::recursive_directory_iterator(From, Ec); !Ec && It != fs::recursive_directory_iterator();
       It.increment(Ec)) {
    const fs::path &P = It->path();
    if (std::find(Excluded.begin(), Excluded.end(), P.string()) != Excluded.end()) {
      if (It->is_directory())
        It.disable_recursion_pending();
      continue;
    }
    // Lexically: fs::relative resolves symlinks, and a link would be copied to its target's path.
    fs::path Dest = fs::path(To) / P.lexically_relative(From);
    if (It->is_symlink())
      fs::copy_symlink(P, Dest, Ec);
    else if (It->is_directory())
      fs::create_directories(Dest, Ec);
    else if (It->is_regular_file())
      fs::copy_file(P, Dest, fs::copy_options::overwrite_existing, Ec);
    if (Ec)
      break;
  }
  if (Ec) {
    Error = fmt::format("cannot copy {} to {}: {}", From, To, Ec.message());
    return false;
  }
  return true;
}

static std::string tailOf(const std::string &S, size_t Max) {
  return S.size() <= Max ? S : "[...]\n" + S.substr(S.size() - Max);
}

std::string tracePathOf(const EvalJob &Job, const std::string &Stage) { return Job.Dir + "/" + Stage + ".bin"; }

EvalResult resultOf(const EvalJob &Job, const EvalOutcome &O) {
  EvalResult R;
  R.CandidateId = Job.CandidateId;
  if (O.Build.Ran) {
    R.BuildSeconds = O.Build.Seconds;
    if (O.Build.Status != 0 || O.Build.TimedOut) {
      R.Status = CandidateStatus::BuildFailed;
      R.ExitStatus = O.Build.Status;
      R.Note =
          fmt::format("the build {}:\n{}", O.Build.TimedOut ? "timed out" : fmt::format("failed ({})", O.Build.Status),
                      tailOf(O.Build.Output, 2000));
      return R;
    }
  }
  // One run: its trace's score and success; the exit status judges a run without feedback.
  auto Judge = [&](const StageOutcome &Run, const std::string &Cmd, const std::string &Name) {
    std::string TracePath = tracePathOf(Job, Name);
    R.RunSeconds += Run.Seconds;
    R.ExitStatus = Run.TimedOut ? 124 : Run.Status;
    R.TracePath = TracePath;
    R.Score.reset();
    R.Success = false;
    std::string LoadErr;
    std::optional<TraceSet> T = loadTraces({TracePath}, LoadErr);
    if (T) {
      R.Score = traceScore(*T);
      R.Success = traceSuccess(*T);
    }
    if ((!T || T->Feedbacks.empty()) && Job.FeedbackFromRun) {
      R.Score = R.ExitStatus == 0 ? 1.0 : 0.0;
      R.Success = R.ExitStatus == 0;
    }
    if (!T)
      R.Note = fmt::format("no usable trace from '{}' ({}): {}", Cmd,
                           Run.TimedOut ? "timed out" : fmt::format("exit status {}", Run.Status), LoadErr);
  };
  if (O.Quick.Ran) {
    Judge(O.Quick, Job.QuickCmd, "quick");
    if (Job.QuickThreshold && !R.Success && (!R.Score || *R.Score < *Job.QuickThreshold)) {
      R.Status = CandidateStatus::Dropped;
      R.Note = fmt::format("the quick run scored {}, below the threshold {}",
                           R.Score ? fmt::format("{:.3g}", *R.Score) : "nothing", *Job.QuickThreshold);
      return R;
    }
  }
  if (!O.Run.Ran) {
    R.Status = CandidateStatus::Failed;
    R.Note = O.Missing.empty() ? std::string("the evaluation ended before the run") : O.Missing;
    return R;
  }
  Judge(O.Run, Job.RunCmd, "run");
  R.Status = CandidateStatus::Evaluated;
  return R;
}

bool prepareCopy(const EvalJob &Job, std::string &Error) {
  std::string Tree = Job.Dir + "/tree";
  std::error_code Ec;
  fs::remove_all(Tree, Ec);
  if (!copyTree(Job.ProjectDir, Tree, Job.Excluded, Error))
    return false;
  for (const auto &[Rel, Content] : Job.Files)
    if (!writeFileAtomic(Tree + "/" + Rel, Content, Error))
      return false;
  return true;
}

EvalResult evaluate(const EvalJob &Job) {
  std::string Tree = Job.Dir + "/tree", Error;
  if (!prepareCopy(Job, Error)) {
    EvalResult R;
    R.CandidateId = Job.CandidateId;
    R.Status = CandidateStatus::BuildFailed;
    R.Note = Error;
    return R;
  }
  ShellOptions Shell;
  Shell.Dir = Tree;
  Shell.MemoryBytes = Job.MemoryBytes;
  std::vector<std::pair<std::string, std::string>> Env = {{"TRACE_CANDIDATE_DIR", Tree}};
  std::error_code Ec;
  // Runs one command of the evaluation; a run writes its trace to TRACE_FILE.
  auto Run = [&](const std::string &Cmd, const std::string &Name, bool WritesTrace) {
    if (WritesTrace) {
      fs::remove(tracePathOf(Job, Name), Ec);
      Env.push_back({"TRACE_FILE", tracePathOf(Job, Name)});
    }
    CommandResult C = runShell(Cmd, Env, Job.Timeout, Shell);
    if (WritesTrace)
      Env.pop_back();
    writeFileAtomic(Job.Dir + "/" + Name + ".log", C.Output, Error);
    StageOutcome S;
    S.Ran = true;
    S.Status = C.Status;
    S.TimedOut = C.TimedOut;
    S.Seconds = C.Seconds;
    S.Output = std::move(C.Output);
    return S;
  };
  EvalOutcome O;
  if (!Job.BuildCmd.empty()) {
    O.Build = Run(Job.BuildCmd, "build", false);
    if (O.Build.Status != 0 || O.Build.TimedOut)
      return resultOf(Job, O);
  }
  if (!Job.QuickCmd.empty()) {
    O.Quick = Run(Job.QuickCmd, "quick", true);
    // Here the full run is spared when the quick one already drops the candidate.
    if (Job.QuickThreshold)
      if (EvalResult R = resultOf(Job, O); R.Status == CandidateStatus::Dropped)
        return R;
  }
  O.Run = Run(Job.RunCmd, "run", true);
  return resultOf(Job, O);
}

LocalExecutor::LocalExecutor(unsigned J)
    : LocalExecutor(J, evaluate, fmt::format("this machine, {} at a time", std::max(J, 1u))) {}

LocalExecutor::LocalExecutor(unsigned J, EvalFn Eval, std::string Where)
    : Jobs(std::max(J, 1u)), Eval(std::move(Eval)), Where(std::move(Where)) {
  for (unsigned I = 0; I < Jobs; ++I)
    Workers.emplace_back([this] { work(); });
}

LocalExecutor::~LocalExecutor() {
  {
    std::lock_guard<std::mutex> L(M);
    Stop = true;
  }
  Cv.notify_all();
  for (std::thread &T : Workers)
    T.join();
}

std::string LocalExecutor::describe() const { return Where; }

void LocalExecutor::submit(EvalJob Job) {
  {
    std::lock_guard<std::mutex> L(M);
    Queue.push_back(std::move(Job));
    ++Pending;
  }
  Cv.notify_all();
}

std::optional<EvalResult> LocalExecutor::next() {
  std::unique_lock<std::mutex> L(M);
  if (!Pending)
    return std::nullopt;
  Cv.wait(L, [&] { return !Done.empty(); });
  EvalResult R = std::move(Done.front());
  Done.pop_front();
  --Pending;
  return R;
}

void LocalExecutor::work() {
  while (true) {
    EvalJob Job;
    {
      std::unique_lock<std::mutex> L(M);
      Cv.wait(L, [&] { return Stop || !Queue.empty(); });
      if (Queue.empty())
        return;
      Job = std::move(Queue.front());
      Queue.pop_front();
    }
    EvalResult R = Eval(Job);
    {
      std::lock_guard<std::mutex> L(M);
      Done.push_back(std::move(R));
    }
    Cv.notify_all();
  }
}

} // namespace traceopt::search
