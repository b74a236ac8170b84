// Function parameter packs, noexcept functions (flag 4) and [[noreturn]].
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -c -o %t.o %s
#include <cstdlib>

template <class... Ts> [[trace::bundle]] int count(int First, const Ts &...Rest) {
  return First + static_cast<int>(sizeof...(Rest));
}
// CHECK: int count(int First, const Ts &...Rest) {__TRACE_BEGIN static {{.*}}__trace_inst == 1u ? "count<double, char[2]>(int, const Ts &...)" : "count(int, const Ts &...)", "count",{{.*}}"First\0Rest\0", 2u, "", nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, First); __trace_call.__pack(1, Rest...); return

[[trace::bundle]] int safe(int X) noexcept { return X; }
// CHECK: int safe(int X) noexcept {{.*}}"safe(int)", "safe",{{.*}}, nullptr, 4u};

[[trace::bundle]] [[noreturn]] void fail(int Code) { std::exit(Code); }
// CHECK: void fail(int Code) {{.*}}__trace_call.__arg(0, Code); ::__trace_rt::__invoke(__trace_call, [&]() -> void { __TRACE_END std::exit(Code); }); __builtin_unreachable();}

int use() { return count(1, 2.0, "x") + safe(2); }

// CHECK-CONSISTENT: checked 1 file(s), 3 site(s), 0 param(s)
