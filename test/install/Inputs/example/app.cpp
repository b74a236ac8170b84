#include <trace/trace.hpp>
#include <string>

/// Turns a temperature in Celsius into a short label.
[[trace::trainable("return one of: cold, mild, hot")]]
std::string label(double celsius) {
  return celsius < 10 ? "cold" : "hot";
}

int main() {
  std::string got = label(15.0);
  trace::feedback(got, got == "mild" ? "right" : "for 15 expected mild");
  return 0;
}
