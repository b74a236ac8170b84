// Code fix: a bracket checker that only counts brackets, so it accepts crossed
// and reversed pairs.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>
#include <vector>

/// True when every '(', '[' and '{' in text is closed by the matching ')', ']'
/// or '}' in the right order and no closing bracket is unmatched. Other
/// characters are ignored.
[[trace::trainable]] bool balanced(const std::string &text) {
  int open = 0, close = 0;
  for (char c : text) {
    if (c == '(' || c == '[' || c == '{')
      ++open;
    else if (c == ')' || c == ']' || c == '}')
      ++close;
  }
  return open == close;
}

int main() {
  struct Case {
    std::string Input;
    bool Expected;
  };
  const std::vector<Case> Cases = {
      {"", true},         {"()", true},
      {"([]{})", true},   {"f(a[1], {b})", true},
      {"(]", false},      {")(", false},
      {"([)]", false},    {"((", false},
      {"{[()()]}", true}, {"}{", false},
      {"(()", false},     {"a)b(c", false},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    bool Got = balanced(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: balanced(\"" + C.Input + "\") should be " +
                               (C.Expected ? "true" : "false"));
    }
  }
  int Total = int(Cases.size());
  std::printf("%d of %d cases pass\n", Passed, Total);
  trace::feedback(std::to_string(Passed) + " of " + std::to_string(Total) +
                      " cases pass",
                  double(Passed) / Total);
  if (Passed == Total)
    trace::success("all cases pass");
  return Passed == Total ? 0 : 1;
}
