//===- Summary.h - A short, human-readable account of a trace ---*- C++ -*-===//
//
// What `trace-optimize summary` prints: how many calls of which functions a
// run recorded, the edges between them, the trainable parameters, the
// feedback, and which parameters the feedback reaches.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEOPT_SUMMARY_H
#define TRACEOPT_SUMMARY_H

#include "graph/Backward.h"
#include "traceset/TraceSet.h"

#include <string>

namespace traceopt {

struct SummaryOptions {
  unsigned MaxFeedback = 5; ///< Feedback lines shown before "... and N more".
  unsigned MaxWidth = 100;  ///< Longer texts and values are cut with "...".
};

std::string summarize(const TraceSet &T, const Subgraph &G, const SummaryOptions &O = {});

} // namespace traceopt

#endif
