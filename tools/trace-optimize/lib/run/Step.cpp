//===- Step.cpp - One optimization step: prompt, request, checked reply ---===//
#include "run/Loop.h"
#include "graph/Backward.h"
#include "llm/Reply.h"
#include "patch/Check.h"
#include "prompt/PromptText.h"

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

namespace traceopt {

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

StepResult optimizeStep(const TraceSet &T, const StepOptions &O, LlmBackend *Llm, const Memory *Mem,
                        const PostApplyCheck &AfterApply, std::ostream &Out, std::ostream &Err) {
  StepResult R;
  GraphPass Pass = backwardPass(T);
  if (Pass.Sub.Params.empty()) {
    R.Status = StepStatus::NothingToOptimize;
    R.Error = "nothing to optimize: no trainable parameter is connected to feedback (the program must call "
              "trace::feedback or trace::success on a value that depends on a [[trace::trainable]] parameter)";
    return R;
  }
  PromptOptions PO = O.Prompt;
  // The prompt names the standard the check will compile with; both find it the same way.
  if (PO.CompileCommandsDir.empty())
    PO.CompileCommandsDir = O.CompileCommandsDir;
  Prompt P = buildPrompt(T, Pass, PO, Mem);
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

} // namespace traceopt
