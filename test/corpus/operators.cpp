// Overloaded operators, conversion operators, constructors and destructors.
//
// What is recorded (docs/robustness.md): an overloaded operator is a function like any other (a
// node named e.g. "Money::operator+="), and so are conversion operators, constructors and
// destructors (a delegating constructor's target runs in its member initializers, before the
// body that records the call: it is a sibling, not a child); defaulted or deleted members have no
// body to instrument. An operator<< that is itself recorded must not recurse when the runtime
// uses it to render an argument. Copies and moves are printed: instrumenting must not add any.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <iostream>
#include <string>

struct Money {
  long Cents = 0;

  Money() { std::printf("Money()\n"); }
  explicit Money(long C) : Cents(C) { std::printf("Money(%ld)\n", C); }
  Money(int Units, int C) : Money(long(Units) * 100 + C) {}
  Money(const Money &O) : Cents(O.Cents) { std::printf("copy %ld\n", Cents); }
  Money(Money &&O) noexcept : Cents(O.Cents) { O.Cents = 0; }
  ~Money() { std::printf("~Money(%ld)\n", Cents); }
  Money &operator=(const Money &) = default;

  [[trace::bundle]] Money &operator+=(const Money &O) {
    Cents += O.Cents;
    return *this;
  }
  [[trace::bundle]] Money operator-() const { return Money(-Cents); }
  [[trace::bundle]] bool operator<(const Money &O) const { return Cents < O.Cents; }
  [[trace::bundle]] long operator[](int Part) const { return Part == 0 ? Cents / 100 : Cents % 100; }
  [[trace::bundle]] Money &operator++() {
    ++Cents;
    return *this;
  }
  [[trace::bundle]] Money operator++(int) {
    Money Old(Cents);
    ++Cents;
    return Old;
  }
  [[trace::bundle]] long operator()(long Times) const { return Cents * Times; }
  [[trace::bundle]] explicit operator bool() const { return Cents != 0; }
  [[trace::bundle]] operator double() const { return Cents / 100.0; }
};

[[trace::bundle]] Money operator+(const Money &A, const Money &B) {
  Money Sum(A.Cents);
  Sum += B;
  return Sum;
}
[[trace::bundle]] bool operator==(const Money &A, const Money &B) { return A.Cents == B.Cents; }
[[trace::bundle]] std::ostream &operator<<(std::ostream &OS, const Money &M) {
  return OS << M.Cents / 100 << '.' << (M.Cents % 100 < 10 ? "0" : "") << M.Cents % 100;
}

struct Celsius {
  double Degrees;
  template <class T> [[trace::bundle]] operator T() const { return static_cast<T>(Degrees); }
};

int main() {
  Money A(1, 50);
  Money B(250);
  Money C = A + B;
  std::cout << "sum " << C << "\n";
  Money D = -C;
  std::printf("neg %ld less %d eq %d\n", D.Cents, D < C, A == A);
  std::printf("parts %ld %ld\n", C[0], C[1]);
  ++C;
  Money E = C++;
  std::printf("inc %ld %ld call %ld\n", C.Cents, E.Cents, C(2));
  std::printf("bool %d double %.2f\n", static_cast<bool>(Money()), static_cast<double>(A));
  Celsius T{21.7};
  int I = T;
  std::printf("celsius %d %.1f\n", I, static_cast<double>(T));
  return 0;
}

// CHECK: run: exit=0
// CHECK-DAG: site Money::Money key=Money::Money() calls=1 rets=1
// CHECK-DAG: site Money::Money key=Money::Money(int, int) calls=1 rets=1
// CHECK-DAG: site Money::Money key=Money::Money(long) calls=5 rets=5
// CHECK-DAG: site Money::~Money key=Money::~Money() calls=6 rets=6
// CHECK-DAG: site Money::operator+= key={{.*}} calls=1 rets=1
// CHECK-DAG: site Money::operator- key={{.*}} calls=1
// CHECK-DAG: site Money::operator< key={{.*}} calls=1
// CHECK-DAG: site Money::operator[] key={{.*}} calls=2
// CHECK-DAG: site Money::operator++ key={{.*}} calls=1
// CHECK-DAG: site Money::operator++ key={{.*}}int{{.*}} calls=1
// CHECK-DAG: site Money::operator() key={{.*}} calls=1
// CHECK-DAG: site operator+ key={{.*}} calls=1
// CHECK-DAG: site operator== key={{.*}} calls=1
// CHECK-DAG: site operator<< key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: Money::Money(C=150) -> void
// CHECK-NEXT: Money::Money(Units=1, C=50) -> void
// CHECK-NEXT: Money::Money(C=250) -> void
// CHECK-NEXT: operator+(
// CHECK-NEXT: | Money::Money(C=150) -> void
// CHECK-NEXT: | Money::operator+=(
// CHECK-NEXT: operator<<(
// CHECK-NEXT: Money::operator-() -> {{.*}}
// CHECK-NEXT: | Money::Money(C=-400) -> void
// CHECK:      Money::operator++(arg0=0) -> 4.01
// CHECK-NEXT: | Money::Money(C=401) -> void
// CHECK-NEXT: Money::operator()(Times=2) -> 804
// CHECK-NEXT: Money::Money() -> void
// CHECK-NEXT: Money::operator bool() -> false
// CHECK-NEXT: Money::operator double() -> 1.5
// CHECK-NEXT: Money::~Money() -> void
