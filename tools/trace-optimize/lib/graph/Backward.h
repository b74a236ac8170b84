//===- Backward.h - The backward pass ---------------------------*- C++ -*-===//
//
// Finds the part of the graph through which feedback reaches the trainable
// parameters: the nodes lying on a path from some parameter to some node that
// got feedback. Linear time: one reverse reachability from the feedback nodes,
// one forward reachability from the parameters they reach, intersected.
// Feedback on a value built from parts of several outputs starts at each of
// their calls; feedback about a whole run starts at every top-level call of
// the run. A
// call that threw inside a call of the subgraph is kept too: the exception
// is what its caller's result is about.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_BACKWARD_H
#define TRACEOPT_BACKWARD_H

#include "graph/Graph.h"
#include "traceset/TraceSet.h"

#include <string>
#include <vector>

namespace traceopt {

struct Subgraph {
  /// Indices into TraceSet::Nodes, topological (inputs first). It may hold
  /// millions of nodes, once per backward pass: see RecycledVector.
  RecycledVector<size_t> Nodes;
  /// The trainable parameters feedback reaches, as indices into
  /// TraceSet::Params, in order of first use along Nodes.
  std::vector<uint32_t> Params;
  /// Nodes of Nodes that got feedback naming them (as its node or in its
  /// `derived` list), in feedback order.
  std::vector<size_t> Outputs;
  /// Top-level nodes of Nodes that only run-level feedback is about, in
  /// topological order (none of them in Outputs).
  std::vector<size_t> RunOutputs;
};

/// The backward pass over all feedback of \p T.
Subgraph backward(const TraceSet &T);
Subgraph backward(const TraceSet &T, const Graph &G);

/// The graph of a trace and the backward pass over it, built once for all
/// that a step renders from them (the prompt walks the same graph).
struct GraphPass {
  Graph G;
  Subgraph Sub;
  /// False when the trace has no parameters: then the graph is not built
  /// and Sub is empty, as backward(T) gives it.
  bool Built = false;
};
GraphPass backwardPass(const TraceSet &T);

} // namespace traceopt

#endif
