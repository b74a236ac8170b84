//===- search/Executor.cpp - Where candidates are built and run -----------===//
#include "search/Executor.h"
#include "Apply.h"
#include "Loop.h"
#include "Trace.h"

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

EvalResult evaluate(const EvalJob &Job) {
  EvalResult R;
  R.CandidateId = Job.CandidateId;
  std::string Tree = Job.Dir + "/tree", Error;
  std::error_code Ec;
  // A rerun (after --resume) starts from a fresh copy.
  fs::remove_all(Tree, Ec);
  if (!copyTree(Job.ProjectDir, Tree, Job.Excluded, Error)) {
    R.Status = CandidateStatus::BuildFailed;
    R.Note = Error;
    return R;
  }
  for (const auto &[Rel, Content] : Job.Files)
    if (!writeFileAtomic(Tree + "/" + Rel, Content, Error)) {
      R.Status = CandidateStatus::BuildFailed;
      R.Note = Error;
      return R;
    }
  ShellOptions Shell;
  Shell.Dir = Tree;
  Shell.MemoryBytes = Job.MemoryBytes;
  std::vector<std::pair<std::string, std::string>> Env = {{"TRACE_CANDIDATE_DIR", Tree}};
  if (!Job.BuildCmd.empty()) {
    CommandResult B = runShell(Job.BuildCmd, Env, Job.Timeout, Shell);
    R.BuildSeconds = B.Seconds;
    writeFileAtomic(Job.Dir + "/build.log", B.Output, Error);
    if (B.Status != 0 || B.TimedOut) {
      R.Status = CandidateStatus::BuildFailed;
      R.ExitStatus = B.Status;
      R.Note = fmt::format("the build {}:\n{}", B.TimedOut ? "timed out" : fmt::format("failed ({})", B.Status),
                           tailOf(B.Output, 2000));
      return R;
    }
  }
  // One run: its trace's score and success; the exit status judges a run without feedback.
  auto RunOnce = [&](const std::string &Cmd, const std::string &Name) {
    std::string TracePath = Job.Dir + "/" + Name + ".bin";
    fs::remove(TracePath, Ec);
    Env.push_back({"TRACE_FILE", TracePath});
    CommandResult Run = runShell(Cmd, Env, Job.Timeout, Shell);
    Env.pop_back();
    R.RunSeconds += Run.Seconds;
    writeFileAtomic(Job.Dir + "/" + Name + ".log", Run.Output, Error);
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
  if (!Job.QuickCmd.empty()) {
    RunOnce(Job.QuickCmd, "quick");
    if (Job.QuickThreshold && !R.Success && (!R.Score || *R.Score < *Job.QuickThreshold)) {
      R.Status = CandidateStatus::Dropped;
      R.Note = fmt::format("the quick run scored {}, below the threshold {}",
                           R.Score ? fmt::format("{:.3g}", *R.Score) : "nothing", *Job.QuickThreshold);
      return R;
    }
  }
  RunOnce(Job.RunCmd, "run");
  R.Status = CandidateStatus::Evaluated;
  return R;
}

LocalExecutor::LocalExecutor(unsigned J) : Jobs(std::max(J, 1u)) {
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

std::string LocalExecutor::describe() const { return fmt::format("this machine, {} at a time", Jobs); }

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
    EvalResult R = evaluate(Job);
    {
      std::lock_guard<std::mutex> L(M);
      Done.push_back(std::move(R));
    }
    Cv.notify_all();
  }
}

} // namespace traceopt::search
