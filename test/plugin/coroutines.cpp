// A coroutine bundle: the prologue declares a __CoCall (lazy or not, after
// what initial_suspend() returns), each co_await and co_yield gets a
// __CoSuspend around its operand (passed on as it is, or, for a class
// prvalue taken by value, after the call leaves the thread), each co_return
// records its result in the form that keeps its meaning, and the end of the
// body records return_void(). No line moves; no warning is added.
// REQUIRES: c++20
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -fsyntax-only %s
// RUN: %clangxx_trace -Wall -Wextra -Werror -fno-exceptions -fsyntax-only %s
#include <coroutine>
#include <exception>
#include <string>
#include <utility>

template <class T, bool Eager> struct Task {
  struct promise_type {
    T Value{};
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    auto initial_suspend() noexcept {
      if constexpr (Eager)
        return std::suspend_never{};
      else
        return std::suspend_always{};
    }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(T V) { Value = std::move(V); }
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> H;
  bool await_ready() { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<>) { return H; }
  T await_resume() { return H.promise().Value; }
};

struct Gen {
  struct promise_type {
    int Current = 0;
    Gen get_return_object() { return Gen{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(const int &V) {
      Current = V;
      return {};
    }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> H;
};

// Awaited through a free operator co_await that takes it by value.
struct Ticket {
  int N;
};
struct TicketAwaiter {
  int N;
  bool await_ready() { return true; }
  void await_suspend(std::coroutine_handle<>) {}
  int await_resume() { return N; }
};
TicketAwaiter operator co_await(Ticket T) { return {T.N}; }

[[trace::bundle]] int twice(int x) { return 2 * x; }

// CHECK: //=== trace rewritten: {{.*}}coroutines.cpp
[[trace::bundle]] Task<int, true> eager(int x) { co_return twice(x) + 1; }
// CHECK: Task<int, true> eager(int x) {__TRACE_BEGIN {{.*}}::__CoCall __trace_call(__trace_site, false); __trace_call.__arg(0, x); try {  __TRACE_END  co_return ::__trace_rt::__retv(__trace_call, twice(::__trace_rt::__note(x, 0x{{[0-9a-f]+}}, 0)) + 1);  __TRACE_BEGIN __trace_call.__coVoid(); __TRACE_END __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END}

// Started later, maybe after the caller's objects are gone: the reference
// parameter is not read.
[[trace::bundle]] Task<int, false> lazy(int x, const std::string &tag) {
  int v = twice(x) + (int)tag.size();
  co_return v;
}
// CHECK: Task<int, false> lazy(int x, const std::string &tag) {__TRACE_BEGIN {{.*}}::__CoCall __trace_call(__trace_site, true); __trace_call.__arg(0, x); try {  __TRACE_END {{$}}
// CHECK-NEXT: int v = twice
// CHECK-NEXT: __TRACE_EXPR_BEGIN {__trace_call.__ret(v); __TRACE_EXPR_END co_return v;}
// CHECK-NEXT: __TRACE_BEGIN __trace_call.__coVoid(); __TRACE_END __TRACE_BEGIN } catch

// A lazily started coroutine runs no bundle where it is called: its
// arguments get the notes of a call whose callee is not known.
[[trace::bundle]] Task<std::string, false> outer(int x) {
  int a = co_await lazy(x, "ab");
  int b = co_await Ticket{a};
  co_return std::to_string(a) + "/" + std::to_string(b);
}
// CHECK: Task<std::string, false> outer(int x) {{[{].*}}::__CoCall __trace_call(__trace_site, true); __trace_call.__arg(0, x); try {  __TRACE_END {{$}}
// CHECK-NEXT: int a = co_await __TRACE_EXPR_BEGIN ::__trace_rt::__CoSuspend(__trace_call).__pass( __TRACE_EXPR_END lazy(::__trace_rt::__note(x, 0, 0), "ab"));
// CHECK-NEXT: int b = co_await __TRACE_EXPR_BEGIN ((void)::__trace_rt::__CoSuspend(__trace_call).__now(), __TRACE_EXPR_END Ticket{a});
// CHECK-NEXT: co_return __TRACE_EXPR_BEGIN ::__trace_rt::__result(__trace_call, [&]() -> decltype(auto) { return ( __TRACE_EXPR_END std::to_string(a) + "/" + std::to_string(b)); });

[[trace::bundle]] Gen count(int n) {
  for (int i = 0; i < n; ++i)
    co_yield twice(i);
  int last = n;
  co_yield last;
  if (n < 0)
    co_return;
}
// CHECK: Gen count(int n) {{[{].*}}::__CoCall __trace_call(__trace_site, true); __trace_call.__arg(0, n); try {  __TRACE_END {{$}}
// CHECK-NEXT: for (int i = 0; i < n; ++i)
// CHECK-NEXT: co_yield __TRACE_EXPR_BEGIN ::__trace_rt::__CoSuspend(__trace_call).__pass( __TRACE_EXPR_END twice(::__trace_rt::__note(i, 0x{{[0-9a-f]+}}, 0)));
// CHECK-NEXT: int last = n;
// CHECK-NEXT: co_yield __TRACE_EXPR_BEGIN ::__trace_rt::__CoSuspend(__trace_call).__pass( __TRACE_EXPR_END last);
// CHECK-NEXT: if (n < 0)
// CHECK-NEXT: co_return __trace_call.__coVoid();
// CHECK-NEXT: __TRACE_BEGIN __trace_call.__coVoid(); __TRACE_END __TRACE_BEGIN } catch

struct Account {
  int Balance = 0;
  // An eager member coroutine reads *this and its reference parameter in
  // its call.
  [[trace::bundle]] Task<int, true> deposit(const int &amount) {
    Balance += amount;
    co_return Balance;
  }
};
// CHECK: Task<int, true> deposit(const int &amount) {{[{].*}}::__CoCall __trace_call(__trace_site, false); __trace_call.__self(*this); __trace_call.__argRef(0, amount); try {  __TRACE_END {{$}}
// CHECK: __TRACE_EXPR_BEGIN {__trace_call.__ret(Balance); __TRACE_EXPR_END co_return Balance;}

// In a template, the promise type depends on the parameters (through
// coroutine_traits): a class prvalue operand is passed on after the call
// leaves the thread, and a co_return's value goes through a lambda.
template <class T> [[trace::bundle]] Task<int, false> generic(T x) {
  int v = co_await lazy(int(x), "");
  co_return v + x;
}
template Task<int, false> generic<long>(long);
// CHECK: Task<int, false> generic(T x) {{[{].*}}__trace_call.__arg(0, x); try {  __TRACE_END {{$}}
// CHECK-NEXT: int v = co_await __TRACE_EXPR_BEGIN ((void)::__trace_rt::__CoSuspend(__trace_call).__now(), __TRACE_EXPR_END lazy(int(x), ""));
// CHECK-NEXT: co_return __TRACE_EXPR_BEGIN ::__trace_rt::__result(__trace_call, [&]() -> decltype(auto) { return ( __TRACE_EXPR_END v + x); });

// A co_return in a macro is left as written: the call records "not
// captured" (and so does one whose frame is destroyed before it finishes).
#define RETURN_IT(X) co_return X
[[trace::bundle]] Task<int, false> viaMacro(int x) { RETURN_IT(x); }
// CHECK: Task<int, false> viaMacro(int x) {{[{].*}}__trace_call.__arg(0, x); __trace_call.__unrecorded(); try {  __TRACE_END  RETURN_IT(x);  __TRACE_BEGIN __trace_call.__coVoid();

void notify(int) {}
[[trace::bundle]] Gen voidReturn(int x) { co_return notify(x); }
// CHECK: Gen voidReturn(int x) {{[{].*}} co_return (notify(::__trace_rt::__note(x, 0, 0)) __TRACE_EXPR_BEGIN ), __trace_call.__coVoid() __TRACE_EXPR_END;

int main() {
  eager(1);
  outer(2);
  count(3);
  Account{}.deposit(4);
  voidReturn(5);
  viaMacro(6);
}
// A program with a coroutine bundle says so to the runtime.
// CHECK: {{^}}__TRACE_BEGIN extern "C" __attribute__((__weak__)) const char __trace_rt_coroutines = 1; __TRACE_END

// CHECK-CONSISTENT: checked 1 file(s), 9 site(s), 0 param(s)
