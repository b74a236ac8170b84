// Free functions in named and anonymous namespaces, void functions,
// recursion, and parameters by value, const&, && and pointer.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -fsyntax-only %s
#include <string>

/// Adds two numbers.
[[trace::bundle]] int add(int a, int b) { return a + b; }
// CHECK: //=== trace rewritten: {{.*}}free-functions.cpp
// CHECK: int add(int a, int b) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "add(int, int)", "add", __PRETTY_FUNCTION__, "{{.*}}free-functions.cpp", 10u, "a\0b\0", 2u, "Adds two numbers.", nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, a); __trace_call.__arg(1, b); try {  __TRACE_END  return ::__trace_rt::__retv(__trace_call, a + b);  __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END}

namespace ns {
[[trace::bundle]] void log(const std::string &Msg, std::string &&Tmp, int *P) {
  (void)Msg;
  (void)Tmp;
  (void)P;
}
}
// CHECK: void log(const std::string &Msg, std::string &&Tmp, int *P) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "ns::log(const std::string &, std::string &&, int *)", "ns::log",{{.*}} "Msg\0Tmp\0P\0", 3u, "", nullptr, 8u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__argRef(0, Msg); __trace_call.__argRef(1, Tmp); __trace_call.__arg(2, P); try {  __TRACE_END
// CHECK-NEXT: (void)Msg;
// CHECK-NEXT: (void)Tmp;
// CHECK-NEXT: (void)P;
// CHECK-NEXT: {{^}} __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END

namespace {
/** Counts down. */
[[trace::bundle]] unsigned countdown(unsigned N) {
  return N == 0 ? 0 : countdown(N - 1);
}
}
// CHECK: unsigned countdown(unsigned N) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "(anonymous namespace)::countdown(unsigned int)", "(anonymous namespace)::countdown",{{.*}}"N\0", 1u, "Counts down.", nullptr, 0u};{{.*}}try {  __TRACE_END
// The recursive call is a call site: its argument is not a plain variable.
// CHECK-NEXT: return ::__trace_rt::__retv(__trace_call, N == 0 ? 0 : countdown(N - 1));
// CHECK-NEXT: {{^}} __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END

// Unnamed parameters are listed with an empty name and not captured.
[[trace::bundle]] int second(int, int B) { return B; }
// An unnamed parameter is named in place and recorded as arg0.
// CHECK: int second(__TRACE_BEGIN {{\[\[}}__maybe_unused__]] __TRACE_END int __TRACE_BEGIN __trace_arg0 __TRACE_END, int B) {__TRACE_BEGIN static ::__trace_rt::__Site
// CHECK-SAME: "second(int, int)", "second",{{.*}} "arg0\0B\0", 2u, {{.*}}__trace_call.__arg(0, __trace_arg0); __trace_call.__arg(1, B); try {  __TRACE_END  return ::__trace_rt::__retv(__trace_call, B);

// Trailing and deduced return types.
[[trace::bundle]] auto trailing(int X) -> long { return X; }
// CHECK: auto trailing(int X) -> long {{.*}} return ::__trace_rt::__retAs __TRACE_EXPR_BEGIN < long> __TRACE_EXPR_END (__trace_call, X);
[[trace::bundle]] auto deduced(int X) { return X + 1; }
// CHECK: auto deduced(int X) {{.*}} return ::__trace_rt::__retv(__trace_call, X + 1);
[[trace::bundle]] decltype(auto) deducedRef(int &X) { return (X); }
// CHECK: decltype(auto) deducedRef(int &X) {{.*}} return ::__trace_rt::__retRef(__trace_call, (X));
[[trace::bundle]] const std::string &
firstOf(const std::string &A, const std::string &) {
  return A;
}
// CHECK: firstOf(const std::string &A, __TRACE_BEGIN {{\[\[}}__maybe_unused__]] __TRACE_END const std::string & __TRACE_BEGIN __trace_arg1 __TRACE_END) {{.*}} try {  __TRACE_END

unsigned useCountdown() { return countdown(3); }

// CHECK-CONSISTENT: checked 1 file(s), 8 site(s), 0 param(s)
