//===- Text.cpp - Values as text -------------------------------------------===//

#include "Internal.h"

#include "trace/escape.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
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

// Room from the start: write() never copies to or from a null buffer (not
// even zero bytes, which memcpy does not allow either).
Out::Out(std::size_t Limit) : Limit(Limit) { grow(1); }
Out::~Out() { std::free(Data); }

void Out::grow(std::size_t Need) {
  std::size_t NewCap = Cap ? Cap * 2 : 256;
  while (NewCap < Need)
    NewCap *= 2;
  char *P = static_cast<char *>(std::realloc(Data, NewCap));
  if (!P)
    std::abort();
  Data = P;
  Cap = NewCap;
}

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
  std::size_t Keep = utf8Prefix(view(), Len);
  Len = Keep;
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
  __trace_format::escapeC(
      P, N, [&O](const char *Piece, std::size_t Len) { O.write(Piece, Len); });
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

void outEnum(Out &O, long long V, const __EnumInfo *E, const char *TypeName,
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

/// Records rendered inside one another on this thread. Rendering runs on
/// one thread at a time per Out (the caller's, while it captures), so a
/// thread-local count is the nesting of the value being rendered.
static thread_local unsigned RecordDepth = 0;
/// Records nested deeper than this show as `{…}`: a cycle through
/// reference members, or a deep tree, stops here even when TRACE_MAX_VALUE
/// is large. The value limit usually stops them first.
static constexpr unsigned MaxRecordDepth = 8;

bool outEnterRecord(Out &) noexcept {
  if (RecordDepth >= MaxRecordDepth)
    return false;
  ++RecordDepth;
  return true;
}

void outLeaveRecord(Out &) noexcept { --RecordDepth; }

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

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
