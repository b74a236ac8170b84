//===- search/Slurm.cpp - Evaluations as Slurm job arrays -----------------===//
#include "search/Slurm.h"
#include "patch/Apply.h"
#include "report/Dot.h"
#include "run/Loop.h"
#include "search/EvalScript.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace traceopt::search {

unsigned slurmMinutes(const EvalJob &Job) { return unsigned(std::ceil(Job.Timeout * stageCount(Job) / 60.0)) + 1; }

namespace {

using Clock = std::chrono::steady_clock;

/// Runs a Slurm command (its words quoted) with the tool's limits; output and status.
CommandResult slurmCommand(const std::vector<std::string> &Argv, double Timeout = 120) {
  std::string Cmd;
  for (const std::string &A : Argv)
    Cmd += (Cmd.empty() ? "" : " ") + shellQuote(A);
  return runShell(Cmd, {}, Timeout);
}

std::string firstLine(const std::string &S) {
  std::string L = S.substr(0, S.find('\n'));
  while (!L.empty() && (L.back() == '\r' || L.back() == ' '))
    L.pop_back();
  return L;
}

/// The value of Key= in scontrol's "Key=Value Key=Value" output.
std::string field(const std::string &Text, const std::string &Key) {
  size_t At = 0;
  while ((At = Text.find(Key + "=", At)) != std::string::npos) {
    if (At == 0 || Text[At - 1] == ' ' || Text[At - 1] == '\n') {
      size_t Start = At + Key.size() + 1;
      size_t End = Text.find_first_of(" \n", Start);
      return Text.substr(Start, End == std::string::npos ? std::string::npos : End - Start);
    }
    At += Key.size();
  }
  return "";
}

/// Why a task that left no complete record ended, in words.
std::string endedBecause(const std::string &State) {
  if (State == "CANCELLED")
    return "was cancelled";
  if (State == "TIMEOUT" || State == "DEADLINE")
    return "reached its time limit";
  if (State == "NODE_FAIL")
    return "was lost with its node (NODE_FAIL)";
  if (State == "OUT_OF_MEMORY")
    return "ran out of memory";
  if (State == "PREEMPTED")
    return "was preempted";
  if (State == "BOOT_FAIL")
    return "could not start: its node did not boot (BOOT_FAIL)";
  return fmt::format("ended {} without finishing its evaluation", State);
}

class SlurmExecutor : public Executor {
public:
  explicit SlurmExecutor(SlurmOptions O) : O(std::move(O)) {}
  ~SlurmExecutor() override;
  void submit(EvalJob Job) override;
  std::optional<EvalResult> next() override;
  std::string describe() const override;

private:
  struct Task {
    EvalJob Job;
    std::string ArrayId, Id; ///< "12" and "12_3"
    std::string Log;         ///< the task's standard output and error
    std::optional<Clock::time_point> GoneSince;
  };
  void submitArray();
  void poll();
  /// T's result when it is over: Listed, in the queue; SqueueOk, squeue answered; GiveUp, it
  /// did not for too long.
  std::optional<EvalResult> finished(Task &T, bool Listed, bool SqueueOk, bool GiveUp);
  /// The state Slurm gives the finished task and its exit code, "" when it knows none.
  std::pair<std::string, std::string> finalState(const std::string &Id);
  void say(const std::string &Line) {
    if (O.Log)
      O.Log(Line);
  }

  SlurmOptions O;
  std::vector<EvalJob> Queued;
  std::vector<Task> Running;
  std::deque<EvalResult> Done;
  unsigned Arrays = 0;
  std::optional<bool> SacctWorks;
  std::optional<Clock::time_point> SqueueFailingSince;
};

SlurmExecutor::~SlurmExecutor() {
  // Leaves nothing running on the cluster when the search stops early.
  std::set<std::string> Ids;
  for (const Task &T : Running)
    Ids.insert(T.ArrayId);
  for (const std::string &Id : Ids)
    slurmCommand({"scancel", Id}, 30);
}

std::string SlurmExecutor::describe() const {
  std::string Args;
  for (const std::string &A : O.SbatchArgs)
    Args += " " + A;
  return fmt::format("Slurm, one job array per round, {} task{} at a time{}", O.Jobs, O.Jobs == 1 ? "" : "s",
                     Args.empty() ? std::string() : ", sbatch" + Args);
}

void SlurmExecutor::submit(EvalJob Job) {
  std::string Error;
  if (!prepareCopy(Job, Error) || !writeEvalScript(Job, Error)) {
    EvalResult R;
    R.CandidateId = Job.CandidateId;
    R.Status = CandidateStatus::BuildFailed;
    R.Note = Error;
    Done.push_back(std::move(R));
    return;
  }
  Queued.push_back(std::move(Job));
}

void SlurmExecutor::submitArray() {
  std::vector<EvalJob> Jobs = std::move(Queued);
  Queued.clear();
  std::string Dir = fmt::format("{}/{}", O.Dir, ++Arrays), Error;
  // Task I runs the I-th candidate's script; the folder number keeps earlier arrays' logs.
  while (::access(Dir.c_str(), F_OK) == 0)
    Dir = fmt::format("{}/{}", O.Dir, ++Arrays);
  std::string Script = "#!/bin/sh\n# Array tasks of trace-optimize search: task I evaluates one candidate.\n"
                       "case \"$SLURM_ARRAY_TASK_ID\" in\n";
  unsigned Minutes = 1;
  for (size_t I = 0; I < Jobs.size(); ++I) {
    Script += fmt::format("{}) exec /bin/sh {} ;; # candidate {}\n", I, shellQuote(evalScriptPath(Jobs[I])),
                          Jobs[I].CandidateId);
    Minutes = std::max(Minutes, slurmMinutes(Jobs[I]));
  }
  Script += "*) echo \"no candidate for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n";
  CommandResult Sub;
  if (!makeDirs(Dir, Error) || !writeFileAtomic(Dir + "/array.sh", Script, Error)) {
    Sub.Output = Error;
  } else {
    std::vector<std::string> Argv = {"sbatch",
                                     "--parsable",
                                     "--job-name=trace-optimize",
                                     fmt::format("--array=0-{}%{}", Jobs.size() - 1, std::max(O.Jobs, 1u)),
                                     fmt::format("--time={}", Minutes),
                                     "--chdir=" + Dir,
                                     "--output=" + Dir + "/%A_%a.log"};
    Argv.insert(Argv.end(), O.SbatchArgs.begin(), O.SbatchArgs.end());
    Argv.push_back(Dir + "/array.sh");
    Sub = slurmCommand(Argv);
  }
  // --parsable prints "jobid" or "jobid;cluster", maybe after warnings (stderr comes along).
  std::string Id, Line;
  std::istringstream Lines(Sub.Output);
  while (std::getline(Lines, Line)) {
    std::string Word = Line.substr(0, Line.find(';'));
    if (!Word.empty() && Word.find_first_not_of("0123456789") == std::string::npos)
      Id = Word;
  }
  if (Sub.Status != 0 || Id.empty()) {
    std::string Why = fmt::format("sbatch failed ({}): {}", Sub.TimedOut ? "timed out" : std::to_string(Sub.Status),
                                  Sub.Output.empty() ? "no output" : Sub.Output);
    while (!Why.empty() && Why.back() == '\n')
      Why.pop_back();
    say("trace-optimize search: " + Why);
    for (EvalJob &J : Jobs) {
      EvalResult R;
      R.CandidateId = J.CandidateId;
      R.Status = CandidateStatus::Failed;
      R.Note = Why;
      Done.push_back(std::move(R));
    }
    return;
  }
  std::string Cands;
  for (size_t I = 0; I < Jobs.size(); ++I) {
    Cands += fmt::format("{}{}", I ? ", " : "", Jobs[I].CandidateId);
    Task T;
    T.Job = std::move(Jobs[I]);
    T.ArrayId = Id;
    T.Id = fmt::format("{}_{}", Id, I);
    T.Log = fmt::format("{}/{}_{}.log", Dir, Id, I);
    if (O.Submitted)
      O.Submitted(T.Job.CandidateId, T.Id);
    Running.push_back(std::move(T));
  }
  say(fmt::format("[slurm] job {}: array tasks 0-{} evaluate candidate{} {} ({}, --time={})", Id, Jobs.size() - 1,
                  Jobs.size() == 1 ? "" : "s", Cands, Dir, Minutes));
}

std::pair<std::string, std::string> SlurmExecutor::finalState(const std::string &Id) {
  if (SacctWorks.value_or(true)) {
    CommandResult S = slurmCommand({"sacct", "-n", "-P", "-X", "-j", Id, "-o", "State,ExitCode"}, 60);
    std::string L = firstLine(S.Output);
    size_t Bar = L.find('|');
    if (S.Status == 0 && Bar != std::string::npos) {
      SacctWorks = true;
      // "CANCELLED by 0" -> CANCELLED.
      return {L.substr(0, std::min(Bar, L.find(' '))), L.substr(Bar + 1)};
    }
    // Without accounting storage sacct knows nothing; scontrol does, for MinJobAge.
    if (!SacctWorks)
      SacctWorks = false;
  }
  CommandResult S = slurmCommand({"scontrol", "-o", "show", "job", Id}, 60);
  if (S.Status != 0)
    return {"", ""};
  return {field(S.Output, "JobState"), field(S.Output, "ExitCode")};
}

/// The result of a task that ended without finishing its evaluation, \p Why in its note: whatever
/// the stages so far say, the evaluation did not finish (a failed build stays one).
EvalResult unfinished(const EvalJob &Job, EvalOutcome Outcome, const std::string &Why, std::string State) {
  Outcome.Missing = Why;
  EvalResult R = resultOf(Job, Outcome);
  if (R.Status != CandidateStatus::BuildFailed) {
    R.Status = CandidateStatus::Failed;
    R.Note = Why;
  }
  R.JobState = std::move(State);
  return R;
}

void SlurmExecutor::poll() {
  std::set<std::string> Arrays, Listed;
  // Tasks that Slurm holds because their launch failed on the node: they never run by themselves.
  std::map<std::string, std::string> LaunchFailed;
  for (const Task &T : Running)
    Arrays.insert(T.ArrayId);
  bool SqueueOk = true;
  for (const std::string &A : Arrays) {
    // -r: one line per array task, pending ones too; then its state and the reason it waits.
    CommandResult Q = slurmCommand({"squeue", "-h", "-r", "-j", A, "-o", "%i %T %r"}, 60);
    if (Q.Status != 0) {
      // A job that finished and was purged is not an error.
      if (Q.Output.find("Invalid job id") != std::string::npos)
        continue;
      SqueueOk = false;
      if (!SqueueFailingSince) {
        SqueueFailingSince = Clock::now();
        say("trace-optimize search: warning: squeue failed, trying again: " + firstLine(Q.Output));
      }
      continue;
    }
    std::istringstream In(Q.Output);
    std::string Line;
    while (std::getline(In, Line)) {
      std::istringstream Words(Line);
      std::string Id, State, Reason;
      Words >> Id >> State;
      std::getline(Words >> std::ws, Reason);
      Listed.insert(Id);
      if (State == "PENDING" && Reason.find("launch failed") != std::string::npos)
        LaunchFailed[Id] = Reason;
    }
  }
  if (SqueueOk)
    SqueueFailingSince.reset();
  // The controller out of reach for this long: the tasks are given up as lost.
  bool GiveUp = SqueueFailingSince && Clock::now() - *SqueueFailingSince > std::chrono::minutes(5);
  for (size_t I = 0; I < Running.size();) {
    Task &T = Running[I];
    std::optional<EvalResult> R;
    if (auto It = LaunchFailed.find(T.Id); It != LaunchFailed.end()) {
      // Held after a failed launch (a socket path too long for the node's spool folder, a
      // missing folder on the node, ...): it would wait in the queue for ever. It is cancelled
      // and failed with the reason, which the node's slurmd log explains.
      cancelSlurmTasks({T.Id});
      R = unfinished(
          T.Job, EvalOutcome(),
          fmt::format("slurm job {} could not start on its node ({}); see the node's slurmd log", T.Id, It->second),
          "LAUNCH_FAILED");
    } else {
      R = finished(T, SqueueOk && Listed.count(T.Id), SqueueOk, GiveUp);
    }
    if (!R) {
      ++I;
      continue;
    }
    R->Job = T.Id;
    Done.push_back(std::move(*R));
    Running.erase(Running.begin() + long(I));
  }
}

std::optional<EvalResult> SlurmExecutor::finished(Task &T, bool Listed, bool SqueueOk, bool GiveUp) {
  EvalRecord Rec = readEvalRecord(T.Job);
  if (Listed && !GiveUp) {
    T.GoneSince.reset();
    return std::nullopt;
  }
  if (Rec.Complete) {
    // Done, and out of the queue (or squeue cannot say): Slurm's last word on the task, for the
    // record; a failed build or run is FAILED there, the evaluation is complete all the same.
    std::string State = SqueueOk ? finalState(T.Id).first : "";
    EvalResult R = resultOf(T.Job, Rec.Outcome);
    R.JobState = State.empty() ? "UNKNOWN" : State;
    return R;
  }
  if (!SqueueOk && !GiveUp)
    return std::nullopt;
  // Out of the queue without a complete record: a few seconds' grace for a shared file system
  // to show the record, a minute when the script itself ended; then Slurm says how it ended.
  Clock::time_point Now = Clock::now();
  if (!T.GoneSince)
    T.GoneSince = Now;
  if (!GiveUp && Now - *T.GoneSince < std::chrono::seconds(5))
    return std::nullopt;
  auto [State, Exit] = GiveUp ? std::pair<std::string, std::string>() : finalState(T.Id);
  if ((State == "COMPLETED" || State == "FAILED") && Now - *T.GoneSince < std::chrono::seconds(60))
    return std::nullopt;
  std::string Why;
  if (GiveUp)
    Why = fmt::format("slurm job {} was given up: squeue failed for 5 minutes", T.Id);
  else if (State.empty())
    Why = fmt::format("slurm job {} is lost: Slurm no longer knows it, and it left no result in {}", T.Id, T.Job.Dir);
  else
    Why = fmt::format("slurm job {} {}{}", T.Id, endedBecause(State),
                      Exit.empty() || Exit == "0:0" ? std::string() : " (exit code " + Exit + ")");
  if (!Rec.Interrupted.empty())
    Why += fmt::format("; its {} was interrupted", Rec.Interrupted);
  if (std::string Log = fileTail(T.Log, 1000); !Log.empty() && State != "CANCELLED")
    Why += ":\n" + Log;
  return unfinished(T.Job, std::move(Rec.Outcome), Why, State.empty() ? "LOST" : State);
}

std::optional<EvalResult> SlurmExecutor::next() {
  if (Done.empty() && !Queued.empty())
    submitArray();
  while (Done.empty() && !Running.empty()) {
    poll();
    if (Done.empty())
      std::this_thread::sleep_for(std::chrono::duration<double>(O.PollSeconds));
  }
  if (Done.empty())
    return std::nullopt;
  EvalResult R = std::move(Done.front());
  Done.pop_front();
  return R;
}

} // namespace

std::string cancelSlurmTasks(const std::vector<std::string> &Ids) {
  std::vector<std::string> Argv = {"scancel"};
  Argv.insert(Argv.end(), Ids.begin(), Ids.end());
  CommandResult R = slurmCommand(Argv, 60);
  if (R.TimedOut)
    return "scancel timed out";
  if (R.Status == 0)
    return "";
  // A task that ended meanwhile is not an error: the point is that none goes on running.
  std::istringstream Lines(R.Output);
  std::string Line;
  while (std::getline(Lines, Line))
    if (!Line.empty() && Line.find("already completing or completed") == std::string::npos &&
        Line.find("Invalid job id specified") == std::string::npos)
      return Line;
  return "";
}

std::unique_ptr<Executor> makeSlurmExecutor(SlurmOptions O, std::string &Error) {
  for (const char *Tool : {"sbatch", "squeue", "scontrol"})
    if (findProgram(Tool).empty()) {
      Error = fmt::format("--executor slurm needs Slurm's sbatch, squeue and scontrol on PATH, and {} is not "
                          "there (Debian: apt-get install slurm-client)",
                          Tool);
      return nullptr;
    }
  return std::make_unique<SlurmExecutor>(std::move(O));
}

} // namespace traceopt::search
