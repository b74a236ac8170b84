//===- Llm.h - OpenAI-compatible chat client ------------------------------===//
//
// The optimizer talks to any server that speaks the OpenAI /chat/completions
// protocol (OpenAI, llama.cpp's server, Ollama, vLLM). The backend interface
// lets a transcript replay stand in for the network.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_LLM_H
#define TRACEOPT_LLM_H

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace traceopt {

struct ChatMessage {
  std::string Role, Content;
};

struct LlmConfig {
  /// Base URL up to and excluding "/chat/completions", e.g. "https://api.openai.com/v1".
  std::string BaseUrl;
  /// Sent only in the Authorization header; never written anywhere.
  std::string ApiKey;
  std::string Model;
  double ConnectTimeout = 10;
  /// Limit for one whole request (connect, send, wait, receive).
  double RequestTimeout = 300;
  /// Retries after the first attempt on connection errors and 408/409/429/5xx.
  unsigned MaxRetries = 2;
  /// First back-off delay in seconds; doubles per retry up to BackoffCap, with jitter.
  double BackoffInitial = 0.5;
  double BackoffCap = 8;
  /// Ask for response_format json_object; dropped automatically if the server rejects it.
  bool JsonMode = true;
  std::optional<double> Temperature;
  /// Append every exchange here (JSON Lines) when not empty.
  std::string TranscriptPath;
  /// Largest response body accepted. A chat completion is kilobytes; anything near this is a
  /// wrong endpoint or a broken server, and reading it whole would only fill memory.
  uint64_t MaxResponseBytes = 16u << 20;
};

struct LlmReply {
  bool Ok = false;
  std::string Content;
  /// Why the request failed (names the URL and the cause) when !Ok.
  std::string Error;
  long Status = 0;
  uint64_t PromptTokens = 0, CompletionTokens = 0;
  double Seconds = 0;
  unsigned Attempts = 0;
};

/// How one request for several answers is made (a search's candidates).
struct SampleOptions {
  /// Answers wanted. An endpoint that honours "n" gives them in one request; the others are
  /// asked again, one answer per request.
  unsigned N = 1;
  /// Overrides the configured temperature when set.
  std::optional<double> Temperature;
};

class LlmBackend {
public:
  virtual ~LlmBackend();
  virtual LlmReply complete(const std::vector<ChatMessage> &Messages) = 0;
  /// Up to Opt.N answers to the same messages from one request. Fewer come back when the
  /// endpoint ignores "n" (the default: one, from complete()); a failed request gives one
  /// reply that is not Ok. The tokens of the request are counted in the first reply.
  virtual std::vector<LlmReply> sample(const std::vector<ChatMessage> &Messages, const SampleOptions &Opt);
  /// Where requests go, for messages ("http://127.0.0.1:8080/v1", "replay of t.jsonl").
  virtual std::string describe() const = 0;
};

/// Called before each wait between retries: attempt number, seconds, reason.
using RetryNotifier = std::function<void(unsigned, double, const std::string &)>;

std::unique_ptr<LlmBackend> makeHttpBackend(LlmConfig Config, RetryNotifier Notify = nullptr);

/// Serves the replies recorded in a transcript, in order, without any network.
std::unique_ptr<LlmBackend> makeReplayBackend(const std::string &TranscriptPath, std::string &Error);

/// Fills BaseUrl/ApiKey/Model from OPENAI_BASE_URL (or OPENAI_API_BASE), OPENAI_API_KEY and
/// TRACE_MODEL, leaving fields already set alone. Returns false when no endpoint is configured
/// at all (no base URL and no key).
bool configureFromEnvironment(LlmConfig &Config);

/// True for 127.0.0.0/8, ::1 and localhost, where no key is needed.
bool isLoopbackUrl(const std::string &Url);

/// The delay before retry number Attempt (1-based) when the server gave no usable Retry-After:
/// Initial * 2^(Attempt-1), capped, minus up to 25% jitter.
double backoffDelay(unsigned Attempt, double Initial, double Cap);

/// Parses Retry-After (seconds) / retry-after-ms header values; nullopt unless within 0..60 s.
std::optional<double> retryAfterSeconds(const std::string &RetryAfter, const std::string &RetryAfterMs);

bool isRetryableStatus(long Status);

} // namespace traceopt

#endif
