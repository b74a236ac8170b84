//===- trace/trace.hpp - User API of Trace for C++ ------------------------===//
//
// Feedback and control for a program built with the Trace plugin. Without
// the plugin (__TRACE_PLUGIN__ undefined) every function is an inline no-op,
// so the same source builds with any compiler, with or without libtrace_rt.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_TRACE_HPP
#define TRACE_TRACE_HPP

// Under the plugin this header declares the runtime's reserved names: the
// user's -Weverything -Werror must not see them (the header stays
// warning-free without the plugin).
#ifdef __TRACE_PLUGIN__
#pragma clang system_header
#endif

#include <cstddef>
#include <string_view>

#ifdef __TRACE_PLUGIN__
namespace __trace_rt {
void feedbackFor(const void *Addr, const char *Text, std::size_t Len,
                 double Score, bool HasScore) noexcept;
void feedbackLatest(const char *Text, std::size_t Len, double Score,
                    bool HasScore) noexcept;
void successLatest(const char *Text, std::size_t Len) noexcept;
void flushAll() noexcept;
} // namespace __trace_rt
#endif

namespace trace {

#ifdef __TRACE_PLUGIN__

/// Attaches \p Text to the bundle call that produced \p Value: the call
/// whose result initialised the named variable \p Value, else (for a
/// temporary) the bundle call that returned last on this thread.
template <class T>
inline void feedback(const T &Value, std::string_view Text) noexcept {
  ::__trace_rt::feedbackFor(static_cast<const void *>(&Value), Text.data(),
                            Text.size(), 0.0, false);
}
/// As above, with a score (higher is better).
template <class T>
inline void feedback(const T &Value, std::string_view Text,
                     double Score) noexcept {
  ::__trace_rt::feedbackFor(static_cast<const void *>(&Value), Text.data(),
                            Text.size(), Score, true);
}
/// Attaches \p Text to the latest top-level bundle call on this thread.
inline void feedback(std::string_view Text) noexcept {
  ::__trace_rt::feedbackLatest(Text.data(), Text.size(), 0.0, false);
}
inline void feedback(std::string_view Text, double Score) noexcept {
  ::__trace_rt::feedbackLatest(Text.data(), Text.size(), Score, true);
}
/// Says the latest top-level call's result is good: optimization can stop.
inline void success(std::string_view Text = {}) noexcept {
  ::__trace_rt::successLatest(Text.data(), Text.size());
}
/// Writes everything this thread (and every finished thread) recorded so far.
inline void flush() noexcept { ::__trace_rt::flushAll(); }

#else

template <class T> inline void feedback(const T &, std::string_view) noexcept {}
template <class T>
inline void feedback(const T &, std::string_view, double) noexcept {}
inline void feedback(std::string_view) noexcept {}
inline void feedback(std::string_view, double) noexcept {}
inline void success(std::string_view = {}) noexcept {}
inline void flush() noexcept {}

#endif

} // namespace trace

#endif // TRACE_TRACE_HPP
