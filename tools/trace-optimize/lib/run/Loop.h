//===- Loop.h - one optimization step, and the build/run/step loop -------===//
//
// Defined by job: Step.cpp (optimizeStep), CheckReply.cpp (checkReply and
// its repair), Memory.cpp (the loop's memory file), Commands.cpp (runShell,
// traceScore), Loop.cpp (runLoop).
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_LOOP_H
#define TRACEOPT_LOOP_H

#include "patch/Apply.h"
#include "llm/Llm.h"
#include "prompt/Prompt.h"
#include "traceset/TraceSet.h"

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace traceopt {

struct StepOptions {
  PromptOptions Prompt;
  /// Attempts to fix a suggestion that does not parse, compile or keep its signature.
  unsigned Repairs = 2;
  bool DryRun = false;
  std::string WorkDir = ".trace-optimize";
  /// Directory of a compile_commands.json ("-p" as in clang tools).
  std::string CompileCommandsDir;
  /// Token budget (--max-tokens; 0: none), checked before every LLM request, repairs included,
  /// so that a step with several repairs cannot overshoot it.
  uint64_t MaxTokens = 0;
  /// Tokens spent before this step (by the loop's earlier steps), counted against MaxTokens.
  uint64_t TokensUsedBefore = 0;
};

/// OutOfTokens: the budget ran out before a needed request; nothing was written.
enum class StepStatus { Applied, DryRun, NoChange, NothingToOptimize, NoLlm, OutOfTokens, Failed };

/// One request of a step and what became of its reply, for the run's history (the report).
struct StepAttempt {
  /// The last user message sent: the prompt's, or a repair request.
  std::string Request;
  std::string Reply;
  uint64_t PromptTokens = 0, CompletionTokens = 0;
  double Seconds = 0;
  /// "applied", "refused" (sent back for repair, or the last try), "rolled back" (written, then
  /// the build failed), "no change", "dry run" or "error" (Problem says why, except for the
  /// first three).
  std::string Outcome = "error";
  std::string Problem;
};

struct StepResult {
  StepStatus Status = StepStatus::Failed;
  unsigned Step = 0; ///< backup step number when applied
  uint64_t Tokens = 0;
  unsigned LlmCalls = 0;
  std::vector<std::string> ChangedParams;
  /// The prompt's #Variables and #Feedback sections, for the loop's memory.
  std::string Variables, FeedbackText;
  std::string Error;
  /// The prompt sent first, every request with its reply and outcome, and the diff written
  /// (when applied), for the run's history.
  std::string System, User;
  std::vector<StepAttempt> Attempts;
  std::string Diff;
};

/// After a step is written, the loop may run the build; a returned text is a compile
/// failure to send back for repair (the step is rolled back first).
using PostApplyCheck = std::function<std::optional<std::string>()>;

/// Builds the prompt, asks the LLM, checks and applies its suggestions with repairs.
/// Llm == nullptr prints the prompt and how to configure an endpoint.
StepResult optimizeStep(const TraceSet &T, const StepOptions &O, LlmBackend *Llm, const Memory *Mem,
                        const PostApplyCheck &AfterApply, std::ostream &Out, std::ostream &Err);

struct TuArgs;

/// What one reply amounts to once checked (parsed, each suggestion's content allowed, the
/// patched files compiled and linked with clang): a patch ready to write, or why not.
struct CheckedReply {
  enum Kind { Usable, NoChange, Repair, Fatal } Outcome = Fatal;
  /// One edit per suggestion, against the files the trace names.
  std::vector<Edit> Edits;
  /// Usable: the files with the edits applied in memory, nothing written.
  PatchSet Plan;
  /// Repair: the problem to send back to the LLM; Fatal: the error that ends the step.
  std::string Problem;
};

/// Checks the reply \p Content to prompt \p P against the recorded parameter texts
/// (readRecordedTexts). Shared by `step` and `search`, so that a candidate of a search passes
/// exactly the checks a step's suggestion does.
CheckedReply checkReply(const std::string &Content, const TraceSet &T, const Prompt &P,
                        const std::map<std::string, std::string> &Recorded, const std::vector<TuArgs> &Tus,
                        const std::string &CompileCommandsDir, std::ostream &Err);

/// The translation units the trace records, as the checks take them.
std::vector<TuArgs> tuArgsOf(const TraceSet &T);

/// Checks, before anything is sent, that every parameter of the prompt still has its recorded
/// text in its file, so that a stale trace costs no request. Returns each parameter's text by id.
std::optional<std::map<std::string, std::string>> readRecordedTexts(const TraceSet &T, const Prompt &P,
                                                                    std::string &Error);

/// The edit that replaces parameter Prm's recorded text with NewText.
Edit editFor(const Param &Prm, std::string NewText);

/// The message that sends a rejected suggestion back to the LLM.
std::string repairMessage(const std::string &Problem);

/// How to configure an endpoint, printed when none is.
std::string configurationHint();

/// The JSON answer format the system message asks for, which a repair request repeats.
std::string answerFormat();

/// <WorkDir>/memory.jsonl: one line per applied step, {"step", "variables", "feedback"}: the
/// #Variables the step started from and the #Feedback they got. It outlives one invocation,
/// so a later `step` or `run` on the same work directory remembers earlier ones.
std::string memoryPath(const std::string &WorkDir);
/// Every entry, oldest first; empty when there is no file. nullopt with Error naming the file
/// and line when a line is not an entry.
std::optional<Memory> loadMemory(const std::string &WorkDir, std::string &Error);
/// Adds one entry, rewriting the file atomically.
bool appendMemory(const std::string &WorkDir, unsigned Step, const std::string &Variables,
                  const std::string &Feedback, std::string &Error);

struct LoopOptions {
  StepOptions Step;
  std::string BuildCmd, RunCmd;
  unsigned Iterations = 5;
  std::optional<double> Target;
  uint64_t MaxTokens = 0; ///< 0: no limit
  bool FeedbackFromRun = false;
  double CommandTimeout = 600;
  unsigned MemorySize = 0;
  /// A status line redrawn on standard error (a terminal; see Progress.h).
  bool LiveStatus = false;
  /// No progress lines at all (`--quiet`).
  bool Quiet = false;
};

/// Exit status: 0 goal reached (success or target score), 3 stopped without reaching it,
/// 1 error.
int runLoop(const LoopOptions &O, LlmBackend *Llm, std::ostream &Out, std::ostream &Err);

struct CommandResult {
  int Status = -1; ///< exit status, 128+signal, or -1 when it could not start
  bool TimedOut = false;
  std::string Output; ///< stdout and stderr interleaved
  double Seconds = 0;
};

/// Where and under which limits runShell runs a command.
struct ShellOptions {
  /// Working directory (empty: the current one).
  std::string Dir;
  /// Address-space limit of the command and its children in bytes (0: none), so that a
  /// candidate that allocates without bound fails alone instead of the machine.
  uint64_t MemoryBytes = 0;
};

/// Runs Cmd with /bin/sh -c, with extra environment variables and without OPENAI_API_KEY,
/// killing its process group after Timeout seconds. Safe to call from several threads at
/// once: the child only calls async-signal-safe functions before exec.
CommandResult runShell(const std::string &Cmd, const std::vector<std::pair<std::string, std::string>> &Env,
                       double Timeout, const ShellOptions &Opts = {});

/// Mean of the feedback scores (nullopt when none has a score) and whether any says success.
std::optional<double> traceScore(const TraceSet &T);
bool traceSuccess(const TraceSet &T);

} // namespace traceopt

#endif
