// Functions whose rewrite could change their meaning are left alone, with a
// warning naming the reason; the text of those functions is not touched.
// What the in-place rewrite instruments (function-try-blocks, C varargs,
// __func__ and source_location, constructors, destructors, deduced return
// types that recurse, coroutines, main) gets no warning.
// Clang 14 has no __builtin_source_location: libstdc++ 12's <source_location> declares nothing there.
// UNSUPPORTED: clang-14
// RUN: %clangxx_trace -std=c++20 -fsyntax-only -Xclang -verify %s
// RUN: %clangxx_trace -std=c++20 -fsyntax-only -fplugin-arg-trace-no-warn-skipped -Werror %s
// RUN: %clangxx_trace -std=c++20 -fsyntax-only -fplugin-arg-trace-print %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
#include <coroutine>
#include <cstdarg>
#include <source_location>
#include <utility>

[[trace::bundle]] constexpr int cx(int X) { return X; } // expected-warning {{'cx' is not instrumented: it is constexpr}}
// CHECK: {{^..trace::bundle..}} constexpr int cx(int X) { return X; } //
[[trace::bundle]] consteval int ce(int X) { return X; } // expected-warning {{'ce' is not instrumented: it is consteval}}

struct Task {
  struct promise_type {
    Task get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
};
[[trace::bundle]] Task coro() { co_return; }
// CHECK: Task coro() {__TRACE_BEGIN {{.*}}::__CoCall __trace_call(__trace_site, false);

// A coroutine's call leaves the thread at each suspension point, so each
// must be edited; where one cannot be, the coroutine is left alone.
struct Pairs {
  struct promise_type {
    Pairs get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    std::suspend_never yield_value(std::pair<int, int>) { return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
};
#define YIELD_ONE co_yield std::make_pair(1, 1)
[[trace::bundle]] Pairs yieldInMacro() { YIELD_ONE; } // expected-warning {{'yieldInMacro' is not instrumented: it is a coroutine with a co_await or co_yield in a macro expansion, which cannot be edited to follow its suspension}}
// CHECK: {{^..trace::bundle..}} Pairs yieldInMacro() { YIELD_ONE; } //
[[trace::bundle]] Pairs yieldBraced() { co_yield {1, 2}; } // expected-warning {{'yieldBraced' is not instrumented: it is a coroutine whose co_yield of a braced initializer list cannot be edited to follow its suspension}}
// CHECK: {{^..trace::bundle..}} Pairs yieldBraced() { co_yield {1, 2}; } //

[[trace::bundle]] int tryBlock(int X) try { return X; } catch (...) { return 0; }

#define BODY { return X * 2; }
[[trace::bundle]] int fromMacro(int X) BODY // expected-warning {{'fromMacro' is not instrumented: its body comes from a macro expansion}}

[[trace::bundle]] int varargs(int N, ...) { return N; }

[[trace::bundle]] const char *name1() { return __func__; }
[[trace::bundle]] const char *name2() { return __PRETTY_FUNCTION__; }
[[trace::bundle]] unsigned where() { return std::source_location::current().line(); }
[[trace::bundle]] unsigned where2() { return __builtin_LINE(); }

struct Widget {
  [[trace::bundle]] Widget() {}
  [[trace::bundle]] ~Widget() {}
  [[trace::bundle]] Widget &operator=(const Widget &) = default; // expected-warning {{'Widget::operator=' is not instrumented: it is defaulted}}
  [[trace::bundle]] void gone() = delete; // expected-warning {{'Widget::gone' is not instrumented: it is deleted}}
};

[[trace::bundle]] auto fact(int N) {
  if (N <= 1)
    return 1;
  return N * fact(N - 1);
}

[[trace::bundle]] int byHand(int X) { // expected-warning {{'byHand' is not instrumented: its body already declares '__trace_call' (instrumented by hand); a second one would clash}}
  int __trace_call = X;
  return __trace_call;
}

// A function that can be instrumented still is.
[[trace::bundle]] int fine(int X) { return X; }
// CHECK: int fine(int X) {__TRACE_BEGIN static ::__trace_rt::__Site

[[trace::bundle]] int main() { return fine(1) + cx(1) + ce(1) + tryBlock(1) + fromMacro(1) + varargs(0) + fact(3) + byHand(1); }

// CHECK-CONSISTENT: checked 1 file(s), 12 site(s), 0 param(s)
