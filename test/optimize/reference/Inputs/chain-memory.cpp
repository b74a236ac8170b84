// A numeric chain for two optimization steps: the trainable gain goes through
// scale, offset and loss; the feedback on the loss carries its value.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>

[[trace::trainable]] double gain = 0.5;

/// Scales the input by three.
[[trace::bundle]] double scale(double x) { return 3 * x; }

/// Adds one.
[[trace::bundle]] double offset(double y) { return y + 1; }

/// Squared distance to the target 10.
[[trace::bundle]] double loss(double z) { return (z - 10) * (z - 10); }

int main() {
  double l = loss(offset(scale(gain)));
  std::printf("loss %g\n", l);
  trace::feedback(l, "the loss is " + std::to_string(l) + "; make it 0", -l);
  return 0;
}
