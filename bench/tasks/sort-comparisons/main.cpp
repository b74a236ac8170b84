// Speed: a sort whose cost is counted, not timed. Keys can only be compared,
// and every comparison is counted, so the score is the same on a busy machine
// as on an idle one.
#include <trace/trace.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

static uint64_t Comparisons = 0;

/// A key that can only be compared; each comparison is counted.
class Key {
public:
  friend bool operator<(const Key &A, const Key &B) {
    ++Comparisons;
    return A.Value < B.Value;
  }
  friend struct Judge;

private:
  int Value = 0;
};

/// Sorts keys into ascending order, with as few comparisons (operator<) as it
/// can.
[[trace::trainable]] void sort_keys(std::vector<Key> &keys) {
  for (size_t i = 0; i < keys.size(); ++i)
    for (size_t j = 0; j + 1 < keys.size() - i; ++j)
      if (keys[j + 1] < keys[j])
        std::swap(keys[j], keys[j + 1]);
}

/// Makes the inputs and judges the outputs; the only code that sees a key's
/// value.
struct Judge {
  static std::vector<Key> make(const std::vector<int> &Values) {
    std::vector<Key> Keys(Values.size());
    for (size_t I = 0; I < Values.size(); ++I)
      Keys[I].Value = Values[I];
    return Keys;
  }
  static std::vector<int> values(const std::vector<Key> &Keys) {
    std::vector<int> Values;
    for (const Key &K : Keys)
      Values.push_back(K.Value);
    return Values;
  }
};

int main() {
  // Four inputs of 300 keys: random (a fixed generator), already sorted,
  // reversed, and random with many repeats.
  std::vector<std::vector<int>> Inputs(4);
  uint32_t State = 7;
  for (int I = 0; I < 300; ++I) {
    State = State * 1664525u + 1013904223u;
    Inputs[0].push_back(int(State >> 16));
    Inputs[1].push_back(I);
    Inputs[2].push_back(300 - I);
    Inputs[3].push_back(int(State >> 16) % 10);
  }
  // The budget: 1.5 n log2 n comparisons per input, a bound that a good O(n log
  // n) sort stays under.
  double Budget = 0;
  for (const std::vector<int> &In : Inputs)
    Budget += 1.5 * double(In.size()) * std::log2(double(In.size()));
  bool AllSorted = true;
  for (const std::vector<int> &In : Inputs) {
    std::vector<Key> Keys = Judge::make(In);
    sort_keys(Keys);
    std::vector<int> Want = In, Got = Judge::values(Keys);
    std::sort(Want.begin(), Want.end());
    if (Got != Want) {
      AllSorted = false;
      trace::feedback(std::string("wrong: an input of ") +
                      std::to_string(In.size()) +
                      " keys is not sorted into ascending order (or keys were "
                      "lost or duplicated)");
    }
  }
  uint64_t Used = Comparisons;
  double Score =
      AllSorted ? std::min(1.0, Budget / double(Used ? Used : 1)) : 0.0;
  char Text[200];
  std::snprintf(Text, sizeof(Text),
                "%s; %llu comparisons for 4 inputs of 300 keys (budget %.0f, "
                "about 1.5 n log2 n)",
                AllSorted ? "all sorted" : "not all sorted",
                (unsigned long long)Used, Budget);
  std::printf("%s; score %.3f\n", Text, Score);
  trace::feedback(Text, Score);
  bool Solved = AllSorted && double(Used) <= Budget;
  if (Solved)
    trace::success(Text);
  return Solved ? 0 : 1;
}
