// Lambdas and generic lambdas inside bundles (capturing parameters, this, by copy and by
// reference, init-captures, recursive generic lambdas, lambdas that return early, immediately
// invoked lambdas, lambdas with static locals), and default arguments (constants, expressions of
// earlier parameters' types, calls, member defaults, defaults added by a later declaration).
//
// Needs c++14: generic lambdas.
// REQUIRES: c++14
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

[[trace::bundle]] int square(int X) { return X * X; }

[[trace::bundle]] int sumSquares(const std::vector<int> &V) {
  int Total = 0;
  std::for_each(V.begin(), V.end(), [&](int X) { Total += square(X); });
  return Total;
}

[[trace::bundle]] std::vector<int> sortedBy(std::vector<int> V, bool Descending) {
  std::sort(V.begin(), V.end(), [Descending](auto A, auto B) { return Descending ? A > B : A < B; });
  return V;
}

[[trace::bundle]] int countIf(const std::vector<int> &V, int Limit) {
  auto Small = [Limit](const auto &X) {
    if (X < Limit)
      return true;
    return false;
  };
  return static_cast<int>(std::count_if(V.begin(), V.end(), Small));
}

[[trace::bundle]] long fib(int N) {
  auto Go = [](auto &&Self, int K) -> long { return K < 2 ? K : Self(Self, K - 1) + Self(Self, K - 2); };
  return Go(Go, N);
}

[[trace::bundle]] std::function<int(int)> adder(int By) {
  return [By, Calls = 0](int X) mutable {
    ++Calls;
    return X + By * Calls;
  };
}

[[trace::bundle]] int ticket() {
  static int Next = 100;
  auto Take = [] {
    static int Inner = 0;
    return ++Inner;
  };
  return Next++ + Take();
}

[[trace::bundle]] std::string greet(const std::string &Name, const char *Greeting = "hello",
                                    int Times = 1 + 1) {
  std::string Out;
  for (int I = 0; I < Times; ++I)
    Out += std::string(Greeting) + " " + Name + (I + 1 < Times ? ", " : "");
  return Out;
}

[[trace::bundle]] int defaultWidth() { return 4; }
// The attribute is on the first declaration only.
[[trace::bundle]] std::string pad(std::string S, std::size_t Width = defaultWidth(), char Fill = '.');
std::string pad(std::string S, std::size_t Width, char Fill) {
  if (S.size() < Width)
    S.append(Width - S.size(), Fill);
  return S;
}

struct Scaler {
  int Factor = 3;
  [[trace::bundle]] int apply(int X, int Offset = 0) const {
    auto Scaled = [this, X] { return X * Factor; }();
    return Scaled + Offset;
  }
};

int main() {
  std::vector<int> V{3, 1, 2};
  std::printf("sumSquares %d\n", sumSquares(V));
  for (int X : sortedBy(V, true))
    std::printf("%d ", X);
  std::printf("\ncountIf %d fib %ld\n", countIf(V, 3), fib(10));
  auto Add = adder(5);
  int A1 = Add(1);
  int A2 = Add(1);
  std::printf("adder %d %d\n", A1, A2);
  int T1 = ticket();
  int T2 = ticket();
  std::printf("ticket %d %d\n", T1, T2);
  std::printf("%s | %s | %s\n", greet("ann").c_str(), greet("bob", "hi").c_str(),
              greet("cy", "yo", 3).c_str());
  std::printf("[%s] [%s]\n", pad("ab").c_str(), pad("abc", 6, '-').c_str());
  Scaler S;
  std::printf("apply %d %d\n", S.apply(2), S.apply(2, 1));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=8
// CHECK-DAG: site Scaler::apply key={{.*}} calls=2 rets=2
// CHECK-DAG: site adder key={{.*}} calls=1
// CHECK-DAG: site countIf key={{.*}} calls=1
// CHECK-DAG: site defaultWidth key={{.*}} calls=1
// CHECK-DAG: site fib key={{.*}} calls=1
// CHECK-DAG: site greet key={{.*}} calls=3
// CHECK-DAG: site pad key={{.*}} calls=2
// CHECK-DAG: site sortedBy key={{.*}} calls=1
// CHECK-DAG: site square key={{.*}} calls=3 rets=3
// CHECK-DAG: site sumSquares key={{.*}} calls=1
// CHECK-DAG: site ticket key={{.*}} calls=2
// CHECK: thread 1
// CHECK-NEXT: sumSquares(V={{.*}}) -> 14
// CHECK-NEXT: | square(X=3) -> 9
// CHECK-NEXT: | square(X=1) -> 1
// CHECK-NEXT: | square(X=2) -> 4
// CHECK-NEXT: sortedBy(V={{.*}}3, 1, 2{{.*}}, Descending=true) -> {{.*}}3, 2, 1
// CHECK-NEXT: countIf(V={{.*}}, Limit=3) -> 2
// CHECK-NEXT: fib(N=10) -> 55
// CHECK-NEXT: adder(By=5) -> {{.*}}
// CHECK-NEXT: ticket() -> 101
// CHECK-NEXT: ticket() -> 103
// CHECK-NEXT: greet(Name="ann", Greeting={{.*}}hello{{.*}}, Times=2) -> "hello ann, hello ann"
// CHECK-NEXT: greet(Name="bob", Greeting={{.*}}hi{{.*}}, Times=2) -> "hi bob, hi bob"
// CHECK-NEXT: greet(Name="cy", Greeting={{.*}}yo{{.*}}, Times=3) -> "yo cy, yo cy, yo cy"
// CHECK-NEXT: defaultWidth() -> 4
// CHECK-NEXT: pad(S="ab", Width=4, Fill={{.*}}.{{.*}}) -> "ab.."
// CHECK-NEXT: pad(S="abc", Width=6, Fill={{.*}}-{{.*}}) -> "abc---"
// CHECK-NEXT: Scaler::apply(X=2, Offset=0) -> 6
// CHECK-NEXT: Scaler::apply(X=2, Offset=1) -> 7
