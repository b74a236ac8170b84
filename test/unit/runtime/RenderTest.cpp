//===- RenderTest.cpp - Values as text ------------------------------------===//

#include "Internal.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

using namespace __trace_rt;

namespace {

template <class T> std::string text(const T &V, std::size_t Limit = SIZE_MAX) {
  Out O(Limit);
  render(O, V);
  std::size_t Omitted = O.finish();
  return Omitted ? O.Buf + truncationMarker(Omitted) : O.Buf;
}

enum class Color { Red, Green, Blue };
enum Plain { PlainA = 1, PlainB = 5 };

struct Opaque {
  int X;
};

} // namespace

namespace user {
struct Money {
  long Cents;
};
std::string trace_format(const Money &M) {
  return std::to_string(M.Cents / 100) + "." + std::to_string(M.Cents % 100) +
         " EUR";
}
struct Point {
  int X, Y;
};
std::ostream &operator<<(std::ostream &OS, const Point &P) {
  return OS << "(" << P.X << ", " << P.Y << ")";
}
} // namespace user

TEST(Render, Integers) {
  EXPECT_EQ(text(42), "42");
  EXPECT_EQ(text(-7), "-7");
  EXPECT_EQ(text(18446744073709551615ull), "18446744073709551615");
  EXPECT_EQ(text(static_cast<short>(-3)), "-3");
  EXPECT_EQ(text(static_cast<unsigned char>(200)), "200");
}

TEST(Render, FloatingPointRoundTrips) {
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(2.5), "2.5");
  EXPECT_EQ(text(1.0), "1");
  EXPECT_EQ(text(0.1f), "0.1");
  EXPECT_EQ(text(1e300), "1e+300");
  double Third = 1.0 / 3.0;
  EXPECT_EQ(std::stod(text(Third)), Third);
}

TEST(Render, BoolAndChar) {
  EXPECT_EQ(text(true), "true");
  EXPECT_EQ(text(false), "false");
  EXPECT_EQ(text('a'), "'a'");
  EXPECT_EQ(text('\n'), "'\\n'");
  EXPECT_EQ(text('\''), "'\\''");
  EXPECT_EQ(text('\x01'), "'\\x01'");
}

TEST(Render, StringsAreQuotedAndEscaped) {
  EXPECT_EQ(text(std::string("say \"hi\"\n")), "\"say \\\"hi\\\"\\n\"");
  EXPECT_EQ(text(std::string_view("tab\there")), "\"tab\\there\"");
  const char *C = "back\\slash";
  EXPECT_EQ(text(C), "\"back\\\\slash\"");
  const char *Null = nullptr;
  EXPECT_EQ(text(Null), "nullptr");
  EXPECT_EQ(text("lit"), "\"lit\"");
  EXPECT_EQ(text(std::string("h\xC3\xA9llo")), "\"h\xC3\xA9llo\"");
}

TEST(Render, Pointers) {
  int X = 0;
  int *P = &X;
  std::string T = text(P);
  EXPECT_EQ(T.rfind("0x", 0), 0u) << T;
  EXPECT_EQ(std::stoull(T.substr(2), nullptr, 16),
            reinterpret_cast<uintptr_t>(P));
  int *Null = nullptr;
  EXPECT_EQ(text(Null), "nullptr");
  EXPECT_EQ(text(nullptr), "nullptr");
}

TEST(Render, EnumsByNameOrNumber) {
  static const long long Values[] = {0, 1, 2};
  static const char *const Names[] = {"Color::Red", "Color::Green",
                                      "Color::Blue"};
  EnumInfo E{"Color", 3, Values, Names};
  Color G = Color::Green;
  Out O;
  renderErased<Color>(O, &G, &E);
  EXPECT_EQ(O.Buf, "Color::Green");
  Out O2;
  Color Bad = static_cast<Color>(9);
  renderErased<Color>(O2, &Bad, &E);
  EXPECT_EQ(O2.Buf, "Color(9)");
  // Without names (e.g. inside a container): Type(n).
  EXPECT_EQ(text(Color::Blue), "(anonymous namespace)::Color(2)");
  EXPECT_EQ(text(PlainB), "(anonymous namespace)::Plain(5)");
}

TEST(Render, Containers) {
  EXPECT_EQ(text(std::vector<int>{1, 2, 3}), "[1, 2, 3]");
  EXPECT_EQ(text(std::vector<int>{}), "[]");
  EXPECT_EQ(text(std::vector<std::string>{"a", "b"}), "[\"a\", \"b\"]");
  EXPECT_EQ(text(std::map<std::string, int>{{"x", 1}, {"y", 2}}),
            "{\"x\": 1, \"y\": 2}");
  EXPECT_EQ(text(std::set<int>{3, 1}), "{1, 3}");
  EXPECT_EQ(text(std::array<double, 2>{0.5, 1.5}), "[0.5, 1.5]");
  EXPECT_EQ(text(std::vector<std::vector<int>>{{1}, {2, 3}}), "[[1], [2, 3]]");
  int Raw[3] = {4, 5, 6};
  EXPECT_EQ(text(Raw), "[4, 5, 6]");
}

TEST(Render, TupleLikeOptionalVariant) {
  EXPECT_EQ(text(std::pair<int, std::string>{1, "one"}), "(1, \"one\")");
  EXPECT_EQ(text(std::make_tuple(1, 'c', 2.5)), "(1, 'c', 2.5)");
  EXPECT_EQ(text(std::optional<int>(5)), "5");
  EXPECT_EQ(text(std::optional<int>()), "nullopt");
  EXPECT_EQ(text(std::variant<int, std::string>(std::string("s"))), "\"s\"");
  EXPECT_EQ(text(std::variant<int, std::string>(7)), "7");
}

TEST(Render, UserTypes) {
  EXPECT_EQ(text(user::Money{1250}), "12.50 EUR");
  EXPECT_EQ(text(user::Point{3, -4}), "(3, -4)");
  EXPECT_EQ(text(std::vector<user::Point>{{1, 2}}), "[(1, 2)]");
  // No customization: the type's name.
  EXPECT_EQ(text(Opaque{1}), "(anonymous namespace)::Opaque{...}");
}

TEST(Render, OStreamStateIsReset) {
  struct Hex {};
  Out O;
  O.stream() << std::hex << 255;
  EXPECT_EQ(O.Buf, "ff");
  O.reset(SIZE_MAX);
  O.stream() << 255;
  EXPECT_EQ(O.Buf, "255");
}

TEST(Render, TruncationKeepsPrefixAndCounts) {
  std::string Long(100, 'x');
  EXPECT_EQ(text(std::vector<int>(50, 7), 10),
            "[7, 7, 7, " + truncationMarker(text(std::vector<int>(50, 7)).size() - 10));
  Out O(10);
  O.write(Long.data(), Long.size());
  EXPECT_EQ(O.finish(), 90u);
  EXPECT_EQ(O.Buf, std::string(10, 'x'));
  EXPECT_EQ(truncationMarker(90), "\xE2\x80\xA6[+90 bytes]");
}

TEST(Render, TruncationDoesNotSplitUtf8) {
  // "aé" is 3 bytes; a limit of 2 would cut é in half.
  Out O(2);
  O.write("a\xC3\xA9z", 4);
  EXPECT_EQ(O.finish(), 3u);
  EXPECT_EQ(O.Buf, "a");
  EXPECT_EQ(utf8Prefix("a\xE2\x82\xAC", 3), 1u);
  EXPECT_EQ(utf8Prefix("a\xE2\x82\xAC", 4), 4u);
  EXPECT_EQ(utf8Prefix("abc", 2), 2u);
}

TEST(Json, EscapesAndParsesBack) {
  std::string In = std::string("q\"b\\n\nt\tc\x01") + "\xC3\xA9" + "\xFF" + "z";
  std::string J;
  appendJsonString(J, In);
  EXPECT_EQ(J, "\"q\\\"b\\\\n\\nt\\tc\\u0001\xC3\xA9\\ufffdz\"");
  auto Parsed = nlohmann::json::parse(J);
  EXPECT_EQ(Parsed.get<std::string>(),
            std::string("q\"b\\n\nt\tc\x01") + "\xC3\xA9" + "\xEF\xBF\xBD" + "z");
}

TEST(Json, RejectsOverlongAndSurrogates) {
  std::string J;
  appendJsonString(J, "\xC0\xAF\xED\xA0\x80");
  EXPECT_NO_THROW((void)nlohmann::json::parse(J));
  EXPECT_EQ(J.find("\xED"), std::string::npos);
}

TEST(TypeNames, AreReadable) {
  EXPECT_EQ(prettyTypeName("std::__cxx11::basic_string<char>"), "std::string");
  EXPECT_EQ(prettyTypeName("std::vector<std::__cxx11::basic_string<char, "
                           "std::char_traits<char>, std::allocator<char> > >"),
            "std::vector<std::string >");
  EXPECT_EQ(prettyTypeName("std::basic_string_view<char>"), "std::string_view");
  constexpr TypeStr T = detail::TypeName<int>::Value;
  EXPECT_EQ(std::string(T.Ptr, T.Len), "int");
  constexpr TypeStr V = detail::TypeName<std::vector<int>>::Value;
  EXPECT_EQ(std::string(V.Ptr, V.Len), "std::vector<int>");
}

TEST(Render, ProxyElementsRenderAsTheirValueType) {
  EXPECT_EQ(text(std::vector<bool>{true, false}), "[true, false]");
}

namespace {
/// Iterates over values of its own type, like std::filesystem::path.
struct SelfRange {
  const SelfRange *begin() const { return this; }
  const SelfRange *end() const { return this + 1; }
};
} // namespace

TEST(Render, RangeOfItselfFallsBackToItsName) {
  EXPECT_EQ(text(SelfRange{}), "(anonymous namespace)::SelfRange{...}");
}

namespace {
struct PlainPair {
  int A, B;
};
struct WithFormat {
  int A;
};
std::string trace_format(const WithFormat &W) { return std::to_string(W.A); }
} // namespace

TEST(Render, WhatIsCapturedAsBytes) {
  using __trace_rt::detail::IsDeferred;
  static_assert(IsDeferred<int> && IsDeferred<double> && IsDeferred<Color>);
  static_assert(IsDeferred<int *> && IsDeferred<std::nullptr_t>);
  static_assert(!IsDeferred<const char *> && !IsDeferred<char *>);
  // std::pair is not trivially copyable in libstdc++ (user-provided
  // assignment): captured as text.
  static_assert(IsDeferred<std::pair<int, int>> ==
                std::is_trivially_copyable<std::pair<int, int>>::value);
  static_assert(IsDeferred<std::array<int, 4>>);
  static_assert(!IsDeferred<std::array<int, 5>>); // 20 bytes
  static_assert(IsDeferred<std::optional<int>>);
  static_assert(!IsDeferred<std::pair<const char *, int>>);
  static_assert(!IsDeferred<std::string_view>);
  static_assert(IsDeferred<PlainPair>);
  static_assert(!IsDeferred<WithFormat>);
  static_assert(!IsDeferred<user::Point>); // has operator<<
  static_assert(!IsDeferred<std::vector<int>>);
  SUCCEED();
}
