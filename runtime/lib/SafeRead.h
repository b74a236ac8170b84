//===- SafeRead.h - Reading memory the program may not own ----------------===//
//
// Internals of SafeRead.cpp, shared with the unit tests. The entry points the
// instrumented code calls (safeCStringPrefix, outCString, ...) are declared
// in trace/abi.hpp.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_RUNTIME_SAFEREAD_H
#define TRACE_RUNTIME_SAFEREAD_H

#include <cstddef>
#include <cstdint>

namespace __trace_rt {

/// How many leading bytes of [P, P + N) the runtime may read: bytes on pages
/// known to be mapped and readable, and, under AddressSanitizer, not
/// poisoned. Never faults and never reads the bytes themselves.
std::size_t readablePrefix(const void *P, std::size_t N) noexcept;

/// Bytes kept of a `char *` with no NUL within the value limit: a cursor
/// into a buffer of unknown extent, shown by a quarter of the limit (64 of
/// the default 256), never less than one byte.
std::size_t cursorPrefixLimit() noexcept;

/// Counters of the calling thread's page checks, for tests and tuning.
struct SafeReadStats {
  /// Pages looked up in the thread's cache and found there.
  uint64_t CacheHits;
  /// System calls made to find out whether a page is readable.
  uint64_t Probes;
};
SafeReadStats safeReadStats() noexcept;

/// Forgets what the calling thread knows about pages (tests).
void resetSafeReadCache() noexcept;

} // namespace __trace_rt

#endif // TRACE_RUNTIME_SAFEREAD_H
