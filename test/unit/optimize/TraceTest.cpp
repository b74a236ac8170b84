//===- TraceTest.cpp - Reading trace files --------------------------------===//
#include "traceset/TraceSet.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace traceopt;

namespace {

/// printf-style formatting for record templates with 64-bit node ids.
template <class... Ts> std::string fmt(const char *Format, Ts... Vs) {
  char Buf[1024];
  std::snprintf(Buf, sizeof(Buf), Format, static_cast<unsigned long long>(Vs)...);
  return Buf;
}

const char *Header = R"J({"k":"header","format":"trace-cpp","version":1,"pid":1,"program":"p","time":"t"})J"
                     "\n";

std::string good() {
  return std::string(Header) +
         R"J({"k":"tu","file":"/s/a.cpp","directory":"/b","args":["-cc1","-triple","x86_64"]})J" "\n"
         R"J({"k":"param","id":"var:gain","kind":"value","name":"gain","type":"double","value":"0.5","file":"/s/a.cpp","line":2,"begin":20,"end":23,"hash":"fnv1a64:00000000000000aa","text":"0.5","constraint":null})J" "\n"
         R"J({"k":"param","id":"code:f(int)","kind":"code","name":"f","file":"/s/a.cpp","line":4,"begin":30,"end":60,"hash":"fnv1a64:00000000000000bb","text":"int f(int a) { return a; }","signature":"int f(int a)","constraint":"keep it short"})J" "\n"
         R"J({"k":"call","node":4294967297,"site":3,"parent":0,"thread":1,"args":[{"name":"a","type":"int","value":"1"}],"this":{"type":"S","value":"S{}","from":0},"globals":[{"param":"var:gain","type":"double","value":"0.5"}],"future":{"x":[1,{"y":null}]}})J" "\n"
         R"J({"k":"site","site":3,"key":"f(int)","name":"f","signature":"int f(int)","file":"/s/a.cpp","line":4,"params":["a"],"doc":"Does f.","param":"code:f(int)"})J" "\n"
         R"J({"k":"ret","node":4294967297,"type":"int","value":"caf\u00e9 \ud83d\ude00 \"q\""})J" "\n"
         R"J({"k":"call","node":4294967298,"site":3,"parent":4294967297,"thread":1,"args":[{"name":"a","type":"int","value":"2","from":4294967297,"modified":true}]})J" "\n"
         R"J({"k":"ret","node":4294967298,"exception":{"type":"std::runtime_error","what":"boom"}})J" "\n"
         R"J({"k":"something-new","x":1})J" "\n"
         R"J({"k":"feedback","node":4294967297,"text":"too small","score":0.5})J" "\n"
         R"J({"k":"feedback","node":0,"text":"done","success":true})J" "\n"
         R"J({"k":"end","nodes":2,"dropped":0})J" "\n";
}

TEST(TraceReader, ReadsEveryRecordKind) {
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(good(), "good.jsonl", T, Error)) << Error;
  EXPECT_TRUE(T.Warnings.empty());
  ASSERT_EQ(T.Tus.size(), 1u);
  EXPECT_EQ(T.Tus[0].Args, (std::vector<std::string>{"-cc1", "-triple", "x86_64"}));
  EXPECT_EQ(T.Tus[0].Directory, "/b");
  ASSERT_EQ(T.Params.size(), 2u);
  const Param *Gain = T.findParam("var:gain");
  ASSERT_TRUE(Gain);
  EXPECT_EQ(Gain->Kind, "value");
  EXPECT_EQ(Gain->Type, "double");
  EXPECT_EQ(Gain->Begin, 20u);
  EXPECT_EQ(Gain->End, 23u);
  EXPECT_EQ(Gain->Constraint, "");
  const Param *F = T.findParam("code:f(int)");
  ASSERT_TRUE(F);
  EXPECT_EQ(F->Signature, "int f(int a)");
  EXPECT_EQ(F->Constraint, "keep it short");
  EXPECT_EQ(F->Hash, "fnv1a64:00000000000000bb");

  ASSERT_EQ(T.Sites.size(), 1u);
  EXPECT_EQ(T.Sites[0].ParamId, "code:f(int)");
  EXPECT_EQ(T.Sites[0].Params, (std::vector<std::string>{"a"}));
  ASSERT_EQ(T.Nodes.size(), 2u);
  const Node &N0 = T.Nodes[0];
  EXPECT_EQ(N0.Site, 0); // The site record came after the call.
  EXPECT_EQ(T.id(0) >> 32, 1u); // The thread.
  ASSERT_TRUE(T.thisArg(N0));
  EXPECT_EQ(T.thisArg(N0)->Type, "S");
  ASSERT_EQ(T.args(N0).size(), 1u);
  EXPECT_EQ(T.args(N0)[0].Value, "1");
  ASSERT_EQ(T.globals(N0).size(), 1u);
  EXPECT_EQ(T.globals(N0)[0].Name, "var:gain");
  EXPECT_TRUE(N0.finished());
  EXPECT_EQ(T.call(N0).ret().value_or(""), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
  EXPECT_EQ(T.call(N0).retType().value_or(""), "int");
  EXPECT_FALSE(N0.threw());
  const Node &N1 = T.Nodes[1];
  EXPECT_EQ(T.parentId(1), 4294967297u);
  EXPECT_EQ(N1.ParentIndex, 0u);
  EXPECT_EQ(T.args(N1)[0].From, 4294967297u);
  EXPECT_EQ(T.args(N1)[0].FromIndex, 0u);
  EXPECT_TRUE(T.args(N1)[0].Modified);
  EXPECT_FALSE(T.thisArg(N1));
  EXPECT_TRUE(T.globals(N1).empty());
  EXPECT_FALSE(T.call(N1).ret());
  EXPECT_FALSE(T.call(N1).retType());
  EXPECT_TRUE(N1.threw());
  EXPECT_EQ(T.call(N1).excType().value_or(""), "std::runtime_error");
  EXPECT_EQ(T.call(N1).excWhat().value_or(""), "boom");
  EXPECT_EQ(T.indexOf(0, 4294967298u), 1u);
  EXPECT_EQ(T.indexOf(0, 7), TraceSet::npos);

  ASSERT_EQ(T.Feedbacks.size(), 2u);
  EXPECT_EQ(T.Feedbacks[0].Score.value_or(-1), 0.5);
  EXPECT_FALSE(T.Feedbacks[0].Success);
  EXPECT_FALSE(T.Feedbacks[1].Score);
  EXPECT_TRUE(T.Feedbacks[1].Success);
}

TEST(TraceReader, TruncatedLastLineIsAWarning) {
  std::string Text = good();
  Text = Text.substr(0, Text.rfind("{\"k\":\"end\"")); // Drop the end record...
  Text += R"J({"k":"call","node":4294967299,"site":3,"par)J";  // ...and cut a record short.
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "cut.jsonl", T, Error)) << Error;
  EXPECT_EQ(T.Nodes.size(), 2u);
  ASSERT_EQ(T.Warnings.size(), 2u);
  EXPECT_NE(T.Warnings[0].find("cut.jsonl:13: the last line is incomplete"), std::string::npos) << T.Warnings[0];
  EXPECT_NE(T.Warnings[1].find("cut.jsonl: no 'end' record"), std::string::npos) << T.Warnings[1];
}

TEST(TraceReader, MissingRetIsAWarning) {
  std::string Text = std::string(Header) +
                     R"J({"k":"site","site":1,"key":"g()","name":"g","params":[]})J" "\n"
                     R"J({"k":"call","node":1,"site":1,"parent":0,"thread":0,"args":[]})J" "\n"
                     R"J({"k":"call","node":2,"site":9,"parent":1,"thread":0,"args":[]})J" "\n"
                     R"J({"k":"ret","node":77})J" "\n"
                     R"J({"k":"end","nodes":2,"dropped":3})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "t.jsonl", T, Error)) << Error;
  std::string All;
  for (const std::string &W : T.Warnings)
    All += W + "\n";
  EXPECT_NE(All.find("t.jsonl: 2 calls have no 'ret' record"), std::string::npos) << All;
  EXPECT_NE(All.find("1 call name a site with no 'site' record"), std::string::npos) << All;
  EXPECT_NE(All.find("1 'ret' record name no known call"), std::string::npos) << All;
  EXPECT_NE(All.find("dropped 3 nodes"), std::string::npos) << All;
  EXPECT_EQ(T.Nodes[1].Site, -1);
}

struct BadCase {
  const char *Line;
  const char *Message;
};

TEST(TraceReader, MalformedLinesNameFileAndLine) {
  const BadCase Cases[] = {
      {R"J({"k":"call","node":1,"site":1,"args":[}])J", "bad.jsonl:2: malformed record: column 39: expected '{' but found '}'"},
      {R"J({"k":"call","node":1,"site":1} trailing)J", "unexpected text after the record"},
      {R"J({"k":"call","node":-4,"site":1})J", "expected a non-negative integer, found '-4'"},
      {R"J({"k":"call","site":1})J", "bad.jsonl:2: 'call' record without 'node'"},
      {R"J({"k":"param","id":"x","kind":"weird","begin":0,"end":1})J", "has kind 'weird'"},
      {R"J({"k":"ret","node":1,"value":"a\qb"})J", "invalid escape"},
      {R"J({"k":"header","format":"trace-cpp","version":1})J", "a second header record"},
      {R"J([1, 2])J", "expected '{' but found '['"},
      {R"J({"node":1,"site":1})J", "bad.jsonl:2: record without a kind (\"k\")"},
  };
  for (const BadCase &C : Cases) {
    std::string Text = std::string(Header) + C.Line + "\n" + R"J({"k":"end","nodes":0,"dropped":0})J" + "\n";
    TraceSet T;
    std::string Error;
    EXPECT_FALSE(parseTraceText(Text, "bad.jsonl", T, Error)) << C.Line;
    EXPECT_NE(Error.find(C.Message), std::string::npos) << "error: " << Error << "\nexpected: " << C.Message;
  }
}

TEST(TraceReader, DuplicateNodeIsAnError) {
  std::string Text = std::string(Header) + R"J({"k":"call","node":1,"site":1})J" "\n" R"J({"k":"call","node":1,"site":1})J" "\n";
  TraceSet T;
  std::string Error;
  EXPECT_FALSE(parseTraceText(Text, "d.jsonl", T, Error));
  EXPECT_NE(Error.find("d.jsonl:3: node 1 is called twice"), std::string::npos) << Error;
}

TEST(TraceReader, HeaderIsRequired) {
  TraceSet T;
  std::string Error;
  EXPECT_FALSE(parseTraceText("{\"k\":\"end\"}\n", "h.jsonl", T, Error));
  EXPECT_NE(Error.find("h.jsonl:1: not a trace-cpp trace"), std::string::npos) << Error;
  TraceSet T2;
  EXPECT_FALSE(parseTraceText("\n\n", "e.jsonl", T2, Error));
  EXPECT_NE(Error.find("e.jsonl: empty trace file"), std::string::npos) << Error;
  TraceSet T3;
  // A truncated header is not a trace at all.
  EXPECT_FALSE(parseTraceText("{\"k\":\"hea", "x.jsonl", T3, Error));
  EXPECT_NE(Error.find("x.jsonl:1: malformed record"), std::string::npos) << Error;
}

TEST(TraceReader, SeveralFilesAreSeveralInstances) {
  std::string Dir = ::testing::TempDir();
  std::string A = Dir + "/trace_a.jsonl", B = Dir + "/trace_b.jsonl";
  std::ofstream(A) << good();
  std::ofstream(B) << good();
  std::string Error;
  std::optional<TraceSet> T = loadTraces({A, B}, Error);
  ASSERT_TRUE(T) << Error;
  EXPECT_EQ(T->Nodes.size(), 4u);
  EXPECT_EQ(T->Sites.size(), 1u);  // Merged by key.
  EXPECT_EQ(T->Params.size(), 2u); // Merged by id.
  EXPECT_EQ(T->Tus.size(), 1u);
  EXPECT_EQ(T->instance(2), 1u);
  EXPECT_EQ(T->Nodes[2].Site, 0);
  EXPECT_EQ(T->indexOf(1, 4294967297u), 2u);
  EXPECT_EQ(T->Feedbacks[3].Instance, 1u);
  EXPECT_EQ(T->Files, (std::vector<std::string>{A, B}));
  std::remove(A.c_str());
  std::remove(B.c_str());

  EXPECT_FALSE(loadTraces({Dir + "/does-not-exist.jsonl"}, Error));
  EXPECT_NE(Error.find("cannot open trace file '" + Dir + "/does-not-exist.jsonl'"), std::string::npos) << Error;
}

} // namespace

namespace {

TEST(NodeIdMap, InsertFindGrowAndRejectDuplicates) {
  NodeIdMap M;
  EXPECT_EQ(M.find(1), NodeIdMap::npos);
  // Ids of several threads, as the runtime numbers them.
  for (uint64_t Thread = 1; Thread <= 4; ++Thread)
    for (uint64_t Seq = 1; Seq <= 5000; ++Seq)
      ASSERT_TRUE(M.insert((Thread << 32) | Seq, size_t(Thread * 10000 + Seq)));
  EXPECT_EQ(M.size(), 20000u);
  EXPECT_EQ(M.find((3ull << 32) | 77), 30077u);
  EXPECT_EQ(M.find((5ull << 32) | 1), NodeIdMap::npos);
  EXPECT_FALSE(M.insert((2ull << 32) | 9, 1));
  EXPECT_EQ(M.find((2ull << 32) | 9), 20009u);
  EXPECT_FALSE(M.insert(0, 1)); // 0 means "none" and is never a node.
  EXPECT_EQ(M.find(0), NodeIdMap::npos);
}

} // namespace

namespace {

TEST(TraceReader, EscapedStringsAreDecoded) {
  // Escaped and plain strings side by side in one record: each decoded
  // string must keep its own text, also the escaped key ("\u006b" is "k").
  std::string Text =
      std::string(Header) +
      R"J({"\u006b":"call","node":1,"site":1,"args":[{"name":"a\tb","type":"std::string","value":"\"x\\y\"\n"},{"name":"c","type":"int","value":"2"},{"name":"d\u00e9","type":"char","value":"\ud83d\ude00"}],"this":{"type":"S\/T","value":"S{\"s\"}"},"globals":[{"param":"var:g\u0021","type":"int","value":"\r"}]})J" "\n"
      R"J({"k":"ret","node":1,"type":"std::string","value":"line1\nline2 \u00fc"})J" "\n"
      R"J({"k":"call","node":2,"site":1,"args":[]})J" "\n"
      R"J({"k":"ret","node":2,"exception":{"type":"E\\F","what":"\"bad\""}})J" "\n"
      R"J({"k":"feedback","node":1,"text":"want \"z\"","score":1})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "esc.jsonl", T, Error)) << Error;
  ASSERT_EQ(T.Nodes.size(), 2u);
  const Node &N = T.Nodes[0];
  auto Args = T.args(N);
  ASSERT_EQ(Args.size(), 3u);
  EXPECT_EQ(Args[0].Name, "a\tb");
  EXPECT_EQ(Args[0].Type, "std::string");
  EXPECT_EQ(Args[0].Value, "\"x\\y\"\n");
  EXPECT_EQ(Args[1].Name, "c");
  EXPECT_EQ(Args[1].Value, "2");
  EXPECT_EQ(Args[2].Name, "d\xc3\xa9");
  EXPECT_EQ(Args[2].Value, "\xf0\x9f\x98\x80");
  ASSERT_TRUE(T.thisArg(N));
  EXPECT_EQ(T.thisArg(N)->Type, "S/T");
  EXPECT_EQ(T.thisArg(N)->Value, "S{\"s\"}");
  ASSERT_EQ(T.globals(N).size(), 1u);
  EXPECT_EQ(T.globals(N)[0].Name, "var:g!");
  EXPECT_EQ(T.globals(N)[0].Value, "\r");
  EXPECT_EQ(T.call(N).ret().value_or(""), "line1\nline2 \xc3\xbc");
  EXPECT_EQ(T.call(1).excType().value_or(""), "E\\F");
  EXPECT_EQ(T.call(1).excWhat().value_or(""), "\"bad\"");
  ASSERT_EQ(T.Feedbacks.size(), 1u);
  EXPECT_EQ(T.Feedbacks[0].Text, "want \"z\"");
}

TEST(TraceReader, StringsOutliveTheTextAndTheFile) {
  std::string Error;
  TraceSet FromText;
  {
    std::string Text = good();
    ASSERT_TRUE(parseTraceText(Text, "good.jsonl", FromText, Error)) << Error;
    std::fill(Text.begin(), Text.end(), '#'); // The reader must not point into it.
  }
  EXPECT_EQ(FromText.args(FromText.Nodes[0])[0].Name, "a");
  EXPECT_EQ(FromText.call(0).ret().value_or(""), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");

  // A run may rewrite its trace file while the set read from it is in use.
  std::string Path = ::testing::TempDir() + "/trace_rewritten.jsonl";
  std::ofstream(Path) << good();
  std::optional<TraceSet> Loaded = loadTraces({Path}, Error);
  ASSERT_TRUE(Loaded) << Error;
  std::ofstream(Path, std::ios::trunc) << "{}\n";
  std::remove(Path.c_str());
  EXPECT_EQ(Loaded->thisArg(Loaded->Nodes[0])->Value, "S{}");
  EXPECT_EQ(Loaded->call(1).excWhat().value_or(""), "boom");

  // A copy shares the text; it stays valid when the original is gone.
  std::optional<TraceSet> Copy(*Loaded);
  Loaded.reset();
  EXPECT_EQ(Copy->globals(Copy->Nodes[0])[0].Value, "0.5");
  EXPECT_EQ(Copy->call(0).ret().value_or(""), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"");
}

TEST(TraceReader, ForwardReferencesAreResolvedAtTheEnd) {
  // Not what the runtime writes (a producer's `ret` comes first), but readable:
  // node 1 names node 2 as its producer and parent before node 2's call.
  std::string Text = std::string(Header) +
                     R"J({"k":"call","node":1,"site":1,"parent":2,"args":[{"name":"x","from":2},{"name":"y","from":99}]})J" "\n"
                     R"J({"k":"call","node":2,"site":1,"parent":0,"args":[{"name":"x","from":1}]})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "fwd.jsonl", T, Error)) << Error;
  EXPECT_EQ(T.Nodes[0].ParentIndex, 1u);
  EXPECT_EQ(T.args(T.Nodes[0])[0].FromIndex, 1u);
  EXPECT_EQ(T.args(T.Nodes[0])[1].FromIndex, NoIndex); // Node 99 does not exist.
  EXPECT_EQ(T.args(T.Nodes[1])[0].FromIndex, 0u);
  EXPECT_EQ(T.Nodes[1].ParentIndex, NoIndex);
}

TEST(TraceReader, ForwardCrossThreadEdgesAndUnknownProducers) {
  // Thread 2's call names a node of thread 1 whose records come later (the
  // writer drains threads independently), by `from` and in `derived`; node
  // 99 never appears: those edges are dropped and counted.
  const uint64_t T1 = uint64_t(1) << 32, T2 = uint64_t(2) << 32;
  std::string Text = std::string(Header) +
                     R"J({"k":"site","site":1,"key":"f(int)","name":"f","params":["x"]})J" "\n" +
                     fmt(R"J({"k":"call","node":%llu,"site":1,"parent":0,"thread":2,"args":[{"name":"x","value":"1","from":%llu},{"name":"y","from":99},{"name":"z","value":"{1, 2}","derived":[%llu,99,%llu],"derived_omitted":4}],"this":{"type":"S","value":"S{}","from_param":"var:ns::gain"}})J",
                         T2 + 1, T1 + 1, T1 + 1, T1 + 2) + "\n" +
                     fmt(R"J({"k":"ret","node":%llu,"type":"int","value":"3"})J", T2 + 1) + "\n" +
                     fmt(R"J({"k":"call","node":%llu,"site":1,"parent":0,"thread":1,"args":[{"name":"x","value":"0","from_param":"var:k","derived":[]}]})J", T1 + 1) + "\n" +
                     fmt(R"J({"k":"ret","node":%llu,"exception":{"type":"std::domain_error","what":"division by zero","file":"/s/a.cpp","line":12}})J", T1 + 1) + "\n" +
                     fmt(R"J({"k":"call","node":%llu,"site":1,"parent":0,"thread":1,"args":[]})J", T1 + 2) + "\n" +
                     fmt(R"J({"k":"ret","node":%llu,"exception":{"type":"int"}})J", T1 + 2) + "\n" +
                     R"J({"k":"feedback","node":0,"text":"v is 7","unattributed":"not produced by a recorded call"})J" "\n" +
                     fmt(R"J({"k":"feedback","node":%llu,"text":"uncaught exception std::domain_error: division by zero","uncaught":true})J", T1 + 1) + "\n" +
                     R"J({"k":"end","nodes":3,"dropped":0,"lost":3})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "x.jsonl", T, Error)) << Error;
  ASSERT_EQ(T.Nodes.size(), 3u);
  const Node &User = T.Nodes[0];
  auto Args = T.args(User);
  EXPECT_EQ(Args[0].From, T1 + 1);
  EXPECT_EQ(Args[0].FromIndex, 1u);
  EXPECT_EQ(Args[1].From, 0u); // Dropped: node 99 is not in the file.
  EXPECT_EQ(Args[1].FromIndex, NoIndex);
  EXPECT_FALSE(Args[0].HasExtra);
  ASSERT_TRUE(Args[2].HasExtra);
  const ArgExtra *Z = T.extra(T.values(User).FirstArg + 2);
  ASSERT_TRUE(Z);
  EXPECT_EQ(Z->DerivedOmitted, 4u);
  EXPECT_TRUE(Z->FromParam.empty());
  ASSERT_EQ(T.derived(*Z).size(), 2u); // 99 dropped.
  EXPECT_EQ(T.derived(*Z)[0].Id, T1 + 1);
  EXPECT_EQ(T.derived(*Z)[0].Index, 1u);
  EXPECT_EQ(T.derived(*Z)[1].Index, 2u);
  const ArgExtra *This = T.extra(T.values(User).FirstArg + 3);
  ASSERT_TRUE(This);
  EXPECT_EQ(This->FromParam, "var:ns::gain");
  const ArgExtra *K = T.extra(T.values(T.Nodes[1]).FirstArg);
  ASSERT_TRUE(K);
  EXPECT_EQ(K->FromParam, "var:k");
  EXPECT_EQ(K->NumDerived, 0u);
  EXPECT_FALSE(T.extra(T.values(User).FirstArg + 1));

  const ThrowSite *W = T.throwSite(1);
  ASSERT_TRUE(W);
  EXPECT_EQ(W->File, "/s/a.cpp");
  EXPECT_EQ(W->Line, 12u);
  EXPECT_FALSE(T.throwSite(2)); // Thrown where the trace does not say.
  EXPECT_FALSE(T.throwSite(0));

  ASSERT_EQ(T.Feedbacks.size(), 2u);
  EXPECT_TRUE(T.Feedbacks[0].runLevel());
  EXPECT_EQ(T.Feedbacks[0].Unattributed, "not produced by a recorded call");
  EXPECT_FALSE(T.Feedbacks[0].Uncaught);
  EXPECT_TRUE(T.Feedbacks[1].Uncaught);
  EXPECT_EQ(T.Feedbacks[1].Node, T1 + 1);

  ASSERT_EQ(T.Lost.size(), 1u);
  EXPECT_EQ(T.Lost[0], 3u);
  std::string All;
  for (const std::string &Warning : T.Warnings)
    All += Warning + "\n";
  EXPECT_NE(All.find("x.jsonl: 2 data-flow edges name a node that is not in the trace; they were dropped"),
            std::string::npos)
      << All;
  EXPECT_NE(All.find("x.jsonl: 3 data-flow edges were not recorded:"), std::string::npos) << All;
  EXPECT_NE(All.find("(see docs/runtime.md)"), std::string::npos) << All;
}

TEST(TraceReader, FeedbackOnADerivedValueKeepsItsProducers) {
  // Feedback on a vector filled by push_back(f(i)): node 0 with the calls
  // whose results it was built from. One producer (thread 2) is written
  // after the feedback, 99 is nowhere in the file: it is dropped, with a
  // warning, and counted with the producers the runtime did not list.
  const uint64_t T1 = uint64_t(1) << 32, T2 = uint64_t(2) << 32;
  std::string Text = std::string(Header) +
                     R"J({"k":"site","site":1,"key":"f(int)","name":"f","params":["x"]})J" "\n" +
                     fmt(R"J({"k":"call","node":%llu,"site":1,"parent":0,"thread":1,"args":[]})J", T1 + 1) + "\n" +
                     fmt(R"J({"k":"ret","node":%llu,"type":"int","value":"1"})J", T1 + 1) + "\n" +
                     fmt(R"J({"k":"feedback","node":0,"derived":[%llu,99,%llu],"derived_omitted":3,"text":"too short","score":0.5})J",
                         T1 + 1, T2 + 1) + "\n" +
                     fmt(R"J({"k":"feedback","node":0,"derived":[%llu],"text":"sorted"})J", T1 + 1) + "\n" +
                     R"J({"k":"feedback","node":0,"derived":[99],"text":"lost parts"})J" "\n" +
                     R"J({"k":"feedback","node":0,"derived":null,"text":"about the run"})J" "\n" +
                     fmt(R"J({"k":"call","node":%llu,"site":1,"parent":0,"thread":2,"args":[]})J", T2 + 1) + "\n" +
                     fmt(R"J({"k":"ret","node":%llu,"type":"int","value":"2"})J", T2 + 1) + "\n" +
                     R"J({"k":"end","nodes":2,"dropped":0})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "d.jsonl", T, Error)) << Error;
  ASSERT_EQ(T.Feedbacks.size(), 4u);
  const Feedback &F = T.Feedbacks[0];
  EXPECT_EQ(F.Node, 0u);
  EXPECT_TRUE(F.onDerivedValue());
  EXPECT_FALSE(F.runLevel());
  ASSERT_EQ(F.Derived.size(), 2u);
  EXPECT_EQ(F.Derived[0].Id, T1 + 1);
  EXPECT_EQ(F.Derived[0].Index, 0u);
  EXPECT_EQ(F.Derived[1].Id, T2 + 1);
  EXPECT_EQ(F.Derived[1].Index, 1u); // Resolved after the whole file was read.
  EXPECT_EQ(F.DerivedOmitted, 4u);   // 3 not listed, 99 not in the trace.
  EXPECT_EQ(F.Text, "too short");
  EXPECT_EQ(F.Score, 0.5);
  ASSERT_EQ(T.Feedbacks[1].Derived.size(), 1u);
  EXPECT_EQ(T.Feedbacks[1].DerivedOmitted, 0u);
  // No producer in the trace: still on a value, but the backward pass has
  // only the run's outputs to start from.
  EXPECT_TRUE(T.Feedbacks[2].Derived.empty());
  EXPECT_EQ(T.Feedbacks[2].DerivedOmitted, 1u);
  EXPECT_TRUE(T.Feedbacks[2].onDerivedValue());
  EXPECT_TRUE(T.Feedbacks[2].runLevel());
  EXPECT_FALSE(T.Feedbacks[3].onDerivedValue());
  EXPECT_TRUE(T.Feedbacks[3].runLevel());
  std::string All;
  for (const std::string &Warning : T.Warnings)
    All += Warning + "\n";
  EXPECT_NE(All.find("d.jsonl: 2 data-flow edges name a node that is not in the trace"), std::string::npos) << All;
}

TEST(TraceReader, DerivedOnlyCountsOnRunLevelFeedback) {
  // A feedback naming its node has one producer: a `derived` list beside it
  // is not read, and it stays feedback on that node.
  std::string Text = std::string(Header) +
                     R"J({"k":"call","node":1,"site":1,"parent":0,"args":[]})J" "\n"
                     R"J({"k":"feedback","node":1,"derived":[1],"derived_omitted":2,"text":"x"})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "n.jsonl", T, Error)) << Error;
  ASSERT_EQ(T.Feedbacks.size(), 1u);
  EXPECT_TRUE(T.Feedbacks[0].Derived.empty());
  EXPECT_FALSE(T.Feedbacks[0].onDerivedValue());
  EXPECT_FALSE(T.Feedbacks[0].runLevel());
}

TEST(TraceReader, LostIsQuietWhenZero) {
  std::string Text = std::string(Header) + R"J({"k":"end","nodes":0,"dropped":0,"lost":0})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "q.jsonl", T, Error)) << Error;
  EXPECT_TRUE(T.Warnings.empty());
}

TEST(TraceReader, HandBuiltExtrasStaySorted) {
  TraceSet T;
  T.IdToIndex.resize(1);
  NodeInit N;
  N.Id = 1;
  Arg A, B;
  A.Name = "a";
  B.Name = "b";
  T.addNode(N, {A, B});
  T.setExtra(1, "var:b", {});
  T.setExtra(0, "", {5, 6}, 1);
  ASSERT_TRUE(T.extra(0) && T.extra(1));
  EXPECT_EQ(T.extra(1)->FromParam, "var:b");
  EXPECT_EQ(T.derived(*T.extra(0)).size(), 2u);
  EXPECT_TRUE(T.Args[0].HasExtra && T.Args[1].HasExtra);
  T.setThrowSite(0, "/x.cpp", 3);
  EXPECT_EQ(T.throwSite(0)->Line, 3u);
}

TEST(TraceReader, SeveralFilesKeepArgumentsApart) {
  std::string Error;
  TraceSet T;
  ASSERT_TRUE(parseTraceText(good(), "a.jsonl", T, Error)) << Error;
  ASSERT_TRUE(parseTraceText(good(), "b.jsonl", T, Error)) << Error;
  ASSERT_EQ(T.Nodes.size(), 4u);
  // Instance 1's node 2 reads instance 1's node 1, which is node index 2.
  EXPECT_EQ(T.args(T.Nodes[3])[0].FromIndex, 2u);
  EXPECT_EQ(T.Nodes[3].ParentIndex, 2u);
  EXPECT_EQ(T.values(T.Nodes[2]).FirstArg, 4u); // The first file's two calls: 1 argument + `this` + 1 global, 1 argument.
  EXPECT_EQ(T.globals(T.Nodes[2])[0].Name, "var:gain");
}

TEST(TraceReader, LargeTraceWithLongValues) {
  // Enough calls for the arrays to take the large-allocation path, and values
  // longer than a text block, so that strings cross block boundaries.
  const size_t Calls = 100000;
  std::string Long(200000, 'v');
  std::string Text = std::string(Header) + R"J({"k":"site","site":1,"key":"f(int)","name":"f","params":["x"]})J" "\n";
  for (size_t I = 1; I <= Calls; ++I) {
    std::string Value = I % 25000 == 0 ? Long : std::to_string(I);
    Text += R"J({"k":"call","node":)J" + std::to_string(I) + R"J(,"site":1,"parent":0,"args":[{"name":"x","type":"int","value":")J" + Value + "\"";
    if (I > 1)
      Text += ",\"from\":" + std::to_string(I - 1);
    Text += "}]}\n";
    Text += R"J({"k":"ret","node":)J" + std::to_string(I) + R"J(,"type":"int","value":"r)J" + std::to_string(I) + "\"}\n";
  }
  Text += R"J({"k":"end","nodes":100000,"dropped":0})J" "\n";
  TraceSet T;
  std::string Error;
  ASSERT_TRUE(parseTraceText(Text, "big.jsonl", T, Error)) << Error;
  Text.clear();
  EXPECT_TRUE(T.Warnings.empty());
  ASSERT_EQ(T.Nodes.size(), Calls);
  ASSERT_EQ(T.Args.size(), Calls);
  for (size_t I = 0; I < Calls; ++I) {
    const Node &N = T.Nodes[I];
    ASSERT_EQ(T.id(I), I + 1);
    ASSERT_EQ(N.Site, 0);
    ASSERT_EQ(T.args(N).size(), 1u);
    const Arg &A = T.args(N)[0];
    ASSERT_EQ(A.Value, (I + 1) % 25000 == 0 ? Long : std::to_string(I + 1)) << I;
    ASSERT_EQ(A.FromIndex, I ? uint32_t(I - 1) : NoIndex) << I;
    ASSERT_EQ(T.call(N).ret().value_or(""), "r" + std::to_string(I + 1)) << I;
  }
}

TEST(TextPool, SavedStringsStayIntactAcrossBlocks) {
  TextPool Pool;
  std::vector<std::pair<std::string_view, std::string>> Saved;
  for (size_t I = 0; I < 5000; ++I) {
    std::string S(I % 97 == 0 ? 70000 + I : I % 13, char('a' + I % 26));
    Saved.push_back({Pool.save(S), S});
  }
  EXPECT_TRUE(Pool.save("").empty());
  for (const auto &[View, Want] : Saved)
    ASSERT_EQ(View, Want);
  EXPECT_GE(Pool.capacity(), size_t(52 * 70000));
}

TEST(LargeVector, LargeArraysAreAlignedAndUsable) {
  LargeVector<uint32_t> V(3 << 20, 7); // 12 MiB: mapped directly.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(V.data()) % (uintptr_t(2) << 20), 0u);
  V.back() = 9;
  V.resize(V.size() * 2, 1); // Reallocates: the elements move over.
  EXPECT_EQ(V[0], 7u);
  EXPECT_EQ(V[(3 << 20) - 1], 9u);
  EXPECT_EQ(V.back(), 1u);
  LargeVector<uint32_t> Small(10, 3);
  EXPECT_EQ(Small[9], 3u);
}

TEST(LargeVector, RecycledBlocksAreReused) {
  // Built again and again (like the graph), an array gets the freed block
  // back, initialised afresh.
  const void *First;
  {
    RecycledVector<uint32_t> V(7 << 20, 1); // 28 MiB, a size nothing else here uses.
    First = V.data();
    V[12345] = 5;
  }
  RecycledVector<uint32_t> W(7 << 20, 2);
  EXPECT_EQ(static_cast<const void *>(W.data()), First);
  EXPECT_EQ(W[12345], 2u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(W.data()) % (uintptr_t(2) << 20), 0u);
}

} // namespace
