// S8: an exception leaving a bundle is recorded (type, what) and reaches the
// caller unchanged.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <stdexcept>
#include <string>

[[trace::bundle]] int parse(const std::string &s) {
  if (s.empty())
    throw std::invalid_argument("empty input");
  return std::stoi(s);
}

[[trace::bundle]] int twice(const std::string &s) { return 2 * parse(s); }

int main() {
  int r = parse("12");
  try {
    twice("");
  } catch (const std::invalid_argument &e) {
    return r == 12 && std::string(e.what()) == "empty input" ? 0 : 1;
  }
  return 1;
}

// CHECK: valid
// CHECK-NEXT: call parse#0 parent=- args=[s="12"]
// CHECK-NEXT: ret parse#0 value=12
// CHECK-NEXT: call twice#0 parent=- args=[s=""]
// CHECK-NEXT: call parse#1 parent=twice#0 args=[s=""]
// CHECK-NEXT: ret parse#1 exception=std::invalid_argument what=empty input
// CHECK-NEXT: ret twice#0 exception=std::invalid_argument what=empty input
