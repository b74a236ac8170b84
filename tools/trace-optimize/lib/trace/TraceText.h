//===- TraceText.h - Value text and JSON strings for trace readers -*- C++ -*-===//
//
// The text rules a reader of the binary trace applies to what it renders.
// C-style escaping is the contract shared with the runtime's renderers
// (trace/escape.hpp), so a string or char copied into the trace as bytes
// reads exactly as the runtime would have rendered it; the JSON rules are
// the reader's own (the traced process writes no JSON).
//
//===----------------------------------------------------------------------===//
#ifndef TRACEREAD_TRACETEXT_H
#define TRACEREAD_TRACETEXT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace traceopt {

/// Appends \p S escaped like the body of a C++ string literal, under the
/// contract of trace/escape.hpp: \" \\ \n \t \r \0, \xNN for the other
/// control bytes, DEL and every byte that is not part of well-formed UTF-8;
/// well-formed UTF-8 is copied. The result is valid UTF-8 and lossless.
void appendCEscaped(std::string &Dst, std::string_view S);

/// Appends \p S as a JSON string literal, quotes included: the escapes of
/// JSON for '"', '\\' and control bytes (\n \r \t \b \f, else \u00XX), and
/// U+FFFD for every byte that is not part of well-formed UTF-8. A value's
/// string is escaped losslessly (appendCEscaped) before it gets here; text
/// a program wrote itself (operator<<, feedback) may still hold such bytes.
void appendJsonString(std::string &Dst, std::string_view S);

/// True if \p S is well-formed UTF-8 (no overlong forms, no surrogates).
bool isValidUtf8(std::string_view S);

/// \p S with every byte that is not part of well-formed UTF-8 replaced by
/// U+FFFD: the string a JSON reader gets back from appendJsonString(S).
/// Returns \p S itself when it is valid, else a view of \p Scratch.
std::string_view cleanUtf8(std::string_view S, std::string &Scratch);

/// Appends cleanUtf8 of [Begin, End) of \p Buf in place: replaces the
/// bytes of \p Buf from \p Begin on by their cleaned form.
void cleanUtf8Tail(std::string &Buf, size_t Begin);

/// What a value cut by the value limit shows after its text: "…[+N bytes]".
void appendTruncationMarker(std::string &Dst, uint64_t Omitted);

/// Appends the decimal digits of \p V.
void appendUInt(std::string &Dst, uint64_t V);

/// A 64-bit hash of a value's text and its omitted byte count, never 0 (0
/// marks "no output known"). Equal values give equal hashes.
uint64_t hashValue(std::string_view Text, uint64_t Omitted);

} // namespace traceopt

#endif
