// Templates: dependent and trailing return types, SFINAE, CTAD with a deduction guide, member
// templates, variadic templates, recursive and mutually recursive function templates. Functions
// with a trailing return type (mixed, Box::plus) are left alone by the plugin today.
//
// Needs c++17: C++17 templates and traits.
// REQUIRES: c++17
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

// Dependent return types.
template <class C> [[trace::bundle]] typename C::value_type first(const C &Items) {
  return Items.front();
}

template <class A, class B>
[[trace::bundle]] auto mixed(A X, B Y) -> decltype(X * Y) {
  return X * Y;
}

// SFINAE: two overloads picked by enable_if in the return type and in a default template argument.
template <class T>
[[trace::bundle]] std::enable_if_t<std::is_integral<T>::value, const char *> kind(T) {
  return "integral";
}
template <class T>
[[trace::bundle]] std::enable_if_t<std::is_floating_point<T>::value, const char *> kind(T) {
  return "floating";
}
template <class T, class = decltype(std::declval<T>().size())>
[[trace::bundle]] std::size_t sizeOf(const T &V) {
  return V.size();
}
// C varargs: left alone by the plugin (explicit attribute or not); must still work.
[[trace::bundle]] std::size_t sizeOf(...) { return 0; }

// CTAD: a class template deduced from its constructor and from a deduction guide.
template <class T> struct Box {
  T Value;
  explicit Box(T V) : Value(V) {}
  [[trace::bundle]] T get() const { return Value; }
  template <class U> [[trace::bundle]] auto plus(U Other) const -> decltype(Value + Other) {
    return Value + Other;
  }
};
template <class T> struct Pair {
  T A, B;
  [[trace::bundle]] T sum() const { return A + B; }
};
template <class T> Pair(T, T) -> Pair<T>;
Box(const char *) -> Box<std::string>;

// Recursion through instantiations, ended by an explicit specialization.
template <unsigned N> [[trace::bundle]] unsigned long factorial() { return N * factorial<N - 1>(); }
template <> [[trace::bundle]] unsigned long factorial<0>() { return 1; }

// Mutual recursion between two function templates.
template <class T> bool isOdd(T N);
template <class T> [[trace::bundle]] bool isEven(T N) { return N == 0 ? true : isOdd(N - 1); }
template <class T> [[trace::bundle]] bool isOdd(T N) { return N == 0 ? false : isEven(N - 1); }

// Variadic recursion.
template <class T> [[trace::bundle]] T total(T Last) { return Last; }
template <class T, class... Rest> [[trace::bundle]] T total(T Head, Rest... Tail) {
  return Head + total(Tail...);
}

int main() {
  std::vector<int> V{7, 8, 9};
  std::printf("first=%d\n", first(V));
  std::printf("mixed=%g\n", mixed(3, 0.5));
  std::printf("kind=%s %s\n", kind(4), kind(2.5));
  std::printf("sizeOf=%zu %zu\n", sizeOf(V), sizeOf(42));
  Box B(41);
  Box S("text");
  std::printf("box=%d %s %g\n", B.get(), S.get().c_str(), B.plus(0.5));
  Pair P{2, 3};
  std::printf("pair=%d\n", P.sum());
  std::printf("factorial=%lu\n", factorial<5>());
  std::printf("even=%d odd=%d\n", isEven(4), isOdd(7u));
  std::printf("total=%d\n", total(1, 2, 3, 4));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=9
// CHECK-DAG: site Box::get key=Box<int>::get() const calls=1 rets=1 exceptions=0
// CHECK-DAG: site Box::get key=Box<std::basic_string<char>>::get() const calls=1 rets=1 exceptions=0
// CHECK-DAG: site Pair{{.*}}::sum key={{.*}} calls=1
// CHECK-DAG: site factorial key={{.*}} calls=
// CHECK-DAG: site first key={{.*}} calls=1 rets=1
// CHECK-DAG: site isEven key={{.*}} calls=
// CHECK-DAG: site isOdd key={{.*}} calls=
// CHECK-DAG: site kind key={{.*}} calls={{[12]}}
// CHECK-DAG: site sizeOf key={{.*}} calls=1
// CHECK-DAG: site total key={{.*}} calls=
// CHECK: thread 1
// CHECK-NEXT: first(Items={{.*}}7, 8, 9{{.*}}) -> 7
// CHECK:      factorial() -> 120
// CHECK-NEXT: | factorial() -> 24
// CHECK-NEXT: | | factorial() -> 6
// CHECK-NEXT: | | | factorial() -> 2
// CHECK-NEXT: | | | | factorial() -> 1
// CHECK-NEXT: | | | | | factorial() -> 1
// CHECK-NEXT: isEven(N=4) -> true
// CHECK-NEXT: | isOdd(N=3) -> true
// CHECK:      isOdd(N=7) -> true
// CHECK:      total(Head=1, Tail{{.*}}) -> 10
// CHECK-NEXT: | total(Head=2, Tail{{.*}}) -> 9
// CHECK-NEXT: | | total(Head=3, Tail{{.*}}) -> 7
// CHECK-NEXT: | | | total(Last=4) -> 4
