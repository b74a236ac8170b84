//===- Text.cpp - Values as text, JSON strings ----------------------------===//

#include "Internal.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <streambuf>

namespace __trace_rt {

//===----------------------------------------------------------------------===//
// Out
//===----------------------------------------------------------------------===//

/// A streambuf appending to an Out, so user operator<< overloads write into
/// the same limited buffer as everything else.
struct Out::StreamImpl final : std::streambuf {
  explicit StreamImpl(Out &O) : Owner(O), Stream(this) {}
  int_type overflow(int_type C) override {
    if (C != traits_type::eof()) {
      char Ch = static_cast<char>(C);
      Owner.write(&Ch, 1);
    }
    return traits_type::not_eof(C);
  }
  std::streamsize xsputn(const char *P, std::streamsize N) override {
    Owner.write(P, static_cast<std::size_t>(N));
    return N;
  }
  Out &Owner;
  std::ostream Stream;
};

Out::Out(std::size_t Limit) : Limit(Limit) {}
Out::~Out() = default;

std::ostream &Out::stream() {
  if (!Stream)
    Stream = std::make_unique<StreamImpl>(*this);
  std::ostream &S = Stream->Stream;
  // A previous operator<< may have changed the format state; start clean.
  S.clear();
  S.flags(std::ios_base::dec | std::ios_base::skipws);
  S.precision(6);
  S.width(0);
  S.fill(' ');
  return S;
}

std::size_t Out::finish() {
  std::size_t Keep = utf8Prefix(Buf, Buf.size());
  Buf.resize(Keep);
  return Total - Keep;
}

std::size_t utf8Prefix(std::string_view S, std::size_t Max) {
  if (Max >= S.size())
    Max = S.size();
  if (Max == S.size() && Max == 0)
    return 0;
  // Step back over continuation bytes to the start of the last sequence and
  // keep that sequence only if it is complete within Max.
  std::size_t I = Max;
  std::size_t Back = 0;
  while (I > 0 && Back < 4 &&
         (static_cast<unsigned char>(S[I - 1]) & 0xC0) == 0x80) {
    --I;
    ++Back;
  }
  if (I == 0)
    return Max;
  unsigned char Lead = static_cast<unsigned char>(S[I - 1]);
  std::size_t Need = Lead >= 0xF0 ? 4 : Lead >= 0xE0 ? 3 : Lead >= 0xC0 ? 2 : 1;
  if (Need == 1)
    return Max;
  if (Back + 1 >= Need)
    return Max;
  return I - 1;
}

//===----------------------------------------------------------------------===//
// Renderer entry points declared in abi.hpp
//===----------------------------------------------------------------------===//

void outWrite(Out &O, const char *P, std::size_t N) noexcept { O.write(P, N); }

void outCStr(Out &O, const char *S) noexcept {
  if (!S) {
    O.write("nullptr", 7);
    return;
  }
  O.write(S, std::strlen(S));
}

void appendCEscaped(Out &O, const char *P, std::size_t N) {
  std::size_t Run = 0;
  for (std::size_t I = 0; I < N; ++I) {
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
        std::snprintf(Hex, sizeof Hex, "\\x%02x", C);
        Esc = Hex;
      }
    }
    if (!Esc) {
      ++Run;
      continue;
    }
    O.write(P + I - Run, Run);
    Run = 0;
    O.write(Esc, std::strlen(Esc));
  }
  O.write(P + N - Run, Run);
}

void outQuoted(Out &O, const char *P, std::size_t N) noexcept {
  appendCEscaped(O, P, N);
}

void outChar(Out &O, char C) noexcept { O.write(&C, 1); }

void outBool(Out &O, bool B) noexcept {
  if (B)
    O.write("true", 4);
  else
    O.write("false", 5);
}

void outSigned(Out &O, long long V) noexcept {
  char Buf[24];
  auto R = std::to_chars(Buf, Buf + sizeof Buf, V);
  O.write(Buf, static_cast<std::size_t>(R.ptr - Buf));
}

void outUnsigned(Out &O, unsigned long long V) noexcept {
  char Buf[24];
  auto R = std::to_chars(Buf, Buf + sizeof Buf, V);
  O.write(Buf, static_cast<std::size_t>(R.ptr - Buf));
}

template <class F> static void outFloating(Out &O, F V) {
  // Shortest text that reads back to the same value.
  char Buf[128];
  auto R = std::to_chars(Buf, Buf + sizeof Buf, V);
  if (R.ec != std::errc()) {
    O.write("?", 1);
    return;
  }
  O.write(Buf, static_cast<std::size_t>(R.ptr - Buf));
}

void outFloat(Out &O, float V) noexcept { outFloating(O, V); }
void outDouble(Out &O, double V) noexcept { outFloating(O, V); }
void outLongDouble(Out &O, long double V) noexcept { outFloating(O, V); }

void outPointer(Out &O, const void *P) noexcept {
  if (!P) {
    O.write("nullptr", 7);
    return;
  }
  char Buf[24];
  int N = std::snprintf(Buf, sizeof Buf, "0x%llx",
                        static_cast<unsigned long long>(
                            reinterpret_cast<uintptr_t>(P)));
  O.write(Buf, static_cast<std::size_t>(N));
}

void outEnum(Out &O, long long V, const EnumInfo *E, const char *TypeName,
             unsigned TypeLen) noexcept {
  if (E) {
    for (unsigned I = 0; I < E->Count; ++I) {
      if (E->Values[I] == V) {
        outCStr(O, E->Names[I]);
        return;
      }
    }
  }
  // No enumerator has this value (or no names were given): Type(n).
  std::string Name = prettyTypeName(std::string_view(TypeName, TypeLen));
  if (E && E->TypeName)
    Name = E->TypeName;
  O.write(Name.data(), Name.size());
  O.write("(", 1);
  outSigned(O, V);
  O.write(")", 1);
}

std::ostream &outStream(Out &O) noexcept { return O.stream(); }

bool outFull(const Out &O) noexcept { return O.full(); }

//===----------------------------------------------------------------------===//
// JSON and names
//===----------------------------------------------------------------------===//

static const char HexDigits[] = "0123456789abcdef";

/// Length of the prefix of [P, P + N) made of bytes that JSON and a C++
/// literal both show as themselves: printable ASCII except '"' and '\\'.
/// Looks at 8 bytes a step; a word with any other byte ends the fast scan.
static std::size_t plainPrefix(const char *P, std::size_t N) {
  constexpr uint64_t Ones = 0x0101010101010101ull;
  constexpr uint64_t Highs = 0x8080808080808080ull;
  std::size_t I = 0;
  for (; I + 8 <= N; I += 8) {
    uint64_t X;
    std::memcpy(&X, P + I, 8);
    uint64_t Quote = X ^ (Ones * '"');
    uint64_t Slash = X ^ (Ones * '\\');
    uint64_t Special = ((X - Ones * 0x20) & ~X) |        // below 0x20
                       ((Quote - Ones) & ~Quote) |       // '"'
                       ((Slash - Ones) & ~Slash) |       // '\\'
                       (X | (X + Ones));                 // 0x7F and up
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

/// Length of the well-formed UTF-8 sequence starting at S[I], or 0.
static std::size_t utf8Sequence(const unsigned char *S, std::size_t I,
                                std::size_t N) {
  unsigned char C = S[I];
  std::size_t Len = C >= 0xF0 && C <= 0xF4   ? 4
                    : C >= 0xE0 && C <= 0xEF ? 3
                    : C >= 0xC2 && C <= 0xDF ? 2
                                             : 0;
  if (Len == 0 || I + Len > N)
    return 0;
  for (std::size_t J = 1; J < Len; ++J)
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

/// Appends [P, P + N): runs of plain bytes copied as they are, an ASCII
/// byte that needs an escape given to \p EscapeAscii, well-formed UTF-8
/// sequences copied and any other byte replaced by U+FFFD, so the result
/// is always valid JSON string content.
template <class Fn>
static void appendEscaped(std::string &Dst, const char *P, std::size_t N,
                          Fn EscapeAscii) {
  const auto *S = reinterpret_cast<const unsigned char *>(P);
  std::size_t I = 0;
  while (I < N) {
    std::size_t Run = plainPrefix(P + I, N - I);
    Dst.append(P + I, Run);
    I += Run;
    if (I == N)
      break;
    unsigned char C = S[I];
    if (C < 0x80) {
      EscapeAscii(C);
      ++I;
      continue;
    }
    std::size_t Len = utf8Sequence(S, I, N);
    if (!Len) {
      Dst += "\\ufffd";
      ++I;
      continue;
    }
    Dst.append(P + I, Len);
    I += Len;
  }
}

/// The inside of a JSON string literal for \p Str.
static void appendJsonBody(std::string &Dst, std::string_view Str) {
  appendEscaped(Dst, Str.data(), Str.size(), [&Dst](unsigned char C) {
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
  });
}

void appendJsonString(std::string &Dst, std::string_view Str) {
  Dst.push_back('"');
  appendJsonBody(Dst, Str);
  Dst.push_back('"');
}

void appendQuotedJson(std::string &Dst, const char *P, std::size_t N,
                      std::string_view Tail) {
  Dst.reserve(Dst.size() + N + Tail.size() + 8);
  Dst += "\"\\\"";
  appendEscaped(Dst, P, N, [&Dst](unsigned char C) {
    // The C++ escape, then escaped again for JSON.
    switch (C) {
    case '"': Dst += "\\\\\\\""; break;
    case '\\': Dst += "\\\\\\\\"; break;
    case '\n': Dst += "\\\\n"; break;
    case '\t': Dst += "\\\\t"; break;
    case '\r': Dst += "\\\\r"; break;
    case '\0': Dst += "\\\\0"; break;
    default: // Other control bytes and DEL: \xNN.
      Dst += "\\\\x";
      Dst.push_back(HexDigits[C >> 4]);
      Dst.push_back(HexDigits[C & 15]);
    }
  });
  Dst += "\\\"";
  appendJsonBody(Dst, Tail);
  Dst.push_back('"');
}

static void replaceAll(std::string &S, std::string_view From,
                       std::string_view To) {
  std::size_t Pos = 0;
  while ((Pos = S.find(From, Pos)) != std::string::npos) {
    S.replace(Pos, From.size(), To);
    Pos += To.size();
  }
}

std::string prettyTypeName(std::string_view Raw) {
  std::string S(Raw);
  replaceAll(S, "std::__cxx11::", "std::");
  replaceAll(S, "std::__1::", "std::");
  replaceAll(S, "std::basic_string<char, std::char_traits<char>, "
                "std::allocator<char> >",
             "std::string");
  replaceAll(S, "std::basic_string<char, std::char_traits<char>, "
                "std::allocator<char>>",
             "std::string");
  replaceAll(S, "std::basic_string<char>", "std::string");
  replaceAll(S, "std::basic_string_view<char, std::char_traits<char> >",
             "std::string_view");
  replaceAll(S, "std::basic_string_view<char, std::char_traits<char>>",
             "std::string_view");
  replaceAll(S, "std::basic_string_view<char>", "std::string_view");
  return S;
}

std::string truncationMarker(std::size_t Omitted) {
  return "\xE2\x80\xA6[+" + std::to_string(Omitted) + " bytes]";
}

uint64_t hashText(std::string_view S) {
  constexpr uint64_t K = 0x9E3779B97F4A7C15ull;
  uint64_t H = S.size() * K;
  std::size_t I = 0;
  for (; I + 8 <= S.size(); I += 8) {
    uint64_t W;
    std::memcpy(&W, S.data() + I, 8);
    H = (H ^ W) * K;
    H ^= H >> 29;
  }
  uint64_t W = 0;
  std::memcpy(&W, S.data() + I, S.size() - I);
  H = (H ^ W) * K;
  H ^= H >> 32;
  return H;
}

} // namespace __trace_rt
