// Code fix: strange_sort starts as a plain ascending sort. Each test case gives
// feedback on the list it returned; the score is the share of cases that pass.
#include <trace/trace.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

/// Orders the values strangely: the minimum, then the maximum of the rest, then
/// the minimum of the rest, and so on. Duplicates are kept.
[[trace::trainable]] std::vector<int> strange_sort(std::vector<int> values) {
  std::sort(values.begin(), values.end());
  return values;
}

static std::string show(const std::vector<int> &V) {
  std::string S = "[";
  for (size_t I = 0; I < V.size(); ++I)
    S += (I ? ", " : "") + std::to_string(V[I]);
  return S + "]";
}

int main() {
  struct Case {
    std::vector<int> Input, Expected;
  };
  const std::vector<Case> Cases = {
      {{4, 1, 3, 2}, {1, 4, 2, 3}},
      {{9, 5, 7, 6, 8}, {5, 9, 6, 8, 7}},
      {{3, 3, 3}, {3, 3, 3}},
      {{}, {}},
      {{42}, {42}},
      {{2, 2, -1, 7, 7}, {-1, 7, 2, 7, 2}},
      {{10, -10, 0, 5, -5, 1}, {-10, 10, -5, 5, 0, 1}},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    std::vector<int> Got = strange_sort(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: for " + show(C.Input) + " expected " +
                               show(C.Expected) + ", got " + show(Got));
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
