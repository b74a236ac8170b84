//===- Export.h - Traces as a timeline for Perfetto and chrome://tracing --===//
//
// `trace-optimize export --format perfetto`: binary traces recorded with
// TRACE_TIMESTAMPS=1 as one Chrome JSON trace-event file, which
// ui.perfetto.dev and chrome://tracing open. See docs/optimizer.md.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_EXPORT_H
#define TRACEOPT_EXPORT_H

#include "trace/JsonDump.h"

#include <string>
#include <vector>

namespace traceopt {

/// Writes the traces at \p Paths as one trace-event JSON object to \p Write,
/// in pieces, as the traces are read: a process per trace, a thread track
/// per thread, a complete slice ("X") per call with its arguments and result
/// or exception, a flow ("s" to "f") per data-flow edge, from the slice of
/// the call that produced a value to the slice of the call that received it,
/// and an instant event ("i") per feedback. False with \p Error set (naming
/// the file) when a trace cannot be read or has no call times; what was
/// written before stays written. \p Warnings gets what does not stop it.
bool exportTimeline(const std::vector<std::string> &Paths, const DumpWriter &Write, std::vector<std::string> &Warnings,
                    std::string &Error);

} // namespace traceopt

#endif
