//===- RenderTest.cpp - Values as text ------------------------------------===//

#include "Internal.h"
#include "SafeRead.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstring>
#include <forward_list>
#include <iterator>
#include <list>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

using namespace __trace_rt;

namespace {

template <class T> std::string text(const T &V, std::size_t Limit = SIZE_MAX) {
  Out O(Limit);
  render(O, V);
  std::size_t Omitted = O.finish();
  return Omitted ? O.str() + truncationMarker(Omitted) : O.str();
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

TEST(Render, BytesThatAreNotUtf8AreHex) {
  // trace/escape.hpp: well-formed UTF-8 is kept, any other byte is \xNN, so
  // a binary key reads back byte for byte (EscapeTest checks the contract).
  EXPECT_EQ(text(std::string("k\xFF\x80\xC3\xA9\xC0\xAF", 7)),
            "\"k\\xff\\x80\xC3\xA9\\xc0\\xaf\"");
  EXPECT_EQ(text(std::string_view("\xED\xA0\x80")), "\"\\xed\\xa0\\x80\"");
  const char *C = "\xE2\x82!";
  EXPECT_EQ(text(C), "\"\\xe2\\x82!\"");
  EXPECT_EQ(text('\xE9'), "'\\xe9'");
  char Array[4] = "\xF5z";
  EXPECT_EQ(text(Array), "\"\\xf5z\"");
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
  __EnumInfo E{"Color", 3, Values, Names};
  Color G = Color::Green;
  Out O;
  renderErased<Color>(O, &G, &E);
  EXPECT_EQ(O.str(), "Color::Green");
  Out O2;
  Color Bad = static_cast<Color>(9);
  renderErased<Color>(O2, &Bad, &E);
  EXPECT_EQ(O2.str(), "Color(9)");
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

namespace {
/// Handles with a boolean conversion and no operator<< of their own:
/// `os << h` compiles through the conversion and prints 1 or 0.
class SafeBoolHandle {
  struct Tag {
    void yes() {}
  };

public:
  typedef void (Tag::*unspecified_bool_type)();
  int Fd = 3;
  operator unspecified_bool_type() const { return Fd >= 0 ? &Tag::yes : nullptr; }
};
struct BoolHandle {
  int Fd = 3;
  operator bool() const { return Fd >= 0; }
};
struct ExplicitBoolHandle {
  int Fd = 3;
  explicit operator bool() const { return Fd >= 0; }
};
/// The same with operator<< of their own: that is what they print.
struct NamedHandle {
  int Fd = 4;
  operator bool() const { return true; }
  friend std::ostream &operator<<(std::ostream &OS, const NamedHandle &H) {
    return OS << "fd " << H.Fd;
  }
};
struct GenericHandle {
  int Fd = 5;
  operator bool() const { return true; }
  template <class Os> friend Os &operator<<(Os &OS, const GenericHandle &H) {
    OS << "fd " << H.Fd;
    return OS;
  }
};
/// A number-like class: printing through operator int is its value.
struct Count {
  operator int() const { return 7; }
};

/// A slice of chars, with no begin()/end() and no operator<<.
struct Slice {
  const char *Ptr;
  std::size_t Len;
  const char *data() const { return Ptr; }
  std::size_t size() const { return Len; }
};
/// A slice that says how it reads.
struct ShownSlice : Slice {};
std::ostream &operator<<(std::ostream &OS, const ShownSlice &S) {
  return OS << "slice of " << S.Len;
}
} // namespace

TEST(Render, SafeBoolHandlesAreNotPrintedAsBool) {
  EXPECT_EQ(text(SafeBoolHandle{}), "(anonymous namespace)::SafeBoolHandle{...}");
  EXPECT_EQ(text(BoolHandle{}), "(anonymous namespace)::BoolHandle{...}");
  EXPECT_EQ(text(ExplicitBoolHandle{}),
            "(anonymous namespace)::ExplicitBoolHandle{...}");
  EXPECT_EQ(text(std::vector<SafeBoolHandle>(2)),
            "[(anonymous namespace)::SafeBoolHandle{...}, "
            "(anonymous namespace)::SafeBoolHandle{...}]");
  EXPECT_EQ(text(NamedHandle{}), "fd 4");
  EXPECT_EQ(text(GenericHandle{}), "fd 5");
  EXPECT_EQ(text(Count{}), "7");
  // Shown by name: one fixed text per type, nothing rendered per call.
  static_assert(detail::IsDeferred<SafeBoolHandle> &&
                detail::IsDeferred<BoolHandle>);
  static_assert(!detail::IsDeferred<NamedHandle>);
}

TEST(Render, CharSpansAreStrings) {
  EXPECT_EQ(text(Slice{"00\n1", 4}), "\"00\\n1\"");
  EXPECT_EQ(text(Slice{"a\0b\xFF", 4}), "\"a\\0b\\xff\"");
  EXPECT_EQ(text(std::vector<char>{'0', '0', '7'}), "\"007\"");
  EXPECT_EQ(text(std::array<char, 3>{'a', 'b', '\0'}), "\"ab\\0\"");
  EXPECT_EQ(text(std::vector<std::vector<char>>{{'x'}, {}}), "[\"x\", \"\"]");
  // Its own operator<< wins; bytes that are numbers stay numbers.
  EXPECT_EQ(text(ShownSlice{{"abc", 3}}), "slice of 3");
  EXPECT_EQ(text(std::vector<unsigned char>{1, 2}), "[1, 2]");
  static_assert(detail::IsStringLike<Slice>::value &&
                detail::IsStringLike<std::vector<char>>::value &&
                !detail::IsStringLike<ShownSlice>::value &&
                !detail::IsStringLike<std::vector<signed char>>::value);
  // Strings are not captured as bytes to render later: their text is
  // taken at the call.
  static_assert(!detail::IsDeferred<Slice>);
}

TEST(RenderBounds, CharSpansAreCutLikeStrings) {
  // Escaped up to the limit, the rest counted without being read.
  const std::string Long(100000, 'q');
  EXPECT_EQ(text(Slice{Long.data(), Long.size()}, 64),
            text(Long, 64));
  EXPECT_EQ(text(std::vector<char>(Long.begin(), Long.end()), 64),
            "\"" + std::string(63, 'q') + truncationMarker(100000 - 63 + 1));
}

TEST(Render, OStreamStateIsReset) {
  struct Hex {};
  Out O;
  O.stream() << std::hex << 255;
  EXPECT_EQ(O.str(), "ff");
  O.reset(SIZE_MAX);
  O.stream() << 255;
  EXPECT_EQ(O.str(), "255");
}

TEST(Render, TruncationKeepsPrefixAndCounts) {
  std::string Long(100, 'x');
  // A container stops at the limit: the marker counts what was rendered
  // past it (the fourth element and the closing text), not the rest.
  EXPECT_EQ(
      text(std::vector<int>(50, 7), 10),
      "[7, 7, 7, " +
          truncationMarker(std::string("7, \xE2\x80\xA6 +46 more]").size()));
  Out O(10);
  O.write(Long.data(), Long.size());
  EXPECT_EQ(O.finish(), 90u);
  EXPECT_EQ(O.str(), std::string(10, 'x'));
  EXPECT_EQ(truncationMarker(90), "\xE2\x80\xA6[+90 bytes]");
}

TEST(Render, TruncationDoesNotSplitUtf8) {
  // "aé" is 3 bytes; a limit of 2 would cut é in half.
  Out O(2);
  O.write("a\xC3\xA9z", 4);
  EXPECT_EQ(O.finish(), 3u);
  EXPECT_EQ(O.str(), "a");
  EXPECT_EQ(utf8Prefix("a\xE2\x82\xAC", 3), 1u);
  EXPECT_EQ(utf8Prefix("a\xE2\x82\xAC", 4), 4u);
  EXPECT_EQ(utf8Prefix("abc", 2), 2u);
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

//===----------------------------------------------------------------------===//
// Bounds: what rendering reads and how much (docs/runtime.md, "Values as
// text").
//===----------------------------------------------------------------------===//

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RENDER_TEST_ASAN 1
#endif
#endif
#ifndef RENDER_TEST_ASAN
#define RENDER_TEST_ASAN 0
#endif

namespace {

const std::string Ellipsis = "\xE2\x80\xA6";

/// The first \p Shown numbers from 0, as a container shows them.
std::string numbers(std::size_t Shown) {
  std::string S;
  for (std::size_t I = 0; I < Shown; ++I)
    S += (I ? ", " : "") + std::to_string(I);
  return S;
}

/// True while the runtime records a value of this thread (a bundle's
/// argument): the dogfood stage builds these tests with
/// -fplugin-arg-trace-all, and the recording of the helpers' own arguments
/// is not the rendering a test counts.
bool inCapture() {
  ThreadState *T = CurrentTS;
  return T && T->InCapture;
}

/// A forward range of the numbers below Size (SIZE_MAX: endless) that
/// counts the elements read, so tests see where rendering stopped.
struct Counted {
  std::size_t Size;
  mutable std::size_t Reads = 0;
  struct Iter {
    using iterator_category = std::forward_iterator_tag;
    using value_type = int;
    using difference_type = long;
    using pointer = const int *;
    using reference = int;
    const Counted *R;
    std::size_t I;
    int operator*() const {
      R->Reads += !inCapture();
      return static_cast<int>(I);
    }
    Iter &operator++() {
      ++I;
      return *this;
    }
    bool operator!=(const Iter &O) const { return I != O.I; }
  };
  Iter begin() const { return {this, 0}; }
  Iter end() const { return {this, Size}; }
};

/// The same, knowing its size.
struct SizedCounted : Counted {
  std::size_t size() const { return Size; }
};

/// A range whose begin() would consume its source (a stream's lines): input
/// iterators, or no iterator category at all.
template <class Category> struct OneShot {
  mutable int Begins = 0;
  struct Iter {
    using iterator_category = Category;
    using value_type = int;
    using difference_type = long;
    using pointer = const int *;
    using reference = int;
    int operator*() const { return 0; }
    Iter &operator++() { return *this; }
    bool operator!=(const Iter &) const { return false; }
  };
  Iter begin() const {
    Begins += !inCapture();
    return {};
  }
  Iter end() const { return {}; }
};

struct NoCategory {
  mutable int Begins = 0;
  struct Iter {
    int operator*() const { return 0; }
    Iter &operator++() { return *this; }
    bool operator!=(const Iter &) const { return false; }
  };
  Iter begin() const {
    Begins += !inCapture();
    return {};
  }
  Iter end() const { return {}; }
};

} // namespace

TEST(RenderBounds, ContainersShowAtMostTheElementLimit) {
  const std::size_t M = elementLimit();
  ASSERT_GE(M, 4u);
  std::vector<int> V(M + 1000);
  for (std::size_t I = 0; I < V.size(); ++I)
    V[I] = static_cast<int>(I);
  const std::string Cut = ", " + Ellipsis + " +1000 more";
  EXPECT_EQ(text(V), "[" + numbers(M) + Cut + "]");
  EXPECT_EQ(text(std::list<int>(V.begin(), V.end())),
            "[" + numbers(M) + Cut + "]");
  std::set<int> S(V.begin(), V.end());
  EXPECT_EQ(text(S), "{" + numbers(M) + Cut + "}");
  std::map<int, int> Map;
  for (int I = 0; I < static_cast<int>(M) + 2; ++I)
    Map[I] = I;
  std::string MapText = text(Map);
  const std::string MapEnd = Ellipsis + " +2 more}";
  EXPECT_EQ(MapText.substr(0, 12), "{0: 0, 1: 1,");
  EXPECT_EQ(MapText.substr(MapText.size() - MapEnd.size()), MapEnd);
  // Exactly at the limit: nothing left out, no marker.
  EXPECT_EQ(text(std::vector<int>(V.begin(), V.begin() + M)),
            "[" + numbers(M) + "]");
  int Raw[40] = {};
  std::string RawText = text(Raw);
  if (M < 40)
    EXPECT_NE(RawText.find(Ellipsis + " +" + std::to_string(40 - M) + " more]"),
              std::string::npos)
        << RawText;
  // Each nested container is bounded too.
  std::vector<std::vector<int>> Nested(3, V);
  EXPECT_EQ(text(Nested), "[[" + numbers(M) + Cut + "], [" + numbers(M) + Cut +
                              "], [" + numbers(M) + Cut + "]]");
}

TEST(RenderBounds, UnknownSizeIsCutWithoutACount) {
  const std::size_t M = elementLimit();
  EXPECT_EQ(text(std::forward_list<int>(M + 5, 0)).substr(0, 4), "[0, ");
  std::string T = text(std::forward_list<int>(M + 5, 0));
  EXPECT_EQ(T.substr(T.size() - 6), ", " + Ellipsis + "]") << T;
  std::string Fits = text(std::forward_list<int>(M, 0));
  EXPECT_EQ(Fits.find(Ellipsis), std::string::npos) << Fits;
}

TEST(RenderBounds, IterationStopsAtTheLimit) {
  const std::size_t M = elementLimit();
  SizedCounted Big{{1000000}};
  EXPECT_EQ(text(Big), "[" + numbers(M) + ", " + Ellipsis + " +" +
                           std::to_string(1000000 - M) + " more]");
  EXPECT_EQ(Big.Reads, M);
  // Endless (like std::views::iota(0)): rendering ends, claims no count.
  Counted Endless{SIZE_MAX};
  EXPECT_EQ(text(Endless), "[" + numbers(M) + ", " + Ellipsis + "]");
  EXPECT_EQ(Endless.Reads, M);
}

TEST(RenderBounds, IterationStopsWhenTheTextIsFull) {
  // 100 rows of 100 elements in 64 bytes: a few elements are read, not
  // elementLimit() squared.
  std::vector<Counted> Rows(100, Counted{100});
  std::string T = text(Rows, 64);
  EXPECT_EQ(T.substr(0, 4), "[[0,");
  std::size_t Reads = 0;
  for (const Counted &R : Rows)
    Reads += R.Reads;
  EXPECT_LE(Reads, 32u);
  EXPECT_GE(Reads, 10u);
  // A long string inside a container: escaped up to the limit, the rest
  // counted without being read.
  std::vector<std::string> Long{std::string(100000, 'q')};
  EXPECT_EQ(text(Long, 64),
            "[\"" + std::string(62, 'q') + truncationMarker(100000 - 62 + 2));
}

TEST(RenderBounds, InputRangesAreNotIterated) {
  OneShot<std::input_iterator_tag> Input;
  EXPECT_EQ(text(Input),
            "(anonymous namespace)::OneShot<std::input_iterator_tag>{...}");
  EXPECT_EQ(Input.Begins, 0);
  NoCategory Unknown;
  EXPECT_EQ(text(Unknown), "(anonymous namespace)::NoCategory{...}");
  EXPECT_EQ(Unknown.Begins, 0);
  // Forward or stronger is iterated.
  OneShot<std::forward_iterator_tag> Forward;
  EXPECT_EQ(text(Forward), "[]");
  EXPECT_EQ(Forward.Begins, 1);
  static_assert(!detail::IsRange<OneShot<std::input_iterator_tag>>::value);
  static_assert(detail::IsRange<std::forward_list<int>>::value);
  static_assert(detail::IsRange<std::map<int, int>>::value);
}

TEST(RenderBounds, CharArraysStopAtTheirEnd) {
  char NoNul[4] = {'a', 'b', 'c', 'd'};
  EXPECT_EQ(text(NoNul), "\"abcd\"");
  char Short[8] = "ab";
  EXPECT_EQ(text(Short), "\"ab\"");
}

//===----------------------------------------------------------------------===//
// char * without a known end (SafeRead.cpp)
//===----------------------------------------------------------------------===//

namespace {

/// Two fresh pages, the second PROT_NONE: the first page ends at a guard.
struct GuardedPage {
  std::size_t Size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  char *Base =
      static_cast<char *>(::mmap(nullptr, 2 * Size, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  GuardedPage() { ::mprotect(Base + Size, Size, PROT_NONE); }
  ~GuardedPage() { ::munmap(Base, 2 * Size); }
  char *end() const { return Base + Size; }
};

std::string hexAddress(const void *P) {
  char Buf[32];
  std::snprintf(
      Buf, sizeof Buf, "0x%llx",
      static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(P)));
  return Buf;
}

} // namespace

TEST(SafeRead, NoNulBeforeAGuardPageShowsTheAddress) {
  GuardedPage G;
  ASSERT_NE(G.Base, MAP_FAILED);
  const char *Tail = G.end() - 16;
  std::memset(G.end() - 16, 'x', 16);
  bool Terminated = true;
  EXPECT_EQ(safeCStringPrefix(Tail, 256, Terminated), 16u);
  EXPECT_FALSE(Terminated);
  EXPECT_EQ(readablePrefix(Tail, 100), 16u);
  EXPECT_EQ(text(Tail), hexAddress(Tail));
  // One past the end of the page: not read at all.
  const char *Past = G.end();
  EXPECT_EQ(readablePrefix(Past, 1), 0u);
  EXPECT_EQ(text(Past), hexAddress(Past));
  // A NUL before the guard: the string.
  std::memcpy(G.end() - 4, "abc", 4);
  EXPECT_EQ(text(static_cast<const char *>(G.end() - 4)), "\"abc\"");
  EXPECT_EQ(safeCStringPrefix(G.end() - 4, 256, Terminated), 3u);
  EXPECT_TRUE(Terminated);
}

/// Every NUL position and every alignment the scan's steps (64, 32 and 16
/// bytes, then bytes) can meet, up to a guard page: the length found is
/// the NUL's, and nothing past the page is read (a fault would end the test).
TEST(SafeRead, FindsTheFirstNulAtEveryPositionAndAlignment) {
  GuardedPage G;
  ASSERT_NE(G.Base, MAP_FAILED);
  char *End = static_cast<char *>(G.end());
  for (std::size_t Len = 0; Len <= 300; ++Len) {
    for (std::size_t Slack = 0; Slack < 70; Slack += 3) {
      // The string ends Slack bytes before the guard; a second NUL after
      // the first must not be taken for it.
      char *S = End - Len - 1 - Slack;
      std::memset(S, 'z', Len + 1 + Slack);
      S[Len] = '\0';
      if (Slack)
        S[Len + 1 + (Slack - 1) / 2] = '\0';
      bool Terminated = false;
      ASSERT_EQ(safeCStringPrefix(S, 400, Terminated), Len)
          << "length " << Len << ", " << Slack << " bytes to the guard";
      ASSERT_TRUE(Terminated);
    }
    // No NUL at all up to the guard: what is readable, not terminated.
    char *T = End - Len;
    std::memset(T, 'w', Len);
    bool Terminated = true;
    ASSERT_EQ(safeCStringPrefix(T, 400, Terminated), Len) << Len;
    ASSERT_FALSE(Terminated);
  }
}

TEST(SafeRead, LongTextIsCutWithoutMeasuringIt) {
  GuardedPage G;
  ASSERT_NE(G.Base, MAP_FAILED);
  std::memset(G.Base, 'y', G.Size); // No NUL on the whole page.
  const std::size_t Max = valueLimit();
  ASSERT_LT(Max + 8, G.Size);
  bool Terminated = true;
  EXPECT_EQ(safeCStringPrefix(G.Base, Max, Terminated), Max);
  EXPECT_FALSE(Terminated);
  // A cursor into a buffer of unknown extent: a quarter of the limit, closed,
  // then an ellipsis: the length is unknown. (Rendered with the value limit,
  // as a capture is.)
  std::string T = text(static_cast<const char *>(G.Base), Max);
  EXPECT_EQ(T, "\"" + std::string(Max / 4, 'y') + "\"" + Ellipsis);
  EXPECT_EQ(cursorPrefixLimit(), Max / 4);
  // In a limited text, the cut string fits the room left.
  std::string In = text(std::vector<const char *>{G.Base, "z"}, 40);
  EXPECT_EQ(In, "[\"" + std::string(34, 'y') + "\"" + Ellipsis +
                    truncationMarker(6)); // `, "z"]` did not fit.
  // Escapes count against the room; UTF-8 is not split.
  std::memcpy(G.Base, "a\nb\xC3\xA9", 5);
  T = text(static_cast<const char *>(G.Base), Max);
  EXPECT_EQ(T.substr(0, 8), "\"a\\nb\xC3\xA9y");
  EXPECT_LE(T.size(), Max);
  EXPECT_EQ(T.substr(T.size() - 4), "\"" + Ellipsis);
}

TEST(SafeRead, ProbedPagesAreRemembered) {
  // A cursor walking a mapping of its own (not the stack, not a start-up
  // module, not the break): one probe for several pages, not one a call.
  constexpr std::size_t Pages = 64;
  const std::size_t PageSize =
      static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  char *Text = static_cast<char *>(::mmap(nullptr, Pages * PageSize,
                                          PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(Text, MAP_FAILED);
  std::memset(Text, 'w', Pages * PageSize);
  Text[Pages * PageSize - 1] = '\0';
  resetSafeReadCache();
  std::size_t Calls = 0;
  for (const char *C = Text; *C; C += 7, ++Calls) {
    bool Terminated = false;
    safeCStringPrefix(C, 256, Terminated);
  }
  SafeReadStats St = safeReadStats();
  EXPECT_GE(St.Probes, 1u);
  // Pages are trusted for a few ms: a slow machine may probe again, but
  // never once a call.
  EXPECT_LT(St.Probes, Calls / 100) << Calls << " calls";
  ::munmap(Text, Pages * PageSize);
}

TEST(SafeRead, StaticStringsNeedNoProbe) {
  static const char Literal[] = "a string of the executable";
  resetSafeReadCache();
  bool Terminated = false;
  EXPECT_EQ(safeCStringPrefix(Literal, 256, Terminated), sizeof Literal - 1);
  EXPECT_TRUE(Terminated);
  EXPECT_EQ(safeReadStats().Probes, 0u);
#if !RENDER_TEST_ASAN
  // AddressSanitizer may move locals to a heap-allocated fake stack.
  char OnStack[32] = "on the stack";
  EXPECT_EQ(safeCStringPrefix(OnStack, 256, Terminated), 12u);
  EXPECT_EQ(safeReadStats().Probes, 0u);
#endif
  EXPECT_EQ(safeCStringPrefix(nullptr, 256, Terminated), 0u);
  EXPECT_FALSE(Terminated);
}
