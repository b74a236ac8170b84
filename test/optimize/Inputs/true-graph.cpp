// Source of the hand-written trace true-graph.jsonl.in: the prompt quotes
// its #include lines and the line that threw.
#include <cmath>
#include <stdexcept>
#include "util.h"

[[trace::trainable]] double gain = 0.5;

/// Scales a reading.
[[trace::trainable("keep it linear")]] double scale(double x) { return x * 3; }

/// Adds one.
[[trace::bundle]] double offset(double y) { return y + 1; }

/// Squared distance to 2.
[[trace::bundle]] double loss(double v) { return (v - 2) * (v - 2); }

/// Sums the parts.
[[trace::bundle]] double total(const std::vector<double> &parts);

/// One over y.
[[trace::bundle]] double invert(double y) {
  if (y == 0)
    throw std::domain_error("division by zero");
  return 1 / y;
}

/// Checks a value; calls invert.
[[trace::bundle]] double check(double v) { try { return invert(v - 2.5); } catch (...) { return -1; } }
