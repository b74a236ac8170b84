// A header with bundles, included by two translation units.
#ifndef SHARED_H
#define SHARED_H
#include <string>

namespace lib {
/// Joins two words.
[[trace::bundle]] inline std::string join(const std::string &A, const std::string &B) {
  return A + " " + B;
}
template <class T> [[trace::bundle]] T biggest(T A, T B) { return A > B ? A : B; }
inline int callsJoin(int N) { return static_cast<int>(join("a", "b").size()) + biggest(N, 1); }
}
#endif
