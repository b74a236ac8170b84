// C++20: concepts, requires-clauses, abbreviated function templates, constrained members and a
// defaulted three-way comparison (defaulted functions are left alone).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain -std=c++20 %s -o %t/plain
// RUN: %corpus_trace -std=c++20 %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <compare>
#include <concepts>
#include <cstdio>
#include <string>

template <class T>
concept Measurable = requires(const T &V) {
  { V.size() } -> std::convertible_to<std::size_t>;
};

template <std::integral T> [[trace::bundle]] T half(T V) { return V / 2; }
template <std::floating_point T> [[trace::bundle]] T half(T V) { return V / 2; }

template <class T>
  requires Measurable<T>
[[trace::bundle]] std::size_t measure(const T &V) {
  return V.size();
}

[[trace::bundle]] auto scaled(std::integral auto V, std::floating_point auto F) { return V * F; }

struct Version {
  int Major = 0, Minor = 0;
  auto operator<=>(const Version &) const = default;
  template <class T>
    requires std::integral<T>
  [[trace::bundle]] Version bump(T By) const {
    return Version{Major, Minor + static_cast<int>(By)};
  }
};

[[trace::bundle]] bool older(Version A, Version B) { return A < B; }

int main() {
  std::printf("half=%d %g\n", half(9), half(9.0));
  std::printf("measure=%zu\n", measure(std::string("abcd")));
  std::printf("scaled=%g\n", scaled(3, 1.5));
  Version V{1, 2};
  Version W = V.bump(3);
  std::printf("bump=%d.%d older=%d\n", W.Major, W.Minor, older(V, W));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=4
// CHECK-DAG: site Version::bump key={{.*}} calls=1 rets=1
// Two overloads told apart only by their constraints share a key today.
// CHECK-DAG: site half key={{.*}} calls={{[12]}} rets={{[12]}}
// CHECK-DAG: site measure key={{.*}} calls=1
// CHECK-DAG: site older key={{.*}} calls=1
// CHECK-DAG: site scaled key={{.*}} calls=1
// CHECK: thread 1
// CHECK-NEXT: half(V=9) -> 4
// CHECK-NEXT: half(V=9) -> 4.5
// CHECK-NEXT: measure(V="abcd") -> 4
// CHECK-NEXT: scaled(V=3, F=1.5) -> 4.5
// CHECK-NEXT: Version::bump(By=3) -> {{.*}}
// CHECK-NEXT: older(A={{.*}}, B={{.*}}) -> true
