//===- Loader.cpp - Reading trace files -----------------------------------===//
//
// loadTraces and parseTraceText read each file into the set: a JSON Lines
// trace by JsonLines.cpp, copied into the set's text pool; a binary one by
// LoadBinary.cpp, indexed and kept mapped for its values (CallView.cpp).
// What a file names before defining it is resolved here (finish).
//
//===----------------------------------------------------------------------===//
#include "traceset/Loader.h"
#include "traceset/LazyFile.h"

#include "trace/BinaryTrace.h"
#include "trace/MappedFile.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace traceopt {

namespace loader {

void FileReader::finish() {
  size_t UnknownSite = 0;
  for (const auto &[Index, SiteId] : LaterSites) {
    T.Nodes[Index].Site = siteIndex(SiteId);
    UnknownSite += T.Nodes[Index].Site < 0;
  }
  // A producer on another thread may be written after its user (and a
  // parent, in a hand-written file): resolve what was named before its
  // call record now that every call is known, in one pass over this file.
  // A producer that never appears is dropped, so that nothing downstream
  // mistakes the id for an edge.
  size_t UnknownProducers = 0;
  // Drops the producers of a `derived` list that never appear.
  auto ResolveDerived = [&](uint32_t First, uint32_t &Num) {
    uint32_t Kept = 0;
    for (uint32_t D = 0; D < Num; ++D) {
      DerivedRef Ref = T.Derived[First + D];
      if (Ref.Index == NoIndex)
        Ref.Index = resolve(Ref.Id);
      if (Ref.Index == NoIndex) {
        ++UnknownProducers;
        continue;
      }
      T.Derived[First + Kept++] = Ref;
    }
    Num = Kept;
  };
  if (ForwardRefs) {
    // Parents named before their call: resolved ones leave ParentIds.
    auto Kept = T.ParentIds.begin();
    for (auto It = T.ParentIds.begin(); It != T.ParentIds.end(); ++It) {
      if (It->first >= FirstNode)
        if (uint32_t P = resolve(It->second); P != NoIndex && P != It->first) {
          T.Nodes[It->first].ParentIndex = P;
          continue;
        }
      *Kept++ = *It;
    }
    T.ParentIds.erase(Kept, T.ParentIds.end());
    for (size_t I = FirstNode; I < T.Nodes.size(); ++I) {
      Node &N = T.Nodes[I];
      if (N.lazy())
        continue;
      const CallValues &V = T.values(N);
      for (size_t A = V.FirstArg, E = A + V.NumArgs + V.HasThis + V.NumGlobals; A < E; ++A) {
        Arg &Ar = T.Args[A];
        if (!Ar.From || Ar.FromIndex != NoIndex)
          continue;
        Ar.FromIndex = resolve(Ar.From);
        if (Ar.FromIndex == NoIndex) {
          Ar.From = 0;
          ++UnknownProducers;
        }
      }
    }
    for (size_t X = FirstExtra; X < T.Extras.size(); ++X)
      ResolveDerived(T.Extras[X].FirstDerived, T.Extras[X].NumDerived);
    auto Later = LaterFroms.begin();
    for (size_t X = FirstFact; X < T.Facts.size(); ++X) {
      Fact &F = T.Facts[X];
      if (Later != LaterFroms.end() && Later->first == X) {
        F.FromIndex = resolve((Later++)->second);
        UnknownProducers += F.FromIndex == NoIndex;
      }
      if (F.Extra != NoIndex)
        ResolveDerived(T.FactExtras[F.Extra].FirstDerived, T.FactExtras[F.Extra].NumDerived);
    }
  }
  // Feedback on a value built from several outputs starts the backward
  // pass at each of them: drop (and count) a producer that never appears,
  // as for arguments, but keep counting it as one the value was built from.
  for (size_t F = FirstFeedback; F < T.Feedbacks.size(); ++F) {
    Feedback &Fb = T.Feedbacks[F];
    size_t Kept = 0;
    for (DerivedRef Ref : Fb.Derived) {
      if (Ref.Index == NoIndex)
        Ref.Index = resolve(Ref.Id);
      if (Ref.Index == NoIndex) {
        ++UnknownProducers;
        ++Fb.DerivedOmitted;
        continue;
      }
      Fb.Derived[Kept++] = Ref;
    }
    Fb.Derived.resize(Kept);
  }
  if (!ThrowSitesSorted)
    std::sort(T.ThrowSites.begin(), T.ThrowSites.end(),
                     [](const ThrowSite &A, const ThrowSite &B) { return A.Node < B.Node; });
  size_t Unfinished = T.Nodes.size() - FirstNode - Finished;
  if (Unfinished)
    T.Warnings.push_back(fmt::format("{}: {} call{} no 'ret' record (the program crashed or a thread was "
                                     "still running?)",
                                     Name, Unfinished, Unfinished == 1 ? " has" : "s have"));
  if (UnknownSite)
    T.Warnings.push_back(fmt::format("{}: {} call{} name a site with no 'site' record", Name, UnknownSite,
                                     UnknownSite == 1 ? "" : "s"));
  if (UnknownRets)
    T.Warnings.push_back(fmt::format("{}: {} 'ret' record{} name no known call", Name, UnknownRets,
                                     UnknownRets == 1 ? "" : "s"));
  if (UnknownProducers)
    T.Warnings.push_back(fmt::format("{}: {} data-flow edge{} a node that is not in the trace; {} dropped", Name,
                                     UnknownProducers, UnknownProducers == 1 ? " names" : "s name",
                                     UnknownProducers == 1 ? "it was" : "they were"));
  if (T.Lost[Instance])
    T.Warnings.push_back(fmt::format("{}: {} data-flow edge{} not recorded: the runtime dropped facts about "
                                     "where values came from (bindings, notes, derived producers) beyond its "
                                     "bounds, so the graph may miss paths (see docs/runtime.md)",
                                     Name, T.Lost[Instance], T.Lost[Instance] == 1 ? " was" : "s were"));
  if (!SawEnd)
    T.Warnings.push_back(fmt::format("{}: no 'end' record (the program crashed or did not exit normally?)",
                                     Name));
  else if (Dropped)
    T.Warnings.push_back(fmt::format("{}: the writer dropped {} node{} (threads still running at exit?)", Name,
                                     Dropped, Dropped == 1 ? "" : "s"));
}

} // namespace loader

using loader::FileReader;

bool parseTraceText(std::string_view Text, const std::string &Name, TraceSet &T, std::string &Error) {
  FileReader R(T, Name);
  // Binary traces start with their magic; anything else is read as JSON
  // Lines, whose reader says what is wrong with it.
  if (isBinaryTrace(Text)) {
    // The set reads values from the bytes later: it keeps a copy.
    auto F = std::make_shared<LazyFile>();
    F->Copy.assign(Text.data(), Text.size());
    F->Bytes = F->Copy;
    return R.readBinary(std::move(F), Error);
  }
  return R.read(Text, Error);
}

std::optional<TraceSet> loadTraces(const std::vector<std::string> &Paths, std::string &Error) {
  TraceSet T;
  if (Paths.empty()) {
    Error = "no trace file given";
    return std::nullopt;
  }
  if (Paths.size() > UINT16_MAX) {
    Error = fmt::format("too many trace files (at most {})", UINT16_MAX);
    return std::nullopt;
  }
  for (const std::string &Path : Paths) {
    auto F = std::make_shared<LazyFile>();
    // Not mapped whole: a binary trace's pages are mapped a window ahead of
    // the reader and leave behind it (a JSON Lines one is read that way too).
    if (!F->File.open(Path, Error, /*Whole=*/false))
      return std::nullopt;
    std::string_view Bytes = F->File.bytes();
    if (isBinaryTrace(Bytes)) {
      // A binary trace stays mapped: the set decodes values from it.
      F->Bytes = Bytes;
      F->Mapped = true;
      FileReader R(T, Path);
      if (!R.readBinary(std::move(F), Error))
        return std::nullopt;
      continue;
    }
    F->File.populate();
    // A JSON Lines trace is copied into the set; its mapping ends here.
    if (!parseTraceText(Bytes, Path, T, Error))
      return std::nullopt;
  }
  return T;
}

} // namespace traceopt
