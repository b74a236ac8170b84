//===- Transcript.cpp - record and replay LLM exchanges -------------------===//
#include "llm/Transcript.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>

namespace traceopt {

using nlohmann::json;

static std::string utcNow() {
  std::time_t Now = std::time(nullptr);
  std::tm Tm{};
  gmtime_r(&Now, &Tm);
  char Buf[32];
  std::strftime(Buf, sizeof(Buf), "%Y-%m-%dT%H:%M:%SZ", &Tm);
  return Buf;
}

bool appendExchange(const std::string &Path, const Exchange &E, std::string &Error) {
  // Ordered, so "k" comes first and a record reads top-down like the exchange did.
  using ojson = nlohmann::ordered_json;
  ojson Messages = ojson::array();
  for (const ChatMessage &M : E.Messages)
    Messages.push_back({{"role", M.Role}, {"content", M.Content}});
  ojson Record = {{"k", "exchange"},
                 {"time", utcNow()},
                 {"endpoint", E.Endpoint},
                 {"model", E.Model},
                 {"messages", std::move(Messages)},
                 {"ok", E.Reply.Ok},
                 {"status", E.Reply.Status},
                 {"reply", E.Reply.Content},
                 {"seconds", E.Reply.Seconds},
                 {"attempts", E.Reply.Attempts},
                 {"prompt_tokens", E.Reply.PromptTokens},
                 {"completion_tokens", E.Reply.CompletionTokens}};
  if (!E.Reply.Error.empty())
    Record["error"] = E.Reply.Error;
  if (!E.AttemptLog.empty())
    Record["retries"] = E.AttemptLog;
  std::ofstream Out(Path, std::ios::app | std::ios::binary);
  if (!Out) {
    Error = Path + ": cannot open the transcript for appending: " + std::strerror(errno);
    return false;
  }
  // Replace invalid UTF-8 rather than throwing: a reply may hold anything.
  Out << Record.dump(-1, ' ', false, ojson::error_handler_t::replace) << '\n';
  Out.flush();
  if (!Out) {
    Error = Path + ": write failed: " + std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<std::vector<Exchange>> readTranscript(const std::string &Path, std::string &Error) {
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    Error = Path + ": cannot open the transcript: " + std::strerror(errno);
    return std::nullopt;
  }
  std::vector<Exchange> Result;
  std::string Line;
  unsigned LineNo = 0;
  while (std::getline(In, Line)) {
    ++LineNo;
    if (Line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    json J = json::parse(Line, nullptr, /*allow_exceptions=*/false);
    if (J.is_discarded() || !J.is_object()) {
      Error = Path + ":" + std::to_string(LineNo) + ": not a JSON object";
      return std::nullopt;
    }
    if (J.value("k", "") != "exchange")
      continue;
    Exchange E;
    try {
      E.Endpoint = J.value("endpoint", "");
      E.Model = J.value("model", "");
      for (const json &M : J.at("messages"))
        E.Messages.push_back({M.at("role").get<std::string>(), M.at("content").get<std::string>()});
      E.Reply.Ok = J.at("ok").get<bool>();
      E.Reply.Status = J.value("status", 0L);
      E.Reply.Content = J.value("reply", "");
      E.Reply.Error = J.value("error", "");
      E.Reply.Seconds = J.value("seconds", 0.0);
      E.Reply.Attempts = J.value("attempts", 1u);
      E.Reply.PromptTokens = J.value("prompt_tokens", uint64_t(0));
      E.Reply.CompletionTokens = J.value("completion_tokens", uint64_t(0));
    } catch (const json::exception &Ex) {
      Error = Path + ":" + std::to_string(LineNo) + ": malformed exchange record: " + Ex.what();
      return std::nullopt;
    }
    Result.push_back(std::move(E));
  }
  return Result;
}

} // namespace traceopt
