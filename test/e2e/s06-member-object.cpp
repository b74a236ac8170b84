// S6: the object of a member-function bundle is an input of the call.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <string>

namespace geo {
struct Scaler {
  int K;
  [[trace::bundle]] int apply(int x) const { return K * x; }
};
// Declared after the class whose member bundle records *this: values are
// rendered by templates instantiated at the end of the translation unit.
std::string trace_format(const Scaler &S) { return "Scaler(K=" + std::to_string(S.K) + ")"; }
} // namespace geo

[[trace::bundle]] geo::Scaler make(int k) { return geo::Scaler{k}; }

int main() {
  int three = 3, five = 5;
  auto s = make(three);
  return s.apply(five) == 15 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call make#0 parent=- args=[k=3]
// CHECK-NEXT: ret make#0 value=Scaler(K=3)
// CHECK-NEXT: call geo::Scaler::apply#0 parent=- args=[x=5] this=Scaler(K=3)<-make#0
// CHECK-NEXT: ret geo::Scaler::apply#0 value=15
