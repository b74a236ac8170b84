//===- trace/escape.hpp - How strings are escaped in values ---------------===//
//
// The one escaping contract of the trace: a string's bytes are shown as the
// body of a C++ string literal. The runtime applies it when it renders a
// value in the program (runtime/lib/Text.cpp, SafeRead.cpp), the readers
// when they render a string or a char copied into the trace as bytes
// (trace-optimize's BinaryTrace.cpp); both must give the same text, since
// values are compared by their text. docs/trace-format.md states the rules.
//
//   * printable ASCII is itself, except `"` -> `\"` and `\` -> `\\`;
//   * `\n`, `\t`, `\r` and NUL are `\n`, `\t`, `\r`, `\0`; the other control
//     bytes and DEL are `\xNN` (two lowercase hex digits);
//   * a well-formed UTF-8 sequence (no overlong form, no surrogate, nothing
//     past U+10FFFF) is copied as it is;
//   * any other byte (a stray continuation byte, 0xC0, 0xC1, 0xF5 and up,
//     the lead of an overlong, surrogate or truncated sequence) is `\xNN`.
//
// So the text is always valid UTF-8, and the original bytes can be read
// back: `\xNN` always stands for the byte 0xNN (a byte that is itself
// `\`, `x` would be written `\\x`).
//
// Header-only and allocation-free: the runtime calls it on its hot path
// with an emitter that appends to a bounded buffer.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_ESCAPE_HPP
#define TRACE_ESCAPE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The scans read bytes the caller vouches for (a string of known size, or
/// bytes the runtime found readable); the runtime may run them on bytes
/// that a sanitizer considers another thread's or uninitialised, which are
/// not the program's accesses.
#if defined(__clang__)
#define TRACE_ESCAPE_UNCHECKED                                                 \
  __attribute__((no_sanitize("address", "hwaddress", "memory", "thread")))
#elif defined(__GNUC__)
#define TRACE_ESCAPE_UNCHECKED                                                 \
  __attribute__((no_sanitize("address", "hwaddress", "thread")))
#else
#define TRACE_ESCAPE_UNCHECKED
#endif

namespace __trace_format {

/// Length of the well-formed UTF-8 sequence of 2 to 4 bytes at the start of
/// [P, P + N) (N > 0), or 0 when the bytes there start none. When \p More,
/// the bytes go on past N: a sequence that N cuts but that more bytes could
/// complete gives SIZE_MAX ("wait for the rest"), not 0.
TRACE_ESCAPE_UNCHECKED inline std::size_t
utf8Sequence(const unsigned char *P, std::size_t N, bool More = false) {
  const unsigned char C = P[0];
  const std::size_t Len = C >= 0xC2 && C <= 0xDF   ? 2
                          : C >= 0xE0 && C <= 0xEF ? 3
                          : C >= 0xF0 && C <= 0xF4 ? 4
                                                   : 0;
  if (Len == 0)
    return 0;
  // The second byte's range depends on the lead: it rules out overlong
  // forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
  unsigned char Lo = 0x80, Hi = 0xBF;
  if (C == 0xE0)
    Lo = 0xA0;
  else if (C == 0xED)
    Hi = 0x9F;
  else if (C == 0xF0)
    Lo = 0x90;
  else if (C == 0xF4)
    Hi = 0x8F;
  for (std::size_t J = 1; J < Len; ++J) {
    if (J == N)
      return More ? SIZE_MAX : 0;
    const unsigned char B = P[J];
    if (J == 1 ? B < Lo || B > Hi : (B & 0xC0) != 0x80)
      return 0;
  }
  return Len;
}

/// True for a byte that escapes as itself: printable ASCII other than `"`
/// and `\`.
constexpr bool isPlainByte(unsigned char C) {
  return C >= 0x20 && C < 0x7F && C != '"' && C != '\\';
}

/// Length of the prefix of [P, P + N) made of plain bytes (isPlainByte).
TRACE_ESCAPE_UNCHECKED inline std::size_t plainPrefix(const char *P,
                                                      std::size_t N) {
  std::size_t I = 0;
#if defined(__SSE2__)
  const __m128i Ctl = _mm_set1_epi8(0x1F);
  const __m128i Del = _mm_set1_epi8(0x7F);
  const __m128i Quote = _mm_set1_epi8('"');
  const __m128i Slash = _mm_set1_epi8('\\');
  for (; I + 16 <= N; I += 16) {
    const __m128i B =
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(P + I));
    // Signed compare: bytes 0x80 and up are negative, so "B > 0x1F" and
    // "B != DEL" leave exactly the printable ASCII bytes.
    const __m128i Printable =
        _mm_andnot_si128(_mm_cmpeq_epi8(B, Del), _mm_cmpgt_epi8(B, Ctl));
    const __m128i Special =
        _mm_or_si128(_mm_cmpeq_epi8(B, Quote), _mm_cmpeq_epi8(B, Slash));
    const int Plain =
        _mm_movemask_epi8(_mm_andnot_si128(Special, Printable));
    if (Plain != 0xFFFF)
      return I + static_cast<std::size_t>(
                     __builtin_ctz(~static_cast<unsigned>(Plain)));
  }
#else
  constexpr uint64_t Ones = 0x0101010101010101ull;
  constexpr uint64_t Highs = 0x8080808080808080ull;
  for (; I + 8 <= N; I += 8) {
    uint64_t X;
    std::memcpy(&X, P + I, 8);
    const uint64_t Quote = X ^ (Ones * '"');
    const uint64_t Slash = X ^ (Ones * '\\');
    const uint64_t Special = ((X - Ones * 0x20) & ~X) |  // below 0x20
                             ((Quote - Ones) & ~Quote) | // '"'
                             ((Slash - Ones) & ~Slash) | // '\\'
                             (X | (X + Ones));           // 0x7F and up
    if (Special & Highs)
      break;
  }
#endif
  while (I < N && isPlainByte(static_cast<unsigned char>(P[I])))
    ++I;
  return I;
}

/// Writes the escape of a byte that is not plain and starts no well-formed
/// UTF-8 sequence into \p Buf (4 bytes); returns its length, 2 or 4.
inline std::size_t escapeByte(unsigned char C, char *Buf) {
  static const char Hex[] = "0123456789abcdef";
  Buf[0] = '\\';
  switch (C) {
  case '"':
    Buf[1] = '"';
    return 2;
  case '\\':
    Buf[1] = '\\';
    return 2;
  case '\n':
    Buf[1] = 'n';
    return 2;
  case '\t':
    Buf[1] = 't';
    return 2;
  case '\r':
    Buf[1] = 'r';
    return 2;
  case '\0':
    Buf[1] = '0';
    return 2;
  default:
    Buf[1] = 'x';
    Buf[2] = Hex[C >> 4];
    Buf[3] = Hex[C & 15];
    return 4;
  }
}

/// How escapeC stops when its text is bounded.
enum class EscapeStop : uint8_t {
  /// Never: [P, P + N) is escaped in full.
  None,
  /// Before the first unit (a byte, or a UTF-8 sequence) whose text would
  /// take the total past the room: the text fits.
  Fit,
  /// Once the total has reached the room: the last unit's text may go past
  /// it (for a sink that keeps only up to its limit and counts the rest).
  Reach,
};

/// Escapes [P, P + N) under the contract above, handing the text to
/// \p Emit(const char *, std::size_t) in pieces (runs of bytes copied as
/// they are are one piece). \p Room bounds the text as \p Stop says. When
/// \p More, the bytes go on past N: a UTF-8 sequence cut by N is left out
/// rather than escaped byte by byte. Returns how many bytes of P were
/// consumed; \p Used, when given, gets the size of the text.
template <class EmitFn>
TRACE_ESCAPE_UNCHECKED inline std::size_t
escapeC(const char *P, std::size_t N, EmitFn &&Emit,
        EscapeStop Stop = EscapeStop::None, std::size_t Room = SIZE_MAX,
        bool More = false, std::size_t *Used = nullptr) {
  if (Stop == EscapeStop::None)
    Room = SIZE_MAX;
  const auto *S = reinterpret_cast<const unsigned char *>(P);
  std::size_t I = 0, Size = 0;
  // Bytes shown as they are, [Run, I), go out in one piece.
  std::size_t Run = 0;
  while (I < N && Size < Room) {
    // The scan never looks further than the room left: its cost is bounded
    // by the text, not by N.
    const std::size_t Want = N - I < Room - Size ? N - I : Room - Size;
    const std::size_t Plain = plainPrefix(P + I, Want);
    if (Plain) {
      I += Plain;
      Size += Plain;
      continue;
    }
    const std::size_t Len =
        S[I] >= 0x80 ? utf8Sequence(S + I, N - I, More) : 0;
    if (Len == SIZE_MAX)
      break; // Cut by N: the rest comes with the bytes past N.
    if (Len) {
      if (Stop == EscapeStop::Fit && Len > Room - Size)
        break;
      I += Len;
      Size += Len;
      continue;
    }
    char Esc[4];
    const std::size_t EscLen = escapeByte(S[I], Esc);
    if (Stop == EscapeStop::Fit && EscLen > Room - Size)
      break;
    if (I > Run)
      Emit(P + Run, I - Run);
    Emit(static_cast<const char *>(Esc), EscLen);
    Run = ++I;
    Size += EscLen;
  }
  if (I > Run)
    Emit(P + Run, I - Run);
  if (Used)
    *Used = Size;
  return I;
}

/// Length of the longest prefix of [P, P + N) that is well-formed UTF-8.
TRACE_ESCAPE_UNCHECKED inline std::size_t validUtf8Prefix(const char *P,
                                                          std::size_t N) {
  const auto *S = reinterpret_cast<const unsigned char *>(P);
  std::size_t I = 0;
  while (I < N) {
    // ASCII runs, 8 bytes a step.
    while (I + 8 <= N) {
      uint64_t X;
      std::memcpy(&X, P + I, 8);
      if (X & 0x8080808080808080ull)
        break;
      I += 8;
    }
    while (I < N && S[I] < 0x80)
      ++I;
    if (I == N)
      break;
    const std::size_t Len = utf8Sequence(S + I, N - I);
    if (!Len)
      break;
    I += Len;
  }
  return I;
}

} // namespace __trace_format

#endif
