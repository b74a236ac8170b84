// The in-place rewrite: the prologue and the handler's `try {` on the line
// of the body's '{', each `return E;` rewritten on its own line in the form
// that adds no copy or move, the handler's end before the body's '}'.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -Wno-return-type -fsyntax-only %s
#include <string>

struct Big {
  std::string S;
};

// CHECK: //=== trace rewritten: {{.*}}inplace.cpp
[[trace::bundle]] int add(int a, int b) {
  return a + b;
}
// CHECK: int add(int a, int b) {__TRACE_BEGIN {{.*}}__trace_call.__arg(1, b); try { __TRACE_END {{$}}
// CHECK-NEXT: return ::__trace_rt::__retv(__trace_call, a + b);
// CHECK-NEXT: __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END}

[[trace::bundle]] Big make(const std::string &s) {
  Big B{s};
  if (s.empty())
    return Big{"empty"};
  return B;
}
// CHECK: Big make(const std::string &s) {__TRACE_BEGIN {{.*}} try { __TRACE_END {{$}}
// CHECK-NEXT: Big B{s};
// CHECK-NEXT: if (s.empty())
// CHECK-NEXT: return __TRACE_EXPR_BEGIN ::__trace_rt::__result(__trace_call, [&]() -> Big { return __TRACE_EXPR_END Big{"empty"}; });
// CHECK-NEXT: __TRACE_EXPR_BEGIN {__trace_call.__ret(B); __TRACE_EXPR_END return B;}
// CHECK-NEXT: __TRACE_BEGIN } catch

[[trace::bundle]] const std::string &name(const Big &b) { return b.S; }
// CHECK: const std::string &name(const Big &b) {{[{].*}} return ::__trace_rt::__retRef(__trace_call, b.S); __TRACE_BEGIN } catch

[[trace::bundle]] long pair(int a, int b) { return a += b, a; }
// CHECK: long pair(int a, int b) {{[{].*}} return ::__trace_rt::__retAs __TRACE_EXPR_BEGIN < long> __TRACE_EXPR_END (__trace_call, (a += b, a)); __TRACE_BEGIN } catch

[[trace::bundle]] int loose(int a) {
  if (a)
    return 1;
}
// A non-void function whose end is reachable has no handler.
// CHECK: int loose(int a) {{[{].*}}__trace_call.__arg(0, a); __TRACE_END {{$}}
// CHECK-NEXT: if (a)
// CHECK-NEXT: return ::__trace_rt::__retv(__trace_call, 1);
// CHECK-NEXT: {{^}}}

[[trace::bundle]] void quiet() noexcept {}
// CHECK: void quiet() noexcept {__TRACE_BEGIN {{.*}}::__Call __trace_call(__trace_site); __TRACE_END }

struct Res {
  int N;
  [[trace::bundle]] Res(int n) : N(n) {}
  [[trace::bundle]] ~Res() { N = 0; }
};
// CHECK: Res(int n) : N(n) {__TRACE_BEGIN {{.*}}"Res::Res(int)"{{.*}} 10u}; {{.*}}__trace_call.__self(*this); __trace_call.__arg(0, n); try {  __TRACE_END   __TRACE_BEGIN } catch
// CHECK: ~Res() {__TRACE_BEGIN {{.*}}"Res::~Res()"{{.*}} 14u}; {{.*}}__trace_call.__self(*this); __TRACE_END N = 0; }

[[trace::bundle]] int guarded(int x) try {
  return x;
} catch (...) {
  return -1;
}
// CHECK: int guarded(int x) try {__TRACE_BEGIN {{.*}} try { __TRACE_END {{$}}
// CHECK-NEXT: return ::__trace_rt::__retv(__trace_call, x);
// CHECK-NEXT: __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END} catch (...) {
// CHECK-NEXT: return -1;

[[trace::bundle]] const char *where() { return __func__; }
// CHECK: const char *where() {{[{].*}} return ::__trace_rt::__retAs __TRACE_EXPR_BEGIN < const char *> __TRACE_EXPR_END (__trace_call, __func__);

#define RETURN_TWICE(x) return 2 * (x)
[[trace::bundle]] int twice(int x) { RETURN_TWICE(x); }
// A return from a macro is left as written; the call records "not captured".
// CHECK: int twice(int x) {{[{].*}}__trace_call.__unrecorded(); {{.*}}RETURN_TWICE(x);

// CHECK-CONSISTENT: checked 1 file(s), 11 site(s), 0 param(s)
