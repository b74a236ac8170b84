//===- Graph.h - Edges of the execution graph -------------------*- C++ -*-===//
//
// Resolves the ids of a TraceSet into index-based adjacency (CSR arrays, no
// per-node allocation) so that the backward pass and the prompt can walk the
// graph in linear time. Edges point from an input to the node that uses it:
//   * data flow: an argument (or `this`) whose `from` or `derived` names a node;
//   * parent/child: a call made inside a bundle feeds its parent's output.
// Parameters (trainable code of a node's site, trainable globals it reads,
// trainable variables its arguments came from, `from_param`) are inputs of a
// node too; they are kept separately, as indices into TraceSet::Params.
//
// Indices are 32 bits (the reader keeps nodes plus arguments below 2^32) and
// the arrays are RecycledVectors: at a million nodes the graph is about
// 30 MB, built afresh for every backward pass, and faulting in fresh pages
// would otherwise dominate its cost.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_GRAPH_H
#define TRACEOPT_GRAPH_H

#include "traceset/TraceSet.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace traceopt {

struct Graph {
  /// Inputs of node I: InputIdx[InputBegin[I] .. InputBegin[I+1]).
  RecycledVector<uint32_t> InputBegin, InputIdx;
  /// Users of node I (reverse of inputs): UserIdx[UserBegin[I] .. UserBegin[I+1]).
  RecycledVector<uint32_t> UserBegin, UserIdx;
  /// Parameters read by node I: ParamIdx[ParamBegin[I] .. ParamBegin[I+1]).
  RecycledVector<uint32_t> ParamBegin, ParamIdx;
  /// Node index of each feedback (TraceSet::Feedbacks order); npos for
  /// feedback about the whole run, for feedback on a value built from
  /// several outputs, and for a node that is not in the trace.
  std::vector<size_t> FeedbackNode;
  /// Feedback F on a value built from parts of several outputs is about each
  /// of them: FeedbackDerivedIdx[FeedbackDerivedBegin[F] ..
  /// FeedbackDerivedBegin[F+1]) are their node indices, those in the trace.
  std::vector<uint32_t> FeedbackDerivedBegin, FeedbackDerivedIdx;
  /// Per instance: 1 when some feedback is about the whole run. Such
  /// feedback is about every output of the run, the results of its
  /// top-level calls (see isRunOutput).
  std::vector<uint8_t> RunFeedback;
  /// Parent index of each node, NoIndex at top level.
  RecycledVector<uint32_t> Parent;
};

/// Builds the graph of \p T in time linear in its size.
Graph buildGraph(const TraceSet &T);

/// How many graphs buildGraph has built in this process: a step builds one
/// (see GraphPass), which tests and measurements check.
size_t graphsBuilt();

/// Whether run-level feedback is about node \p I: a top-level call (parent
/// 0) of a run that got such feedback.
bool isRunOutput(const TraceSet &T, const Graph &G, size_t I);

} // namespace traceopt

#endif
