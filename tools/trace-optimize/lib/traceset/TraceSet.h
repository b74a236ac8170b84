//===- TraceSet.h - Reading trace files (docs/trace-format.md) --*- C++ -*-===//
//
// The in-memory form of one or more trace files. Each file is one *instance*
// (one run of the program); a minibatch is several instances whose feedback
// is combined in one prompt. Node ids are unique only within their file, so a
// node is identified by (Instance, Id); sites and parameters are merged across
// files by their key / id.
//
// A trace may hold tens of millions of calls, so a loaded call is a small
// skeleton (Node, 8 bytes): what the graph, the backward pass and the
// summary walk. The values of a call of a binary trace stay in the file,
// which the set keeps mapped: they are decoded when a consumer asks for
// them (TraceSet::call), and only the data-flow facts of the values that
// have some (a producer, derived producers, a parameter) are kept apart
// (Fact). A JSON Lines trace, or a set built by hand, keeps its values
// (CallValues, Arg): views into text owned by the TraceSet (a few large
// blocks), the arguments of all calls in one array. Both kinds of node are
// read through the same CallView.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_TRACESET_H
#define TRACEOPT_TRACESET_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

/// Marks a 32-bit node index that names no node.
constexpr uint32_t NoIndex = ~uint32_t(0);

/// Memory for arrays that grow with the trace. From 4 MiB on it comes
/// straight from mmap, aligned to 2 MiB and advised to use transparent huge
/// pages: a fresh million-node array then costs a few page faults instead of
/// thousands (about 10 us each on a VM). Smaller requests use operator new.
/// With \p Recycle, a freed block is kept (up to 128 MiB in all) for the
/// next such allocation: for structures built again and again, like the
/// graph of every backward pass, whose fresh pages the kernel would
/// otherwise zero each time.
void *allocateLarge(size_t Bytes, bool Recycle);
void deallocateLarge(void *P, size_t Bytes, bool Recycle);

template <class T, bool Recycle = false> struct LargeAllocator {
  using value_type = T;
  template <class U> struct rebind {
    using other = LargeAllocator<U, Recycle>;
  };
  LargeAllocator() = default;
  template <class U> LargeAllocator(const LargeAllocator<U, Recycle> &) {}
  T *allocate(size_t N) { return static_cast<T *>(allocateLarge(N * sizeof(T), Recycle)); }
  void deallocate(T *P, size_t N) { deallocateLarge(P, N * sizeof(T), Recycle); }
  template <class U> bool operator==(const LargeAllocator<U, Recycle> &) const { return true; }
  template <class U> bool operator!=(const LargeAllocator<U, Recycle> &) const { return false; }
};

template <class T> using LargeVector = std::vector<T, LargeAllocator<T>>;
template <class T> using RecycledVector = std::vector<T, LargeAllocator<T, true>>;

/// One argument of a call, the `this` object, or a trainable global read by
/// the call (then Name is the parameter id, e.g. "var:ns::gain"). The strings
/// are views into the text of the TraceSet holding the argument.
struct Arg {
  std::string_view Name, Type, Value;
  uint64_t From = 0; ///< Producing node's id in the same instance, 0 if none.
  /// Index of the From node in TraceSet::Nodes, filled in by the reader so
  /// that the graph need not look ids up again; NoIndex when unresolved
  /// (then users look From up).
  uint32_t FromIndex = NoIndex;
  bool Modified = false;
  /// The argument also carries `derived` producers or a `from_param`, kept
  /// in TraceSet::Extras (few arguments do; Arg stays 64 bytes).
  bool HasExtra = false;
};

/// One producer of a `derived` list: its id in the argument's instance and
/// its index in TraceSet::Nodes (NoIndex until resolved).
struct DerivedRef {
  uint64_t Id = 0;
  uint32_t Index = NoIndex;
};

/// What an argument carries beyond Arg: the nodes whose outputs it was built
/// from in parts (`derived`, data-flow edges like `from`) and the trainable
/// variable it came from (`from_param`, a parameter edge like a global).
struct ArgExtra {
  uint32_t ArgIndex = 0;                     ///< Index into TraceSet::Args.
  uint32_t FirstDerived = 0, NumDerived = 0; ///< TraceSet::Derived[FirstDerived ..).
  uint64_t DerivedOmitted = 0;               ///< Producers the runtime did not list.
  std::string_view FromParam;                ///< Parameter id ("var:ns::gain"), or empty.
};

/// Where an exception was thrown (the `file`/`line` of a `ret` record's
/// exception), kept apart from Node since few calls throw.
struct ThrowSite {
  uint32_t Node = 0; ///< Index into TraceSet::Nodes.
  std::string_view File;
  unsigned Line = 0;
};

/// The result part of a call's values: a normal return (type and value,
/// each optional) or an exception (type and `what`).
class CallResult {
public:
  /// The `ret` record's type and value, or the exception's type and `what`.
  std::optional<std::string_view> retType() const { return part(HasRetType, ResultType); }
  std::optional<std::string_view> ret() const { return part(HasRet, ResultValue); }
  std::optional<std::string_view> excType() const { return part(HasExcType, ResultType); }
  std::optional<std::string_view> excWhat() const { return part(HasExcWhat, ResultValue); }
  bool threw() const { return ResultParts & (HasExcType | HasExcWhat); }

  /// A normal return: a void function has no value, a result that was not
  /// captured no type. The views must live as long as the holder.
  void setReturn(std::optional<std::string_view> Type, std::optional<std::string_view> Value);
  void setException(std::optional<std::string_view> Type, std::optional<std::string_view> What);

private:
  enum : uint8_t { HasRetType = 1, HasRet = 2, HasExcType = 4, HasExcWhat = 8 };
  std::optional<std::string_view> part(uint8_t Flag, std::string_view S) const {
    if (ResultParts & Flag)
      return S;
    return std::nullopt;
  }
  /// A call either returns or throws: both share the two views below.
  uint8_t ResultParts = 0;
  std::string_view ResultType, ResultValue;
};

/// One bundle call: the skeleton, 8 bytes, since a trace may hold tens of
/// millions and the kernel zeroes every byte a loaded node takes. Its id and
/// instance are TraceSet::id and TraceSet::instance: a lazy node's follow
/// from its file, a materialized node's are kept with its values. Its values
/// are in a CallView (TraceSet::call); a materialized node's are in
/// TraceSet::Calls.
struct Node {
  Node() : Site(-1), Flags(0) {}
  /// Index of the parent in TraceSet::Nodes; NoIndex at top level, or when
  /// the parent is not known (then TraceSet::parentId has its id).
  uint32_t ParentIndex = NoIndex;
  /// Index into TraceSet::Sites, -1 if the site is unknown (see MaxSites).
  int32_t Site : 27;
  uint32_t Flags : 5;

  /// Sites a set can hold: Site has 27 bits.
  static constexpr size_t MaxSites = (size_t(1) << 26) - 1;

  enum : uint8_t { FinishedFlag = 1, ThrewFlag = 2, TopLevelFlag = 4, LazyFlag = 8, FactsFlag = 16 };
  /// A `ret` record was seen.
  bool finished() const { return Flags & FinishedFlag; }
  /// The call ended by an exception.
  bool threw() const { return Flags & ThrewFlag; }
  /// The call's parent id is 0 (it is not inside another recorded call).
  bool topLevel() const { return Flags & TopLevelFlag; }
  /// Its values are in a binary trace file, decoded when asked for.
  bool lazy() const { return Flags & LazyFlag; }
  /// A lazy node with entries in TraceSet::Facts.
  bool hasFacts() const { return Flags & FactsFlag; }
  void setFlag(uint8_t F, bool On) { Flags = uint8_t(On ? Flags | F : Flags & ~F); }
};
static_assert(sizeof(Node) == 8, "a loaded call costs this much memory");

/// What TraceSet::addNode takes to build a node by hand: the skeleton's
/// fields by id, and the result.
struct NodeInit : CallResult {
  uint64_t Id = 0;
  uint64_t Parent = 0; ///< Id of the enclosing call in the same instance, 0 at top level.
  int Site = -1;
  unsigned Instance = 0;
  bool Finished = false;
};

/// The values of a materialized node: TraceSet::Args[FirstArg ..):
/// NumArgs arguments, then `this` when HasThis, then NumGlobals globals.
struct CallValues : CallResult {
  uint64_t Id = 0; ///< The node's id (TraceSet::id).
  uint32_t FirstArg = 0, NumArgs = 0, NumGlobals = 0;
  uint16_t Instance = 0; ///< The node's instance (TraceSet::instance).
  bool HasThis = false;
};

/// A data-flow fact of one value of a node read lazily from a binary
/// trace: the graph's view of the values that carry one. 16 bytes: in a
/// trace where each call's argument is the previous call's result (y =
/// f(y, i)) every call has one. The producer is kept by its index only: its
/// id is TraceSet::id(FromIndex), and a producer that is not in the trace
/// is dropped when the trace is read. What few values have (`derived`
/// producers, a parameter) is in a FactExtra.
struct Fact {
  enum Kind : uint8_t { Argument, This, Global };
  Fact() : Pos(0), What(Argument), Modified(false) {}
  uint32_t Node = 0; ///< Index into TraceSet::Nodes.
  /// The value's position: arguments in order, then `this`, then globals.
  uint32_t Pos : 24;
  Kind What : 2;
  bool Modified : 1;
  uint32_t FromIndex = NoIndex; ///< Producer's index, NoIndex if none.
  /// Index into TraceSet::FactExtras, NoIndex if the value has no extra.
  uint32_t Extra = NoIndex;

  /// Values a call can have: Pos has 24 bits.
  static constexpr size_t MaxPos = (size_t(1) << 24) - 1;
};
static_assert(sizeof(Fact) == 16, "a trace may hold a fact per call");

/// The `derived` producers and the parameter of a value with a Fact.
struct FactExtra {
  uint32_t FirstDerived = 0, NumDerived = 0; ///< TraceSet::Derived[FirstDerived ..).
  uint64_t DerivedOmitted = 0;
  /// A global's parameter id, or an argument's `from_param`; empty if none.
  std::string_view Param;
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
  /// Node id in its instance; 0 = about the whole run (trace::feedback(text),
  /// trace::success(), or a value whose producer is not in the graph), or
  /// about a value built from parts of the outputs in Derived.
  uint64_t Node = 0;
  std::string Text;
  /// Why a feedback on a value names no node ("not produced by a recorded
  /// call"); empty otherwise.
  std::string Unattributed;
  /// With Node 0: the producers of a value built from parts of several
  /// outputs (`derived`), in the record's order. The reader keeps only
  /// nodes of the trace; Index is filled in when it resolves them.
  std::vector<DerivedRef> Derived;
  /// Producers of that value not in Derived: those the runtime did not list
  /// (`derived_omitted`) and listed ones that are not in the trace, so that
  /// the value is never described as built from fewer outputs than it was.
  uint64_t DerivedOmitted = 0;
  std::optional<double> Score;
  bool Success = false;
  bool Uncaught = false; ///< Written by the terminate handler.
  unsigned Instance = 0;

  /// The feedback is on a value built from parts of several outputs, not on
  /// the whole run, even when none of its producers is in the trace.
  bool onDerivedValue() const { return Node == 0 && (!Derived.empty() || DerivedOmitted); }
  /// The backward pass starts at every output of the run: feedback about the
  /// whole run, and feedback on a value none of whose producers is known.
  bool runLevel() const { return Node == 0 && Derived.empty(); }
};

struct TuInfo {
  std::string File, Directory;
  std::vector<std::string> Args;
};

/// Node id -> index into TraceSet::Nodes for one instance. Ids are dense in
/// practice (a thread numbers its calls 1, 2, 3, ... in file order), so the
/// map first keeps runs: consecutive ids at consecutive indices, a few per
/// block of the file, nothing per node. When the ids are sparse (many
/// runs), it falls back to open addressing in one flat array, since a
/// node-based hash map costs an allocation per node.
class NodeIdMap {
public:
  static constexpr size_t npos = ~size_t(0);
  void reserve(size_t N);
  /// Adds Id -> Index; false if Id is already present (the map is unchanged).
  bool insert(uint64_t Id, size_t Index);
  /// The index of Id, or npos.
  size_t find(uint64_t Id) const;
  size_t size() const { return Count; }
  /// Starts loading the slot where Id's search begins into the cache: a
  /// reader that learns the id before it inserts or finds it hides the
  /// cache miss of a slot in a large map behind the rest of its work.
  void prefetch(uint64_t Id) const;

private:
  struct Slot {
    uint64_t Id; ///< 0 marks an empty slot (0 is never a node id).
    uint32_t Index;
  };
  struct Run {
    uint64_t FirstId;
    uint32_t FirstIndex, Count;
  };
  void grow(size_t MinSlots);
  bool insertSlot(uint64_t Id, size_t Index);
  size_t findRun(uint64_t Id) const;
  /// Moves every run into the slots (the ids turned out sparse).
  void toSlots();
  LargeVector<Slot> Slots;
  size_t Count = 0;
  /// Runs mode (Hashed false): Runs in insertion order, Sorted their
  /// indices by FirstId. The last run grows while its next id is below
  /// Limit (the next run's FirstId), so that no id is taken twice.
  bool Hashed = false;
  std::vector<Run> Runs;
  std::vector<uint32_t> Sorted;
  uint64_t Limit = 0;
  size_t Reserved = 0;
  mutable size_t LastFound = 0;
};

/// The arguments of one call: a view into TraceSet::Args.
template <class A> class ArgRange {
public:
  ArgRange(A *Begin, size_t Size) : Begin(Begin), Size(Size) {}
  A *begin() const { return Begin; }
  A *end() const { return Begin + Size; }
  size_t size() const { return Size; }
  bool empty() const { return Size == 0; }
  A &operator[](size_t I) const { return Begin[I]; }

private:
  A *Begin;
  size_t Size;
};

/// Owns the bytes that the string views of a TraceSet point into: large
/// blocks filled one after another, never moved or freed before the pool.
class TextPool {
public:
  TextPool() = default;
  ~TextPool();
  TextPool(const TextPool &) = delete;
  TextPool &operator=(const TextPool &) = delete;
  /// A copy of \p S that lives as long as the pool.
  std::string_view save(std::string_view S);
  /// Bytes held in blocks (for measuring).
  size_t capacity() const { return Capacity; }

private:
  std::vector<std::pair<char *, size_t>> Blocks;
  char *Next = nullptr;
  size_t Left = 0, Capacity = 0;
};

struct TraceSet;

/// The values of one call: its arguments, `this`, the trainable globals it
/// read and its result. For a materialized node, views into its set; for a
/// node of a binary trace, decoded from the file when the view is made and
/// owned by it (valid as long as the view).
class CallView : public CallResult {
public:
  CallView();
  CallView(CallView &&) noexcept;
  CallView &operator=(CallView &&) noexcept;
  ~CallView();

  ArgRange<const Arg> args() const { return {Values, NumArgs}; }
  /// The `this` object, or null for a free function.
  const Arg *thisArg() const { return HasThis ? Values + NumArgs : nullptr; }
  ArgRange<const Arg> globals() const { return {Values + NumArgs + HasThis, NumGlobals}; }
  /// Every value: the arguments, `this`, then the globals.
  ArgRange<const Arg> all() const { return {Values, NumArgs + HasThis + NumGlobals}; }
  /// The extras of value \p Pos (arguments, then `this`, then globals), or null.
  const ArgExtra *extra(size_t Pos) const;
  ArgRange<const DerivedRef> derived(const ArgExtra &E) const;

  /// For a view of a decoded call: why it could not be decoded (then it has
  /// no values), else empty.
  std::string Error;

  /// What a view of a decoded call owns (defined in CallView.cpp).
  struct Owned;

private:
  friend struct TraceSet;
  const Arg *Values = nullptr;
  uint32_t NumArgs = 0, NumGlobals = 0;
  bool HasThis = false;
  const TraceSet *Set = nullptr; ///< A materialized node's set...
  uint32_t FirstArg = 0;
  std::unique_ptr<Owned> Own;    ///< ...or what was decoded.
};

/// A binary trace that a TraceSet reads values from (traceset/LazyFile.h).
struct LazyFile;

/// Everything read from one or more trace files.
struct TraceSet {
  std::vector<Site> Sites;
  LargeVector<Node> Nodes; ///< Grouped by instance, in file order within one.
  LargeVector<CallValues> Calls; ///< Values of the materialized nodes.
  /// By node index: the node's entry in Calls, NoIndex for a lazy node.
  /// Empty while no node is materialized, so that a set read from binary
  /// traces pays nothing for it (see appendNode).
  LargeVector<uint32_t> CallOf;
  LargeVector<Arg> Args;   ///< Arguments, `this` and globals of materialized nodes, node after node.
  /// Extras of the arguments with Arg::HasExtra, sorted by ArgIndex.
  std::vector<ArgExtra> Extras;
  LargeVector<DerivedRef> Derived; ///< The `derived` lists of Extras and Facts.
  /// Data-flow facts of the nodes read lazily, sorted by node (a node with
  /// some has Node::FactsFlag).
  LargeVector<Fact> Facts;
  std::vector<FactExtra> FactExtras; ///< The extras of Facts.
  std::vector<ThrowSite> ThrowSites; ///< Sorted by Node.
  /// Nodes with a parent id that names no node of their instance: (index,
  /// parent id), sorted by index.
  std::vector<std::pair<uint32_t, uint64_t>> ParentIds;
  std::vector<Param> Params;
  std::vector<Feedback> Feedbacks;
  std::vector<TuInfo> Tus;
  std::vector<std::string> Warnings; ///< e.g. "run.jsonl: no 'end' record (the program crashed?)"
  std::vector<std::string> Files;    ///< Path of each instance.
  /// Per instance: data-flow facts the runtime dropped (the `end` record's `lost`).
  std::vector<uint64_t> Lost;

  /// (Instance, Id) -> index into Nodes; one map per instance.
  std::vector<NodeIdMap> IdToIndex;
  /// Per instance read from a file: the index of its first node (nodes are
  /// grouped by instance), for instance().
  std::vector<uint32_t> InstanceBegin;

  /// The text the strings of Nodes and Args point into. Shared: a copy of
  /// the set points into the same text, which lives as long as any copy.
  std::shared_ptr<TextPool> Text;

  /// Per instance: the binary trace its lazy nodes are read from, or null.
  /// Shared by copies of the set, like Text.
  std::vector<std::shared_ptr<LazyFile>> Lazy;

  /// The values of node \p I: decoded from its file for a lazy node (a few
  /// microseconds; a consumer that shows few calls decodes only those).
  /// Not thread-safe: decoding uses the file's reader.
  CallView call(size_t I) const;
  CallView call(const Node &N) const { return call(indexOf(N)); }

  /// The index of \p N, an element of Nodes.
  size_t indexOf(const Node &N) const { return size_t(&N - Nodes.data()); }
  /// The id of node \p I in its instance.
  uint64_t id(size_t I) const;
  /// The instance (file) node \p I belongs to.
  unsigned instance(size_t I) const;

  /// Appends a node whose values are Calls[\p Call] (materialized), or
  /// NoIndex for a lazy node, keeping CallOf in step with Nodes.
  Node &appendNode(uint32_t Call);

  /// The values of a materialized node (see materialize()).
  const CallValues &values(const Node &N) const { return Calls[CallOf[indexOf(N)]]; }
  CallValues &values(const Node &N) { return Calls[CallOf[indexOf(N)]]; }
  ArgRange<const Arg> args(const Node &N) const { return {Args.data() + values(N).FirstArg, values(N).NumArgs}; }
  ArgRange<Arg> args(const Node &N) { return {Args.data() + values(N).FirstArg, values(N).NumArgs}; }
  /// The `this` object of \p N, or null for a free function.
  const Arg *thisArg(const Node &N) const {
    const CallValues &V = values(N);
    return V.HasThis ? &Args[V.FirstArg + V.NumArgs] : nullptr;
  }
  ArgRange<const Arg> globals(const Node &N) const {
    const CallValues &V = values(N);
    return {Args.data() + V.FirstArg + V.NumArgs + V.HasThis, V.NumGlobals};
  }

  /// Decodes every lazy node into Calls and Args, as reading the trace's
  /// JSON Lines export would have made it (for tests and small traces: it
  /// costs the memory that reading lazily saves).
  bool materialize(std::string &Error);

  /// The facts of lazy node \p I.
  ArgRange<const Fact> facts(size_t I) const;
  /// The id of the parent of node \p I, 0 at top level.
  uint64_t parentId(size_t I) const;

  /// The extras of argument \p ArgIndex (an index into Args), or null.
  const ArgExtra *extra(size_t ArgIndex) const;
  ArgRange<const DerivedRef> derived(const ArgExtra &E) const {
    return {Derived.data() + E.FirstDerived, E.NumDerived};
  }
  ArgRange<const DerivedRef> derived(const Fact &F) const {
    if (F.Extra == NoIndex)
      return {Derived.data(), 0};
    const FactExtra &X = FactExtras[F.Extra];
    return {Derived.data() + X.FirstDerived, X.NumDerived};
  }
  /// A global's parameter id, or an argument's `from_param`; empty if none.
  std::string_view param(const Fact &F) const {
    return F.Extra == NoIndex ? std::string_view() : FactExtras[F.Extra].Param;
  }
  uint64_t derivedOmitted(const Fact &F) const { return F.Extra == NoIndex ? 0 : FactExtras[F.Extra].DerivedOmitted; }
  /// Where node \p NodeIndex threw, or null when unknown.
  const ThrowSite *throwSite(size_t NodeIndex) const;

  /// Gives argument \p ArgIndex its extras, copying the strings; for
  /// building a set by hand (the producers are looked up by the graph).
  void setExtra(size_t ArgIndex, std::string_view FromParam, const std::vector<uint64_t> &DerivedIds,
                uint64_t DerivedOmitted = 0);
  void setThrowSite(size_t NodeIndex, std::string_view File, unsigned Line);
  /// Makes materialized node \p NodeIndex end by an exception.
  void setException(size_t NodeIndex, std::optional<std::string_view> Type, std::optional<std::string_view> What);

  /// A copy of \p S in this set's text, for strings a Node or Arg refers to.
  std::string_view save(std::string_view S);
  /// Appends a materialized node with the given arguments, `this` (none if
  /// null) and globals, copying every string into this set's text, and
  /// returns it. For building a set by hand; the caller maintains
  /// IdToIndex. Its parent is looked up there when the node is added.
  Node &addNode(const NodeInit &N, const std::vector<Arg> &NodeArgs, const Arg *This = nullptr,
                const std::vector<Arg> &NodeGlobals = {});

  const Param *findParam(std::string_view Id) const;
  const Site *findSite(std::string_view Key) const;
  /// Index of node \p Id of instance \p Instance, or npos.
  size_t indexOf(unsigned Instance, uint64_t Id) const;
  static constexpr size_t npos = ~size_t(0);
};

/// Reads the trace files \p Paths, binary (format version 2) or JSON Lines
/// (its export, version 1), in any mix; file I becomes instance I. On
/// failure returns nullopt and sets \p Error to a message naming the file,
/// the line (JSON Lines) or byte offset (binary), and the cause.
std::optional<TraceSet> loadTraces(const std::vector<std::string> &Paths, std::string &Error);

/// Like loadTraces for a trace already in memory (binary when it starts with
/// the magic, else JSON Lines); \p Name is used in messages.
/// Appends one instance to \p T. \p Text need not outlive the call: what
/// \p T keeps of it is copied.
bool parseTraceText(std::string_view Text, const std::string &Name, TraceSet &T, std::string &Error);

} // namespace traceopt

#endif
