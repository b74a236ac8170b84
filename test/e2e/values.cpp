// Values as text through the plugin: strings, containers, enums by name
// (the plugin supplies the names), user types, pointers, truncation.
// Needs c++17: std::optional.
// REQUIRES: c++17
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin TRACE_MAX_VALUE=32 %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s
// RUN: %dump %t.bin | FileCheck --check-prefix=JSON %s

#include <map>
#include <optional>
#include <string>
#include <vector>

enum class Color { Red, Green, Blue };

[[trace::bundle]] Color pick(const std::vector<int> &v, std::map<std::string, int> m,
                             std::optional<double> o, const char *label, Color hint, bool flag) {
  return v.size() + m.size() + (o ? 1 : 0) + (label ? 1 : 0) + flag > 3 ? hint : Color::Red;
}

[[trace::bundle]] std::size_t len(const std::string &s) { return s.size(); }

int main() {
  std::vector<int> v{1, 2, 3};
  std::map<std::string, int> m{{"a", 1}};
  Color c = pick(v, m, 0.5, "tab\there", Color::Blue, true);
  std::string big(100, 'x');
  return c == Color::Blue && len(big) == 100 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call pick#0 parent=- args=[v=[1, 2, 3], m={"a": 1}, o=0.5, label="tab\there", hint=Color::Blue, flag=true]
// CHECK-NEXT: ret pick#0 value=Color::Blue
// CHECK-NEXT: call len#0 parent=- args=[s="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"…[+68 bytes]]
// CHECK-NEXT: ret len#0 value=100

// JSON: "type":"std::vector<int>","value":"[1, 2, 3]"
// JSON: "type":"std::map<std::string, int>"
// JSON: "type":"std::string","value":"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"…[+68 bytes]","truncated":68
