// Code fix in the style of HumanEval 64: count the vowels of a word, where 'y'
// is a vowel only at the end; the starting function forgets upper case and the
// final 'y'.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>
#include <vector>

/// Counts the vowels of word: a, e, i, o and u in either case, and y (or Y)
/// only when it is the last letter of the word.
[[trace::trainable]] int vowels_count(const std::string &word) {
  int n = 0;
  for (char c : word)
    if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u')
      ++n;
  return n;
}

int main() {
  struct Case {
    std::string Input;
    int Expected;
  };
  const std::vector<Case> Cases = {
      {"abcde", 2}, {"ACEDY", 3},  {"key", 2},   {"bye", 1}, {"yesterday", 4},
      {"", 0},      {"rhythm", 0}, {"Alone", 3}, {"sky", 1}, {"QUEUEING", 5},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    int Got = vowels_count(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: vowels_count(\"" + C.Input +
                               "\") should be " + std::to_string(C.Expected));
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
