// A coroutine that goes on on another thread: its call leaves the first
// thread's records at the suspension point and comes back in the other
// thread's, where the rest of its body makes its calls (children of it) and
// where it ends. A variable that the body sets across the move gets no
// producer from the other thread's calls: the mark of its binding was taken
// on the first thread, whose count of returns says nothing about the
// other's.
// REQUIRES: c++20
// RUN: %clangxx_trace -Wall -Wextra -Werror %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// RUN: FileCheck %s --check-prefix=OUT < %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s
// OUT: relay 16

#include <coroutine>
#include <cstdio>
#include <exception>
#include <thread>
#include <utility>

struct Task {
  struct promise_type {
    int Value = 0;
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(int V) { Value = V; }
    void unhandled_exception() { std::terminate(); }
  };
  std::coroutine_handle<promise_type> H;
  explicit Task(std::coroutine_handle<promise_type> H) : H(H) {}
  ~Task() { H.destroy(); }
};

[[trace::bundle]] int square(int x) { return x * x; }

/// Resumes the coroutine on a new thread, after a call of its own there;
/// gives back N.
struct Hop {
  int N;
  bool await_ready() { return false; }
  void await_suspend(std::coroutine_handle<> H) {
    std::thread([H] {
      square(100);
      H.resume();
    }).join();
  }
  int await_resume() { return N; }
};

[[trace::bundle]] Task relay(int x) {
  int v = co_await Hop{square(x)};
  co_return square(v);
}

int main() { std::printf("relay %d\n", relay(2).H.promise().Value); }

// The other thread's block is written when it ends, before the first
// thread's.
// CHECK: valid
// CHECK-DAG: call square#[[OTHER:[0-9]+]] parent=- args=[x=100]
// CHECK-DAG: call square#[[AFTER:[0-9]+]] parent=relay#0 args=[x=4]{{$}}
// CHECK-DAG: ret relay#0 value=16
// CHECK-DAG: call relay#0 parent=- args=[x=2]
// CHECK-DAG: call square#[[BEFORE:[0-9]+]] parent=relay#0 args=[x=2]
// CHECK-DAG: ret square#[[BEFORE]] value=4
