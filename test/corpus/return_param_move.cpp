// Returning a by-value parameter moves it implicitly ([class.copy.elision]): `return P;` with a
// std::unique_ptr parameter compiles, and a copyable type is moved, not copied. Instrumenting
// must keep both.
// The plugin spells the move (`::std::move(P)`) inside the wrapping lambda, whose captures are
// references.
//
// Needs c++14: std::make_unique.
// REQUIRES: c++14
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <memory>
#include <string>

struct Counted {
  int V;
  explicit Counted(int V) : V(V) {}
  Counted(const Counted &O) : V(O.V) { std::printf("copy %d\n", V); }
  Counted(Counted &&O) noexcept : V(O.V) {
    std::printf("move %d\n", V);
    O.V = -1;
  }
};

[[trace::bundle]] std::unique_ptr<int> passBox(std::unique_ptr<int> P) { return P; }
[[trace::bundle]] Counted passCounted(Counted C) {
  C.V += 1;
  return C;
}
[[trace::bundle]] std::string shout(std::string S) {
  S += "!";
  return S;
}

int main() {
  std::printf("pass %d\n", *passBox(std::make_unique<int>(6)));
  Counted C = passCounted(Counted(7));
  std::printf("passCounted %d\n", C.V);
  std::printf("shout %s\n", shout("hey").c_str());
  return 0;
}

// CHECK: run: exit=0 stdout-lines=4
// CHECK-DAG: site Counted::Counted key=Counted::Counted(int) calls=1 rets=1
// CHECK-DAG: site Counted::Counted key=Counted::Counted(Counted &&) calls=1 rets=1
// CHECK-DAG: site passBox key={{.*}} calls=1 rets=1
// CHECK-DAG: site passCounted key={{.*}} calls=1 rets=1
// CHECK-DAG: site shout key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: passBox(P={{.*}}) -> {{.*}}
// CHECK-NEXT: Counted::Counted(V=7) -> void
// CHECK-NEXT: passCounted(C={{.*}}) -> {{.*}}
// The one move: the returned parameter into the result, after the return
// statement recorded it (so after the call's record).
// CHECK-NEXT: Counted::Counted(O={V: 8}) -> void
// CHECK-NEXT: shout(S="hey") -> "hey!"
