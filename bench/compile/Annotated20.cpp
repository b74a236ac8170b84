// Compile-time benchmark input: 20 [[trace::bundle]] functions in a TU that
// includes <vector>, <string>, <map> and <iostream>. At -O0, with the plugin
// loaded, the compile should cost at most 1.5x the same compile without it
// (issue 4). Generated once; keep the set of functions stable so figures
// stay comparable.
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace work {

/// add.
[[trace::bundle]] int add(int a, int b) { return a + b; }

/// scale.
[[trace::bundle]] double scale(double x, double k) { return x * k; }

/// greet.
[[trace::bundle]] std::string greet(const std::string &name) { return "hello, " + name; }

/// length.
[[trace::bundle]] std::size_t length(const std::string &s) { return s.size(); }

/// sum.
[[trace::bundle]] int sum(const std::vector<int> &v) { int s = 0; for (int x : v) s += x; return s; }

/// squares.
[[trace::bundle]] std::vector<int> squares(int n) { std::vector<int> r; for (int i = 0; i < n; ++i) r.push_back(i * i); return r; }

/// lookup.
[[trace::bundle]] int lookup(const std::map<std::string, int> &m, const std::string &k) { auto it = m.find(k); return it == m.end() ? -1 : it->second; }

/// histogram.
[[trace::bundle]] std::map<std::string, int> histogram(const std::vector<std::string> &words) { std::map<std::string, int> h; for (const auto &w : words) ++h[w]; return h; }

/// isEven.
[[trace::bundle]] bool isEven(long n) { return n % 2 == 0; }

/// first.
[[trace::bundle]] char first(const std::string &s) { return s.empty() ? '\0' : s[0]; }

/// join.
[[trace::bundle]] std::string join(const std::vector<std::string> &parts, const std::string &sep) { std::string r; for (std::size_t i = 0; i < parts.size(); ++i) { if (i) r += sep; r += parts[i]; } return r; }

/// mean.
[[trace::bundle]] double mean(const std::vector<double> &v) { double s = 0; for (double x : v) s += x; return v.empty() ? 0 : s / v.size(); }

/// clamp.
[[trace::bundle]] int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

/// upper.
[[trace::bundle]] std::string upper(std::string s) { for (char &c : s) if (c >= 'a' && c <= 'z') c -= 32; return s; }

/// print.
[[trace::bundle]] void print(const std::string &s) { std::cout << s << '\n'; }

/// factorial.
[[trace::bundle]] long factorial(int n) { long r = 1; for (int i = 2; i <= n; ++i) r *= i; return r; }

/// split.
[[trace::bundle]] std::vector<std::string> split(const std::string &s, char sep) { std::vector<std::string> r(1); for (char c : s) { if (c == sep) r.emplace_back(); else r.back() += c; } return r; }

/// countIf.
[[trace::bundle]] int countIf(const std::vector<int> &v, int threshold) { int n = 0; for (int x : v) n += x > threshold; return n; }

/// poly.
[[trace::bundle]] double poly(double x, const std::vector<double> &coeffs) { double r = 0; for (auto it = coeffs.rbegin(); it != coeffs.rend(); ++it) r = r * x + *it; return r; }

/// minMax.
[[trace::bundle]] std::pair<int, int> minMax(const std::vector<int> &v) { int lo = v.empty() ? 0 : v[0], hi = lo; for (int x : v) { lo = x < lo ? x : lo; hi = x > hi ? x : hi; } return {lo, hi}; }

} // namespace work

int main() {
  std::vector<int> v = work::squares(10);
  auto words = work::split("a b a c", ' ');
  auto h = work::histogram(words);
  work::print(work::join(words, ",") + work::greet("x") + work::upper("y"));
  auto mm = work::minMax(v);
  double d = work::mean({1, 2, 3}) + work::poly(2, {1, 2}) + work::scale(2, 3);
  long r = work::add(1, 2) + work::sum(v) + work::lookup(h, "a") + work::clamp(5, 0, 3) +
           work::isEven(4) + work::first("q") + work::factorial(5) + work::countIf(v, 10) +
           static_cast<long>(work::length("abc")) + mm.first + mm.second;
  std::cout << r << ' ' << d << '\n';
  return 0;
}
