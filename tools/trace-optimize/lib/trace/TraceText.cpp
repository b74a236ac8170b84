//===- TraceText.cpp - Value text and JSON strings for trace readers -----===//
//
// The escaping below follows runtime/lib/Text.cpp (appendCEscaped,
// appendJsonString) byte for byte: the JSON export must equal what the
// runtime's own JSON writer produced, and the tests compare them exactly.
//
//===----------------------------------------------------------------------===//
#include "TraceText.h"

#include <charconv>
#include <cstring>

namespace traceopt {

static const char HexDigits[] = "0123456789abcdef";

void appendCEscaped(std::string &Dst, std::string_view S) {
  const char *P = S.data();
  size_t N = S.size(), Run = 0;
  for (size_t I = 0; I < N; ++I) {
    unsigned char C = static_cast<unsigned char>(P[I]);
    const char *Esc = nullptr;
    char Hex[5];
    switch (C) {
    case '"': Esc = "\\\""; break;
    case '\\': Esc = "\\\\"; break;
    case '\n': Esc = "\\n"; break;
    case '\t': Esc = "\\t"; break;
    case '\r': Esc = "\\r"; break;
    case '\0': Esc = "\\0"; break;
    default:
      if (C < 0x20 || C == 0x7F) {
        Hex[0] = '\\';
        Hex[1] = 'x';
        Hex[2] = HexDigits[C >> 4];
        Hex[3] = HexDigits[C & 15];
        Hex[4] = '\0';
        Esc = Hex;
      }
    }
    if (!Esc) {
      ++Run;
      continue;
    }
    Dst.append(P + I - Run, Run);
    Run = 0;
    Dst += Esc;
  }
  Dst.append(P + N - Run, Run);
}

/// Length of the prefix of [P, P + N) made of bytes that JSON and a C++
/// literal both show as themselves: printable ASCII except '"' and '\\'.
/// Looks at 8 bytes a step; a word with any other byte ends the fast scan.
static size_t plainPrefix(const char *P, size_t N) {
  constexpr uint64_t Ones = 0x0101010101010101ull;
  constexpr uint64_t Highs = 0x8080808080808080ull;
  size_t I = 0;
  for (; I + 8 <= N; I += 8) {
    uint64_t X;
    std::memcpy(&X, P + I, 8);
    uint64_t Quote = X ^ (Ones * '"');
    uint64_t Slash = X ^ (Ones * '\\');
    uint64_t Special = ((X - Ones * 0x20) & ~X) |  // below 0x20
                       ((Quote - Ones) & ~Quote) | // '"'
                       ((Slash - Ones) & ~Slash) | // '\\'
                       (X | (X + Ones));           // 0x7F and up
    if (Special & Highs)
      break;
  }
  for (; I < N; ++I) {
    unsigned char C = static_cast<unsigned char>(P[I]);
    if (C < 0x20 || C >= 0x7F || C == '"' || C == '\\')
      break;
  }
  return I;
}

/// Length of the prefix of [P, P + N) of ASCII bytes (below 0x80).
static size_t asciiPrefix(const char *P, size_t N) {
  size_t I = 0;
  for (; I + 8 <= N; I += 8) {
    uint64_t X;
    std::memcpy(&X, P + I, 8);
    if (X & 0x8080808080808080ull)
      break;
  }
  while (I < N && static_cast<unsigned char>(P[I]) < 0x80)
    ++I;
  return I;
}

/// Length of the well-formed UTF-8 sequence starting at S[I], or 0.
static size_t utf8Sequence(const unsigned char *S, size_t I, size_t N) {
  unsigned char C = S[I];
  size_t Len = C >= 0xF0 && C <= 0xF4   ? 4
               : C >= 0xE0 && C <= 0xEF ? 3
               : C >= 0xC2 && C <= 0xDF ? 2
                                        : 0;
  if (Len == 0 || I + Len > N)
    return 0;
  for (size_t J = 1; J < Len; ++J)
    if ((S[I + J] & 0xC0) != 0x80)
      return 0;
  unsigned char C1 = S[I + 1];
  // Overlong forms and UTF-16 surrogates are not valid UTF-8.
  if (Len == 3 && ((C == 0xE0 && C1 < 0xA0) || (C == 0xED && C1 >= 0xA0)))
    return 0;
  if (Len == 4 && ((C == 0xF0 && C1 < 0x90) || (C == 0xF4 && C1 >= 0x90)))
    return 0;
  return Len;
}

void appendJsonString(std::string &Dst, std::string_view Str) {
  const char *P = Str.data();
  const auto *S = reinterpret_cast<const unsigned char *>(P);
  size_t N = Str.size(), I = 0;
  Dst.push_back('"');
  while (I < N) {
    size_t Run = plainPrefix(P + I, N - I);
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
    size_t Len = utf8Sequence(S, I, N);
    if (!Len) {
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
  const auto *S = reinterpret_cast<const unsigned char *>(P);
  size_t I = 0;
  while (true) {
    I += asciiPrefix(P + I, N - I);
    if (I == N)
      return N;
    size_t Len = utf8Sequence(S, I, N);
    if (!Len)
      return I;
    I += Len;
  }
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
