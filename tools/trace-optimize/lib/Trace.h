//===- Trace.h - Reading trace files (docs/trace-format.md) -----*- C++ -*-===//
//
// The in-memory form of one or more trace files. Each file is one *instance*
// (one run of the program); a minibatch is several instances whose feedback
// is combined in one prompt. Node ids are unique only within their file, so a
// node is identified by (Instance, Id); sites and parameters are merged across
// files by their key / id.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_TRACE_H
#define TRACEOPT_TRACE_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

/// One argument of a call, the `this` object, or a trainable global read by
/// the call (then Name is the parameter id, e.g. "var:ns::gain").
struct Arg {
  std::string Name, Type, Value;
  uint64_t From = 0; ///< Producing node's id in the same instance, 0 if none.
  bool Modified = false;
};

/// One bundle call.
struct Node {
  uint64_t Id = 0;
  int Site = -1;       ///< Index into TraceSet::Sites, -1 if the site is unknown.
  uint64_t Parent = 0; ///< Id of the enclosing call in the same instance, 0 at top level.
  unsigned Thread = 0, Instance = 0;
  std::vector<Arg> Args;
  std::optional<Arg> This;
  std::vector<Arg> Globals; ///< Name = param id.
  bool Finished = false;    ///< A `ret` record was seen.
  std::optional<std::string> RetType, Ret;
  std::optional<std::string> ExcType, ExcWhat;
};

/// A bundle function. Sites with the same Key are one site across files.
struct Site {
  std::string Key, Name, Signature, File, Doc;
  std::string ParamId; ///< "code:<Key>" when the function is trainable, else "".
  unsigned Line = 0;
  std::vector<std::string> Params;
};

/// A trainable parameter: a function's definition ("code") or a variable's
/// initializer ("value"), with its exact byte range in the original file.
struct Param {
  std::string Id, Kind /* "code"|"value" */, Name, File, Hash, Text, Signature, Type, Value, Constraint;
  unsigned Line = 0;
  uint64_t Begin = 0, End = 0;
};

struct Feedback {
  uint64_t Node = 0; ///< Node id in its instance; 0 = latest top-level node.
  std::string Text;
  std::optional<double> Score;
  bool Success = false;
  unsigned Instance = 0;
};

struct TuInfo {
  std::string File, Directory;
  std::vector<std::string> Args;
};

/// Node id -> index into TraceSet::Nodes for one instance: open addressing in
/// one flat array, since a trace may hold millions of nodes and a node-based
/// hash map costs an allocation per node.
class NodeIdMap {
public:
  static constexpr size_t npos = ~size_t(0);
  void reserve(size_t N);
  /// Adds Id -> Index; false if Id is already present (the map is unchanged).
  bool insert(uint64_t Id, size_t Index);
  /// The index of Id, or npos.
  size_t find(uint64_t Id) const;
  size_t size() const { return Count; }

private:
  void grow(size_t MinSlots);
  std::vector<std::pair<uint64_t, size_t>> Slots; ///< Id 0 marks an empty slot (0 is never a node id).
  size_t Count = 0;
};

/// Everything read from one or more trace files.
struct TraceSet {
  std::vector<Site> Sites;
  std::vector<Node> Nodes; ///< Grouped by instance, in file order within one.
  std::vector<Param> Params;
  std::vector<Feedback> Feedbacks;
  std::vector<TuInfo> Tus;
  std::vector<std::string> Warnings; ///< e.g. "run.jsonl: no 'end' record (the program crashed?)"
  std::vector<std::string> Files;    ///< Path of each instance.

  /// (Instance, Id) -> index into Nodes; one map per instance.
  std::vector<NodeIdMap> IdToIndex;

  const Param *findParam(std::string_view Id) const;
  const Site *findSite(std::string_view Key) const;
  /// Index of node \p Id of instance \p Instance, or npos.
  size_t indexOf(unsigned Instance, uint64_t Id) const;
  static constexpr size_t npos = ~size_t(0);
};

/// Reads the trace files \p Paths; file I becomes instance I. On failure
/// returns nullopt and sets \p Error to a message naming file:line and the cause.
std::optional<TraceSet> loadTraces(const std::vector<std::string> &Paths, std::string &Error);

/// Like loadTraces for text already in memory; \p Name is used in messages.
/// Appends one instance to \p T.
bool parseTraceText(std::string_view Text, const std::string &Name, TraceSet &T, std::string &Error);

} // namespace traceopt

#endif
