//===- search/Search.cpp - trace-optimize search --------------------------===//
#include "search/Search.h"
#include "patch/Apply.h"
#include "graph/Backward.h"
#include "patch/Check.h"
#include "patch/Lex.h"
#include "prompt/Prompt.h"
#include "traceset/TraceSet.h"
#include "search/Candidate.h"
#include "search/Executor.h"
#include "search/RunDb.h"
#include "search/Runner.h"
#include "search/Slurm.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;

namespace traceopt::search {

std::optional<Strategy> parseStrategy(const std::string &Name) {
  if (Name == "best-of-k")
    return Strategy::BestOfK;
  if (Name == "beam")
    return Strategy::Beam;
  if (Name == "evolve")
    return Strategy::Evolve;
  return std::nullopt;
}

const char *strategyName(Strategy S) {
  switch (S) {
  case Strategy::BestOfK:
    return "best-of-k";
  case Strategy::Beam:
    return "beam";
  case Strategy::Evolve:
    return "evolve";
  }
  return "best-of-k";
}

std::optional<ExecutorKind> parseExecutor(const std::string &Name) {
  for (ExecutorKind K : {ExecutorKind::Local, ExecutorKind::Slurm, ExecutorKind::Runner})
    if (Name == executorName(K))
      return K;
  return std::nullopt;
}

const char *executorName(ExecutorKind K) {
  switch (K) {
  case ExecutorKind::Local:
    return "local";
  case ExecutorKind::Slurm:
    return "slurm";
  case ExecutorKind::Runner:
    return "runner";
  }
  return "local";
}

std::optional<Price> knownPrice(const std::string &Model) {
  // List prices in US dollars per million tokens; --price overrides them.
  static const std::pair<const char *, Price> Table[] = {
      {"gpt-4o-mini", {0.15, 0.60}},  {"gpt-4o", {2.50, 10.00}}, {"gpt-4.1-nano", {0.10, 0.40}},
      {"gpt-4.1-mini", {0.40, 1.60}}, {"gpt-4.1", {2.00, 8.00}},
  };
  std::optional<Price> Best;
  size_t BestLen = 0;
  for (const auto &[Prefix, P] : Table) {
    std::string_view Pre(Prefix);
    if (Model.compare(0, Pre.size(), Pre) == 0 && Pre.size() > BestLen) {
      Best = P;
      BestLen = Pre.size();
    }
  }
  return Best;
}

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point Start) { return std::chrono::duration<double>(Clock::now() - Start).count(); }

std::string absolutePath(const std::string &P) {
  std::error_code Ec;
  fs::path A = fs::absolute(P, Ec);
  if (Ec)
    return P;
  std::string Norm = A.lexically_normal().string();
  if (Norm.size() > 1 && Norm.back() == '/')
    Norm.pop_back();
  return Norm;
}

/// Set of the normalised tokens of a candidate's texts, for a distance between programs.
std::set<std::string> tokenSet(const Candidate &C) {
  std::set<std::string> Out;
  for (const auto &[Id, Text] : C.Texts) {
    Lexed L = lexText(Text);
    for (const LexTok &T : L.Toks)
      Out.insert(std::string(spelling(Text, T)));
  }
  return Out;
}

/// 1 - Jaccard similarity of the token sets: 0 for the same tokens, 1 for none shared.
double distance(const std::set<std::string> &A, const std::set<std::string> &B) {
  if (A.empty() && B.empty())
    return 0;
  size_t Common = 0;
  for (const std::string &T : A)
    Common += B.count(T);
  return 1.0 - double(Common) / double(A.size() + B.size() - Common);
}

/// The search's state and its steps. One object per invocation.
class Searcher {
public:
  Searcher(const SearchOptions &O, LlmBackend *Llm, std::ostream &Out, std::ostream &Err)
      : O(O), Llm(Llm), Out(Out), Err(Err) {}
  int run();

private:
  struct Parent {
    unsigned Id, Children, Island;
  };

  bool open();
  std::unique_ptr<Executor> makeExecutor(std::string &Error);
  void cancelLeftoverJobs();
  bool evaluateRoot();
  std::vector<Parent> selectParents(unsigned Gen);
  bool proposeFrom(const Parent &P, unsigned Gen);
  std::optional<std::vector<LlmReply>> ask(const std::vector<ChatMessage> &Messages, const SampleOptions &S);
  bool addCandidate(Candidate C);
  bool collect();
  void record(const EvalResult &R);
  std::string inspirations(const Candidate &Parent, const Prompt &P, size_t Budget);
  std::optional<std::vector<std::pair<std::string, std::string>>> materialise(const Candidate &C, std::string &Diff,
                                                                              std::string &Error);
  const Candidate *best() const;
  std::optional<std::string> budgetExhausted() const;
  double costOf(uint64_t PromptTokens, uint64_t CompletionTokens) const;
  bool goalReached() const;
  int finish(const std::string &Reason, int Rc);
  EvalJob jobFor(const Candidate &C, std::vector<std::pair<std::string, std::string>> Files) const;

  const SearchOptions &O;
  LlmBackend *Llm;
  std::ostream &Out, &Err;

  std::string WorkDir, ProjectDir, SharedDir, RootTree;
  std::unique_ptr<RunDb> Db;
  std::map<unsigned, Candidate> Recorded; ///< from the database, when resuming
  std::map<unsigned, Candidate> Cands;
  std::map<std::string, unsigned> ByKey;
  std::unique_ptr<Executor> Exec;
  std::mt19937_64 Rng;
  uint64_t Seed = 0;
  unsigned NextId = 0, NextSeq = 0, LlmRequests = 0, Submitted = 0, InFlight = 0;
  uint64_t Tokens = 0;
  double Cost = 0;
  std::optional<TraceSet> RootTrace;
  std::vector<std::vector<unsigned>> Islands;
  std::vector<unsigned> Beam;
  Clock::time_point Start = Clock::now();
};

bool Searcher::open() {
  WorkDir = absolutePath(O.Step.WorkDir);
  ProjectDir = absolutePath(O.ProjectDir.empty() ? "." : O.ProjectDir);
  std::string Error;
  if (!makeDirs(WorkDir, Error)) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  std::string DbPath = WorkDir + "/search.db";
  bool Existed = ::access(DbPath.c_str(), F_OK) == 0;
  Db = RunDb::open(DbPath, Error);
  if (!Db) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  Recorded = Db->candidates(Error);
  if (Existed && !Recorded.empty() && !O.Resume) {
    Err << fmt::format("trace-optimize search: {} holds an earlier search; pass --resume to continue it, or "
                       "remove it (or use another --work-dir) to start anew\n",
                       DbPath);
    return false;
  }
  if (O.Resume && Recorded.empty())
    Err << "trace-optimize search: note: nothing to resume in " << DbPath << "; starting anew\n";
  // The seed: the recorded one when resuming, so the same parents are drawn again.
  std::optional<std::string> Stored = Db->meta("seed");
  if (O.Resume && Stored) {
    Seed = std::stoull(*Stored);
    if (O.Seed && *O.Seed != Seed)
      Err << fmt::format("trace-optimize search: note: resuming with the recorded seed {}, not {}\n", Seed, *O.Seed);
  } else {
    Seed = O.Seed ? *O.Seed : std::random_device()();
  }
  Rng.seed(Seed);
  // The copies stay where the interrupted search made them: the recorded traces point there.
  SharedDir = absolutePath(O.SharedDir.empty() ? WorkDir : O.SharedDir);
  if (std::optional<std::string> Shared = Db->meta("shared_dir"); O.Resume && Shared && *Shared != SharedDir) {
    Err << fmt::format("trace-optimize search: note: resuming with the recorded shared directory {}\n", *Shared);
    SharedDir = *Shared;
  }
  RootTree = SharedDir + "/candidates/0/tree";
  if (!makeDirs(SharedDir + "/candidates", Error) || !Db->setMeta("shared_dir", SharedDir, Error) ||
      !Db->setMeta("executor", executorName(O.Exec), Error)) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  if (!Db->setMeta("seed", std::to_string(Seed), Error) || !Db->setMeta("strategy", strategyName(O.Strat), Error) ||
      !Db->setMeta("project", ProjectDir, Error)) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  Exec = makeExecutor(Error);
  if (!Exec) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  if (O.Resume)
    cancelLeftoverJobs();
  Islands.assign(O.Strat == Strategy::Evolve ? std::max(O.Islands, 1u) : 1u, {});
  return true;
}

/// Array tasks that an interrupted search submitted and never saw end still run on the cluster,
/// in copies that the resumed search reuses: they are cancelled before anything is evaluated again.
void Searcher::cancelLeftoverJobs() {
  std::string Error;
  std::vector<std::pair<unsigned, std::string>> Left =
      Db->jobsIn(executorName(ExecutorKind::Slurm), "SUBMITTED", Error);
  if (!Error.empty()) {
    Err << "trace-optimize search: warning: " << Error << "\n";
    return;
  }
  if (Left.empty())
    return;
  std::vector<std::string> Ids;
  std::string Names;
  for (const auto &[Candidate, Task] : Left) {
    Ids.push_back(Task);
    Names += fmt::format("{}{} (candidate {})", Names.empty() ? "" : ", ", Task, Candidate);
  }
  if (std::string Why = cancelSlurmTasks(Ids); !Why.empty()) {
    Err << "trace-optimize search: warning: cannot cancel the Slurm tasks the interrupted search left (" << Names
        << "): " << Why << "\n";
    return;
  }
  Err << "trace-optimize search: cancelled the Slurm tasks the interrupted search left: " << Names << "\n";
  for (const auto &[Candidate, Task] : Left)
    if (!Db->putJob(Candidate, executorName(ExecutorKind::Slurm), Task, "CANCELLED", Error))
      Err << "trace-optimize search: warning: " << Error << "\n";
}

std::unique_ptr<Executor> Searcher::makeExecutor(std::string &Error) {
  switch (O.Exec) {
  case ExecutorKind::Local:
    break;
  case ExecutorKind::Runner:
    if (!checkRunnerTemplate(O.RunnerTemplate, Error))
      return nullptr;
    return makeRunnerExecutor(O.RunnerTemplate, O.Jobs);
  case ExecutorKind::Slurm: {
    SlurmOptions S;
    S.Jobs = O.Jobs;
    S.SbatchArgs = O.SlurmArgs;
    S.Dir = SharedDir + "/slurm";
    if (!O.Quiet)
      S.Log = [this](const std::string &Line) { Err << Line << "\n"; };
    // Recorded as soon as submitted: a search killed meanwhile leaves the task's id for --resume.
    S.Submitted = [this](unsigned Candidate, const std::string &Task) {
      std::string Error;
      if (!Db->putJob(Candidate, executorName(ExecutorKind::Slurm), Task, "SUBMITTED", Error))
        Err << "trace-optimize search: warning: " << Error << "\n";
    };
    return makeSlurmExecutor(std::move(S), Error);
  }
  }
  return std::make_unique<LocalExecutor>(O.Jobs);
}

EvalJob Searcher::jobFor(const Candidate &C, std::vector<std::pair<std::string, std::string>> Files) const {
  EvalJob J;
  J.CandidateId = C.Id;
  J.ProjectDir = ProjectDir;
  J.Dir = fmt::format("{}/candidates/{}", SharedDir, C.Id);
  J.Excluded = O.Excluded;
  J.Excluded.push_back(WorkDir);
  J.Excluded.push_back(SharedDir);
  J.Files = std::move(Files);
  J.BuildCmd = O.BuildCmd;
  J.QuickCmd = O.QuickCmd;
  J.RunCmd = O.RunCmd;
  // The sources as they are always get their full run: their trace makes the first prompt.
  if (C.Id != 0)
    J.QuickThreshold = O.QuickThreshold;
  J.Timeout = O.EvalTimeout;
  J.MemoryBytes = O.MemoryBytes;
  J.FeedbackFromRun = O.FeedbackFromRun;
  return J;
}

double Searcher::costOf(uint64_t PromptTokens, uint64_t CompletionTokens) const {
  std::optional<Price> P = O.PriceOverride ? O.PriceOverride : knownPrice(O.Model);
  if (!P)
    return 0;
  return (double(PromptTokens) * P->Prompt + double(CompletionTokens) * P->Completion) / 1e6;
}

std::optional<std::string> Searcher::budgetExhausted() const {
  if (O.MaxTokens && Tokens >= O.MaxTokens)
    return fmt::format("token budget of {} used up ({} tokens)", O.MaxTokens, Tokens);
  if (O.MaxCost > 0 && Cost >= O.MaxCost)
    return fmt::format("money budget of ${:.4f} used up (${:.4f})", O.MaxCost, Cost);
  if (O.MaxEvaluations && Submitted >= O.MaxEvaluations)
    return fmt::format("evaluation budget of {} used up", O.MaxEvaluations);
  return std::nullopt;
}

/// One LLM request, numbered: a resumed search gets the recorded answers back, so it makes the
/// same decisions; a new answer is recorded before it is used.
std::optional<std::vector<LlmReply>> Searcher::ask(const std::vector<ChatMessage> &Messages, const SampleOptions &S) {
  unsigned Seq = NextSeq++;
  std::optional<std::vector<LlmReply>> Replies = Db->replies(Seq);
  if (!Replies) {
    if (budgetExhausted())
      return std::nullopt;
    Replies = Llm->sample(Messages, S);
    std::string Error;
    if (!Db->putReplies(Seq, *Replies, Error))
      Err << "trace-optimize search: warning: " << Error << "\n";
  }
  // Counted whether asked now or before a --resume: the totals are the whole search's.
  ++LlmRequests;
  for (const LlmReply &R : *Replies) {
    Tokens += R.PromptTokens + R.CompletionTokens;
    Cost += costOf(R.PromptTokens, R.CompletionTokens);
  }
  return Replies;
}

std::optional<std::vector<std::pair<std::string, std::string>>>
Searcher::materialise(const Candidate &C, std::string &Diff, std::string &Error) {
  std::vector<Edit> Edits;
  for (const auto &[Id, Text] : C.Texts) {
    const Param *Prm = RootTrace->findParam(Id);
    if (!Prm) {
      Error = "the candidate changes parameter '" + Id + "', which the first run's trace does not hold";
      return std::nullopt;
    }
    Edits.push_back(editFor(*Prm, Text));
  }
  std::optional<PatchSet> Plan = planPatches(Edits, Error);
  if (!Plan)
    return std::nullopt;
  std::vector<std::pair<std::string, std::string>> Files;
  for (const FilePatch &F : Plan->Files) {
    std::string Rel = fs::path(F.File).lexically_relative(RootTree).string();
    if (Rel.empty() || Rel.rfind("..", 0) == 0) {
      Error = F.File + " is outside the project directory " + ProjectDir + " (see --project)";
      return std::nullopt;
    }
    Diff += unifiedDiff(Rel, F.Original, F.Patched);
    Files.emplace_back(Rel, F.Patched);
  }
  return Files;
}

bool Searcher::addCandidate(Candidate C) {
  C.Id = NextId++;
  C.Key = normalisedKey(C.Texts);
  std::string Error;
  auto Same = ByKey.find(C.Key);
  if (Same != ByKey.end()) {
    // The same program as an earlier candidate: its result stands for both.
    C.Status = CandidateStatus::Duplicate;
    C.SameAs = Same->second;
    if (!O.Quiet)
      Err << fmt::format("[candidate {}] the same as candidate {}; not evaluated again\n", C.Id, Same->second);
    if (!Db->putCandidate(C, Error))
      Err << "trace-optimize search: warning: " << Error << "\n";
    Cands[C.Id] = std::move(C);
    return true;
  }
  ByKey[C.Key] = C.Id;
  std::vector<std::pair<std::string, std::string>> Files;
  if (C.Id != 0) {
    std::optional<std::vector<std::pair<std::string, std::string>>> F = materialise(C, C.Diff, Error);
    if (!F) {
      C.Status = CandidateStatus::BuildFailed;
      C.Note = Error;
      Db->putCandidate(C, Error);
      Cands[C.Id] = std::move(C);
      return true;
    }
    Files = std::move(*F);
  }
  // A result recorded for the same program by the interrupted run is taken as it is; an
  // evaluation that failed (a job cancelled or lost: nothing about the program) runs again.
  auto Old = Recorded.find(C.Id);
  if (Old != Recorded.end() && Old->second.Key == C.Key && Old->second.Status != CandidateStatus::Proposed &&
      Old->second.Status != CandidateStatus::Duplicate && Old->second.Status != CandidateStatus::Failed) {
    Candidate Kept = Old->second;
    Kept.Tokens = C.Tokens;
    Cands[C.Id] = std::move(Kept);
    ++Submitted;
    return true;
  }
  if (O.MaxEvaluations && Submitted >= O.MaxEvaluations) {
    C.Note = "not evaluated: the evaluation budget is used up";
    Db->putCandidate(C, Error);
    Cands[C.Id] = std::move(C);
    return true;
  }
  if (!Db->putCandidate(C, Error)) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  EvalJob Job = jobFor(C, std::move(Files));
  Cands[C.Id] = std::move(C);
  Exec->submit(std::move(Job));
  ++Submitted;
  ++InFlight;
  return true;
}

void Searcher::record(const EvalResult &R) {
  Candidate &C = Cands[R.CandidateId];
  C.Status = R.Status;
  C.Score = R.Score;
  C.Success = R.Success;
  C.ExitStatus = R.ExitStatus;
  C.TracePath = R.TracePath;
  C.Note = R.Note;
  C.BuildSeconds = R.BuildSeconds;
  C.RunSeconds = R.RunSeconds;
  std::string Error;
  if (!Db->putCandidate(C, Error) ||
      (!R.Job.empty() && !Db->putJob(C.Id, executorName(O.Exec), R.Job, R.JobState, Error)))
    Err << "trace-optimize search: warning: " << Error << "\n";
}

/// Waits for every evaluation in flight, in the order they finish.
bool Searcher::collect() {
  while (InFlight) {
    std::optional<EvalResult> R = Exec->next();
    if (!R)
      break;
    --InFlight;
    record(*R);
    const Candidate &C = Cands[R->CandidateId];
    if (O.Quiet)
      continue;
    std::string What;
    if (C.Status == CandidateStatus::Evaluated)
      What = fmt::format("score {}{}", C.Score ? fmt::format("{:.3g}", *C.Score) : "n/a", C.Success ? ", success" : "");
    else
      What = fmt::format("{}: {}", statusName(C.Status), firstLines(C.Note, 3));
    Err << fmt::format("[candidate {}{}] {}, build {:.1f} s, run {:.1f} s{}\n", C.Id,
                       C.Parent ? fmt::format(" from {}", *C.Parent) : std::string(" (the sources as they are)"), What,
                       C.BuildSeconds, C.RunSeconds,
                       R->Job.empty() ? std::string() : fmt::format(" ({} job {})", executorName(O.Exec), R->Job));
  }
  return true;
}

const Candidate *Searcher::best() const {
  const Candidate *B = nullptr;
  for (const auto &[Id, C] : Cands)
    if (C.evaluated() && (!B || better(C, *B)))
      B = &C;
  return B;
}

bool Searcher::goalReached() const {
  const Candidate *B = best();
  return B && (B->Success || (O.Target && B->Score && *B->Score >= *O.Target));
}

bool Searcher::evaluateRoot() {
  Candidate Root;
  if (!addCandidate(Root) || !collect())
    return false;
  const Candidate &R = Cands[0];
  std::string Error;
  std::optional<TraceSet> T;
  if (!R.TracePath.empty())
    T = loadTraces({R.TracePath}, Error);
  if (!T) {
    Err << fmt::format("trace-optimize search: the sources as they are gave no usable trace ({}); {}\n",
                       statusName(R.Status), R.Note.empty() ? Error : R.Note);
    // Only a program that ran can be missing the plugin; a failed build or a job that never
    // started says its own cause above.
    if (R.Status == CandidateStatus::Evaluated)
      Err << "Is the program built with the Trace plugin and runtime, and does --run write $TRACE_FILE?\n";
    return false;
  }
  RootTrace = std::move(T);
  for (auto &I : Islands)
    I.push_back(0);
  Beam = {0};
  return true;
}

std::vector<Searcher::Parent> Searcher::selectParents(unsigned Gen) {
  std::vector<Parent> Ps;
  switch (O.Strat) {
  case Strategy::BestOfK: {
    const Candidate *B = best();
    Ps.push_back({B ? B->Id : 0, O.K, 0});
    break;
  }
  case Strategy::Beam: {
    // The best W of the last generation (the earlier beam when none of it was evaluated).
    std::vector<const Candidate *> Last;
    for (const auto &[Id, C] : Cands)
      if (C.evaluated() && C.Generation + 1 == Gen)
        Last.push_back(&C);
    std::stable_sort(Last.begin(), Last.end(), [](const Candidate *A, const Candidate *B) { return better(*A, *B); });
    if (!Last.empty()) {
      Beam.clear();
      for (size_t I = 0; I < Last.size() && I < std::max(O.Width, 1u); ++I)
        Beam.push_back(Last[I]->Id);
    }
    for (unsigned Id : Beam)
      Ps.push_back({Id, O.K, 0});
    break;
  }
  case Strategy::Evolve: {
    // Migration: every MigrationInterval generations, each island's best joins the next island.
    if (Islands.size() > 1 && O.MigrationInterval && Gen > 1 && (Gen - 1) % O.MigrationInterval == 0) {
      std::vector<unsigned> Bests;
      for (const auto &I : Islands) {
        unsigned B = I.front();
        for (unsigned Id : I)
          if (better(Cands[Id], Cands[B]))
            B = Id;
        Bests.push_back(B);
      }
      for (size_t I = 0; I < Islands.size(); ++I) {
        auto &Dest = Islands[(I + 1) % Islands.size()];
        if (std::find(Dest.begin(), Dest.end(), Bests[I]) == Dest.end())
          Dest.push_back(Bests[I]);
      }
    }
    for (unsigned Isl = 0; Isl < Islands.size(); ++Isl) {
      // Parents by score and diversity: weight = rank weight (best highest) plus a bonus for
      // being far, in tokens, from the island's best.
      std::vector<unsigned> Members;
      for (unsigned Id : Islands[Isl])
        if (Cands[Id].evaluated())
          Members.push_back(Id);
      if (Members.empty())
        Members.push_back(0);
      std::stable_sort(Members.begin(), Members.end(),
                       [&](unsigned A, unsigned B) { return better(Cands[A], Cands[B]); });
      std::set<std::string> BestToks = tokenSet(Cands[Members.front()]);
      std::vector<double> Weights;
      for (size_t R = 0; R < Members.size(); ++R)
        Weights.push_back(double(Members.size() - R) +
                          0.5 * double(Members.size()) * distance(tokenSet(Cands[Members[R]]), BestToks));
      std::discrete_distribution<size_t> Pick(Weights.begin(), Weights.end());
      Ps.push_back({Members[Pick(Rng)], O.K, Isl});
    }
    break;
  }
  }
  return Ps;
}

/// Earlier programs for the prompt: the best ones and the one most unlike the parent, with
/// their scores, within Budget characters.
std::string Searcher::inspirations(const Candidate &Parent, const Prompt &P, size_t Budget) {
  std::vector<const Candidate *> Done;
  for (const auto &[Id, C] : Cands)
    if (C.evaluated() && C.Id != Parent.Id && !C.Texts.empty())
      Done.push_back(&C);
  if (Done.empty() || !O.Inspirations)
    return "";
  std::stable_sort(Done.begin(), Done.end(), [](const Candidate *A, const Candidate *B) { return better(*A, *B); });
  std::vector<const Candidate *> Shown(Done.begin(), Done.begin() + std::min<size_t>(O.Inspirations, Done.size()));
  std::set<std::string> ParentToks = tokenSet(Parent);
  const Candidate *Far = nullptr;
  double FarDist = -1;
  for (const Candidate *C : Done)
    if (std::find(Shown.begin(), Shown.end(), C) == Shown.end())
      if (double D = distance(tokenSet(*C), ParentToks); D > FarDist) {
        Far = C;
        FarDist = D;
      }
  if (Far)
    Shown.push_back(Far);
  std::map<std::string, std::string> IdToName;
  for (const auto &[Name, Id] : P.NameToParamId)
    IdToName[Id] = Name;
  std::string Text = "\n\n#Earlier programs\nOther versions tried in this search, with how they did. Learn from "
                     "them; do not repeat one.\n";
  size_t Count = 0;
  for (const Candidate *C : Shown) {
    std::string Entry = fmt::format("\n(score {}{}):\n", C->Score ? fmt::format("{:.3g}", *C->Score) : "n/a",
                                    C->Success ? ", success" : "");
    for (const auto &[Id, Body] : C->Texts) {
      auto Name = IdToName.find(Id);
      Entry += fmt::format("{}:\n{}\n", Name == IdToName.end() ? Id : Name->second, withoutTrainableAttribute(Body));
    }
    if (Text.size() + Entry.size() > Budget)
      break;
    Text += Entry;
    ++Count;
  }
  return Count ? Text : "";
}

bool Searcher::proposeFrom(const Parent &Par, unsigned Gen) {
  const Candidate &ParentC = Cands[Par.Id];
  std::string Error;
  std::optional<TraceSet> T = loadTraces({ParentC.TracePath}, Error);
  if (!T) {
    Err << "trace-optimize search: cannot read the trace of candidate " << Par.Id << ": " << Error << "\n";
    return false;
  }
  GraphPass Pass = backwardPass(*T);
  if (Pass.Sub.Params.empty()) {
    Err << "trace-optimize search: nothing to optimize: no trainable parameter is connected to feedback\n";
    return false;
  }
  PromptOptions PO = O.Step.Prompt;
  if (PO.CompileCommandsDir.empty())
    PO.CompileCommandsDir = O.Step.CompileCommandsDir;
  Prompt P = buildPrompt(*T, Pass, PO);
  std::optional<std::map<std::string, std::string>> Texts = readRecordedTexts(*T, P, Error);
  if (!Texts) {
    Err << "trace-optimize search: " << Error << "\n";
    return false;
  }
  size_t Left = PO.TokenBudget * 4 > P.User.size() ? PO.TokenBudget * 4 - P.User.size() : 0;
  if (O.Strat == Strategy::Evolve)
    P.User += inspirations(ParentC, P, Left);
  std::vector<TuArgs> Tus = tuArgsOf(*T);

  unsigned Got = 0;
  std::vector<std::string> Proposed;
  // Checks one answer, with repairs; a usable one becomes a candidate.
  auto Take = [&](const std::vector<ChatMessage> &Asked, LlmReply Reply) -> bool {
    std::vector<ChatMessage> Messages = Asked;
    uint64_t SpentPrompt = Reply.PromptTokens, SpentCompletion = Reply.CompletionTokens;
    double Seconds = Reply.Seconds;
    for (unsigned Attempt = 0;; ++Attempt) {
      if (!Reply.Ok) {
        Err << "trace-optimize search: " << Reply.Error << "\n";
        return true;
      }
      CheckedReply C = checkReply(Reply.Content, *T, P, *Texts, Tus, O.Step.CompileCommandsDir, Err);
      if (C.Outcome == CheckedReply::Usable) {
        Candidate New;
        New.Parent = Par.Id;
        New.Generation = Gen;
        New.Island = Par.Island;
        New.Texts = ParentC.Texts;
        for (const Edit &E : C.Edits)
          New.Texts[E.ParamId] = E.NewText;
        New.Tokens = SpentPrompt + SpentCompletion;
        New.LlmSeconds = Seconds;
        New.Cost = costOf(SpentPrompt, SpentCompletion);
        Proposed.push_back(Reply.Content);
        ++Got;
        unsigned Id = NextId;
        if (!addCandidate(std::move(New)))
          return false;
        if (O.Strat == Strategy::Evolve && Cands[Id].Status != CandidateStatus::Duplicate)
          Islands[Par.Island].push_back(Id);
        return true;
      }
      if (C.Outcome != CheckedReply::Repair || Attempt >= O.Step.Repairs) {
        Err << fmt::format("trace-optimize search: an answer for candidate {}'s child was dropped: {}\n", Par.Id,
                           C.Outcome == CheckedReply::NoChange ? "it suggests no change" : firstLines(C.Problem, 4));
        return true;
      }
      Messages.push_back({"assistant", Reply.Content});
      Messages.push_back({"user", repairMessage(C.Problem)});
      std::optional<std::vector<LlmReply>> Again = ask(Messages, SampleOptions());
      if (!Again)
        return true;
      Reply = std::move(Again->front());
      SpentPrompt += Reply.PromptTokens;
      SpentCompletion += Reply.CompletionTokens;
      Seconds += Reply.Seconds;
    }
  };

  std::vector<ChatMessage> First = {{"system", P.System}, {"user", P.User}};
  SampleOptions S;
  S.N = Par.Children;
  S.Temperature = O.TemperatureLow;
  std::optional<std::vector<LlmReply>> Replies = ask(First, S);
  if (!Replies)
    return true;
  unsigned Answers = unsigned(Replies->size());
  for (LlmReply &R : *Replies)
    if (!Take(First, std::move(R)))
      return false;
  // An endpoint that ignores "n": one request per further candidate, warmer each time, and
  // told what was proposed already.
  for (unsigned I = Answers; I < Par.Children; ++I) {
    std::string Alternatives;
    for (const std::string &Earlier : Proposed)
      Alternatives += "\n" + Earlier + "\n";
    std::vector<ChatMessage> Messages = First;
    if (!Alternatives.empty())
      Messages[1].Content += "\n\n#Already proposed\nThese answers were already given for this problem. Propose "
                             "a different one, not one of these:\n" +
                             Alternatives;
    SampleOptions One;
    One.Temperature =
        O.TemperatureLow + (O.TemperatureHigh - O.TemperatureLow) * double(I) / double(std::max(Par.Children - 1, 1u));
    std::optional<std::vector<LlmReply>> More = ask(Messages, One);
    if (!More)
      return true;
    for (LlmReply &R : *More)
      if (!Take(Messages, std::move(R)))
        return false;
  }
  return true;
}

int Searcher::finish(const std::string &Reason, int Rc) {
  collect();
  const Candidate *B = best();
  unsigned Evaluated = 0, Duplicates = 0, Failed = 0;
  for (const auto &[Id, C] : Cands) {
    Evaluated += C.evaluated();
    Duplicates += C.Status == CandidateStatus::Duplicate;
    Failed += C.Status == CandidateStatus::BuildFailed || C.Status == CandidateStatus::Dropped ||
              C.Status == CandidateStatus::Failed;
  }
  std::string Applied;
  if (B && B->Id != 0 && !B->Texts.empty() && better(*B, Cands[0])) {
    // The final apply: the best candidate's texts against the user's files, hash-checked.
    std::vector<Edit> Edits;
    for (const auto &[Id, Text] : B->Texts) {
      const Param *Prm = RootTrace->findParam(Id);
      Edit E = editFor(*Prm, Text);
      E.File = ProjectDir + "/" + fs::path(Prm->File).lexically_relative(RootTree).string();
      Edits.push_back(std::move(E));
    }
    std::string Error;
    std::optional<PatchSet> Plan = planPatches(Edits, Error);
    if (!Plan) {
      Err << "trace-optimize search: the best candidate cannot be applied: " << Error << "\n";
      return 1;
    }
    if (O.DryRun) {
      for (const FilePatch &F : Plan->Files)
        Out << unifiedDiff(F.File, F.Original, F.Patched);
      Applied = fmt::format("; dry run: candidate {} not applied", B->Id);
    } else {
      BackupStore Store(WorkDir);
      std::string Desc;
      for (const Edit &E : Edits)
        Desc += (Desc.empty() ? "" : ", ") + E.ParamId;
      std::optional<unsigned> Step = Store.commit(*Plan, Desc, Error);
      if (!Step) {
        Err << "trace-optimize search: " << Error << "\n";
        return 1;
      }
      Applied = fmt::format("; applied candidate {} as step {} (undo with 'trace-optimize undo')", B->Id, *Step);
    }
  } else {
    Applied = "; the sources are unchanged (no candidate did better)";
  }
  Out << fmt::format("trace-optimize search: {}; {} candidates ({} evaluated, {} duplicates, {} failed or dropped), "
                     "{} LLM request{}, {} tokens, ${:.4f}, {:.1f} s; best: {}{}\n",
                     Reason, Cands.size(), Evaluated, Duplicates, Failed, LlmRequests, LlmRequests == 1 ? "" : "s",
                     Tokens, Cost, since(Start),
                     B ? fmt::format("candidate {}{}, score {}", B->Id, B->Success ? " (success)" : "",
                                     B->Score ? fmt::format("{:.3g}", *B->Score) : "n/a")
                       : std::string("none"),
                     Applied);
  return Rc;
}

int Searcher::run() {
  if (!open())
    return 1;
  if (!O.Quiet)
    Err << fmt::format("trace-optimize search: {} in {}, seed {}, evaluations on {}\n", strategyName(O.Strat),
                       ProjectDir, Seed, Exec->describe());
  if (!evaluateRoot())
    return 1;
  if (goalReached())
    return finish("the sources as they are reach the goal", 0);
  unsigned Generations = O.Iterations;
  for (unsigned Gen = 1; Gen <= Generations; ++Gen) {
    if (std::optional<std::string> Why = budgetExhausted())
      return finish(*Why, 3);
    for (const Parent &P : selectParents(Gen)) {
      if (!proposeFrom(P, Gen)) {
        finish("a step failed", 1);
        return 1;
      }
      if (budgetExhausted())
        break;
    }
    collect();
    if (goalReached())
      return finish(best()->Success ? "a candidate reported success"
                                    : fmt::format("score {:.3g} reached the target", *best()->Score),
                    0);
  }
  if (std::optional<std::string> Why = budgetExhausted())
    return finish(*Why, 3);
  return finish(fmt::format("{} generation{} done", Generations, Generations == 1 ? "" : "s"), 3);
}

} // namespace

int runSearch(const SearchOptions &O, LlmBackend *Llm, std::ostream &Out, std::ostream &Err) {
  Searcher S(O, Llm, Out, Err);
  return S.run();
}

} // namespace traceopt::search
