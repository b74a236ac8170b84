//===- Transcript.h - record and replay LLM exchanges ---------------------===//
//
// A transcript is a JSON Lines file with one record per LLM exchange: the
// request messages, the reply, the HTTP status, the timing and the token
// usage. It never holds the API key. A replay backend serves it back so a run
// repeats offline.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_TRANSCRIPT_H
#define TRACEOPT_TRANSCRIPT_H

#include "llm/Llm.h"

#include <optional>
#include <string>
#include <vector>

namespace traceopt {

struct Exchange {
  std::string Endpoint, Model;
  std::vector<ChatMessage> Messages;
  LlmReply Reply;
  /// One line per failed attempt before the final one ("429 after 0.1 s").
  std::vector<std::string> AttemptLog;
};

/// Appends one record; the file is created if missing.
bool appendExchange(const std::string &Path, const Exchange &E, std::string &Error);

/// Reads every exchange; errors name the file and line.
std::optional<std::vector<Exchange>> readTranscript(const std::string &Path, std::string &Error);

} // namespace traceopt

#endif
