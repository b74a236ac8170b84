//===- PromptRun.cpp - A large trace with a small optimization problem ----===//
//
// N - 1 calls of `measure(const std::string &)` on lines of 400 bytes, then
// one call of the trainable `score`, which reads the trainable `Weight` and
// whose result gets a feedback: the trace of trace-optimize's prompt goal
// (docs/performance.md). Every call's argument is a long string, so the
// file is large (about 420 B a call), while the feedback reaches only the
// last call: reading the trace must not keep the values it does not show.
//
// Built with -fplugin=TracePlugin.so (the data flow `total += measure(..)`
// -> score(total, n) needs the plugin's rewriting).
//
// Usage: TRACE_FILE=prompt.bin trace-bench-prompt-run N
//
//===----------------------------------------------------------------------===//

#include <trace/trace.hpp>

#include <cstddef>
#include <cstdlib>
#include <string>

/// How much the mean line length counts in the score.
[[trace::trainable]] double Weight = 0.5;

/// The length of one line of text.
[[trace::bundle]] std::size_t measure(const std::string &line) { return line.size(); }

/// The score of a text: its mean line length, weighted.
[[trace::trainable]] double score(std::size_t total, long lines) {
  return Weight * static_cast<double>(total) / static_cast<double>(lines);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  std::string line(400, 'x');
  std::size_t total = 0;
  for (long i = 0; i + 1 < n; ++i) {
    line[static_cast<std::size_t>(i) % line.size()] = static_cast<char>('a' + i % 26);
    total += measure(line);
  }
  double s = score(total, n > 1 ? n - 1 : 1);
  trace::feedback(s, "expected a score of 400 (the mean line length)", 0.5);
  return 0;
}
