// S4: a value modified between two calls shows its actual value and is
// marked modified; an unmodified one is not.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s
// RUN: %dump %t.bin | FileCheck --check-prefix=JSON %s

#include <string>

[[trace::bundle]] std::string greet(const std::string &name) { return "hello " + name; }
[[trace::bundle]] std::size_t measure(const std::string &text) { return text.size(); }

int main() {
  std::string who = "ann";
  auto s = greet(who);
  s += "!";
  auto n = measure(s);
  auto t = greet(who);
  auto m = measure(t);
  return n == 10 && m == 9 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call greet#0 parent=- args=[name="ann"]
// CHECK-NEXT: ret greet#0 value="hello ann"
// CHECK-NEXT: call measure#0 parent=- args=[text="hello ann!"<-greet#0!]
// CHECK-NEXT: ret measure#0 value=10
// CHECK-NEXT: call greet#1 parent=- args=[name="ann"]
// CHECK-NEXT: ret greet#1 value="hello ann"
// CHECK-NEXT: call measure#1 parent=- args=[text="hello ann"<-greet#1]
// CHECK-NEXT: ret measure#1 value=9

// JSON: "name":"text","type":"std::string","value":"\"hello ann!\"","from":{{[0-9]+}},"modified":true
// JSON-NOT: "modified"
