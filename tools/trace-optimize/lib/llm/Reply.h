//===- Reply.h - Parsing the LLM's reply ------------------------*- C++ -*-===//
#ifndef TRACEOPT_REPLY_H
#define TRACEOPT_REPLY_H

#include "prompt/Prompt.h"
#include "traceset/TraceSet.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

struct Suggestion {
  std::string ParamId;
  std::string NewText; ///< C++ text for the parameter's source range (converted to its type).
  /// The parameter's index in the TraceSet::Params the reply was parsed
  /// against, so that its checks need not look the id up again.
  uint32_t ParamIndex = NoIndex;
};

struct ParsedReply {
  std::string Reasoning;
  std::vector<Suggestion> Suggestions;
  std::vector<std::string> Errors; ///< Each names the cause (unknown name, bad value, no JSON...).
};

/// Finds the JSON object in \p Reply (bare, fenced, or inside prose; raw
/// newlines in strings are repaired), maps suggestion names back to parameter
/// ids through \p P and converts each value to its parameter's C++ type.
ParsedReply parseReply(std::string_view Reply, const Prompt &P, const TraceSet &T);

} // namespace traceopt

#endif
