// A value handed to std::thread or std::async keeps its producer, and a
// future's result is the output of the bundle its thread ran: the edges
// cross threads, and the reader finds the producer wherever it is.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s
// RUN: trace-optimize prompt --trace %t.bin | FileCheck %s --check-prefix=PROMPT

#include <future>
#include <thread>
#include <trace/trace.hpp>

[[trace::trainable]] double gain = 2.0;

[[trace::trainable]] double produce(double x) { return x * 3; }
[[trace::bundle]] double consume(double v) { return v + 1; }
[[trace::bundle]] double scaled(double v, double g) { return v * g; }

int main() {
  double p = produce(2);
  double onThread = 0;
  std::thread t([&onThread](double v) { onThread = consume(v); }, p);
  t.join();
  std::thread t2(scaled, p, gain);
  t2.join();
  auto fut = std::async(std::launch::async, consume, p);
  double r = fut.get();
  double s = scaled(r, 1);
  auto lazy = std::async(std::launch::async, [](double v) { return consume(v); }, s);
  trace::feedback(lazy.get(), "through a lambda's future");
  return onThread + r > 0 ? 0 : 1;
}

// CHECK: valid
// CHECK: call consume#0 parent=- args=[v=6<-produce#0]
// CHECK: call scaled#0 parent=- args=[v=6<-produce#0, g=2<=var:gain]
// CHECK: call consume#1 parent=- args=[v=6<-produce#0]
// CHECK: call scaled#1 parent=- args=[v=7<-consume#1, g=1]
// CHECK: call consume#2 parent=- args=[v=7<-scaled#1]
// CHECK: feedback consume#2 text=through a lambda's future

// Feedback on the last future reaches the trainable producer across three
// threads.
// PROMPT-LABEL: {{^}}#Code{{$}}
// PROMPT-NEXT: produce0 = produce(x=x0, __code=__code0)
// PROMPT-NEXT: consume0 = consume(v=produce0)
// PROMPT-NEXT: scaled0 = scaled(v=consume0, g=g0)
// PROMPT-NEXT: consume1 = consume(v=scaled0)
// PROMPT-LABEL: {{^}}#Variables{{$}}
// PROMPT-NEXT: (code) __code0: double produce(double x)
