// Coroutine bundles are nodes of the graph: a task started at once and one
// started when awaited, a generator, one that throws, one abandoned mid-way
// (coroutine-threads.cpp: one that goes on on another thread). Each call is
// recorded with its
// arguments when its body starts, its children are the calls its body makes
// between suspensions, and its result is what co_return gives (void for
// co_return; or the end of the body, the exception that left the body, or
// "<not finished>" for a frame destroyed while suspended).
// REQUIRES: c++20
// RUN: %clangxx_trace -Wall -Wextra -Werror %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// The same program without the plugin prints the same.
// RUN: %clangxx_plain -Wno-unknown-attributes %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s
// RUN: %dump %t.bin | FileCheck %s --check-prefix=DUMP
// A program with coroutine bundles writes trace format 4.
// RUN: od -An -tx1 -N9 %t.bin | FileCheck %s --check-prefix=VERSION
// VERSION: 7f 54 52 41 43 45 42 00 04

#include <coroutine>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

template <class T, bool Eager> struct Task {
  struct promise_type {
    T Value{};
    std::exception_ptr Error;
    std::coroutine_handle<> Next;
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    auto initial_suspend() noexcept {
      if constexpr (Eager)
        return std::suspend_never{};
      else
        return std::suspend_always{};
    }
    struct Final {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> H) noexcept {
        if (std::coroutine_handle<> N = H.promise().Next)
          return N;
        return std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    Final final_suspend() noexcept { return {}; }
    void return_value(T V) { Value = std::move(V); }
    void unhandled_exception() { Error = std::current_exception(); }
  };
  std::coroutine_handle<promise_type> H;
  explicit Task(std::coroutine_handle<promise_type> H) : H(H) {}
  Task(Task &&O) noexcept : H(std::exchange(O.H, {})) {}
  ~Task() {
    if (H)
      H.destroy();
  }
  bool await_ready() { return H.done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> Caller) {
    H.promise().Next = Caller;
    return H;
  }
  T await_resume() {
    if (H.promise().Error)
      std::rethrow_exception(H.promise().Error);
    return std::move(H.promise().Value);
  }
  T get() {
    if (!H.done())
      H.resume();
    return await_resume();
  }
};

template <class T> struct Generator {
  struct promise_type {
    T Current{};
    Generator get_return_object() { return Generator{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(const T &V) {
      Current = V;
      return {};
    }
    void return_void() {}
    void unhandled_exception() { throw; }
  };
  std::coroutine_handle<promise_type> H;
  explicit Generator(std::coroutine_handle<promise_type> H) : H(H) {}
  Generator(Generator &&O) noexcept : H(std::exchange(O.H, {})) {}
  ~Generator() {
    if (H)
      H.destroy();
  }
  bool next() {
    H.resume();
    return !H.done();
  }
  T value() const { return H.promise().Current; }
};

[[trace::bundle]] int square(int x) { return x * x; }

[[trace::bundle]] Task<int, true> eager(int x) { co_return square(x) + 1; }

[[trace::bundle]] Task<int, false> lazy(int x) {
  int v = square(x);
  co_return v + 2;
}

[[trace::bundle]] Task<std::string, false> outer(int x) {
  int a = co_await lazy(x);
  int b = co_await eager(a);
  co_return std::to_string(a) + "/" + std::to_string(b);
}

[[trace::bundle]] Generator<int> squares(int n) {
  for (int i = 1; i <= n; ++i)
    co_yield square(i);
}

[[trace::bundle]] Task<int, false> fails(int x) {
  if (x > 0)
    throw std::invalid_argument("positive");
  co_return x;
}

template <class T> [[trace::bundle]] Task<T, false> generic(T x) {
  int v = co_await lazy(int(x));
  co_return v + x;
}

int main() {
  std::printf("eager %d\n", eager(2).get());
  std::printf("outer %s\n", outer(3).get().c_str());
  {
    Generator<int> G = squares(3);
    while (G.next())
      std::printf("square %d\n", G.value());
  }
  {
    // Abandoned after two values: its frame is destroyed while suspended.
    Generator<int> G = squares(10);
    G.next();
    G.next();
    std::printf("abandoned at %d\n", G.value());
  }
  try {
    fails(1).get();
  } catch (const std::exception &E) {
    std::printf("caught %s\n", E.what());
  }
  std::printf("generic %ld\n", generic(5L).get());
}

// An eager task starts in its call, under the caller; its result is
// co_return's.
// CHECK: valid
// CHECK-NEXT: call eager#0 parent=- args=[x=2]
// CHECK-NEXT: call square#0 parent=eager#0 args=[x=2]
// CHECK-NEXT: ret square#0 value=4
// CHECK-NEXT: ret eager#0 value=5
// A lazy task starts when it is first resumed: awaited by outer, which is
// suspended by then, so it is no child of outer. Its output still reaches
// eager's argument through a.
// CHECK-NEXT: call outer#0 parent=- args=[x=3]
// CHECK-NEXT: call lazy#0 parent=- args=[x=3]
// CHECK-NEXT: call square#1 parent=lazy#0 args=[x=3]
// CHECK-NEXT: ret square#1 value=9
// CHECK-NEXT: ret lazy#0 value=11
// CHECK-NEXT: call eager#1 parent=outer#0 args=[x=11<-lazy#0]
// CHECK-NEXT: call square#2 parent=eager#1 args=[x=11]
// CHECK-NEXT: ret square#2 value=121
// CHECK-NEXT: ret eager#1 value=122
// CHECK-NEXT: ret outer#0 value="11/122"
// A generator's calls between its suspensions are its children; it ends
// with the end of its body.
// CHECK-NEXT: call squares#0 parent=- args=[n=3]
// CHECK-NEXT: call square#3 parent=squares#0 args=[x=1]
// CHECK-NEXT: ret square#3 value=1
// CHECK-NEXT: call square#4 parent=squares#0 args=[x=2]
// CHECK-NEXT: ret square#4 value=4
// CHECK-NEXT: call square#5 parent=squares#0 args=[x=3]
// CHECK-NEXT: ret square#5 value=9
// CHECK-NEXT: ret squares#0 void
// CHECK-NEXT: call squares#1 parent=- args=[n=10]
// CHECK-NEXT: call square#6 parent=squares#1 args=[x=1]
// CHECK-NEXT: ret square#6 value=1
// CHECK-NEXT: call square#7 parent=squares#1 args=[x=2]
// CHECK-NEXT: ret square#7 value=4
// CHECK-NEXT: ret squares#1 value=<not finished>
// CHECK-NEXT: call fails#0 parent=- args=[x=1]
// CHECK-NEXT: ret fails#0 exception=std::invalid_argument what=positive at={{.*}}coroutines.cpp:{{[0-9]+}}
// A function template's coroutine (its promise type depends on the
// parameters) records its result through a lambda.
// CHECK-NEXT: call generic#0 parent=- args=[x=5]
// CHECK-NEXT: call lazy#1 parent=- args=[x=5]
// CHECK-NEXT: call square#8 parent=lazy#1 args=[x=5]
// CHECK-NEXT: ret square#8 value=25
// CHECK-NEXT: ret lazy#1 value=27
// CHECK-NEXT: ret generic#0 value=32

// DUMP: {"k":"ret","node":{{[0-9]+}},"value":"<not finished>"}
