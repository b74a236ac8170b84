//===- Loader.h - Reading one trace file into a TraceSet --------*- C++ -*-===//
//
// Private to traceset/: the state of reading one file, shared by the JSON
// Lines reader (JsonLines.cpp) and the binary one (LoadBinary.cpp);
// Loader.cpp resolves what a file named before defining it and holds the
// entry points, loadTraces and parseTraceText.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_TRACESET_LOADER_H
#define TRACEOPT_TRACESET_LOADER_H

#include "traceset/TraceSet.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace traceopt {
namespace loader {

struct Record;
struct PendingExtra;

/// State of reading one file into a TraceSet.
class FileReader {
public:
  FileReader(TraceSet &T, const std::string &Name)
      : T(T), Name(Name), Instance(unsigned(T.IdToIndex.size())), FirstNode(T.Nodes.size()),
        FirstExtra(T.Extras.size()), FirstFeedback(T.Feedbacks.size()), FirstFact(T.Facts.size()) {
    T.IdToIndex.emplace_back();
    // Earlier instances built by hand have no entry: theirs are never used.
    T.InstanceBegin.resize(Instance + 1, uint32_t(FirstNode));
    T.InstanceBegin[Instance] = uint32_t(FirstNode);
    T.Files.push_back(Name);
    T.Lost.resize(T.IdToIndex.size(), 0);
    T.Lazy.resize(T.IdToIndex.size());
    if (!T.Text)
      T.Text = std::make_shared<TextPool>();
    Pool = T.Text.get();
    for (size_t I = 0; I < T.Sites.size(); ++I)
      SiteByKey.emplace(T.Sites[I].Key, int(I));
  }

  /// Reads a binary trace (docs/trace-format.md, version 2) straight into
  /// the set: the same nodes, arguments and warnings as reading its JSON
  /// Lines export, without the text in between.
  bool readBinary(std::shared_ptr<LazyFile> F, std::string &Error);

  /// Reads a JSON Lines trace (its export, version 1) into the set
  /// (JsonLines.cpp).
  bool read(std::string_view Text, std::string &Error);

private:
  bool require(bool Has, const char *Field, const Record &R, size_t LineNo, std::string &Error);

  std::string_view keep(std::string_view S) { return Pool->save(S); }

  /// The index of node \p Id of this file, or NoIndex. A node that is not
  /// known yet (named before its call record) is looked up again in finish().
  uint32_t resolve(uint64_t Id) {
    if (!Id)
      return NoIndex;
    size_t Index = T.IdToIndex[Instance].find(Id);
    if (Index != NodeIdMap::npos)
      return uint32_t(Index);
    ForwardRefs = true;
    return NoIndex;
  }

  void keepArg(const Arg &A) {
    Arg &K = T.Args.emplace_back();
    K.Name = keep(A.Name);
    K.Type = keep(A.Type);
    K.Value = keep(A.Value);
    K.From = A.From;
    K.FromIndex = resolve(A.From);
    K.Modified = A.Modified;
  }

  /// The site index of site id \p Id of this file, or -1 if it has no
  /// `site` record (yet).
  int siteIndex(uint64_t Id) const {
    if (Id < SiteBySmallId.size())
      return SiteBySmallId[Id];
    auto It = SiteById.find(Id);
    return It == SiteById.end() ? -1 : It->second;
  }

  bool handleCall(const Record &R, size_t LineNo, std::string &Error);

  /// Files the `derived`/`from_param` fields of one argument of \p N.
  void keepExtra(const CallValues &N, const Record &R, const PendingExtra &P);

  bool handle(Record &R, size_t LineNo, std::string &Error);

  /// The handler of the binary decoder (LoadBinary.cpp).
  class BinaryEvents;

  /// Resolves what the file named before its record (sites, producers,
  /// parents) and adds the file's warnings (Loader.cpp).
  void finish();

  TraceSet &T;
  const std::string &Name;
  unsigned Instance;
  size_t FirstNode, FirstExtra, FirstFeedback, FirstFact;
  /// Facts whose producer was named before its call: (index into
  /// TraceSet::Facts, producer id), by index.
  std::vector<std::pair<uint32_t, uint64_t>> LaterFroms;
  TextPool *Pool;
  /// Calls whose site had no `site` record when they were read: (node index, site id).
  std::vector<std::pair<uint32_t, uint64_t>> LaterSites;
  std::vector<int> SiteBySmallId; ///< Site id -> index into T.Sites, -1 if none.
  std::unordered_map<uint64_t, int> SiteById;
  std::unordered_map<std::string, int> SiteByKey;
  size_t UnknownRets = 0, Finished = 0;
  uint64_t Dropped = 0;
  bool SawEnd = false, ForwardRefs = false, ThrowSitesSorted = true;
};

} // namespace loader
} // namespace traceopt

#endif
