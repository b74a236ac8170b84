// The key of an instantiation names its template arguments (printed
// canonically, so every TU agrees) and keeps the pattern's parameter types:
// the one rewritten body picks its instantiation's key and hash by comparing
// __PRETTY_FUNCTION__ at compile time, and a call site names the key of the
// instantiation it calls. A trainable template's code parameter is the
// pattern's ("code:<pattern key>").
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -c -o %t.o %s
#include <string>

namespace stats {
template <class T> struct RunningStats {
  T Sum{};
  [[trace::bundle]] T add(const T &X) { return Sum += X; }
};
} // namespace stats

template <class T, class... Rest> [[trace::bundle]] int count(const T &, const Rest &...) {
  return 1 + static_cast<int>(sizeof...(Rest));
}
// An explicit specialization is its own function, with its own body.
template <> [[trace::bundle]] int count<char>(const char &) { return 1; }
// A plain overload with the same parameter types is another function.
[[trace::bundle]] int count(const char &) { return 2; }

template <class T> struct Outer {
  template <class U> [[trace::trainable]] U convert(const T &X) const { return U(X); }
};

// A lambda has no name to put in a key (and __PRETTY_FUNCTION__ names it by
// a column the rewrite moves): such an instantiation keeps the template's key.
template <class F> [[trace::bundle]] int apply(int V, F Fn) { return Fn(V); }

using Text = std::string;

int use() {
  stats::RunningStats<int> I;
  stats::RunningStats<double> D;
  stats::RunningStats<Text> S;
  int X = 1;
  double Y = 2;
  Text Z = "z";
  char C = 'c';
  I.add(X); D.add(Y); S.add(Z);
  Outer<int> O;
  return count(X, Y, Z) + count(Y) + count<char>(C) + count(C) + O.convert<long>(X) +
         apply(X, [](int V) { return V; });
}

// CHECK: T add(const T &X) {__TRACE_BEGIN static constexpr unsigned __trace_inst = !__builtin_strcmp(__PRETTY_FUNCTION__, "T stats::RunningStats<int>::add(const T &) [T = int]") ? 1u : !__builtin_strcmp(__PRETTY_FUNCTION__, "T stats::RunningStats<double>::add(const T &) [T = double]") ? 2u : !__builtin_strcmp(__PRETTY_FUNCTION__, "T stats::RunningStats<std::basic_string<char>>::add(const T &) [T = std::basic_string<char>]") ? 3u : 0u;
// CHECK-SAME: static ::__trace_rt::__Site __trace_site{__trace_inst == 1u ? 0x[[ADD_INT:[0-9a-f]+]]ull : __trace_inst == 2u ? 0x[[ADD_DBL:[0-9a-f]+]]ull : __trace_inst == 3u ? 0x[[ADD_STR:[0-9a-f]+]]ull : 0x{{[0-9a-f]+}}ull,
// CHECK-SAME: __trace_inst == 1u ? "stats::RunningStats<int>::add(const T &)" : __trace_inst == 2u ? "stats::RunningStats<double>::add(const T &)" : __trace_inst == 3u ? "stats::RunningStats<std::basic_string<char>>::add(const T &)" : "stats::RunningStats::add(const T &)", "stats::RunningStats::add", __PRETTY_FUNCTION__,

// CHECK: int count({{.*}}) {__TRACE_BEGIN static constexpr unsigned __trace_inst = {{.*}} ? 1u : {{.*}} ? 2u : 0u; static ::__trace_rt::__Site __trace_site{__trace_inst == 1u ? 0x[[COUNT_IDS:[0-9a-f]+]]ull : __trace_inst == 2u ? 0x[[COUNT_D:[0-9a-f]+]]ull : 0x{{[0-9a-f]+}}ull,
// CHECK-SAME: __trace_inst == 1u ? "count<int, double, std::basic_string<char>>(const T &, const Rest &...)" : __trace_inst == 2u ? "count<double>(const T &, const Rest &...)" : "count(const T &, const Rest &...)", "count",
// CHECK: int count<char>({{.*}}) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x[[COUNT_C:[0-9a-f]+]]ull, "count<char>(const char &)", "count",
// CHECK: int count({{.*}}) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x[[COUNT_PLAIN:[0-9a-f]+]]ull, "count(const char &)", "count",
// A trainable member template: the site of Outer<int>::convert<long> points
// to the one code parameter of the template.
// CHECK: U convert(const T &X) const {__TRACE_BEGIN static {{.*}}__trace_inst == 1u ? 0x[[CONVERT:[0-9a-f]+]]ull : {{.*}}, __trace_inst == 1u ? "Outer<int>::convert<long>(const T &) const" : "Outer::convert(const T &) const", "Outer::convert", {{.*}}, "code:Outer::convert(const T &) const", 3u};
// CHECK: int apply(int V, F Fn) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x[[APPLY:[0-9a-f]+]]ull, "apply(int, F)", "apply",

// Each call names the key of the instantiation it calls.
// CHECK: I.add(::__trace_rt::__note(X, 0x[[ADD_INT]], 0)); D.add(::__trace_rt::__note(Y, 0x[[ADD_DBL]], 0)); S.add(::__trace_rt::__note(Z, 0x[[ADD_STR]], 0));
// CHECK: return count(::__trace_rt::__note(X, 0x[[COUNT_IDS]], 0), Y, Z) + count(::__trace_rt::__note(Y, 0x[[COUNT_D]], 0)) + count<char>(::__trace_rt::__note(C, 0x[[COUNT_C]], 0)) + count(::__trace_rt::__note(C, 0x[[COUNT_PLAIN]], 0)) + O.convert<long>(::__trace_rt::__note(X, 0x[[CONVERT]], 0)) +
// CHECK-NEXT: apply(::__trace_rt::__note(X, 0x[[APPLY]], 0), [](int V) { return V; });
// CHECK: __TRACE_BEGIN static ::__trace_rt::__ParamInfo __trace_param_0{"code:Outer::convert(const T &) const", 0u, "Outer::convert",

// CHECK-CONSISTENT: checked 1 file(s), 6 site(s), 1 param(s)
