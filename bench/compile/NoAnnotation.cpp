// Compile-time benchmark input: an ordinary TU with no Trace annotation.
// With the plugin loaded, the compile should cost at most 1.05x the same
// compile without it (issue 4).
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace inventory {

struct Item {
  std::string Name;
  int Count = 0;
  double Price = 0;
};

class Store {
public:
  void add(const Item &I) { Items[I.Name] = I; }
  int count(const std::string &Name) const {
    auto It = Items.find(Name);
    return It == Items.end() ? 0 : It->second.Count;
  }
  double value() const {
    double Sum = 0;
    for (const auto &[Name, I] : Items)
      Sum += I.Count * I.Price;
    return Sum;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> R;
    for (const auto &[Name, I] : Items)
      R.push_back(Name);
    return R;
  }

private:
  std::map<std::string, Item> Items;
};

std::string describe(const Item &I) {
  return I.Name + " x" + std::to_string(I.Count);
}

} // namespace inventory

int main() {
  inventory::Store S;
  S.add({"apple", 3, 0.5});
  S.add({"pear", 2, 0.75});
  for (const auto &N : S.names())
    std::cout << N << ": " << S.count(N) << "\n";
  std::cout << S.value() << "\n" << inventory::describe({"fig", 1, 2.0}) << "\n";
  return 0;
}
