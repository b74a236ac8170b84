// Code fix: Roman numerals written additively (IIII, VIIII) instead of with the
// subtractive pairs.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>
#include <vector>

/// Writes n (1 to 3999) in Roman numerals with the subtractive pairs IV, IX,
/// XL, XC, CD and CM: 4 is IV, 1994 is MCMXCIV.
[[trace::trainable]] std::string to_roman(int n) {
  std::string out;
  const int values[] = {1000, 500, 100, 50, 10, 5, 1};
  const char *letters[] = {"M", "D", "C", "L", "X", "V", "I"};
  for (int i = 0; i < 7; ++i)
    while (n >= values[i]) {
      out += letters[i];
      n -= values[i];
    }
  return out;
}

int main() {
  struct Case {
    int Input;
    std::string Expected;
  };
  const std::vector<Case> Cases = {
      {1, "I"},    {3, "III"},        {4, "IV"},        {9, "IX"},
      {14, "XIV"}, {40, "XL"},        {58, "LVIII"},    {90, "XC"},
      {400, "CD"}, {1994, "MCMXCIV"}, {2024, "MMXXIV"}, {3999, "MMMCMXCIX"},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    std::string Got = to_roman(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: to_roman(" + std::to_string(C.Input) +
                               ") should be " + C.Expected);
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
