//===- ConvertTest.cpp - Suggested values to C++ text ---------------------===//
#include "patch/Convert.h"
#include "traceset/TraceSet.h"

#include <gtest/gtest.h>

#include <fstream>
#include <cstdlib>
#include <unistd.h>

using namespace traceopt;
using nlohmann::json;

namespace {

std::string ok(const json &V, std::string_view Type, std::string_view Old = "") {
  std::string Error;
  std::optional<std::string> R = toCppInitializer(V, Type, Old, Error);
  EXPECT_TRUE(R) << V.dump() << " as " << Type << ": " << Error;
  return R.value_or("<error>");
}

std::string err(const json &V, std::string_view Type, std::string_view Old = "") {
  std::string Error;
  std::optional<std::string> R = toCppInitializer(V, Type, Old, Error);
  EXPECT_FALSE(R) << V.dump() << " as " << Type << " gave " << R.value_or("");
  return Error;
}

TEST(Convert, FloatingPoint) {
  EXPECT_EQ(ok(1, "double"), "1.0");
  EXPECT_EQ(ok(1.0, "double"), "1.0");
  EXPECT_EQ(ok("1.5", "double"), "1.5");
  EXPECT_EQ(ok(0.1, "const double"), "0.1");
  EXPECT_EQ(ok(-2.5e-7, "double"), "-2.5e-07");
  EXPECT_EQ(ok(1e300, "double"), "1.0e+300");
  EXPECT_EQ(ok(2.5, "float"), "2.5f");
  EXPECT_EQ(ok("3f", "float"), "3.0f");
  EXPECT_EQ(ok(3, "long double"), "3.0L");
  EXPECT_NE(err("fast", "double").find("expected a number for type 'double', got \"fast\""), std::string::npos);
  EXPECT_NE(err(json::array({1}), "double").find("expected a number"), std::string::npos);
  EXPECT_NE(err(1e300, "float").find("out of range for type 'float'"), std::string::npos);
  // Beyond a double (the reply parser keeps such a number as its text): named, or kept for a
  // long double, which holds it.
  EXPECT_NE(err("1e400", "double").find("1e400 is out of range for type 'double' (its largest finite value is "
                                        "1.79769e+308)"),
            std::string::npos);
  EXPECT_NE(err("-1e400", "float").find("-1e400 is out of range for type 'float'"), std::string::npos);
  EXPECT_NE(err("1e-400", "double").find("1e-400 is too close to zero for type 'double'"), std::string::npos);
  EXPECT_EQ(ok("1e400", "long double"), "1.0e400L");
  EXPECT_EQ(ok("-2.5e600", "long double"), "-2.5e600L");
}

TEST(Convert, Integers) {
  EXPECT_EQ(ok(42, "int"), "42");
  EXPECT_EQ(ok("42", "int"), "42");
  EXPECT_EQ(ok(-7, "long"), "-7");
  EXPECT_EQ(ok(3.0, "unsigned"), "3");
  EXPECT_EQ(ok(255, "std::uint8_t"), "255");
  EXPECT_EQ(ok(json(18446744073709551615ull), "unsigned long long"), "18446744073709551615ull");
  EXPECT_EQ(ok(json(std::numeric_limits<int64_t>::min()), "int64_t"), "(-9223372036854775807 - 1)");
  EXPECT_NE(err(3000000000ll, "int").find("3000000000 is out of range for type 'int'"), std::string::npos);
  EXPECT_NE(err(-1, "unsigned int").find("-1 is out of range for type 'unsigned int'"), std::string::npos);
  EXPECT_NE(err(256, "uint8_t").find("out of range"), std::string::npos);
  EXPECT_NE(err(1.5, "int").find("expected an integer for type 'int'"), std::string::npos);
  EXPECT_NE(err("ten", "size_t").find("expected an integer"), std::string::npos);
}

TEST(Convert, Bool) {
  EXPECT_EQ(ok(false, "bool"), "false");
  EXPECT_EQ(ok("false", "bool"), "false");
  EXPECT_EQ(ok("False", "bool"), "false");
  EXPECT_EQ(ok(0, "bool"), "false");
  EXPECT_EQ(ok("0", "bool"), "false");
  EXPECT_EQ(ok(true, "bool"), "true");
  EXPECT_EQ(ok("TRUE", "const bool"), "true");
  EXPECT_EQ(ok(1, "bool"), "true");
  EXPECT_NE(err("yes please", "bool").find("expected true or false"), std::string::npos);
  EXPECT_NE(err(2, "bool").find("expected true or false"), std::string::npos);
}

TEST(Convert, Strings) {
  EXPECT_EQ(ok("hello", "std::string"), "\"hello\"");
  EXPECT_EQ(ok("a \"q\" \\ b\nc\td", "const std::string &"), R"("a \"q\" \\ b\nc\td")");
  EXPECT_EQ(ok(std::string("x\x01" "1"), "std::string"), "\"x\\0011\"");
  EXPECT_EQ(ok("caf\xc3\xa9", "const char *"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(ok(12, "std::string"), "\"12\"");
  EXPECT_EQ(ok("[1, 2]", "std::string"), "\"[1, 2]\""); // A string stays a string.
  EXPECT_NE(err(json::array({"a"}), "std::string").find("expected a string"), std::string::npos);
}

TEST(Convert, Chars) {
  EXPECT_EQ(ok("a", "char"), "'a'");
  EXPECT_EQ(ok("'", "char"), "'\\''");
  EXPECT_EQ(ok("\n", "char"), "'\\n'");
  EXPECT_EQ(ok(65, "char"), "65");
  EXPECT_NE(err("ab", "char").find("expected one character"), std::string::npos);
}

TEST(Convert, Containers) {
  EXPECT_EQ(ok("[1, 2]", "std::vector<int>"), "{1, 2}"); // Never a list of characters.
  EXPECT_EQ(ok(json::array({1, 2}), "std::vector<int>"), "{1, 2}");
  EXPECT_EQ(ok(json::array(), "std::vector<int>"), "{}");
  EXPECT_EQ(ok("{3, 4}", "std::vector<int>"), "{3, 4}");
  EXPECT_EQ(ok(json::array({0.5, 2}), "std::vector<double>"), "{0.5, 2.0}");
  EXPECT_EQ(ok(json::array({"a", "b\"c"}), "std::vector<std::string>"), R"({"a", "b\"c"})");
  EXPECT_EQ(ok(json::array({1, 2, 3}), "std::array<int, 3>"), "{1, 2, 3}");
  EXPECT_EQ(ok(json::array({json::array({1}), json::array()}), "std::vector<std::vector<int>>"), "{{1}, {}}");
  EXPECT_NE(err("abc", "std::vector<int>").find("expected a list for type 'std::vector<int>'"), std::string::npos);
  EXPECT_NE(err(json::array({1, "x"}), "std::vector<int>").find("element 1 of the list"), std::string::npos);
}

TEST(Convert, Enums) {
  EXPECT_EQ(ok("Green", "Color", "Color::Red"), "Color::Green");
  EXPECT_EQ(ok("Color::Blue", "Color", "Color::Red"), "Color::Blue");
  EXPECT_EQ(ok("Fast", "ns::Mode", "ns::Mode::Slow"), "ns::Mode::Fast");
  EXPECT_NE(err("not a name", "Color", "Color::Red").find("is not an enumerator name"), std::string::npos);
  EXPECT_NE(err(2, "Color", "Color::Red").find("expected an enumerator name"), std::string::npos);
}

TEST(Convert, OtherTypesAreExpressions) {
  EXPECT_EQ(ok("Point{1, 2}", "Point"), "Point{1, 2}");
  EXPECT_EQ(ok(3, "Meters"), "3");
  EXPECT_EQ(ok(json::array({1, 2}), "Pair"), "{1, 2}");
  EXPECT_NE(err("  ", "Point").find("an empty value"), std::string::npos);
  EXPECT_NE(err(nullptr, "int").find("null is not a value of type 'int'"), std::string::npos);
}

TEST(Convert, ParamText) {
  Param Code;
  Code.Kind = "code";
  Code.Name = "f";
  std::string Error;
  EXPECT_EQ(toParamText("  int f() { return 1; }\n", Code, Error).value_or(""), "int f() { return 1; }");
  EXPECT_FALSE(toParamText(json::object(), Code, Error));
  EXPECT_NE(Error.find("must be a string"), std::string::npos);

  Param V;
  V.Kind = "value";
  V.Name = "weights";
  V.Type = "std::vector<int>";
  V.Text = "1, 2"; // `weights = {1, 2}`: the recorded range is inside the braces.
  EXPECT_EQ(toParamText("[3, 4]", V, Error).value_or(""), "3, 4");
  V.Text = "{1, 2}";
  EXPECT_EQ(toParamText("[3, 4]", V, Error).value_or(""), "{3, 4}");
  V.Type = "int";
  EXPECT_FALSE(toParamText("x", V, Error));
  EXPECT_NE(Error.find("'weights': expected an integer"), std::string::npos) << Error;
}

TEST(Convert, StringLiteralEscapesEveryControlCharacter) {
  EXPECT_EQ(cppStringLiteral(std::string("\0" "7", 2)), "\"\\0007\"");
  EXPECT_EQ(cppStringLiteral("\x7f"), "\"\\177\"");
  EXPECT_EQ(cppStringLiteral("?\?="), "\"?\?=\""); // "?\?" spells "??" without a trigraph
}

} // namespace

namespace {

TEST(Convert, ValueTextCannotAddDeclarations) {
  EXPECT_NE(err("{1.5}; double extra{2}", "std::vector<double>").find("is not one braced list"), std::string::npos);
  EXPECT_NE(err("{1}, {2}", "std::vector<int>").find("is not one braced list"), std::string::npos);
  EXPECT_NE(err("{1; 2}", "std::vector<int>").find("is not one braced list"), std::string::npos);
  EXPECT_NE(err("f(1; 2)", "Point").find("not a single C++ expression"), std::string::npos);
  EXPECT_EQ(ok("{[] { return 1; }()}", "std::vector<int>"), "{[] { return 1; }()}");
  EXPECT_EQ(ok("{{1}, {2}}", "std::vector<std::vector<int>>"), "{{1}, {2}}");
  EXPECT_EQ(ok("{\"}\", \";\"}", "std::vector<std::string>"), "{\"}\", \";\"}");
  EXPECT_NE(err("Point{1, 2}; int x = 3", "Point").find("not a single C++ expression"), std::string::npos);
  EXPECT_NE(err("Point{1, 2", "Point").find("not a single C++ expression"), std::string::npos);
  EXPECT_NE(err("3 // more", "Meters").find("not a single C++ expression"), std::string::npos);
  EXPECT_EQ(ok("make([] { return 1; })", "Fn"), "make([] { return 1; })");
  EXPECT_EQ(ok("std::string(\"a;b\")", "Label"), "std::string(\"a;b\")");
}

} // namespace

namespace {

TEST(Convert, EnumRecognisedFromSourceText) {
  Param P;
  P.Kind = "value";
  P.Name = "mode";
  P.Type = "Mode";
  P.Value = "Mode(0)"; // Rendered without enumerator names.
  P.Text = "Mode::Slow";
  std::string Error;
  EXPECT_EQ(toParamText("Fast", P, Error).value_or(Error), "Mode::Fast");
  EXPECT_EQ(toParamText("Mode::Fast", P, Error).value_or(Error), "Mode::Fast");
  EXPECT_FALSE(toParamText(1, P, Error));
}

} // namespace

namespace {

TEST(Convert, PairsAndTuplesMeanTheirValues) {
  // A string inside a pair is that string, never C++ text naming a variable.
  EXPECT_EQ(ok(json::array({"q", 2}), "std::pair<std::string, int>"), R"({"q", 2})");
  EXPECT_EQ(ok(json::array({"a\"b", 2.5}), "std::pair<const char *, double>"), R"({"a\"b", 2.5})");
  EXPECT_EQ(ok(json::array({"x", 1, true}), "std::tuple<std::string, long, bool>"), R"({"x", 1, true})");
  // The shape the prompt shows a pair in, given back as a string.
  EXPECT_EQ(ok("(\"q\", 2)", "std::pair<std::string, int>"), R"({"q", 2})");
  EXPECT_EQ(ok("[\"q\", 2]", "std::pair<std::string, int>"), R"({"q", 2})");
  // C++ braced text is kept as written.
  EXPECT_EQ(ok("{\"q\", 2}", "std::pair<std::string, int>"), R"({"q", 2})");
  // An enumerator is told by the recorded value.
  EXPECT_EQ(ok(json::array({"Blue", 1}), "std::pair<Color, int>", "(Color::Red, 0)"), "{Color::Blue, 1}");
  EXPECT_NE(err(json::array({"q"}), "std::pair<std::string, int>").find("expected 2 elements for type "
                                                                          "'std::pair<std::string, int>', got 1"),
            std::string::npos);
  EXPECT_NE(err(json::array({"q", "x"}), "std::pair<std::string, int>").find("element 1 of the std::pair<std::string, "
                                                                             "int>: expected an integer"),
            std::string::npos);
  EXPECT_EQ(ok(json::array({json::array({"a", 1}), json::array({"b", 2})}), "std::vector<std::pair<std::string, int>>"),
            R"({{"a", 1}, {"b", 2}})");
}

TEST(Convert, MapsFromTheObjectThePromptShows) {
  EXPECT_EQ(ok(json::object({{"b", 2}, {"a", 1}}), "std::map<std::string, int>"), R"({{"a", 1}, {"b", 2}})");
  EXPECT_EQ(ok("{\"a\": 1}", "std::map<std::string, int>"), R"({{"a", 1}})");
  EXPECT_EQ(ok(json::object({{"1", "x"}, {"20", "y"}}), "std::unordered_map<int, std::string>"),
            R"({{1, "x"}, {20, "y"}})");
  EXPECT_EQ(ok(json::array({json::array({"a", 1.5})}), "std::map<std::string, double>"), R"({{"a", 1.5}})");
  EXPECT_EQ(ok(json::object(), "std::map<std::string, int>"), "{}");
  EXPECT_EQ(ok(json::object({{"k", json::array({1, 2})}}), "std::map<std::string, std::vector<int>>"),
            R"({{"k", {1, 2}}})");
  EXPECT_NE(err(json::object({{"x", 1}}), "std::map<int, int>").find("the key \"x\" of the std::map<int, int>: "
                                                                    "expected an integer"),
            std::string::npos);
  EXPECT_NE(err(json::object({{"a", "b"}}), "std::map<std::string, int>").find("the value of key \"a\""),
            std::string::npos);
  EXPECT_NE(err(3, "std::map<std::string, int>").find("expected an object"), std::string::npos);
}

TEST(Convert, StringsInsideUnknownTypesAreStrings) {
  EXPECT_EQ(ok(json::array({"q", 2}), "Entry"), R"({"q", 2})");
  EXPECT_EQ(ok(json::array({json::array({"q", 2})}), "std::vector<Entry>"), R"({{"q", 2}})");
  // Alone, a string for an unknown type is still C++ text (Point{1, 2}, a constant).
  EXPECT_EQ(ok("Point{1, 2}", "Point"), "Point{1, 2}");
  EXPECT_NE(err(json::object({{"x", 1}}), "Point").find("a JSON object is no value of type 'Point'"),
            std::string::npos);
  // An enum's elements are told by the recorded list.
  EXPECT_EQ(ok(json::array({"Green", "Color::Red"}), "std::vector<Color>", "[Color::Red]"),
            "{Color::Green, Color::Red}");
}

TEST(Convert, Optionals) {
  EXPECT_EQ(ok(nullptr, "std::optional<int>"), "std::nullopt");
  EXPECT_EQ(ok(3, "std::optional<int>"), "3");
  EXPECT_EQ(ok("hi", "std::optional<std::string>"), "\"hi\"");
}

TEST(Convert, ParamTextInsideBracesReadFromTheFile) {
  char Tmpl[] = "/tmp/trace-opt-convert-XXXXXX";
  std::string Dir = ::mkdtemp(Tmpl);
  std::string File = Dir + "/v.cpp";
  std::string Text = "std::pair<std::string, int> a = {\"a\", 1};\nstd::pair<std::string, int> b{\"b\", 1};\n";
  std::ofstream(File) << Text;
  Param P;
  P.Kind = "value";
  P.Name = "a";
  P.Type = "std::pair<std::string, int>";
  P.File = File;
  P.Text = "\"a\", 1";
  P.Begin = Text.find("\"a\"");
  P.End = P.Begin + P.Text.size();
  std::string Error;
  EXPECT_EQ(toParamText(json::array({"q", 2}), P, Error).value_or(Error), R"("q", 2)");
  P.Text = "{\"b\", 1}";
  P.Begin = Text.find("{\"b\"");
  P.End = P.Begin + P.Text.size();
  EXPECT_EQ(toParamText(json::array({"q", 2}), P, Error).value_or(Error), R"({"q", 2})");
}

} // namespace
