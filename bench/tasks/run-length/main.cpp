// Code fix: run-length encoding. The starting encoder leaves out the count of a
// run of one and so cannot be decoded; the test cases say which inputs come out
// wrong.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>
#include <vector>

/// Encodes each run of equal characters as its length in decimal followed by
/// the character: "aaabcc" becomes "3a1b2c". The empty string encodes as "".
[[trace::trainable]] std::string rle_encode(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t j = i;
    while (j < text.size() && text[j] == text[i])
      ++j;
    if (j - i > 1)
      out += std::to_string(j - i);
    out += text[i];
    i = j;
  }
  return out;
}

int main() {
  struct Case {
    std::string Input, Expected;
  };
  const std::vector<Case> Cases = {
      {"aaabcc", "3a1b2c"},
      {"", ""},
      {"x", "1x"},
      {"abc", "1a1b1c"},
      {"zzzzzzzzzzzz", "12z"},
      {"aabbaa", "2a2b2a"},
      {"  !", "2 1!"},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    std::string Got = rle_encode(C.Input);
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: for \"" + C.Input + "\" expected \"" +
                               C.Expected + "\", got \"" + Got + "\"");
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
