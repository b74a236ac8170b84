// Code fix in the style of HumanEval 124: a date validator that checks only the
// shape of the text.
#include <trace/trace.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

/// True when date is a valid date written mm-dd-yyyy: two digits, '-', two
/// digits, '-', four digits; the month is 1 to 12; the day is 1 to 31 in months
/// 1, 3, 5, 7, 8, 10 and 12, 1 to 30 in months 4, 6, 9 and 11, and 1 to 29 in
/// month 2 (any year).
[[trace::trainable]] bool valid_date(const std::string &date) {
  return date.size() == 10 && date[2] == '-' && date[5] == '-';
}

int main() {
  struct Case {
    std::string Input;
    bool Expected;
  };
  const std::vector<Case> Cases = {
      {"03-11-2000", true},  {"15-01-2012", false}, {"04-0-2040", false},
      {"06-04-2020", true},  {"01-01-2007", true},  {"03-32-2011", false},
      {"", false},           {"04-31-3000", false}, {"06-06-2005", true},
      {"21-31-2000", false}, {"04-12-2003", true},  {"04122003", false},
      {"20030412", false},   {"2003-04", false},    {"2003-04-12", false},
      {"04-2003", false},    {"02-29-2024", true},  {"02-30-2024", false},
      {"00-10-2010", false}, {"ab-cd-efgh", false},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    bool Got = valid_date(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: valid_date(\"" + C.Input + "\") should be " +
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
