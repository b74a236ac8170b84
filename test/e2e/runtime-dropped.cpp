// Records of a thread still running at exit are counted as dropped, never
// silently lost. Written in the form the plugin emits, so it needs only the
// runtime.
// RUN: %clangxx_plain %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %dump %t.bin | FileCheck %s

#include "trace/abi.hpp"

#include <atomic>
#include <chrono>
#include <thread>

static int f(int x) {
  static ::__trace_rt::__Site __trace_site{0x1ull, "f(int)", "f", __PRETTY_FUNCTION__, __FILE__, 14, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return x + 1; });}

static std::atomic<int> Done{0};

int main() {
  f(0);
  std::thread([] {
    for (int I = 0; I < 10; ++I)
      f(I);
    Done = 1;
    for (;;)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  }).detach();
  while (!Done)
    std::this_thread::yield();
  return 0;
}

// CHECK: {"k":"header"
// CHECK: {"k":"end","nodes":1,"dropped":10}
