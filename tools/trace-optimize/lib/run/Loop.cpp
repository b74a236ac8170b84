//===- Loop.cpp - one optimization step, and the build/run/step loop -----===//
#include "run/Loop.h"
#include "graph/Backward.h"
#include "patch/Check.h"
#include "run/History.h"
#include "common/Progress.h"
#include "prompt/PromptText.h"
#include "llm/Reply.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

/// The first MaxLines lines of S, the later ones indented, for a short report on stderr.
static std::string excerpt(const std::string &S, unsigned MaxLines) {
  std::string Out = firstLines(S, MaxLines);
  for (size_t Nl = Out.find('\n'); Nl != std::string::npos; Nl = Out.find('\n', Nl + 1))
    Out.insert(Nl + 1, "    ");
  return Out;
}

std::string configurationHint() {
  return "trace-optimize: no LLM endpoint is configured, so nothing was sent; the prompt is above.\n"
         "To optimize, configure an OpenAI-compatible endpoint:\n"
         "  export OPENAI_BASE_URL=http://127.0.0.1:8080/v1   # llama.cpp, Ollama (:11434/v1), vLLM, ...\n"
         "  export OPENAI_API_KEY=...                         # not needed on 127.0.0.1/localhost\n"
         "  export TRACE_MODEL=<model>                        # or pass --model <model>\n"
         "or pass --replay <transcript.jsonl> to serve the replies recorded in a transcript.\n";
}

/// The answer format of the system message: its JSON template, from the line "{" to the line
/// "}". Taken from the system message itself, so that a repair asks for exactly what the
/// first request asked for, whatever the wording there becomes.
std::string answerFormat() {
  std::string_view System = text::System;
  size_t Open = System.find("\n{\n");
  size_t Close = Open == std::string_view::npos ? Open : System.find("\n}", Open + 2);
  if (Close == std::string_view::npos)
    return "{\n  \"reasoning\": \"<your reasoning>\",\n  \"suggestion\": {\n    \"<variable name>\": <new value>\n  }\n}";
  return std::string(System.substr(Open + 1, Close + 2 - (Open + 1)));
}

/// The message that sends a rejected suggestion back to the LLM.
std::string repairMessage(const std::string &Problem) {
  return "Your suggestion was not applied, because:\n\n" + Problem +
         "\nAnswer again with exactly one JSON object in the form the first message asked for:\n" + answerFormat() +
         "\nwith a corrected suggestion. Keep every function's name, parameter types, return type, qualifiers, "
         "specifiers and attributes exactly as they are, and give complete, compilable C++ for each variable you "
         "change.";
}

/// The edit that replaces parameter Prm's recorded text with NewText.
Edit editFor(const Param &Prm, std::string NewText) {
  Edit E;
  E.ParamId = Prm.Id;
  E.File = Prm.File;
  E.Line = Prm.Line;
  E.Begin = Prm.Begin;
  E.End = Prm.End;
  E.Hash = Prm.Hash;
  E.NewText = std::move(NewText);
  E.IsCode = Prm.Kind == "code";
  return E;
}

/// Checks, before anything is sent, that every parameter of the prompt still has its recorded
/// text in its file, so that a stale trace costs no request. Returns each parameter's text by id.
std::optional<std::map<std::string, std::string>> readRecordedTexts(const TraceSet &T, const Prompt &P,
                                                                    std::string &Error) {
  std::map<std::string, std::string> Files, Texts;
  for (const auto &[Name, Id] : P.NameToParamId) {
    const Param *Prm = T.findParam(Id);
    if (!Prm) {
      Error = fmt::format("the prompt names parameter '{}', which the trace does not hold", Id);
      return std::nullopt;
    }
    auto It = Files.find(Prm->File);
    if (It == Files.end()) {
      std::string Content;
      if (!readFile(Prm->File, Content, Error)) {
        Error = fmt::format("{}:{}: the source of {} cannot be read ({}); nothing was sent", Prm->File, Prm->Line,
                            Prm->Id, Error);
        return std::nullopt;
      }
      It = Files.emplace(Prm->File, std::move(Content)).first;
    }
    Edit E = editFor(*Prm, "");
    if (std::optional<std::string> Stale = staleRange(It->second, E)) {
      Error = *Stale + "; nothing was sent";
      return std::nullopt;
    }
    Texts[Id] = It->second.substr(E.Begin, E.End - E.Begin);
  }
  return Texts;
}

std::string memoryPath(const std::string &WorkDir) { return WorkDir + "/memory.jsonl"; }

std::optional<Memory> loadMemory(const std::string &WorkDir, std::string &Error) {
  Memory M;
  std::string Path = memoryPath(WorkDir), Text;
  if (::access(Path.c_str(), F_OK) != 0)
    return M;
  if (!readFile(Path, Text, Error))
    return std::nullopt;
  size_t Pos = 0;
  for (unsigned LineNo = 1; Pos < Text.size(); ++LineNo) {
    size_t Nl = Text.find('\n', Pos);
    std::string Line = Text.substr(Pos, Nl == std::string::npos ? std::string::npos : Nl - Pos);
    Pos = Nl == std::string::npos ? Text.size() : Nl + 1;
    if (Line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    nlohmann::json J = nlohmann::json::parse(Line, nullptr, false);
    if (J.is_discarded() || !J.is_object() || !J.contains("variables") || !J["variables"].is_string() ||
        !J.contains("feedback") || !J["feedback"].is_string()) {
      Error = fmt::format("{}:{}: not a memory entry (a JSON object with string fields \"variables\" and "
                          "\"feedback\"); remove the line or the file",
                          Path, LineNo);
      return std::nullopt;
    }
    M.Entries.push_back({J["variables"].get<std::string>(), J["feedback"].get<std::string>()});
  }
  return M;
}

bool appendMemory(const std::string &WorkDir, unsigned Step, const std::string &Variables,
                  const std::string &Feedback, std::string &Error) {
  std::string Path = memoryPath(WorkDir), Text;
  if (::access(Path.c_str(), F_OK) == 0 && !readFile(Path, Text, Error))
    return false;
  if (!Text.empty() && Text.back() != '\n')
    Text += '\n';
  nlohmann::json J = {{"step", Step}, {"variables", Variables}, {"feedback", Feedback}};
  Text += J.dump() + "\n";
  // Rewritten whole and atomically: a crash leaves the old memory, never half a line.
  return makeDirs(WorkDir, Error) && writeFileAtomic(Path, Text, Error, 0644);
}

std::vector<TuArgs> tuArgsOf(const TraceSet &T) {
  std::vector<TuArgs> Tus;
  for (const TuInfo &Tu : T.Tus)
    Tus.push_back({Tu.File, Tu.Directory, Tu.Args});
  return Tus;
}

CheckedReply checkReply(const std::string &Content, const TraceSet &T, const Prompt &P,
                        const std::map<std::string, std::string> &Recorded, const std::vector<TuArgs> &Tus,
                        const std::string &CompileCommandsDir, std::ostream &Err) {
  CheckedReply R;
  auto Fatal = [&](std::string Why) {
    R.Outcome = CheckedReply::Fatal;
    R.Problem = std::move(Why);
    return R;
  };
  std::string Problem;
  ParsedReply Parsed = parseReply(Content, P, T);
  if (Parsed.Suggestions.empty()) {
    if (Parsed.Errors.empty()) {
      R.Outcome = CheckedReply::NoChange;
      return R;
    }
    Problem = "The reply could not be used:\n";
    for (const std::string &E : Parsed.Errors)
      Problem += "- " + E + "\n";
  } else {
    for (const std::string &E : Parsed.Errors)
      Err << "trace-optimize: warning: part of the reply was ignored: " << E << "\n";
    // What a suggestion may contain is decided from its text first; a refused one goes
    // back for repair without a clang run.
    for (const Suggestion &S : Parsed.Suggestions) {
      const Param *Prm = T.findParam(S.ParamId);
      auto Text = Recorded.find(S.ParamId);
      if (!Prm || Text == Recorded.end())
        return Fatal("the reply names an unknown parameter '" + S.ParamId + "'");
      std::string Refused;
      std::optional<std::string> NewText =
          prepareSuggestion(Prm->Id, Prm->Kind == "code", Text->second, S.NewText, Refused);
      if (!NewText) {
        Problem += Refused;
        continue;
      }
      R.Edits.push_back(editFor(*Prm, std::move(*NewText)));
    }
  }
  if (!Problem.empty()) {
    R.Outcome = CheckedReply::Repair;
    R.Problem = std::move(Problem);
    return R;
  }
  std::string PlanErr;
  std::optional<PatchSet> Plan = planPatches(R.Edits, PlanErr);
  if (!Plan)
    return Fatal(PlanErr);
  if (Plan->empty()) {
    R.Outcome = CheckedReply::NoChange;
    return R;
  }
  // The units that include a patched file, each once, for the link check.
  std::vector<CompileCommand> Units;
  bool CompileErrors = false;
  for (const FilePatch &F : Plan->Files) {
    // A header's function must compile in every unit that includes it, each with its own
    // standard, macros and earlier declarations.
    CheckOutcome C = checkPatchInUnits(F, findCompileCommands(F.File, Tus, CompileCommandsDir));
    for (const std::string &N : C.Notes)
      Err << "trace-optimize: note: " << N << "\n";
    if (!C.Ok)
      Problem += C.Problems;
    CompileErrors |= C.CompileErrors;
    for (CompileCommand &U : C.Units)
      if (std::none_of(Units.begin(), Units.end(), [&](const CompileCommand &K) { return K.MainFile == U.MainFile; }))
        Units.push_back(std::move(U));
  }
  // Units that each compile may still not link together. The link runs also when another
  // check refused the reply, so that the repair request says what the build would.
  if (!CompileErrors) {
    LinkOutcome L = checkLink(*Plan, Units);
    for (const std::string &N : L.Notes)
      Err << "trace-optimize: note: " << N << "\n";
    if (!L.Ok)
      Problem += L.Problem;
  }
  if (!Problem.empty()) {
    R.Outcome = CheckedReply::Repair;
    R.Problem = std::move(Problem);
    return R;
  }
  R.Outcome = CheckedReply::Usable;
  R.Plan = std::move(*Plan);
  return R;
}

StepResult optimizeStep(const TraceSet &T, const StepOptions &O, LlmBackend *Llm, const Memory *Mem,
                        const PostApplyCheck &AfterApply, std::ostream &Out, std::ostream &Err) {
  StepResult R;
  Subgraph G = backward(T);
  if (G.Params.empty()) {
    R.Status = StepStatus::NothingToOptimize;
    R.Error = "nothing to optimize: no trainable parameter is connected to feedback (the program must call "
              "trace::feedback or trace::success on a value that depends on a [[trace::trainable]] parameter)";
    return R;
  }
  PromptOptions PO = O.Prompt;
  // The prompt names the standard the check will compile with; both find it the same way.
  if (PO.CompileCommandsDir.empty())
    PO.CompileCommandsDir = O.CompileCommandsDir;
  Prompt P = buildPrompt(T, G, PO, Mem);
  if (!Llm) {
    Out << P.System << "\n\n" << P.User << "\n";
    Out.flush();
    Err << configurationHint();
    R.Status = StepStatus::NoLlm;
    return R;
  }

  std::vector<TuArgs> Tus = tuArgsOf(T);
  R.Variables = P.VariablesText;
  R.FeedbackText = P.FeedbackText;
  R.System = P.System;
  R.User = P.User;
  std::string StaleErr;
  std::optional<std::map<std::string, std::string>> Recorded = readRecordedTexts(T, P, StaleErr);
  if (!Recorded) {
    R.Error = StaleErr;
    return R;
  }
  if (O.MaxTokens && O.TokensUsedBefore >= O.MaxTokens) {
    R.Status = StepStatus::OutOfTokens;
    R.Error = fmt::format("the token budget of {} (--max-tokens) is used up ({} tokens); nothing was sent",
                          O.MaxTokens, O.TokensUsedBefore);
    return R;
  }
  std::vector<ChatMessage> Messages = {{"system", P.System}, {"user", P.User}};
  for (unsigned Attempt = 0;; ++Attempt) {
    LlmReply Reply = Llm->complete(Messages);
    ++R.LlmCalls;
    R.Tokens += Reply.PromptTokens + Reply.CompletionTokens;
    StepAttempt &Try = R.Attempts.emplace_back();
    Try.Request = Messages.back().Content;
    Try.Reply = Reply.Content;
    Try.PromptTokens = Reply.PromptTokens;
    Try.CompletionTokens = Reply.CompletionTokens;
    Try.Seconds = Reply.Seconds;
    if (!Reply.Ok) {
      R.Error = Try.Problem = Reply.Error;
      return R;
    }
    CheckedReply Checked = checkReply(Reply.Content, T, P, *Recorded, Tus, O.CompileCommandsDir, Err);
    if (Checked.Outcome == CheckedReply::Fatal) {
      R.Error = Try.Problem = Checked.Problem;
      return R;
    }
    if (Checked.Outcome == CheckedReply::NoChange) {
      R.Status = StepStatus::NoChange;
      Try.Outcome = "no change";
      return R;
    }
    std::string Problem = Checked.Outcome == CheckedReply::Repair ? Checked.Problem : "";
    const std::vector<Edit> &Edits = Checked.Edits;
    if (Checked.Outcome == CheckedReply::Usable) {
      const PatchSet *Plan = &Checked.Plan;
      {
        if (O.DryRun) {
          for (const FilePatch &F : Plan->Files)
            Out << unifiedDiff(F.File, F.Original, F.Patched);
          Out.flush();
          Err << "trace-optimize: dry run: nothing written\n";
          R.Status = StepStatus::DryRun;
          Try.Outcome = "dry run";
          return R;
        }
        BackupStore Store(O.WorkDir);
        std::string Desc;
        for (const Edit &E : Edits)
          Desc += (Desc.empty() ? "" : ", ") + E.ParamId;
        std::string CommitErr;
        std::optional<unsigned> Step = Store.commit(*Plan, Desc, CommitErr);
        if (!Step) {
          R.Error = Try.Problem = CommitErr;
          return R;
        }
        std::optional<std::string> BuildProblem = AfterApply ? AfterApply() : std::nullopt;
        if (!BuildProblem) {
          R.Status = StepStatus::Applied;
          R.Step = *Step;
          Try.Outcome = "applied";
          for (const FilePatch &F : Plan->Files)
            R.Diff += unifiedDiff(F.File, F.Original, F.Patched);
          for (const Edit &E : Edits)
            R.ChangedParams.push_back(E.ParamId);
          for (const FilePatch &F : Plan->Files)
            Err << fmt::format("trace-optimize: patched {} ({} edit{})\n", displayPath(F.File), F.Edits.size(),
                               F.Edits.size() == 1 ? "" : "s");
          // The variables as they were and the feedback they got, for the memory of later
          // steps, also of later invocations.
          std::string MemErr;
          if (!appendMemory(O.WorkDir, *Step, P.VariablesText, P.FeedbackText, MemErr))
            Err << "trace-optimize: warning: the step was applied, but its memory entry was not written: " << MemErr
                << "\n";
          return R;
        }
        // All or nothing: the sources go back to how they were before this attempt.
        std::string RestoreErr;
        if (!Store.restoreBefore(*Step, RestoreErr)) {
          R.Error = Try.Problem = "the build failed after the patch and restoring the sources failed: " + RestoreErr;
          return R;
        }
        Problem = *BuildProblem;
        Try.Outcome = "rolled back";
      }
    }
    if (Try.Outcome != "rolled back")
      Try.Outcome = "refused";
    Try.Problem = Problem;
    if (Attempt >= O.Repairs) {
      R.Error = fmt::format("no usable suggestion after {} repair attempt{}; the sources are unchanged. Last "
                            "problem:\n{}",
                            O.Repairs, O.Repairs == 1 ? "" : "s", Problem);
      return R;
    }
    // The budget holds for repairs too: one more request could overshoot it by a whole answer.
    if (O.MaxTokens && O.TokensUsedBefore + R.Tokens >= O.MaxTokens) {
      R.Status = StepStatus::OutOfTokens;
      R.Error = fmt::format("the token budget of {} (--max-tokens) is used up ({} tokens) before repair {}/{}; "
                            "the sources are unchanged. Last problem:\n{}",
                            O.MaxTokens, O.TokensUsedBefore + R.Tokens, Attempt + 1, O.Repairs, Problem);
      return R;
    }
    Err << fmt::format("trace-optimize: repair {}/{}: {}\n", Attempt + 1, O.Repairs, excerpt(Problem, 6));
    Messages.push_back({"assistant", Reply.Content});
    Messages.push_back({"user", repairMessage(Problem)});
  }
}

extern "C" char **environ;

CommandResult runShell(const std::string &Cmd, const std::vector<std::pair<std::string, std::string>> &Env,
                       double Timeout, const ShellOptions &Opts) {
  CommandResult R;
  Clock::time_point Start = Clock::now();
  // The environment is made before fork: with other threads running, the child may not
  // allocate. The program and its build need no API key; code the LLM wrote must not see it.
  std::vector<std::string> EnvText;
  for (char **E = environ; *E; ++E) {
    std::string_view V(*E);
    std::string_view Name = V.substr(0, V.find('='));
    if (Name == "OPENAI_API_KEY" ||
        std::any_of(Env.begin(), Env.end(), [&](const auto &KV) { return KV.first == Name; }))
      continue;
    EnvText.emplace_back(V);
  }
  for (const auto &[K, V] : Env)
    EnvText.push_back(K + "=" + V);
  std::vector<char *> EnvPtrs;
  for (std::string &E : EnvText)
    EnvPtrs.push_back(E.data());
  EnvPtrs.push_back(nullptr);
  int Pipe[2];
  if (::pipe2(Pipe, O_CLOEXEC) != 0) {
    R.Output = std::string("cannot create a pipe: ") + std::strerror(errno);
    return R;
  }
  pid_t Pid = ::fork();
  if (Pid < 0) {
    R.Output = std::string("cannot fork: ") + std::strerror(errno);
    ::close(Pipe[0]);
    ::close(Pipe[1]);
    return R;
  }
  if (Pid == 0) {
    ::setpgid(0, 0);
    ::dup2(Pipe[1], 1);
    ::dup2(Pipe[1], 2);
    if (!Opts.Dir.empty() && ::chdir(Opts.Dir.c_str()) != 0)
      ::_exit(127);
    if (Opts.MemoryBytes) {
      struct rlimit Limit = {rlim_t(Opts.MemoryBytes), rlim_t(Opts.MemoryBytes)};
      ::setrlimit(RLIMIT_AS, &Limit);
    }
    ::execle("/bin/sh", "sh", "-c", Cmd.c_str(), static_cast<char *>(nullptr), EnvPtrs.data());
    ::_exit(127);
  }
  ::setpgid(Pid, Pid);
  ::close(Pipe[1]);
  char Buf[65536];
  while (true) {
    double Left = Timeout - since(Start);
    if (Left <= 0) {
      R.TimedOut = true;
      ::kill(-Pid, SIGKILL);
      break;
    }
    struct pollfd P = {Pipe[0], POLLIN, 0};
    int N = ::poll(&P, 1, int(std::min(Left, 1.0) * 1000) + 1);
    if (N < 0 && errno != EINTR)
      break;
    if (N <= 0)
      continue;
    ssize_t Got = ::read(Pipe[0], Buf, sizeof(Buf));
    if (Got < 0 && errno == EINTR)
      continue;
    if (Got <= 0)
      break;
    R.Output.append(Buf, size_t(Got));
    // Keep memory bounded for chatty programs: only the tail is ever shown.
    if (R.Output.size() > (8u << 20))
      R.Output.erase(0, R.Output.size() - (4u << 20));
  }
  ::close(Pipe[0]);
  int Status = 0;
  while (::waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(Status))
    R.Status = WEXITSTATUS(Status);
  else if (WIFSIGNALED(Status))
    R.Status = 128 + WTERMSIG(Status);
  R.Seconds = since(Start);
  return R;
}

std::optional<double> traceScore(const TraceSet &T) {
  double Sum = 0;
  unsigned N = 0;
  for (const Feedback &F : T.Feedbacks)
    if (F.Score) {
      Sum += *F.Score;
      ++N;
    }
  if (!N)
    return std::nullopt;
  return Sum / N;
}

bool traceSuccess(const TraceSet &T) {
  for (const Feedback &F : T.Feedbacks)
    if (F.Success)
      return true;
  return false;
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
