//===- Llm.cpp - OpenAI-compatible chat client over libcurl ---------------===//
#include "llm/Llm.h"
#include "llm/Transcript.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

namespace traceopt {

using nlohmann::json;

LlmBackend::~LlmBackend() = default;

std::vector<LlmReply> LlmBackend::sample(const std::vector<ChatMessage> &Messages, const SampleOptions &) {
  return {complete(Messages)};
}

static std::string envOr(const char *Name) {
  const char *V = std::getenv(Name);
  return V ? std::string(V) : std::string();
}

bool configureFromEnvironment(LlmConfig &Config) {
  if (Config.BaseUrl.empty())
    Config.BaseUrl = envOr("OPENAI_BASE_URL");
  if (Config.BaseUrl.empty())
    Config.BaseUrl = envOr("OPENAI_API_BASE");
  if (Config.ApiKey.empty())
    Config.ApiKey = envOr("OPENAI_API_KEY");
  if (Config.Model.empty())
    Config.Model = envOr("TRACE_MODEL");
  if (Config.BaseUrl.empty() && Config.ApiKey.empty())
    return false;
  if (Config.BaseUrl.empty())
    Config.BaseUrl = "https://api.openai.com/v1";
  while (!Config.BaseUrl.empty() && Config.BaseUrl.back() == '/')
    Config.BaseUrl.pop_back();
  return true;
}

bool isLoopbackUrl(const std::string &Url) {
  size_t Start = Url.find("://");
  Start = Start == std::string::npos ? 0 : Start + 3;
  std::string Host = Url.substr(Start);
  Host = Host.substr(0, Host.find('/'));
  if (size_t At = Host.rfind('@'); At != std::string::npos)
    Host = Host.substr(At + 1);
  if (!Host.empty() && Host[0] == '[')
    return Host.rfind("[::1]", 0) == 0;
  Host = Host.substr(0, Host.find(':'));
  std::transform(Host.begin(), Host.end(), Host.begin(), [](unsigned char C) { return std::tolower(C); });
  if (Host == "localhost")
    return true;
  // A dotted IPv4 address in 127.0.0.0/8, not a name that merely starts with "127.".
  unsigned Parts = 0, Digits = 0;
  for (char C : Host) {
    if (C == '.') {
      if (!Digits)
        return false;
      ++Parts;
      Digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(C)) && Digits < 3) {
      ++Digits;
    } else {
      return false;
    }
  }
  return Parts == 3 && Digits && Host.rfind("127.", 0) == 0;
}

double backoffDelay(unsigned Attempt, double Initial, double Cap) {
  double D = std::min(Cap, Initial * std::pow(2.0, double(Attempt ? Attempt - 1 : 0)));
  static std::mutex M;
  static std::mt19937_64 Rng{std::random_device{}()};
  std::lock_guard<std::mutex> Lock(M);
  // Jitter spreads simultaneous clients apart; never below 75% of the nominal delay.
  return D * (1.0 - 0.25 * std::uniform_real_distribution<double>(0, 1)(Rng));
}

std::optional<double> retryAfterSeconds(const std::string &RetryAfter, const std::string &RetryAfterMs) {
  auto ParseNumber = [](const std::string &S) -> std::optional<double> {
    if (S.empty())
      return std::nullopt;
    char *End = nullptr;
    double V = std::strtod(S.c_str(), &End);
    while (End && *End && std::isspace(static_cast<unsigned char>(*End)))
      ++End;
    if (!End || *End || !std::isfinite(V))
      return std::nullopt;
    return V;
  };
  std::optional<double> Secs;
  if (auto Ms = ParseNumber(RetryAfterMs))
    Secs = *Ms / 1000.0;
  else if (auto S = ParseNumber(RetryAfter))
    Secs = *S;
  else if (!RetryAfter.empty()) {
    // An HTTP date.
    time_t When = curl_getdate(RetryAfter.c_str(), nullptr);
    if (When != -1)
      Secs = double(When - std::time(nullptr));
  }
  if (!Secs || *Secs < 0 || *Secs > 60)
    return std::nullopt;
  return Secs;
}

bool isRetryableStatus(long Status) {
  return Status == 408 || Status == 409 || Status == 429 || Status >= 500;
}

namespace {

struct HttpResult {
  CURLcode Code = CURLE_OK;
  std::string CurlError;
  long Status = 0;
  std::string Body;
  std::string RetryAfter, RetryAfterMs;
  /// The body grew past this many bytes, and the transfer was stopped.
  uint64_t MaxBody = 0;
  bool TooLarge = false;
};

size_t writeBody(char *Ptr, size_t Size, size_t N, void *User) {
  auto *R = static_cast<HttpResult *>(User);
  // A body without Content-Length (chunked) is only known to be too large while it arrives;
  // returning less than was given makes curl stop with CURLE_WRITE_ERROR.
  if (R->Body.size() + Size * N > R->MaxBody) {
    R->TooLarge = true;
    return 0;
  }
  R->Body.append(Ptr, Size * N);
  return Size * N;
}

std::string sizeText(uint64_t Bytes) {
  if (Bytes >= (1u << 20) && Bytes % (1u << 20) == 0)
    return std::to_string(Bytes >> 20) + " MiB";
  return std::to_string(Bytes) + " bytes";
}

size_t writeHeader(char *Ptr, size_t Size, size_t N, void *User) {
  auto *R = static_cast<HttpResult *>(User);
  std::string Line(Ptr, Size * N);
  size_t Colon = Line.find(':');
  if (Colon == std::string::npos)
    return Size * N;
  std::string Name = Line.substr(0, Colon);
  std::transform(Name.begin(), Name.end(), Name.begin(), [](unsigned char C) { return std::tolower(C); });
  std::string Value = Line.substr(Colon + 1);
  auto Trim = [](std::string &S) {
    S.erase(0, S.find_first_not_of(" \t"));
    S.erase(S.find_last_not_of(" \t\r\n") + 1);
  };
  Trim(Value);
  if (Name == "retry-after")
    R->RetryAfter = Value;
  else if (Name == "retry-after-ms")
    R->RetryAfterMs = Value;
  return Size * N;
}

/// What went wrong in a transfer that curl gave up on, in the user's terms: a server that
/// answered in part was reached, so "cannot reach" would send them looking at the network.
/// \p Status is the HTTP status that arrived before the failure, 0 if none did.
std::string transferProblem(CURLcode Code, const std::string &Url, const std::string &CurlError,
                            long Status) {
  switch (Code) {
  case CURLE_PARTIAL_FILE:
    return "the answer from " + Url + " was cut off before its end: " + CurlError;
  case CURLE_RECV_ERROR:
    return "the connection to " + Url + " broke: " + CurlError;
  case CURLE_OPERATION_TIMEDOUT:
    if (Status != 0)
      return "the answer from " + Url + " (HTTP " + std::to_string(Status) +
             ") did not arrive in full in time: " + CurlError + " (see --timeout)";
    return "cannot reach " + Url + ": " + CurlError + " (the request timed out; see --timeout)";
  case CURLE_GOT_NOTHING:
    return "cannot reach " + Url + ": " + CurlError + " (the server closed the connection without answering)";
  default:
    return "cannot reach " + Url + ": " + CurlError;
  }
}

/// The server's own error message, when the body is an OpenAI-style error object.
std::string serverMessage(const std::string &Body) {
  json J = json::parse(Body, nullptr, false);
  if (!J.is_discarded() && J.is_object() && J.contains("error")) {
    const json &E = J["error"];
    if (E.is_object() && E.contains("message") && E["message"].is_string())
      return E["message"].get<std::string>();
    if (E.is_string())
      return E.get<std::string>();
  }
  std::string S = Body.substr(0, 300);
  std::replace(S.begin(), S.end(), '\n', ' ');
  return S;
}

class HttpBackend : public LlmBackend {
public:
  HttpBackend(LlmConfig C, RetryNotifier N) : Config(std::move(C)), Notify(std::move(N)) {
    static std::once_flag Once;
    std::call_once(Once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  std::string describe() const override { return Config.BaseUrl; }

  LlmReply complete(const std::vector<ChatMessage> &Messages) override {
    return std::move(sample(Messages, SampleOptions()).front());
  }

  std::vector<LlmReply> sample(const std::vector<ChatMessage> &Messages, const SampleOptions &Opt) override {
    auto Start = std::chrono::steady_clock::now();
    Exchange Record;
    Record.Endpoint = Config.BaseUrl;
    Record.Model = Config.Model;
    Record.Messages = Messages;
    Sampling = Opt;
    std::vector<std::string> Extra;
    LlmReply Reply = attempt(Messages, Record.AttemptLog, &Extra);
    Sampling = SampleOptions();
    Reply.Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
    std::vector<LlmReply> Replies = {Reply};
    for (std::string &Content : Extra) {
      LlmReply More = Reply;
      More.Content = std::move(Content);
      More.PromptTokens = More.CompletionTokens = 0;
      Replies.push_back(std::move(More));
    }
    // One exchange per answer, so that a replay serves them in the same order.
    for (LlmReply &R : Replies) {
      if (Config.TranscriptPath.empty())
        break;
      Record.Reply = R;
      std::string Err;
      if (!appendExchange(Config.TranscriptPath, Record, Err) && R.Ok) {
        R.Ok = false;
        R.Error = Err;
      }
    }
    return Replies;
  }

private:
  std::string url() const { return Config.BaseUrl + "/chat/completions"; }

  HttpResult post(const std::string &Body) {
    HttpResult R;
    CURL *H = curl_easy_init();
    if (!H) {
      R.Code = CURLE_FAILED_INIT;
      R.CurlError = "curl_easy_init failed";
      return R;
    }
    char ErrBuf[CURL_ERROR_SIZE] = {0};
    struct curl_slist *Headers = nullptr;
    Headers = curl_slist_append(Headers, "Content-Type: application/json");
    std::string Auth;
    if (!Config.ApiKey.empty()) {
      Auth = "Authorization: Bearer " + Config.ApiKey;
      Headers = curl_slist_append(Headers, Auth.c_str());
    }
    std::string Url = url();
    curl_easy_setopt(H, CURLOPT_URL, Url.c_str());
    curl_easy_setopt(H, CURLOPT_HTTPHEADER, Headers);
    curl_easy_setopt(H, CURLOPT_POSTFIELDS, Body.c_str());
    curl_easy_setopt(H, CURLOPT_POSTFIELDSIZE, long(Body.size()));
    R.MaxBody = Config.MaxResponseBytes;
    curl_easy_setopt(H, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(H, CURLOPT_WRITEDATA, &R);
    // Refuses a declared Content-Length over the limit before reading any of the body.
    curl_easy_setopt(H, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(Config.MaxResponseBytes));
    curl_easy_setopt(H, CURLOPT_HEADERFUNCTION, writeHeader);
    curl_easy_setopt(H, CURLOPT_HEADERDATA, &R);
    curl_easy_setopt(H, CURLOPT_ERRORBUFFER, ErrBuf);
    curl_easy_setopt(H, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(H, CURLOPT_CONNECTTIMEOUT_MS, long(Config.ConnectTimeout * 1000));
    curl_easy_setopt(H, CURLOPT_TIMEOUT_MS, long(Config.RequestTimeout * 1000));
    curl_easy_setopt(H, CURLOPT_USERAGENT, "trace-optimize/0.1");
    // Proxies from the environment must not see loopback traffic.
    if (isLoopbackUrl(Url))
      curl_easy_setopt(H, CURLOPT_NOPROXY, "*");
    R.Code = curl_easy_perform(H);
    if (R.Code == CURLE_FILESIZE_EXCEEDED)
      R.TooLarge = true;
    if (R.Code != CURLE_OK)
      R.CurlError = ErrBuf[0] ? ErrBuf : curl_easy_strerror(R.Code);
    // Also after an error: a refused huge body still had a status worth recording.
    curl_easy_getinfo(H, CURLINFO_RESPONSE_CODE, &R.Status);
    curl_slist_free_all(Headers);
    curl_easy_cleanup(H);
    return R;
  }

  std::string requestBody(const std::vector<ChatMessage> &Messages) const {
    json Msgs = json::array();
    for (const ChatMessage &M : Messages)
      Msgs.push_back({{"role", M.Role}, {"content", M.Content}});
    json Req = {{"model", Config.Model}, {"messages", std::move(Msgs)}};
    if (Config.JsonMode)
      Req["response_format"] = {{"type", "json_object"}};
    if (Sampling.Temperature)
      Req["temperature"] = *Sampling.Temperature;
    else if (Config.Temperature)
      Req["temperature"] = *Config.Temperature;
    if (Sampling.N > 1)
      Req["n"] = Sampling.N;
    return Req.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  LlmReply attempt(const std::vector<ChatMessage> &Messages, std::vector<std::string> &Log,
                   std::vector<std::string> *Extra = nullptr) {
    LlmReply Reply;
    unsigned Retry = 0;
    while (true) {
      ++Reply.Attempts;
      HttpResult R = post(requestBody(Messages));
      // The last attempt's status (0: none arrived), not an earlier attempt's 5xx.
      Reply.Status = R.Status;
      std::string Why;
      std::optional<double> Wait;
      if (R.TooLarge) {
        // Not retried: the same server would send the same flood again.
        Reply.Error = "the answer from " + url() + " is larger than " + sizeText(Config.MaxResponseBytes) +
                      ", the limit for one response; refused (a chat completion is far smaller: is this the "
                      "right endpoint?)";
        return Reply;
      }
      if (R.Code != CURLE_OK) {
        Why = transferProblem(R.Code, url(), R.CurlError, R.Status);
      } else if ((R.Status == 400 || R.Status == 422) && Config.JsonMode &&
                 R.Body.find("response_format") != std::string::npos) {
        // The server does not do JSON mode: ask again in plain mode (this is not a retry).
        Config.JsonMode = false;
        Log.push_back("400: server rejected response_format; asking again without JSON mode");
        --Reply.Attempts;
        continue;
      } else if (R.Status != 200) {
        Why = url() + " answered HTTP " + std::to_string(R.Status) + ": " + serverMessage(R.Body);
        if (!isRetryableStatus(R.Status)) {
          Reply.Error = Why;
          return Reply;
        }
        Wait = retryAfterSeconds(R.RetryAfter, R.RetryAfterMs);
      } else {
        return parseCompletion(R.Body, Reply, Extra);
      }
      if (Retry >= Config.MaxRetries) {
        Reply.Error = Why + (Retry ? " (after " + std::to_string(Retry + 1) + " attempts)" : "");
        return Reply;
      }
      ++Retry;
      double Delay = Wait ? *Wait : backoffDelay(Retry, Config.BackoffInitial, Config.BackoffCap);
      Log.push_back(Why);
      if (Notify)
        Notify(Retry, Delay, Why);
      std::this_thread::sleep_for(std::chrono::duration<double>(Delay));
    }
  }

  LlmReply parseCompletion(const std::string &Body, LlmReply &Reply, std::vector<std::string> *Extra) {
    json J = json::parse(Body, nullptr, false);
    auto Malformed = [&](const std::string &What) {
      std::string Snip = Body.substr(0, 200);
      std::replace(Snip.begin(), Snip.end(), '\n', ' ');
      Reply.Error = "malformed response from " + url() + ": " + What + " (body starts: " + Snip + ")";
      return Reply;
    };
    if (J.is_discarded() || !J.is_object())
      return Malformed("not a JSON object");
    if (!J.contains("choices") || !J["choices"].is_array() || J["choices"].empty())
      return Malformed("no \"choices\"");
    const json &Choice = J["choices"][0];
    if (!Choice.is_object() || !Choice.contains("message") || !Choice["message"].is_object())
      return Malformed("choices[0] has no \"message\"");
    const json &Content = Choice["message"].value("content", json());
    if (!Content.is_string())
      return Malformed("choices[0].message.content is not a string");
    Reply.Content = Content.get<std::string>();
    // The other answers of a request with "n"; one that is not a string is left out.
    for (size_t I = 1; Extra && I < J["choices"].size(); ++I) {
      const json &C = J["choices"][I];
      if (C.is_object() && C.contains("message") && C["message"].is_object() &&
          C["message"].value("content", json()).is_string())
        Extra->push_back(C["message"]["content"].get<std::string>());
    }
    if (J.contains("usage") && J["usage"].is_object()) {
      const json &U = J["usage"];
      if (U.contains("prompt_tokens") && U["prompt_tokens"].is_number_unsigned())
        Reply.PromptTokens = U["prompt_tokens"].get<uint64_t>();
      if (U.contains("completion_tokens") && U["completion_tokens"].is_number_unsigned())
        Reply.CompletionTokens = U["completion_tokens"].get<uint64_t>();
    }
    Reply.Ok = true;
    return Reply;
  }

  LlmConfig Config;
  RetryNotifier Notify;
  /// The options of the request in progress (sample()).
  SampleOptions Sampling;
};

class ReplayBackend : public LlmBackend {
public:
  ReplayBackend(std::string P, std::vector<Exchange> E) : Path(std::move(P)), Exchanges(std::move(E)) {}

  std::string describe() const override { return "replay of " + Path; }

  LlmReply complete(const std::vector<ChatMessage> &) override {
    if (Next >= Exchanges.size()) {
      LlmReply R;
      R.Error = Path + ": the transcript has no more exchanges (it recorded " +
                std::to_string(Exchanges.size()) + ")";
      return R;
    }
    return Exchanges[Next++].Reply;
  }

private:
  std::string Path;
  std::vector<Exchange> Exchanges;
  size_t Next = 0;
};

} // namespace

std::unique_ptr<LlmBackend> makeHttpBackend(LlmConfig Config, RetryNotifier Notify) {
  return std::make_unique<HttpBackend>(std::move(Config), std::move(Notify));
}

std::unique_ptr<LlmBackend> makeReplayBackend(const std::string &TranscriptPath, std::string &Error) {
  auto Ex = readTranscript(TranscriptPath, Error);
  if (!Ex)
    return nullptr;
  return std::make_unique<ReplayBackend>(TranscriptPath, std::move(*Ex));
}

} // namespace traceopt
