// A small threaded program for the timeline tests (export-perfetto.test):
// nested calls, data flow within a thread and from one thread to another,
// an exception, feedback on a worker thread and about the whole run.
#include <stdexcept>
#include <string>
#include <thread>

#include <trace/trace.hpp>

[[trace::bundle]] int square(int x) { return x * x; }
[[trace::bundle]] int sumSquares(int a, int b) { return square(a) + square(b); }
[[trace::bundle]] std::string show(int v) { return "v=" + std::to_string(v); }
[[trace::bundle]] int checked(int v) {
  if (v < 0)
    throw std::domain_error("negative");
  return v;
}

/// Runs on a thread of its own: its argument comes from the main thread.
[[trace::bundle]] void work(int s) {
  int w = sumSquares(s, 3);
  auto u = show(w);
  trace::feedback(u, "worker text", 0.5);
}

int main() {
  int s = sumSquares(1, 2);
  auto t = show(s);
  try {
    checked(-1);
  } catch (const std::exception &) {
  }
  std::thread Worker(work, s);
  Worker.join();
  trace::feedback(t, "expected v=6", 0.25);
  trace::feedback("whole run");
  return 0;
}
