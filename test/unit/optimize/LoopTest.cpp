//===- LoopTest.cpp - running commands, scoring traces --------------------===//
#include "run/Loop.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace traceopt;

TEST(RunShell, ExitStatusAndOutput) {
  CommandResult R = runShell("echo out; echo err >&2; exit 3", {}, 10);
  EXPECT_EQ(R.Status, 3);
  EXPECT_FALSE(R.TimedOut);
  EXPECT_NE(R.Output.find("out\n"), std::string::npos);
  EXPECT_NE(R.Output.find("err\n"), std::string::npos);
}

TEST(RunShell, EnvironmentSetAndKeyRemoved) {
  ::setenv("OPENAI_API_KEY", "sk-unit-secret", 1);
  CommandResult R = runShell("echo \"[$TRACE_FILE][${OPENAI_API_KEY:-unset}]\"", {{"TRACE_FILE", "/tmp/x.jsonl"}}, 10);
  ::unsetenv("OPENAI_API_KEY");
  EXPECT_EQ(R.Status, 0);
  EXPECT_EQ(R.Output, "[/tmp/x.jsonl][unset]\n");
}

TEST(RunShell, TimeoutKillsTheProcessGroup) {
  // The child of the shell must die too, or the pipe would stay open and the call would hang.
  CommandResult R = runShell("sleep 30 & sleep 30", {}, 0.3);
  EXPECT_TRUE(R.TimedOut);
  EXPECT_LT(R.Seconds, 5.0);
  EXPECT_EQ(R.Status, 128 + 9);
}

TEST(RunShell, MissingCommand) {
  CommandResult R = runShell("/nonexistent/program-xyz", {}, 10);
  EXPECT_EQ(R.Status, 127);
  EXPECT_NE(R.Output.find("program-xyz"), std::string::npos);
}

TEST(Score, MeanOfScoredFeedbackAndSuccess) {
  TraceSet T;
  EXPECT_FALSE(traceScore(T));
  EXPECT_FALSE(traceSuccess(T));
  Feedback A, B, C;
  A.Score = 0.5;
  B.Score = 1.0;
  C.Text = "no score";
  T.Feedbacks = {A, B, C};
  ASSERT_TRUE(traceScore(T));
  EXPECT_DOUBLE_EQ(*traceScore(T), 0.75);
  EXPECT_FALSE(traceSuccess(T));
  T.Feedbacks[2].Success = true;
  EXPECT_TRUE(traceSuccess(T));
}
