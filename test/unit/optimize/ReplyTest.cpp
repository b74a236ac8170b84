//===- ReplyTest.cpp - Parsing the LLM's reply ----------------------------===//
#include "llm/Reply.h"

#include <gtest/gtest.h>

using namespace traceopt;

namespace {

class ReplyTest : public ::testing::Test {
protected:
  void SetUp() override {
    Param Code;
    Code.Id = "code:clamp(double)";
    Code.Kind = "code";
    Code.Name = "ns::clamp";
    Code.Text = "double clamp(double x) { return x; }";
    Param Gain;
    Gain.Id = "var:ns::gain";
    Gain.Kind = "value";
    Gain.Name = "ns::gain";
    Gain.Type = "double";
    Gain.Value = Gain.Text = "0.5";
    Param Weights;
    Weights.Id = "var:weights";
    Weights.Kind = "value";
    Weights.Name = "weights";
    Weights.Type = "std::vector<int>";
    Weights.Value = Weights.Text = "{1, 2}";
    Param Flag;
    Flag.Id = "var:flag";
    Flag.Kind = "value";
    Flag.Name = "flag";
    Flag.Type = "bool";
    Flag.Value = Flag.Text = "true";
    T.Params = {Code, Gain, Weights, Flag};
    P.NameToParamId = {{"__code0", Code.Id}, {"gain0", Gain.Id}, {"weights0", Weights.Id}, {"flag0", Flag.Id}};
  }

  ParsedReply parse(std::string_view Reply) { return parseReply(Reply, P, T); }

  TraceSet T;
  Prompt P;
};

TEST_F(ReplyTest, BareObject) {
  ParsedReply R = parse(R"({"reasoning": "gain too high", "suggestion": {"gain0": 0.25}})");
  EXPECT_TRUE(R.Errors.empty());
  EXPECT_EQ(R.Reasoning, "gain too high");
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].ParamId, "var:ns::gain");
  EXPECT_EQ(R.Suggestions[0].NewText, "0.25");
  // T.Params[1]: the check of the suggestion needs no lookup by id.
  EXPECT_EQ(R.Suggestions[0].ParamIndex, 1u);
}

TEST_F(ReplyTest, FencedWithProse) {
  ParsedReply R = parse("Here is my answer:\n```json\n{\"reasoning\": \"r\", \"suggestion\": {\"gain0\": \"1\"}}\n"
                        "```\nHope this helps {really}.");
  EXPECT_TRUE(R.Errors.empty());
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].NewText, "1.0");
}

TEST_F(ReplyTest, ObjectInsideProseWithoutFence) {
  ParsedReply R = parse("I think {this} matters. {\"reasoning\": \"x\", \"suggestion\": {\"flag0\": \"False\"}} Done.");
  EXPECT_TRUE(R.Errors.empty());
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].NewText, "false");
}

TEST_F(ReplyTest, RawNewlinesAndBracesInCode) {
  std::string Reply = "{\"reasoning\": \"clamp must cap\nat 1\",\n \"suggestion\": {\"__code0\": \"double clamp(double x) "
                      "{\n  if (x > 1) { return 1; }\n\treturn x;\n}\"}}";
  ParsedReply R = parse(Reply);
  EXPECT_TRUE(R.Errors.empty()) << R.Errors[0];
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].ParamId, "code:clamp(double)");
  EXPECT_EQ(R.Suggestions[0].NewText, "double clamp(double x) {\n  if (x > 1) { return 1; }\n\treturn x;\n}");
  EXPECT_EQ(R.Reasoning, "clamp must cap\nat 1");
}

TEST_F(ReplyTest, SeveralSuggestionsAndTrailingComma) {
  ParsedReply R = parse(R"({"reasoning": "r", "suggestion": {"gain0": 2, "weights0": "[3, 4]", "flag0": 0,},})");
  EXPECT_TRUE(R.Errors.empty());
  ASSERT_EQ(R.Suggestions.size(), 3u);
  std::map<std::string, std::string> ById;
  for (const Suggestion &S : R.Suggestions)
    ById[S.ParamId] = S.NewText;
  EXPECT_EQ(ById["var:ns::gain"], "2.0");
  EXPECT_EQ(ById["var:weights"], "{3, 4}");
  EXPECT_EQ(ById["var:flag"], "false");
}

TEST_F(ReplyTest, UnknownNamesAreReportedByName) {
  ParsedReply R = parse(R"({"reasoning": "r", "suggestion": {"gain0": 1.5, "speed7": 3}})");
  ASSERT_EQ(R.Suggestions.size(), 1u);
  ASSERT_EQ(R.Errors.size(), 1u);
  EXPECT_NE(R.Errors[0].find("unknown variable 'speed7'"), std::string::npos) << R.Errors[0];
  EXPECT_NE(R.Errors[0].find("gain0"), std::string::npos) << R.Errors[0];
}

TEST_F(ReplyTest, CppNamesAndIdsAreAccepted) {
  ParsedReply R = parse(R"({"suggestion": {"ns::gain": 1, "var:weights": [5]}})");
  EXPECT_TRUE(R.Errors.empty());
  ASSERT_EQ(R.Suggestions.size(), 2u);
  ParsedReply R2 = parse(R"({"suggestion": {"gain": 1}})");
  ASSERT_EQ(R2.Suggestions.size(), 1u);
  EXPECT_EQ(R2.Suggestions[0].ParamId, "var:ns::gain");
}

TEST_F(ReplyTest, TerminateInTextIsJustText) {
  ParsedReply R = parse(R"(TERMINATE {"reasoning": "We should not TERMINATE yet", "suggestion": {"gain0": 0.1}})");
  EXPECT_TRUE(R.Errors.empty());
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Reasoning, "We should not TERMINATE yet");
}

TEST_F(ReplyTest, BadValueIsAnErrorNamingTheVariable) {
  ParsedReply R = parse(R"({"suggestion": {"flag0": "maybe", "weights0": "[1, \"x\"]"}})");
  EXPECT_TRUE(R.Suggestions.empty());
  ASSERT_EQ(R.Errors.size(), 2u);
  EXPECT_NE(R.Errors[0].find("flag0"), std::string::npos) << R.Errors[0];
  EXPECT_NE(R.Errors[0].find("'maybe'") == std::string::npos ? R.Errors[0].find("maybe") : 0, std::string::npos);
  EXPECT_NE(R.Errors[1].find("weights0"), std::string::npos) << R.Errors[1];
}

TEST_F(ReplyTest, NoJsonIsAnError) {
  ParsedReply R = parse("I cannot help with that.");
  EXPECT_TRUE(R.Suggestions.empty());
  ASSERT_EQ(R.Errors.size(), 1u);
  EXPECT_NE(R.Errors[0].find("no JSON object"), std::string::npos);
}

TEST_F(ReplyTest, EmptySuggestionMeansNoChange) {
  ParsedReply R = parse(R"({"reasoning": "all good", "suggestion": {}})");
  EXPECT_TRUE(R.Errors.empty());
  EXPECT_TRUE(R.Suggestions.empty());
  ParsedReply R2 = parse(R"({"reasoning": "all good"})");
  EXPECT_TRUE(R2.Errors.empty());
}

TEST_F(ReplyTest, CodeInsideAFenceWithinTheString) {
  ParsedReply R = parse(R"({"suggestion": {"__code0": "```cpp\ndouble clamp(double x) { return 0; }\n```"}})");
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].NewText, "double clamp(double x) { return 0; }");
}

TEST_F(ReplyTest, CodeMustBeAString) {
  ParsedReply R = parse(R"({"suggestion": {"__code0": 3}})");
  EXPECT_TRUE(R.Suggestions.empty());
  ASSERT_EQ(R.Errors.size(), 1u);
  EXPECT_NE(R.Errors[0].find("must be a string"), std::string::npos) << R.Errors[0];
}

TEST_F(ReplyTest, SuggestionGivenAsAString) {
  ParsedReply R = parse(R"({"reasoning": "r", "suggestion": "{\"gain0\": 3}"})");
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].NewText, "3.0");
}

TEST_F(ReplyTest, NumberBeyondDoubleIsNamed) {
  // The JSON parser refuses a whole text for one such number; the error must name it instead.
  ParsedReply R = parse(R"({"reasoning": "keep 1e400 in mind", "suggestion": {"gain0": 1e400, "flag0": false}})");
  ASSERT_EQ(R.Suggestions.size(), 1u);
  EXPECT_EQ(R.Suggestions[0].ParamId, "var:flag");
  EXPECT_EQ(R.Reasoning, "keep 1e400 in mind");
  ASSERT_EQ(R.Errors.size(), 1u);
  EXPECT_NE(R.Errors[0].find("bad value for 'gain0'"), std::string::npos) << R.Errors[0];
  EXPECT_NE(R.Errors[0].find("1e400 is out of range for type 'double'"), std::string::npos) << R.Errors[0];
  R = parse("```json\n{\"suggestion\": {\"gain0\": -1.5E+999,}}\n```");
  ASSERT_EQ(R.Errors.size(), 1u);
  EXPECT_NE(R.Errors[0].find("-1.5E+999 is out of range for type 'double'"), std::string::npos) << R.Errors[0];
  R = parse(R"({"suggestion": {"weights0": [1, 1e999]}})");
  ASSERT_EQ(R.Errors.size(), 1u);
  EXPECT_NE(R.Errors[0].find("element 1 of the list"), std::string::npos) << R.Errors[0];
  EXPECT_EQ(R.Errors[0].find("no JSON object"), std::string::npos) << R.Errors[0];
}

} // namespace
