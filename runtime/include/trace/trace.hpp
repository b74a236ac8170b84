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
#if defined(__clang__)
#pragma clang system_header
#elif defined(__GNUC__)
#pragma GCC system_header
#endif
#endif

#include <cstddef>
#if __cplusplus >= 201703L
#include <string_view>
#else
#include <cstring>
#include <string>
#endif

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

#if __cplusplus >= 201703L
/// The text of a feedback: a string literal, a std::string or a view.
using TextRef = std::string_view;
#else
/// The text of a feedback before C++17, which has no std::string_view: a
/// string literal or a std::string, seen as a pointer and a length.
class TextRef {
public:
  TextRef() noexcept : Ptr(nullptr), Len(0) {}
  TextRef(const char *S) noexcept : Ptr(S), Len(S ? std::strlen(S) : 0) {}
  TextRef(const char *S, std::size_t N) noexcept : Ptr(S), Len(N) {}
  TextRef(const std::string &S) noexcept : Ptr(S.data()), Len(S.size()) {}
  const char *data() const noexcept { return Ptr; }
  std::size_t size() const noexcept { return Len; }

private:
  const char *Ptr;
  std::size_t Len;
};
#endif

#ifdef __TRACE_PLUGIN__

/// Attaches \p Text to the bundle call that produced \p Value: the call
/// whose result initialised the named variable \p Value, else (for a
/// temporary) the bundle call that returned last on this thread.
template <class T> inline void feedback(const T &Value, TextRef Text) noexcept {
  ::__trace_rt::feedbackFor(static_cast<const void *>(&Value), Text.data(),
                            Text.size(), 0.0, false);
}
/// As above, with a score (higher is better).
template <class T>
inline void feedback(const T &Value, TextRef Text, double Score) noexcept {
  ::__trace_rt::feedbackFor(static_cast<const void *>(&Value), Text.data(),
                            Text.size(), Score, true);
}
/// Attaches \p Text to the latest top-level bundle call on this thread.
inline void feedback(TextRef Text) noexcept {
  ::__trace_rt::feedbackLatest(Text.data(), Text.size(), 0.0, false);
}
inline void feedback(TextRef Text, double Score) noexcept {
  ::__trace_rt::feedbackLatest(Text.data(), Text.size(), Score, true);
}
/// Says the latest top-level call's result is good: optimization can stop.
inline void success(TextRef Text = {}) noexcept {
  ::__trace_rt::successLatest(Text.data(), Text.size());
}
/// Writes everything this thread (and every finished thread) recorded so far.
inline void flush() noexcept { ::__trace_rt::flushAll(); }

#else

template <class T> inline void feedback(const T &, TextRef) noexcept {}
template <class T> inline void feedback(const T &, TextRef, double) noexcept {}
inline void feedback(TextRef) noexcept {}
inline void feedback(TextRef, double) noexcept {}
inline void success(TextRef = {}) noexcept {}
inline void flush() noexcept {}

#endif

} // namespace trace

#endif // TRACE_TRACE_HPP
