//===- TraceText.cpp - Value text and JSON strings for trace readers -----===//
//
// C-style escaping is the shared contract of trace/escape.hpp, which the
// runtime's renderers apply too: a string copied into the trace as bytes
// reads exactly as the same string rendered in the program. JSON escaping
// is the reader's alone (the traced process writes no JSON).
//
//===----------------------------------------------------------------------===//
#include "TraceText.h"

#include <trace/escape.hpp>

#include <charconv>
#include <cstring>

namespace traceopt {

namespace tf = __trace_format;

static const char HexDigits[] = "0123456789abcdef";

void appendCEscaped(std::string &Dst, std::string_view S) {
  tf::escapeC(S.data(), S.size(),
              [&Dst](const char *P, size_t N) { Dst.append(P, N); });
}

void appendJsonString(std::string &Dst, std::string_view Str) {
  const char *P = Str.data();
  const auto *S = reinterpret_cast<const unsigned char *>(P);
  size_t N = Str.size(), I = 0;
  Dst.push_back('"');
  while (I < N) {
    // Printable ASCII but '"' and '\\' is itself in JSON as in C++.
    size_t Run = tf::plainPrefix(P + I, N - I);
    Dst.append(P + I, Run);
    I += Run;
    if (I == N)
      break;
    unsigned char C = S[I];
    if (C < 0x80) {
      switch (C) {
      case '"': Dst += "\\\""; break;
      case '\\': Dst += "\\\\"; break;
      case '\n': Dst += "\\n"; break;
      case '\r': Dst += "\\r"; break;
      case '\t': Dst += "\\t"; break;
      case '\b': Dst += "\\b"; break;
      case '\f': Dst += "\\f"; break;
      default:
        if (C < 0x20) {
          Dst += "\\u00";
          Dst.push_back(HexDigits[C >> 4]);
          Dst.push_back(HexDigits[C & 15]);
        } else {
          Dst.push_back(static_cast<char>(C)); // 0x7F
        }
      }
      ++I;
      continue;
    }
    size_t Len = tf::utf8Sequence(S + I, N - I);
    if (!Len) {
      // A value's string never gets here (escaped under the contract);
      // text the program wrote itself (operator<<, feedback) may.
      Dst += "\\ufffd";
      ++I;
      continue;
    }
    Dst.append(P + I, Len);
    I += Len;
  }
  Dst.push_back('"');
}

/// The length of the valid UTF-8 prefix of [P, P + N).
static size_t validPrefix(const char *P, size_t N) {
  return tf::validUtf8Prefix(P, N);
}

bool isValidUtf8(std::string_view S) { return validPrefix(S.data(), S.size()) == S.size(); }

/// Appends [P, P + N) with invalid bytes replaced by U+FFFD.
static void appendCleaned(std::string &Dst, const char *P, size_t N) {
  size_t I = 0;
  while (I < N) {
    size_t Run = validPrefix(P + I, N - I);
    Dst.append(P + I, Run);
    I += Run;
    if (I == N)
      break;
    // validPrefix stopped at a byte that starts no well-formed sequence.
    Dst += "\xEF\xBF\xBD";
    ++I;
  }
}

std::string_view cleanUtf8(std::string_view S, std::string &Scratch) {
  size_t Valid = validPrefix(S.data(), S.size());
  if (Valid == S.size())
    return S;
  Scratch.assign(S.data(), Valid);
  appendCleaned(Scratch, S.data() + Valid, S.size() - Valid);
  return Scratch;
}

void cleanUtf8Tail(std::string &Buf, size_t Begin) {
  size_t Valid = validPrefix(Buf.data() + Begin, Buf.size() - Begin);
  if (Begin + Valid == Buf.size())
    return;
  std::string Tail(Buf, Begin + Valid);
  Buf.resize(Begin + Valid);
  appendCleaned(Buf, Tail.data(), Tail.size());
}

void appendTruncationMarker(std::string &Dst, uint64_t Omitted) {
  Dst += "\xE2\x80\xA6[+";
  appendUInt(Dst, Omitted);
  Dst += " bytes]";
}

void appendUInt(std::string &Dst, uint64_t V) {
  char Buf[24];
  auto R = std::to_chars(Buf, Buf + sizeof Buf, V);
  Dst.append(Buf, size_t(R.ptr - Buf));
}

uint64_t hashValue(std::string_view S, uint64_t Omitted) {
  constexpr uint64_t K = 0x9E3779B97F4A7C15ull;
  uint64_t H = (S.size() + 1) * K ^ Omitted;
  size_t I = 0;
  for (; I + 8 <= S.size(); I += 8) {
    uint64_t W;
    std::memcpy(&W, S.data() + I, 8);
    H = (H ^ W) * K;
    H ^= H >> 29;
  }
  uint64_t W = 0;
  if (I < S.size())
    std::memcpy(&W, S.data() + I, S.size() - I);
  H = (H ^ W) * K;
  H ^= H >> 32;
  return H | 1;
}

} // namespace traceopt
