//===- fuzz_trace_binary.cpp - libFuzzer target for the binary trace reader -===//
//
// Fuzzes the binary trace format's reader (tools/trace-optimize/lib/trace):
// the loader (traceopt::parseTraceText on a binary trace) and the JSON Lines
// export (traceopt::dumpTraceToString). An input that does not start with
// the magic gets the magic and version 2 put in front, so that the fuzzer
// spends its time on records. Besides not crashing, it checks:
//  * a refused trace says why, naming the file and a byte offset;
//  * the loader accepts no more than the export does, and when it accepts,
//    the export is a JSON Lines trace that the JSON reader accepts and that
//    gives the same nodes, arguments and feedback (the two ways of reading a
//    binary trace agree);
//  * an accepted trace gives a consistent TraceSet;
//  * crash safety: every prefix of an accepted trace that holds its header
//    (what a program that died mid-run leaves) is accepted too, with no
//    more nodes than the whole (at most 16 cut points);
//  * reading is deterministic.
//
//===----------------------------------------------------------------------===//

#include "trace/BinaryTrace.h"
#include "trace/JsonDump.h"
#include "traceset/TraceSet.h"

#include <trace/format.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace traceopt;

static void check(bool Cond, const char *What, const std::string &Detail = "") {
  if (!Cond) {
    std::fprintf(stderr, "fuzz_trace_binary: invariant broken: %s %s\n", What, Detail.c_str());
    std::abort();
  }
}

static void checkConsistent(const TraceSet &T) {
  check(T.Files.size() == 1 && T.IdToIndex.size() == 1, "one instance per parsed text");
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
      check(std::string(Ar.Name).size() + std::string(Ar.Type).size() + std::string(Ar.Value).size() ==
                Ar.Name.size() + Ar.Type.size() + Ar.Value.size(),
            "argument text is readable");
    }
  }
}

/// What both ways of reading must agree on.
static std::string summary(const TraceSet &T) {
  std::string S;
  auto Opt = [](std::optional<std::string_view> V) { return V ? "'" + std::string(*V) + "'" : std::string("-"); };
  for (size_t I = 0; I < T.Nodes.size(); ++I) {
    const Node &N = T.Nodes[I];
    CallView V = T.call(I);
    S += std::to_string(T.id(I)) + " " + std::to_string(T.parentId(I)) + " " + std::to_string(N.Site) + " " +
         std::to_string(N.finished()) + " " + Opt(V.retType()) + Opt(V.ret()) + Opt(V.excType()) + Opt(V.excWhat()) +
         "\n";
    for (size_t A = 0; A < V.all().size(); ++A) {
      const Arg &Ar = V.all()[A];
      S += " " + std::string(Ar.Name) + "|" + std::string(Ar.Type) + "|" + std::string(Ar.Value) + "|" +
           std::to_string(Ar.From) + "|" + std::to_string(Ar.Modified) + "|" + std::to_string(Ar.HasExtra) + "\n";
      if (const ArgExtra *E = V.extra(A)) {
        S += "  " + std::string(E->FromParam) + " " + std::to_string(E->DerivedOmitted);
        for (const DerivedRef &D : V.derived(*E))
          S += " " + std::to_string(D.Id);
        S += "\n";
      }
    }
  }
  for (const Feedback &F : T.Feedbacks) {
    S += "feedback " + std::to_string(F.Node) + " " + F.Text + "|" + F.Unattributed + "|" +
         (F.Score ? std::to_string(*F.Score) : "-") + std::to_string(F.Success) + std::to_string(F.Uncaught) + " " +
         std::to_string(F.DerivedOmitted);
    for (const DerivedRef &D : F.Derived)
      S += " " + std::to_string(D.Id);
    S += "\n";
  }
  for (const Site &Si : T.Sites)
    S += "site " + Si.Key + "|" + Si.Name + "|" + std::to_string(Si.Params.size()) + "\n";
  for (const Param &P : T.Params)
    S += "param " + P.Id + "|" + P.Kind + "|" + P.Value + "|" + P.Type + "|" + P.Signature + "\n";
  S += "tus " + std::to_string(T.Tus.size()) + " lost " + std::to_string(T.Lost[0]) + "\n";
  return S;
}

/// The offset after the first record (the header), or 0 if there is none.
static size_t headerEnd(std::string_view Bytes) {
  const char *P = Bytes.data() + __trace_format::MagicSize, *End = Bytes.data() + Bytes.size();
  uint64_t V;
  if (!(P = __trace_format::getVarint(P, End, V)) || P == End)
    return 0;
  ++P; // The kind.
  if (!(P = __trace_format::getVarint(P, End, V)) || V > uint64_t(End - P))
    return 0;
  return size_t(P - Bytes.data()) + size_t(V);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Bytes(reinterpret_cast<const char *>(Data), Size);
  if (!isBinaryTrace(Bytes))
    Bytes = std::string(__trace_format::Magic, __trace_format::MagicSize) + char(__trace_format::Version) + Bytes;

  std::string Json, DumpError;
  std::vector<std::string> Warnings;
  bool Dumped = dumpTraceToString(Bytes, "fuzz.bin", Json, Warnings, DumpError);
  if (!Dumped)
    check(DumpError.rfind("fuzz.bin: byte ", 0) == 0, "a refused dump names the file and an offset:", DumpError);

  TraceSet Whole;
  std::string Error;
  bool Ok = parseTraceText(Bytes, "fuzz.bin", Whole, Error);
  if (!Ok) {
    check(Error.rfind("fuzz.bin: byte ", 0) == 0, "a refused trace names the file and an offset:", Error);
    return 0;
  }
  check(Dumped, "the export accepts what the loader accepts:", DumpError);
  checkConsistent(Whole);

  TraceSet FromJson;
  check(parseTraceText(Json, "fuzz.bin", FromJson, Error), "the export is a readable JSON Lines trace:", Error);
  check(summary(FromJson) == summary(Whole), "loading the export gives what loading the binary gives",
        "\n--- binary:\n" + summary(Whole) + "--- export:\n" + summary(FromJson));

  TraceSet Again;
  check(parseTraceText(Bytes, "fuzz.bin", Again, Error), "reading is deterministic", Error);
  check(summary(Again) == summary(Whole), "reading twice gives the same set");

  size_t First = headerEnd(Bytes);
  check(First != 0, "an accepted trace has a header");
  size_t Cuts = std::min<size_t>(16, Bytes.size() - First);
  for (size_t I = 0; I < Cuts; ++I) {
    size_t N = First + (Bytes.size() - First) * I / Cuts;
    TraceSet Part;
    std::string PartError;
    check(parseTraceText(std::string_view(Bytes).substr(0, N), "fuzz.bin", Part, PartError),
          "a prefix of an accepted trace that holds its header is accepted:", PartError);
    checkConsistent(Part);
    check(Part.Nodes.size() <= Whole.Nodes.size(), "a prefix holds no more nodes than the whole");
  }
  return 0;
}
