//===- RunnerTest.cpp - runner templates and evaluation scripts -----------===//
#include "search/Runner.h"
#include "patch/Apply.h"
#include "run/Loop.h"
#include "search/EvalScript.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

using namespace traceopt;
using namespace traceopt::search;

namespace {

/// A value with every character a shell treats specially.
const std::string Nasty = "/tmp/a b/it's \"q\" $HOME `x` \\ ; & {dir}";

std::map<std::string, RunnerValue> values() {
  return {{"dir", {shellQuote(Nasty), false}},
          {"run", {"printf '%s|' " + shellQuote(Nasty), true}}};
}

/// Runs the expanded template and returns what it printed.
std::string runExpanded(const std::string &Template) {
  std::string Error;
  std::optional<std::string> Cmd = expandTemplate(Template, values(), Error);
  EXPECT_TRUE(Cmd) << Error;
  if (!Cmd)
    return "";
  CommandResult R = runShell(*Cmd, {}, 10);
  EXPECT_EQ(R.Status, 0) << *Cmd << "\n" << R.Output;
  return R.Output;
}

} // namespace

TEST(RunnerTemplate, WordOutsideQuotes) {
  EXPECT_EQ(runExpanded("printf '%s|' {dir}"), Nasty + "|");
}

TEST(RunnerTemplate, WordInsideSingleQuotesForASecondShell) {
  EXPECT_EQ(runExpanded("sh -c 'printf \"%s|\" {dir}'"), Nasty + "|");
}

TEST(RunnerTemplate, WordInsideDoubleQuotesForASecondShell) {
  EXPECT_EQ(runExpanded("sh -c \"printf '%s|' {dir}\""), Nasty + "|");
}

TEST(RunnerTemplate, CommandRunsAsACommand) {
  EXPECT_EQ(runExpanded("{run}"), Nasty + "|");
  EXPECT_EQ(runExpanded("sh -c 'cd / && {run}'"), Nasty + "|");
  EXPECT_EQ(runExpanded("sh -c \"cd / && {run}\""), Nasty + "|");
}

TEST(RunnerTemplate, BracesThatAreNotPlaceholders) {
  EXPECT_EQ(runExpanded("x=1; { printf '%s' \"${x}\"; }; printf '{{dir}'"),
            "1{dir}");
}

TEST(RunnerTemplate, Errors) {
  std::string Error;
  EXPECT_FALSE(expandTemplate("ssh h {dri}", values(), Error));
  EXPECT_NE(Error.find("unknown placeholder {dri}"), std::string::npos)
      << Error;
  EXPECT_FALSE(expandTemplate("sh -c 'x {dir}", values(), Error));
  EXPECT_NE(Error.find("unterminated ' quote"), std::string::npos) << Error;
  EXPECT_FALSE(checkRunnerTemplate("ssh h 'cd {dir} && {build}'", Error));
  EXPECT_NE(Error.find("runs no evaluation"), std::string::npos) << Error;
  EXPECT_TRUE(
      checkRunnerTemplate("ssh h 'cd {dir} && {build} && {run}'", Error))
      << Error;
  EXPECT_TRUE(checkRunnerTemplate("srun -N1 {eval}", Error)) << Error;
}

TEST(EvalScript, RecordsStagesAndScoresLikeALocalRun) {
  std::string Dir =
      ::testing::TempDir() + "/evalscript-" + std::to_string(::getpid());
  std::filesystem::remove_all(Dir);
  std::filesystem::create_directories(Dir + "/tree");
  EvalJob Job;
  Job.CandidateId = 7;
  Job.Dir = Dir;
  Job.BuildCmd = "echo built > built.txt";
  Job.RunCmd = "test -e built.txt && echo \"$TRACE_FILE\" && exit 3";
  Job.FeedbackFromRun = true;
  std::string Error;
  ASSERT_TRUE(writeEvalScript(Job, Error)) << Error;
  CommandResult R = runShell("sh " + shellQuote(evalScriptPath(Job)), {}, 30);
  EXPECT_EQ(R.Status, 3) << R.Output;
  EvalRecord Rec = readEvalRecord(Job);
  EXPECT_TRUE(Rec.Complete);
  EXPECT_TRUE(Rec.Outcome.Build.Ran);
  EXPECT_EQ(Rec.Outcome.Build.Status, 0);
  EXPECT_FALSE(Rec.Outcome.Quick.Ran);
  ASSERT_TRUE(Rec.Outcome.Run.Ran);
  EXPECT_EQ(Rec.Outcome.Run.Status, 3);
  EXPECT_EQ(Rec.Outcome.Run.Output, tracePathOf(Job, "run") + "\n");
  // No trace, and feedback from the run's exit status: a failed run scores 0.
  EvalResult Res = resultOf(Job, Rec.Outcome);
  EXPECT_EQ(Res.Status, CandidateStatus::Evaluated);
  EXPECT_EQ(Res.ExitStatus, 3);
  ASSERT_TRUE(Res.Score);
  EXPECT_EQ(*Res.Score, 0.0);

  // A failing build ends the evaluation, recorded as complete.
  Job.BuildCmd = "echo broken; exit 2";
  ASSERT_TRUE(writeEvalScript(Job, Error)) << Error;
  runShell("sh " + shellQuote(evalScriptPath(Job)), {}, 30);
  Rec = readEvalRecord(Job);
  EXPECT_TRUE(Rec.Complete);
  EXPECT_FALSE(Rec.Outcome.Run.Ran);
  Res = resultOf(Job, Rec.Outcome);
  EXPECT_EQ(Res.Status, CandidateStatus::BuildFailed);
  EXPECT_NE(Res.Note.find("broken"), std::string::npos) << Res.Note;

  // Killed during the run: not complete, and the stage is named.
  Job.BuildCmd.clear();
  Job.RunCmd = "sleep 2";
  ASSERT_TRUE(writeEvalScript(Job, Error)) << Error;
  runShell("sh " + shellQuote(evalScriptPath(Job)) +
               " & sleep 0.5; kill -TERM $!; wait $!",
           {}, 30);
  Rec = readEvalRecord(Job);
  EXPECT_FALSE(Rec.Complete);
  EXPECT_EQ(Rec.Interrupted, "run");
  EXPECT_FALSE(Rec.Outcome.Run.Ran);
  std::filesystem::remove_all(Dir);
}
