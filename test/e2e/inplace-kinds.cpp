// What the in-place rewrite instruments that the wrapping lambda could not:
// constructors (after the member initializers), destructors,
// function-try-blocks, bodies that use __func__, conversion functions, C
// variadic functions and main() with its implicit `return 0`. An exception
// that leaves a bundle is recorded with its type and what(); where the
// function has no handler of the plugin's (a non-void function whose end
// is reachable), with an unknown type.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// RUN: FileCheck --check-prefix=OUT %s < %t.out
// RUN: %clangxx_plain -Wno-unknown-attributes %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>

struct Res {
  int N;
  [[trace::bundle]] explicit Res(int n) : N(n * 2) { std::printf("open %d\n", N); }
  [[trace::bundle]] ~Res() { std::printf("close %d\n", N); }
  [[trace::bundle]] operator int() const { return N + 1; }
};

[[trace::bundle]] const char *self() { return __func__; }

[[trace::bundle]] int sum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; ++i)
    s += va_arg(ap, int);
  va_end(ap);
  return s;
}

[[trace::bundle]] int guarded(int x) try {
  if (x < 0)
    throw std::runtime_error("negative");
  return x;
} catch (const std::exception &) {
  return -1;
}

[[trace::bundle]] int check(int x) {
  if (x > 5)
    throw std::out_of_range("too big");
  return x;
}

/// Its end is reachable, so it has no handler of the plugin's.
[[trace::bundle]] int loose(int x) {
  if (x > 0)
    return x;
  check(9);
}

[[trace::bundle]] int main() {
  {
    Res R(3);
    std::printf("as int %d\n", static_cast<int>(R));
  }
  std::printf("%s %d %d %d\n", self(), sum(3, 1, 2, 3), guarded(4), guarded(-4));
  try {
    check(7);
  } catch (const std::exception &E) {
    std::printf("caught %s\n", E.what());
  }
  try {
    loose(0);
  } catch (const std::exception &E) {
    std::printf("caught %s\n", E.what());
  }
}

// OUT: open 6
// OUT-NEXT: as int 7
// OUT-NEXT: close 6
// OUT-NEXT: self 6 4 -1
// OUT-NEXT: caught too big
// OUT-NEXT: caught too big

// CHECK: valid
// CHECK-NEXT: call main#0 parent=- args=[]
// CHECK-NEXT: call Res::Res#0 parent=main#0 args=[n=3] this=Res{...}
// CHECK-NEXT: ret Res::Res#0 void
// CHECK-NEXT: call Res::operator int#0 parent=main#0 args=[] this=Res{...}
// CHECK-NEXT: ret Res::operator int#0 value=7
// CHECK-NEXT: call Res::~Res#0 parent=main#0 args=[] this=Res{...}
// CHECK-NEXT: ret Res::~Res#0 void
// CHECK: call self#0 parent=main#0 args=[]
// CHECK-NEXT: ret self#0 value="self"
// CHECK: call sum#0 parent=main#0 args=[n=3]
// CHECK-NEXT: ret sum#0 value=6
// CHECK: call guarded#0 parent=main#0 args=[x=4]
// CHECK-NEXT: ret guarded#0 value=4
// CHECK: call guarded#1 parent=main#0 args=[x=-4]
// CHECK-NEXT: ret guarded#1 exception=std::runtime_error what=negative at={{.*}}inplace-kinds.cpp:42
// CHECK: call check#0 parent=main#0 args=[x=7]
// CHECK-NEXT: ret check#0 exception=std::out_of_range what=too big at={{.*}}inplace-kinds.cpp:50
// CHECK: call loose#0 parent=main#0 args=[x=0]
// CHECK-NEXT: call check#1 parent=loose#0 args=[x=9]
// CHECK-NEXT: ret check#1 exception=std::out_of_range what=too big
// CHECK-NEXT: ret loose#0 exception=unknown at={{.*}}inplace-kinds.cpp:50
// CHECK-NEXT: ret main#0 value=0
