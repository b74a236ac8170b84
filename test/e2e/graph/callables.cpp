// Callables that are not plain functions: a reference to a function (no
// note on it), a functor callable only as an rvalue handed to std::jthread,
// a jthread whose callable takes a stop_token, and a call through a function
// pointer on the main thread after another thread recorded calls (outputs of
// both threads are told apart when values are checked).
// RUN: %clangxx_trace -std=c++20 %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <thread>
#include <trace/trace.hpp>

[[trace::bundle]] int f(int x) { return x; }
int g(int (&fn)(int), int x) { return fn(x); }
struct Op {
  int operator()(int x) && { return f(x); }
};

int main() {
  int (&r)(int) = f;
  auto a = r;
  int v = g(r, 3);
  int w = 0;
  {
    std::jthread t(Op{}, v);
  }
  std::jthread t2([](std::stop_token) {});
  t2.join();
  w = a(v);
  return w - 3;
}

// CHECK: valid
// CHECK-DAG: call f#{{[0-2]}} parent=- args=[x=3]
// CHECK-DAG: call f#{{[0-2]}} parent=- args=[x=3<-f#0]
// CHECK-DAG: call f#2 parent=- args=[x=3<-f#0]
