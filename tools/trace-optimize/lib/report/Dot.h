//===- Dot.h - The execution graph as a Graphviz picture --------*- C++ -*-===//
//
// `trace-optimize graph` draws the graph of one or more traces: calls,
// trainable parameters and feedback as nodes; data flow, caller-to-callee
// and parameter reads as edges; and, in one colour per parameter, the part of
// the graph the backward pass selects for that parameter (the calls on a
// path from the parameter to some feedback), so the picture says why a
// parameter was blamed.
//
// A trace may hold millions of calls, so calls are folded before anything is
// drawn: the calls of one function in a row under the same caller (a loop
// `y = f(y)`) become one node with their count, and the calls made by the
// calls of a folded node are folded alike. When that still leaves more than
// the node budget, calls are folded by function under each caller, and then
// the deepest, unhighlighted nodes are left out, each counted in the label
// of the nearest caller drawn. Folding is linear in the size of the trace.
//
// The DOT text is ours; SVG and PNG come from Graphviz's `dot` program.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_DOT_H
#define TRACEOPT_DOT_H

#include "graph/Backward.h"
#include "graph/Graph.h"
#include "traceset/TraceSet.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace traceopt {

struct DotOptions {
  /// Call nodes drawn at most (`--max-nodes`); parameters, feedback and
  /// the legend come on top.
  size_t MaxNodes = 100;
  /// A value is cut to this many characters in a label (`--max-value-chars`).
  size_t MaxValueChars = 24;
};

/// The DOT text of the graph \p G of \p T, with the subgraph \p S of the
/// backward pass highlighted per parameter. Linear in the size of \p T.
std::string renderDot(const TraceSet &T, const Graph &G, const Subgraph &S, const DotOptions &O = {});

/// Appends \p Text for the inside of a DOT double-quoted string, shown as
/// written: '"' and '\' escaped, a line break or other control byte as its
/// C escape (`\n`, `\x01`), and each byte that is not part of well-formed
/// UTF-8 as `\xNN`, since DOT input must be UTF-8.
void appendDotEscaped(std::string &Dst, std::string_view Text);

/// The path of the executable \p Name found on $PATH, or "" when none is.
std::string findProgram(std::string_view Name);

/// Why `--format` \p Format cannot be made here (Graphviz's `dot` is not
/// on $PATH, and which package has it), or "" when it can.
std::string graphvizMissing(const std::string &Format);

/// Renders \p Dot with Graphviz's `dot -T<Format>` into \p OutPath (standard
/// output when empty or "-"). False with \p Error naming the cause, and the
/// Debian package to install when `dot` is missing.
bool runGraphviz(const std::string &Dot, const std::string &Format, const std::string &OutPath, std::string &Error);

} // namespace traceopt

#endif
