// Unnamed parameters are recorded (as argI) when a name can be given in
// place; one whose declarator wraps the name (a function pointer) is not.
// The program builds with -Wunused-parameter -Werror, as without the plugin.
// RUN: %clangxx_trace -Wall -Wextra -Werror %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <string>
#include <trace/trace.hpp>

struct Tag {};

[[trace::bundle]] int pick(int, const std::string &, Tag, int (*)(int), int Keep = 3) {
  return Keep;
}
static int twice(int X) { return 2 * X; }

int main() {
  std::string S = "s";
  return pick(1, S, Tag{}, twice) == 3 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call pick#0 parent=- args=[arg0=1, arg1="s", arg2=Tag{...}, Keep=3]
