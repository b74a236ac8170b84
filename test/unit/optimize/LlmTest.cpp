//===- LlmTest.cpp - retry policy, configuration, transcript round trip --===//
#include "llm/Llm.h"
#include "llm/Transcript.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>

using namespace traceopt;

TEST(Llm, BackoffDoublesWithJitterAndCap) {
  for (int I = 0; I < 50; ++I) {
    double D1 = backoffDelay(1, 0.5, 8), D3 = backoffDelay(3, 0.5, 8), D10 = backoffDelay(10, 0.5, 8);
    EXPECT_GE(D1, 0.375);
    EXPECT_LE(D1, 0.5);
    EXPECT_GE(D3, 1.5);
    EXPECT_LE(D3, 2.0);
    EXPECT_GE(D10, 6.0);
    EXPECT_LE(D10, 8.0);
  }
}

TEST(Llm, RetryAfterParsing) {
  EXPECT_EQ(retryAfterSeconds("2", ""), 2.0);
  EXPECT_EQ(retryAfterSeconds("2", "250"), 0.25); // retry-after-ms wins
  EXPECT_EQ(retryAfterSeconds("0", ""), 0.0);
  EXPECT_FALSE(retryAfterSeconds("61", ""));       // beyond 60 s: use our own backoff
  EXPECT_FALSE(retryAfterSeconds("-1", ""));
  EXPECT_FALSE(retryAfterSeconds("soon", ""));
  EXPECT_FALSE(retryAfterSeconds("", ""));
}

TEST(Llm, RetryableStatuses) {
  for (long S : {408L, 409L, 429L, 500L, 502L, 503L})
    EXPECT_TRUE(isRetryableStatus(S)) << S;
  for (long S : {400L, 401L, 403L, 404L, 422L})
    EXPECT_FALSE(isRetryableStatus(S)) << S;
}

TEST(Llm, LoopbackDetection) {
  EXPECT_TRUE(isLoopbackUrl("http://127.0.0.1:8080/v1"));
  EXPECT_TRUE(isLoopbackUrl("http://localhost/v1"));
  EXPECT_TRUE(isLoopbackUrl("http://[::1]:11434/v1"));
  EXPECT_FALSE(isLoopbackUrl("https://api.openai.com/v1"));
  EXPECT_FALSE(isLoopbackUrl("http://127.0.0.1.evil.example/v1"));
}

TEST(Llm, EnvironmentConfiguration) {
  ::unsetenv("OPENAI_BASE_URL");
  ::unsetenv("OPENAI_API_BASE");
  ::unsetenv("OPENAI_API_KEY");
  ::unsetenv("TRACE_MODEL");
  LlmConfig C;
  EXPECT_FALSE(configureFromEnvironment(C));
  ::setenv("OPENAI_API_BASE", "http://127.0.0.1:9/v1/", 1);
  ::setenv("TRACE_MODEL", "m1", 1);
  LlmConfig D;
  EXPECT_TRUE(configureFromEnvironment(D));
  EXPECT_EQ(D.BaseUrl, "http://127.0.0.1:9/v1");
  EXPECT_EQ(D.Model, "m1");
  ::unsetenv("OPENAI_API_BASE");
  ::setenv("OPENAI_API_KEY", "k", 1);
  LlmConfig E;
  E.Model = "given";
  EXPECT_TRUE(configureFromEnvironment(E));
  EXPECT_EQ(E.BaseUrl, "https://api.openai.com/v1");
  EXPECT_EQ(E.Model, "given");
  ::unsetenv("OPENAI_API_KEY");
  ::unsetenv("TRACE_MODEL");
}

TEST(Transcript, RoundTripAndReplay) {
  char Tmpl[] = "/tmp/trace-opt-transcript-XXXXXX";
  int Fd = ::mkstemp(Tmpl);
  ASSERT_GE(Fd, 0);
  ::close(Fd);
  std::string Path = Tmpl, Err;
  Exchange E;
  E.Endpoint = "http://127.0.0.1:1/v1";
  E.Model = "m";
  E.Messages = {{"system", "s"}, {"user", "u\nwith \"quotes\""}};
  E.Reply.Ok = true;
  E.Reply.Status = 200;
  E.Reply.Content = "{\"suggestion\": {}}";
  E.Reply.PromptTokens = 11;
  E.Reply.CompletionTokens = 3;
  ASSERT_TRUE(appendExchange(Path, E, Err)) << Err;
  E.Reply.Content = "second";
  ASSERT_TRUE(appendExchange(Path, E, Err)) << Err;
  auto Read = readTranscript(Path, Err);
  ASSERT_TRUE(Read) << Err;
  ASSERT_EQ(Read->size(), 2u);
  EXPECT_EQ((*Read)[0].Messages[1].Content, "u\nwith \"quotes\"");
  EXPECT_EQ((*Read)[0].Reply.PromptTokens, 11u);

  auto Replay = makeReplayBackend(Path, Err);
  ASSERT_TRUE(Replay) << Err;
  EXPECT_EQ(Replay->complete({}).Content, "{\"suggestion\": {}}");
  EXPECT_EQ(Replay->complete({}).Content, "second");
  LlmReply Third = Replay->complete({});
  EXPECT_FALSE(Third.Ok);
  EXPECT_NE(Third.Error.find("no more exchanges"), std::string::npos);
  ::unlink(Tmpl);
}

TEST(Transcript, MalformedLineNamesFileAndLine) {
  char Tmpl[] = "/tmp/trace-opt-transcript-XXXXXX";
  int Fd = ::mkstemp(Tmpl);
  ASSERT_GE(Fd, 0);
  ASSERT_EQ(::write(Fd, "\n{not json\n", 11), 11);
  ::close(Fd);
  std::string Err;
  EXPECT_FALSE(readTranscript(Tmpl, Err));
  EXPECT_NE(Err.find(std::string(Tmpl) + ":2:"), std::string::npos) << Err;
  ::unlink(Tmpl);
}
