//===- Prompt.h - The optimization problem as an LLM prompt -----*- C++ -*-===//
//
// Renders the subgraph found by the backward pass in the layout described in
// docs/prompt.md. All wording lives in PromptText.h.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_PROMPT_H
#define TRACEOPT_PROMPT_H

#include "graph/Backward.h"
#include "traceset/TraceSet.h"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace traceopt {

struct PromptOptions {
  size_t TokenBudget = 12000;  ///< For the user message; tokens estimated as chars/4.
  size_t MaxValueChars = 1000; ///< Longer values are cut in the middle.
  unsigned MemorySize = 0;     ///< How many earlier (variables, feedback) pairs to show.
  /// Directory of a compile_commands.json ("-p"), for the C++ standard of a file that no
  /// translation unit record of the trace names; as the check finds it.
  std::string CompileCommandsDir;
};

/// Earlier steps: the variables as shown then and the feedback they got, oldest first.
struct Memory {
  std::vector<std::pair<std::string /*variables*/, std::string /*feedback*/>> Entries;
};

struct Prompt {
  std::string System, User;
  std::map<std::string, std::string> NameToParamId; ///< "__code0" -> "code:f(int)"
  /// The #Variables and #Feedback sections as rendered, for a later Memory entry.
  std::string VariablesText, FeedbackText;
};

Prompt buildPrompt(const TraceSet &T, const Subgraph &G, const PromptOptions &O,
                   const Memory *M = nullptr);
/// The same from the graph \p Gr that the backward pass walked (buildGraph(T)),
/// which is not built again.
Prompt buildPrompt(const TraceSet &T, const Graph &Gr, const Subgraph &G, const PromptOptions &O,
                   const Memory *M = nullptr);
/// The same from a step's GraphPass, building the graph only if it has none.
Prompt buildPrompt(const TraceSet &T, const GraphPass &Pass, const PromptOptions &O, const Memory *M = nullptr);

/// Estimated token count of \p Text.
size_t estimateTokens(std::string_view Text);

/// \p Definition (a code parameter's text) without its
/// `[[trace::trainable]]` / `[[trace::trainable("...")]]` attribute: the
/// prompt shows the function as the LLM should write it (the constraint
/// text is in #Constraints, and applying a suggestion restores the
/// attribute). Other attributes in the same `[[...]]` stay; text that only
/// looks like an attribute (in a comment or a string) is left alone.
std::string withoutTrainableAttribute(std::string_view Definition);

/// The headers named by the `#include` lines of \p FileText, as written
/// (`<cmath>`, `"util.h"`), in order.
std::vector<std::string> includedHeaders(std::string_view FileText);

} // namespace traceopt

#endif
