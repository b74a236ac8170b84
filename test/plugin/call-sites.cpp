// Call sites of bundles: note() on plain variables, expect() on nested bundle
// calls, expectLast() on a helper's result, wildcard notes (hash 0) for
// callees that may reach a bundle, a Local around a declaration initialised
// by a call, and nothing where an edit could change the meaning.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -Wno-unused-variable -Wno-unused-value -Wno-unused-local-typedef -c -o %t.o %s 2>&1 | FileCheck %s --check-prefix=CHECK-WARN
#include <string>
#include <utility>

[[trace::bundle]] int f(int A, int B) { return A + B; }
[[trace::bundle]] int g(int X) { return X; }
[[trace::bundle]] std::string h(const std::string &S) { return S; }
[[trace::bundle]] constexpr int notBundle(int X) { return X; } // expected constexpr: left alone
int plain(int X) { return X; }
int Global = 3;
struct Obj {
  [[trace::bundle]] int m(int X) const { return X; }
};
#define CALL_F(x) f(x, x)

int caller(int Param) {
  int Local = 1;
  const int Constant = 2;
  constexpr int Cx = 3;
  static int StaticLocal = 4;
  volatile int Vol = 5;
  std::string S = "s";
  Obj O;
  // CHECK-LABEL: int caller(int Param) {
  // CHECK-NEXT: int Local = 1;

  int R1 = f(Local, Param);
  // CHECK: __TRACE_BEGIN ::__trace_rt::__Local __trace_l0; __TRACE_END int R1 = f(::__trace_rt::__note(Local, 0x[[F:[0-9a-f]+]], 0), ::__trace_rt::__note(Param, 0x[[F]], 1)); __trace_l0.__init(R1);
  int R2 = f(Global, StaticLocal);
  // CHECK: int R2 = f(::__trace_rt::__note(Global, 0x[[F]], 0), ::__trace_rt::__note(StaticLocal, 0x[[F]], 1)); __trace_l1.__init(R2);
  int R3 = f(Constant, Cx);
  // CHECK: int R3 = f(Constant, Cx); __trace_l2.__init(R3);
  int R4 = f(Vol, Local + 1);
  // CHECK: int R4 = f(Vol, Local + 1); __trace_l3.__init(R4);
  int R5 = f(g(Local), plain(Local));
  // CHECK: int R5 = f(((void)::__trace_rt::__expect(0x[[F]], 0), g(::__trace_rt::__note(Local, 0x[[G:[0-9a-f]+]], 0))), ((void)::__trace_rt::__expectLast(0x[[F]], 1), plain(::__trace_rt::__note(Local, 0, 0)))); __trace_l4.__init(R5);
  std::string T = h(h(S));
  // CHECK: std::string T = h(((void)::__trace_rt::__expect(0x[[H:[0-9a-f]+]], 0), h(::__trace_rt::__note(S, 0x[[H]], 0)))); __trace_l5.__init(T);
  int R6 = O.m(Local);
  // CHECK: int R6 = O.m(::__trace_rt::__note(Local, 0x{{[0-9a-f]+}}, 0)); __trace_l6.__init(R6);
  int R7 = notBundle(Local) + plain(Local);
  // A helper's arguments get wildcard notes (hash 0).
  // CHECK: int R7 = notBundle(::__trace_rt::__note(Local, 0, 0)) + plain(::__trace_rt::__note(Local, 0, 0)); __trace_l7.__init(R7);
  int R8 = CALL_F(Local);
  // Nothing inside the macro; the declaration around it is the user's.
  // CHECK: int R8 = CALL_F(Local); __trace_l8.__init(R8);
  static int R9 = g(Local);
  // CHECK: static int R9 = g(::__trace_rt::__note(Local, 0x[[G]], 0));{{$}}
  auto [P1, P2] = std::pair<int, int>(g(1), 2);
  // CHECK: __TRACE_BEGIN ::__trace_rt::__Local __trace_l9; __TRACE_END auto [P1, P2] = std::pair<int, int>(g(1), 2); __trace_l9.__parts(P1, P2);
  for (int I = g(Local); I < 0; ++I) {
  }
  // CHECK: for (int I = g(::__trace_rt::__note(Local, 0x[[G]], 0)); I < 0; ++I) {{[{]$}}
  using T1 = decltype(g(Local));
  // CHECK: using T1 = decltype(g(Local));
  unsigned long Size = sizeof(g(Local)) + noexcept(g(Local));
  // CHECK: unsigned long Size = sizeof(g(Local)) + noexcept(g(Local));
  g(std::move(Local));
  // CHECK: g(std::move(Local));
  auto Lambda = [&Local, Param]() {
    int Inner = 1;
    return f(Inner, Local) + g(Param);
  };
  // A capture by reference names the function's own object: a note; a
  // capture by copy names the closure's copy: none.
  // CHECK: return f(::__trace_rt::__note(Inner, 0x[[F]], 0), ::__trace_rt::__note(Local, 0x[[F]], 1)) + g(Param);
  auto Init = [Copy = g(Local)]() { return Copy; };
  // CHECK: auto Init = [Copy = g(::__trace_rt::__note(Local, 0x[[G]], 0))]() { return Copy; };
  return R1 + R2 + R3 + R4 + R5 + R6 + R7 + R8 + R9 + P1 + P2 + Lambda() + Init() + (int)Size + (int)T.size();
}

// Calls in a template: non-dependent ones are edited, dependent ones not.
template <class U> int inTemplate(U Dep, int Local) {
  return g(Local) + g(Dep);
}
// CHECK: return g(::__trace_rt::__note(Local, 0x[[G]], 0)) + g(Dep);
int useTemplate() { return inTemplate(1, 2); }

// CHECK-CONSISTENT: checked 1 file(s), 4 site(s), 0 param(s)
// -Werror does not turn the plugin's warnings into errors.
// CHECK-WARN: call-sites.cpp:15:33: warning: 'notBundle' is not instrumented: it is constexpr
