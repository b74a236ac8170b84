//===- JsonDump.h - The JSON Lines export of a binary trace ------*- C++ -*-===//
//
// `trace-optimize dump`: the records of a binary trace as the JSON Lines of
// docs/trace-format.md ("JSON Lines export (version 1)"), with the fields,
// their order and their escaping of the runtime's former JSON writer, so
// that scripts and FileCheck tests read the same text as before.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEREAD_JSONDUMP_H
#define TRACEREAD_JSONDUMP_H

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

/// Receives the output in pieces (about 1 MiB each, whole lines); returns
/// false to stop (a write error, which the caller reports).
using DumpWriter = std::function<bool(std::string_view)>;

/// Writes the JSON Lines of the trace \p Bytes (named \p Name in messages)
/// to \p Write. A text that is not a binary trace (no magic) is written
/// unchanged: it is taken to be JSON Lines already, which readers check.
/// False with \p Error set when the trace is malformed or \p Write fails;
/// what was written before stays written. Conditions that do not stop the
/// dump (a trace cut short) are added to \p Warnings.
bool dumpTrace(std::string_view Bytes, const std::string &Name, const DumpWriter &Write,
               std::vector<std::string> &Warnings, std::string &Error);

/// dumpTrace into a string (tests, small traces).
bool dumpTraceToString(std::string_view Bytes, const std::string &Name, std::string &Out,
                       std::vector<std::string> &Warnings, std::string &Error);

} // namespace traceopt

#endif
