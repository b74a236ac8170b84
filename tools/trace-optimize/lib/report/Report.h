//===- Report.h - an optimization's history as one HTML page --------------===//
//
// `trace-optimize report WORK_DIR -o report.html` renders the history that
// `run` writes (History.h) as one self-contained HTML file: no network, no
// external script, style or font. It holds a summary, the score of every
// candidate as an SVG plot, the lineage of the candidates as an SVG tree,
// every step (diff, prompt, requests and replies, tokens, outcome) in
// collapsible sections, and the text of the best candidate's parameters.
// Every text from the history is HTML-escaped.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_REPORT_H
#define TRACEOPT_REPORT_H

#include "run/History.h"

#include <optional>
#include <string>
#include <string_view>

namespace traceopt {

struct ReportOptions {
  /// Prices in money units per million prompt and completion tokens (--price), for the cost of
  /// requests whose record has none.
  std::optional<double> PricePrompt, PriceCompletion;
  /// Shown in the title and the header (the work directory).
  std::string Title;
};

/// The HTML page.
std::string renderReport(const History &H, const ReportOptions &O);

/// Text made safe for HTML content and attribute values.
std::string htmlEscape(std::string_view Text);

} // namespace traceopt

#endif
