// [[nodiscard]] on functions and on types, [[maybe_unused]] parameters, noexcept and
// noexcept(expr) (the noexcept-ness of a function, as seen by noexcept(...) and by
// std::is_nothrow_* traits, must not change), [[deprecated]] and [[gnu::always_inline]].
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain -Wno-deprecated-declarations %s -o %t/plain
// RUN: %corpus_trace -Wno-deprecated-declarations %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

struct [[nodiscard]] Status {
  int Code;
};

[[nodiscard]] [[trace::bundle]] int area(int W, int H) { return W * H; }
[[trace::bundle]] Status check(int V) { return Status{V > 0 ? 0 : 1}; }
[[nodiscard("keep the result")]] [[trace::bundle]] bool valid([[maybe_unused]] int V, int Limit) {
  return Limit > 0;
}

[[trace::bundle]] int safeAdd(int A, int B) noexcept { return A + B; }
template <class T>
[[trace::bundle]] T copyOf(const T &V) noexcept(std::is_nothrow_copy_constructible<T>::value) {
  return V;
}
template <class T>
[[trace::bundle]] void swapValues(T &A, T &B) noexcept(noexcept(T(std::move(A))) && noexcept(A = std::move(B))) {
  T Tmp(std::move(A));
  A = std::move(B);
  B = std::move(Tmp);
}
struct Throwing {
  Throwing() = default;
  Throwing(const Throwing &) noexcept(false) {}
};
[[deprecated("use area")]] [[trace::bundle]] int oldArea(int W, int H) { return area(W, H); }
[[gnu::always_inline]] [[trace::bundle]] inline int fast(int X) { return X + 1; }
[[gnu::noinline]] [[trace::bundle]] int slow(int X) { return X - 1; }

int main() {
  std::printf("area %d\n", area(3, 4));
  Status S = check(-1);
  std::printf("status %d valid %d\n", S.Code, valid(1, 2));
  std::printf("noexcept %d %d %d %d\n", noexcept(safeAdd(1, 2)), noexcept(copyOf(1)),
              noexcept(copyOf(Throwing())), noexcept(copyOf(std::string())));
  std::printf("safeAdd %d\n", safeAdd(2, 3));
  std::string A = "a", B = "b";
  swapValues(A, B);
  int X = 1, Y = 2;
  swapValues(X, Y);
  std::printf("swap %s %s %d %d nothrow %d\n", A.c_str(), B.c_str(), X, Y,
              noexcept(swapValues(X, Y)));
  std::vector<int> V{1};
  std::printf("copyOf %zu\n", copyOf(V).size());
  std::printf("old %d fast %d slow %d\n", oldArea(2, 2), fast(1), slow(1));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=7
// CHECK-DAG: site area key={{.*}} calls=2
// CHECK-DAG: site check key={{.*}} calls=1
// CHECK-DAG: site copyOf key={{.*}} calls=1
// CHECK-DAG: site fast key={{.*}} calls=1
// CHECK-DAG: site oldArea key={{.*}} calls=1
// CHECK-DAG: site safeAdd key={{.*}} calls=1
// CHECK-DAG: site slow key={{.*}} calls=1
// CHECK-DAG: site swapValues key=swapValues<int>(T &, T &) calls=1
// CHECK-DAG: site swapValues key=swapValues<std::basic_string<char>>(T &, T &) calls=1
// CHECK-DAG: site valid key={{.*}} calls=1
// CHECK: thread 1
// CHECK-NEXT: area(W=3, H=4) -> 12
// CHECK-NEXT: check(V=-1) -> {{.*}}
// CHECK-NEXT: valid(V=1, Limit=2) -> true
// CHECK-NEXT: safeAdd(A=2, B=3) -> 5
// CHECK-NEXT: swapValues(A="a", B="b") -> void
// CHECK-NEXT: swapValues(A=1, B=2) -> void
// CHECK-NEXT: copyOf(V={{.*}}1{{.*}}) -> {{.*}}1
// CHECK-NEXT: oldArea(W=2, H=2) -> 4
// CHECK-NEXT: | area(W=2, H=2) -> 4
// CHECK-NEXT: fast(X=1) -> 2
// CHECK-NEXT: slow(X=1) -> 0
