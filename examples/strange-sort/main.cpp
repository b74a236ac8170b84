// Code generation: strange_sort_list starts out wrong; its test cases give feedback on each result,
// and trace-optimize rewrites the function until every case passes (trace::success).
#include <trace/trace.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

/// Returns the list in "strange" order: the smallest value, then the largest of the remaining ones,
/// then the smallest of the remaining ones, and so on.
[[trace::trainable]] std::vector<int> strange_sort_list(std::vector<int> lst) {
  std::sort(lst.begin(), lst.end());
  return lst;
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
      {{1, 2, 3, 4}, {1, 4, 2, 3}},       {{5, 6, 7, 8, 9}, {5, 9, 6, 8, 7}},
      {{5, 5, 5, 5}, {5, 5, 5, 5}},       {{}, {}},
      {{1, 2, 3, 4, 5, 6, 7, 8}, {1, 8, 2, 7, 3, 6, 4, 5}},
      {{0, 2, 2, 2, 5, 5, -5, -5}, {-5, 5, -5, 5, 0, 2, 2, 2}},
      {{111111}, {111111}},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    std::vector<int> Got = strange_sort_list(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: for input " + show(C.Input) + " expected " + show(C.Expected) + ", got " +
                               show(Got));
    }
  }
  int Total = int(Cases.size());
  std::printf("%d of %d cases pass\n", Passed, Total);
  if (Passed == Total)
    trace::success("all test cases pass");
  else
    trace::feedback(std::to_string(Passed) + " of " + std::to_string(Total) + " test cases pass",
                    double(Passed) / Total);
  return Passed == Total ? 0 : 1;
}
