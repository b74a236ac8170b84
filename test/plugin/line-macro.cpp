// __LINE__ inside and after rewritten functions is the user's line.
// RUN: %clangxx_trace -fsyntax-only %s
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s | grep -v -e CHECK -e RUN | FileCheck %s

[[trace::bundle]] int first(int X) { static_assert(__LINE__ == 5, "line moved"); return X; }
// CHECK: int first(int X) {__TRACE_BEGIN static ::__trace_rt::__Site{{.*}}static_assert(__LINE__ == 5, "line moved"); return ::__trace_rt::__retv(__trace_call, X);

[[trace::bundle]] int second(int X) {
  static_assert(__LINE__ == 9, "line moved");
  return first(X);
}
static_assert(__LINE__ == 12, "line moved after rewritten functions");
int third() { int Y = 1; return second(Y) + __LINE__; }
static_assert(__LINE__ == 14, "line moved after a call-site edit");
// CHECK: int third() { int Y = 1; return second(::__trace_rt::__note(Y,
