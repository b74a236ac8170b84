//===- EscapeTest.cpp - The escaping contract of trace/escape.hpp ---------===//
//
// One contract, applied by the runtime's renderers (a string rendered in the
// program) and by the trace reader (a string or char copied into the trace
// as bytes): checked here against an independent decoder, on both sides.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "TraceText.h"

#include "trace/escape.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>

namespace tf = __trace_format;

namespace {

std::string escaped(const std::string &S) {
  std::string Dst;
  tf::escapeC(S.data(), S.size(),
              [&Dst](const char *P, std::size_t N) { Dst.append(P, N); });
  return Dst;
}

/// Reads back the body of a C++ string literal as escape.hpp writes it.
/// Fails the test on anything the contract never writes.
std::string unescape(const std::string &T) {
  std::string S;
  for (std::size_t I = 0; I < T.size(); ++I) {
    if (T[I] != '\\') {
      S += T[I];
      continue;
    }
    EXPECT_LT(I + 1, T.size()) << T;
    if (I + 1 >= T.size())
      break;
    switch (char C = T[++I]) {
    case 'n': S += '\n'; break;
    case 't': S += '\t'; break;
    case 'r': S += '\r'; break;
    case '0': S += '\0'; break;
    case '"':
    case '\\': S += C; break;
    case 'x':
      EXPECT_LE(I + 2, T.size() - 1) << T;
      S += static_cast<char>(std::stoi(T.substr(I + 1, 2), nullptr, 16));
      I += 2;
      break;
    default:
      ADD_FAILURE() << "unknown escape \\" << C << " in " << T;
    }
  }
  return S;
}

/// Independent UTF-8 check: decodes the code point and rejects what
/// RFC 3629 rejects (overlong, surrogates, past U+10FFFF, bad bytes).
bool wellFormed(const std::string &S) {
  for (std::size_t I = 0; I < S.size();) {
    const unsigned char C = static_cast<unsigned char>(S[I]);
    std::size_t Len;
    uint32_t Cp, Min;
    if (C < 0x80) {
      ++I;
      continue;
    } else if ((C & 0xE0) == 0xC0) {
      Len = 2, Cp = C & 0x1F, Min = 0x80;
    } else if ((C & 0xF0) == 0xE0) {
      Len = 3, Cp = C & 0x0F, Min = 0x800;
    } else if ((C & 0xF8) == 0xF0) {
      Len = 4, Cp = C & 0x07, Min = 0x10000;
    } else {
      return false;
    }
    if (I + Len > S.size())
      return false;
    for (std::size_t J = 1; J < Len; ++J) {
      const unsigned char B = static_cast<unsigned char>(S[I + J]);
      if ((B & 0xC0) != 0x80)
        return false;
      Cp = Cp << 6 | (B & 0x3F);
    }
    if (Cp < Min || Cp > 0x10FFFF || (Cp >= 0xD800 && Cp <= 0xDFFF))
      return false;
    I += Len;
  }
  return true;
}

/// The reader's escaping (trace-optimize's TraceText) and the runtime's
/// (Text.cpp, rendering into an Out) of the same bytes.
std::string readerSide(const std::string &S) {
  std::string Dst;
  traceopt::appendCEscaped(Dst, S);
  return Dst;
}
std::string runtimeSide(const std::string &S) {
  __trace_rt::Out O;
  __trace_rt::appendCEscaped(O, S.data(), S.size());
  return O.str();
}

void checkRoundTrip(const std::string &S) {
  const std::string T = escaped(S);
  EXPECT_EQ(unescape(T), S) << T;
  EXPECT_TRUE(wellFormed(T)) << T;
  EXPECT_EQ(tf::validUtf8Prefix(T.data(), T.size()), T.size()) << T;
  // Well-formed UTF-8 is kept as it is, nothing else reaches the text raw.
  EXPECT_EQ(tf::validUtf8Prefix(S.data(), S.size()) == S.size(), wellFormed(S))
      << T;
}

} // namespace

TEST(Escape, AsciiLikeACxxLiteral) {
  EXPECT_EQ(escaped("plain text 123 ~{}"), "plain text 123 ~{}");
  EXPECT_EQ(escaped("say \"hi\"\n"), "say \\\"hi\\\"\\n");
  EXPECT_EQ(escaped("a\\b\tc\rd"), "a\\\\b\\tc\\rd");
  EXPECT_EQ(escaped(std::string("nul\0!", 5)), "nul\\0!");
  EXPECT_EQ(escaped("\x01\x1f\x7f"), "\\x01\\x1f\\x7f");
  // A literal backslash-x stays readable as such.
  EXPECT_EQ(unescape(escaped("\\x41")), "\\x41");
}

TEST(Escape, WellFormedUtf8IsKept) {
  for (const char *S : {"h\xC3\xA9llo", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80",
                        "\xE2\x82\xAC", "\xED\x9F\xBF", "\xEE\x80\x80",
                        "\xEF\xBF\xBF", "\xF0\x90\x80\x80",
                        "\xF4\x8F\xBF\xBF"})
    EXPECT_EQ(escaped(S), S);
}

TEST(Escape, OtherBytesAreHexAndLossless) {
  // Stray continuation bytes, bytes that never start UTF-8.
  EXPECT_EQ(escaped("\x80\xBF"), "\\x80\\xbf");
  EXPECT_EQ(escaped("\xC0\xC1\xF5\xFF"), "\\xc0\\xc1\\xf5\\xff");
  // Overlong forms: '/' in two bytes, U+0000 in three, U+FFFF in four.
  EXPECT_EQ(escaped("\xC0\xAF"), "\\xc0\\xaf");
  EXPECT_EQ(escaped("\xE0\x80\x80"), "\\xe0\\x80\\x80");
  EXPECT_EQ(escaped("\xF0\x8F\xBF\xBF"), "\\xf0\\x8f\\xbf\\xbf");
  // A UTF-16 surrogate, a code point past U+10FFFF.
  EXPECT_EQ(escaped("\xED\xA0\x80"), "\\xed\\xa0\\x80");
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  // Truncated sequences: at the end, and followed by ASCII.
  EXPECT_EQ(escaped("a\xE2\x82"), "a\\xe2\\x82");
  EXPECT_EQ(escaped("\xE2\x82z\xC3\xA9"), "\\xe2\\x82z\xC3\xA9");
  // Binary key: every byte reads back.
  const std::string Key("\x00\x9f\x92\x96\xff\x10", 6);
  EXPECT_EQ(escaped(Key), "\\0\\x9f\\x92\\x96\\xff\\x10");
  EXPECT_EQ(unescape(escaped(Key)), Key);
}

TEST(Escape, EveryShortStringRoundTrips) {
  for (unsigned A = 0; A < 256; ++A) {
    checkRoundTrip(std::string(1, static_cast<char>(A)));
    for (unsigned B = 0; B < 256; ++B)
      checkRoundTrip(std::string{static_cast<char>(A), static_cast<char>(B)});
  }
  // Three-byte leads with every continuation.
  for (unsigned A = 0xE0; A < 0xF0; ++A)
    for (unsigned B = 0; B < 256; B += 3)
      for (unsigned C = 0x70; C < 0xD0; ++C)
        checkRoundTrip(std::string{static_cast<char>(A), static_cast<char>(B),
                                   static_cast<char>(C)});
}

TEST(Escape, RandomBytesRoundTripOnBothSides) {
  std::mt19937 Gen(17);
  for (int Round = 0; Round < 2000; ++Round) {
    std::string S(Gen() % 80, '\0');
    for (char &C : S)
      // Mostly text, with high bytes often enough to make real sequences.
      C = static_cast<char>(Gen() % 3 ? 0x20 + Gen() % 0x60 : Gen() % 256);
    checkRoundTrip(S);
    EXPECT_EQ(readerSide(S), escaped(S));
    EXPECT_EQ(runtimeSide(S), escaped(S));
  }
}

TEST(Escape, LongRunsFindTheFirstSpecialByte) {
  // The plain-run scan takes 8 or 16 bytes a step; a special byte at every
  // position of a long run must still be seen.
  for (unsigned Special : {0x00u, 0x0Au, 0x1Fu, 0x22u, 0x5Cu, 0x7Fu, 0x80u,
                           0xC3u, 0xFFu}) {
    for (std::size_t At = 0; At < 40; ++At) {
      std::string S(40, 'a');
      S[At] = static_cast<char>(Special);
      EXPECT_EQ(tf::plainPrefix(S.data(), S.size()), At) << Special;
      checkRoundTrip(S);
    }
  }
}

TEST(Escape, BoundedTextNeverSplitsAUnit) {
  const std::string S = "ab\xC3\xA9\x01\xFF" + std::string(10, 'z');
  const std::string Full = escaped(S); // ab é \x01 \xff zzz...
  for (std::size_t Room = 0; Room <= Full.size(); ++Room) {
    std::string Fit;
    std::size_t Used = 0;
    std::size_t K = tf::escapeC(
        S.data(), S.size(),
        [&Fit](const char *P, std::size_t N) { Fit.append(P, N); },
        tf::EscapeStop::Fit, Room, false, &Used);
    EXPECT_LE(Fit.size(), Room);
    EXPECT_EQ(Used, Fit.size());
    // What fits is the escape of the bytes consumed, a prefix of the whole.
    EXPECT_EQ(Fit, escaped(S.substr(0, K)));
    EXPECT_EQ(Full.compare(0, Fit.size(), Fit), 0);
    // Reach: the text reaches the room (or the end), going past it by at
    // most one unit.
    std::string Reach;
    K = tf::escapeC(
        S.data(), S.size(),
        [&Reach](const char *P, std::size_t N) { Reach.append(P, N); },
        tf::EscapeStop::Reach, Room);
    EXPECT_EQ(Reach, escaped(S.substr(0, K)));
    EXPECT_TRUE(K == S.size() || Reach.size() >= Room);
    EXPECT_LT(Reach.size(), Room + 4);
  }
  // Escapes 'é' = 2 bytes: room 3 after "ab" keeps 'é' whole or not at all.
  std::string Out;
  tf::escapeC(
      S.data(), S.size(),
      [&Out](const char *P, std::size_t N) { Out.append(P, N); },
      tf::EscapeStop::Fit, 3);
  EXPECT_EQ(Out, "ab");
}

TEST(Escape, ASequenceCutByTheEndWaitsWhenMoreFollows) {
  const std::string S = "ab\xE2\x82";
  std::string More;
  std::size_t K = tf::escapeC(
      S.data(), S.size(),
      [&More](const char *P, std::size_t N) { More.append(P, N); },
      tf::EscapeStop::Fit, 100, /*More=*/true);
  EXPECT_EQ(K, 2u);
  EXPECT_EQ(More, "ab");
  // Not a sequence whatever follows: escaped even when more follows.
  const std::string Bad = "ab\xE2\x41";
  std::string Out;
  K = tf::escapeC(
      Bad.data(), Bad.size(),
      [&Out](const char *P, std::size_t N) { Out.append(P, N); },
      tf::EscapeStop::Fit, 100, true);
  EXPECT_EQ(K, 4u);
  EXPECT_EQ(Out, "ab\\xe2A");
}

TEST(Escape, JsonExportKeepsTheHexReadable) {
  // trace-optimize dump: the escaped text becomes a JSON string that parses
  // and gives the escaped text back, from which the bytes decode.
  const std::string Bytes("k\xFF\xC3\xA9\x80\x00\"", 7);
  const std::string Text = "\"" + escaped(Bytes) + "\"";
  std::string J;
  traceopt::appendJsonString(J, Text);
  EXPECT_EQ(J, "\"\\\"k\\\\xff\xC3\xA9\\\\x80\\\\0\\\\\\\"\\\"\"");
  const std::string Back = nlohmann::json::parse(J).get<std::string>();
  EXPECT_EQ(Back, Text);
  EXPECT_EQ(unescape(Back.substr(1, Back.size() - 2)), Bytes);
}

TEST(Json, InvalidUtf8OutsideValuesBecomesReplacement) {
  // Text that never went through the contract (operator<< output,
  // feedback): JSON stays valid, a bad byte becomes U+FFFD.
  std::string In =
      std::string("q\"b\\n\nt\tc\x01") + "\xC3\xA9" + "\xFF" + "z";
  std::string J;
  traceopt::appendJsonString(J, In);
  EXPECT_EQ(J, "\"q\\\"b\\\\n\\nt\\tc\\u0001\xC3\xA9\\ufffdz\"");
  EXPECT_EQ(nlohmann::json::parse(J).get<std::string>(),
            std::string("q\"b\\n\nt\tc\x01") + "\xC3\xA9" + "\xEF\xBF\xBD" +
                "z");
  J.clear();
  traceopt::appendJsonString(J, "\xC0\xAF\xED\xA0\x80");
  EXPECT_NO_THROW((void)nlohmann::json::parse(J));
  EXPECT_EQ(J.find("\xED"), std::string::npos);
}
