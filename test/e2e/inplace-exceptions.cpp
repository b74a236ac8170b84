// An exception leaving a bundle is recorded from the call's destructor, with
// no try around the body: its type and what() as thrown, also for a rethrow
// and a non-class exception; an exception caught inside the bundle leaves
// the return recorded; a bundle that runs in a destructor while another
// exception unwinds is told apart from the exception passing through.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// RUN: FileCheck --check-prefix=OUT %s < %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <cstdio>
#include <stdexcept>

[[trace::bundle]] int risky(int v) {
  if (v < 0)
    throw std::invalid_argument("negative");
  return v;
}
[[trace::bundle]] int recovers(int v) {
  try {
    return risky(v);
  } catch (const std::invalid_argument &) {
    return 0;
  }
}
[[trace::bundle]] int rethrows(int v) {
  try {
    return risky(v);
  } catch (...) {
    throw;
  }
}
[[trace::bundle]] void plain(int v) {
  if (v)
    throw 42;
}
[[trace::bundle]] int cleanup(int v) {
  try {
    throw std::runtime_error("inner");
  } catch (const std::exception &) {
  }
  return v + 1;
}
struct Guard {
  ~Guard() { std::printf("cleanup=%d\n", cleanup(1)); }
};
[[trace::bundle]] int guarded(int v) {
  Guard G;
  return risky(v);
}

int main() {
  std::printf("recovers=%d\n", recovers(-1));
  try {
    rethrows(-2);
  } catch (const std::exception &E) {
    std::printf("rethrows: %s\n", E.what());
  }
  try {
    plain(1);
  } catch (int E) {
    std::printf("plain: %d\n", E);
  }
  try {
    guarded(-3);
  } catch (const std::exception &E) {
    std::printf("guarded: %s\n", E.what());
  }
  return 0;
}

// OUT: recovers=0
// OUT-NEXT: rethrows: negative
// OUT-NEXT: plain: 42
// OUT-NEXT: cleanup=2
// OUT-NEXT: guarded: negative

// CHECK: valid
// CHECK: call recovers#0 parent=- args=[v=-1]
// CHECK-NEXT: call risky#0 parent=recovers#0 args=[v=-1]
// CHECK-NEXT: ret risky#0 exception=std::invalid_argument what=negative
// CHECK-NEXT: ret recovers#0 value=0
// CHECK: call rethrows#0 parent=- args=[v=-2]
// CHECK-NEXT: call risky#1 parent=rethrows#0 args=[v=-2]
// CHECK-NEXT: ret risky#1 exception=std::invalid_argument what=negative
// CHECK-NEXT: ret rethrows#0 exception=std::invalid_argument what=negative
// CHECK: call plain#0 parent=- args=[v=1]
// CHECK-NEXT: ret plain#0 exception=int at={{.*}}inplace-exceptions.cpp:35
// CHECK: call guarded#0 parent=- args=[v=-3]
// CHECK-NEXT: call risky#2 parent=guarded#0 args=[v=-3]
// CHECK-NEXT: ret risky#2 exception=std::invalid_argument what=negative
// CHECK-NEXT: call cleanup#0 parent=guarded#0 args=[v=1]
// CHECK-NEXT: ret cleanup#0 value=2
// CHECK-NEXT: ret guarded#0 exception=std::invalid_argument what=negative
