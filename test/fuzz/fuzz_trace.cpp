//===- fuzz_trace.cpp - libFuzzer target for the trace-file reader --------===//
//
// Fuzzes traceopt::parseTraceText, trace-optimize's reader of the JSON Lines
// trace format. Besides not crashing, it checks:
//  * a refused text says why;
//  * an accepted text gives a consistent TraceSet (one instance, the id map
//    matches the nodes, site indices in range);
//  * crash safety: every prefix of an accepted trace cut at a line boundary
//    after the header (what a program that died mid-run leaves) is accepted
//    too, with no more nodes than the whole;
//  * reading is deterministic.
//
//===----------------------------------------------------------------------===//

#include "traceset/TraceSet.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace traceopt;

static void check(bool Cond, const char *What, const std::string &Detail = "") {
  if (!Cond) {
    std::fprintf(stderr, "fuzz_trace: invariant broken: %s %s\n", What, Detail.c_str());
    std::abort();
  }
}

static void checkConsistent(const TraceSet &T) {
  check(T.Files.size() == 1, "one instance per parsed text");
  check(T.IdToIndex.size() == 1, "one id map per instance");
  for (size_t I = 0; I < T.Nodes.size(); ++I) {
    const Node &N = T.Nodes[I];
    check(T.instance(I) == 0, "nodes belong to the parsed instance");
    check(N.Site >= -1 && N.Site < static_cast<int>(T.Sites.size()), "site index in range");
    check(T.indexOf(0, T.id(I)) == I, "the id map finds each node");
    CallView V = T.call(I);
    check(V.Error.empty(), "every call decodes", V.Error);
    check(N.ParentIndex == NoIndex || (N.ParentIndex < T.Nodes.size() && T.id(N.ParentIndex) == T.parentId(I)),
          "a resolved parent is the node its id names");
    for (const Arg &Ar : V.all()) {
      check(Ar.FromIndex == NoIndex || (Ar.FromIndex < T.Nodes.size() && T.id(Ar.FromIndex) == Ar.From),
            "a resolved producer is the node its id names");
      // Touch the text: a view into freed memory shows under ASan.
      check(std::string(Ar.Name).size() + std::string(Ar.Value).size() == Ar.Name.size() + Ar.Value.size(),
            "argument text is readable");
    }
    uint64_t Parent = T.parentId(I);
    if (Parent == 0 || T.indexOf(0, Parent) != TraceSet::npos)
      check(Parent == 0 || N.ParentIndex != NoIndex, "every known parent is resolved");
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string_view Text(reinterpret_cast<const char *>(Data), Size);
  TraceSet Whole;
  std::string Error;
  bool Ok = parseTraceText(Text, "fuzz.jsonl", Whole, Error);
  if (!Ok) {
    check(!Error.empty(), "a refused trace says why");
    return 0;
  }
  checkConsistent(Whole);

  TraceSet Again;
  std::string Error2;
  check(parseTraceText(Text, "fuzz.jsonl", Again, Error2), "reading is deterministic", Error2);
  check(Again.Nodes.size() == Whole.Nodes.size() && Again.Sites.size() == Whole.Sites.size(),
        "reading twice gives the same graph");

  // The text need not outlive the set.
  {
    std::string Copy(Text);
    TraceSet FromCopy;
    std::string CopyError;
    check(parseTraceText(Copy, "fuzz.jsonl", FromCopy, CopyError), "reading a copy works", CopyError);
    std::string().swap(Copy);
    checkConsistent(FromCopy);
  }

  // Prefixes cut after a newline, as left by a program that crashed (at most 16 of them).
  // The header must be complete: cuts start at the end of the first non-blank line.
  size_t First = Text.find_first_not_of(" \t\r\n");
  size_t Cuts = 0;
  for (size_t Pos = Text.find('\n', First); Pos != std::string_view::npos && Pos + 1 < Text.size() && Cuts < 16;
       Pos = Text.find('\n', Pos + 1), ++Cuts) {
    TraceSet Part;
    std::string PartError;
    bool PartOk = parseTraceText(Text.substr(0, Pos + 1), "fuzz.jsonl", Part, PartError);
    check(PartOk, "a prefix of an accepted trace, cut at a line end, is accepted:", PartError);
    checkConsistent(Part);
    check(Part.Nodes.size() <= Whole.Nodes.size(), "a prefix holds no more nodes than the whole");
  }
  return 0;
}
