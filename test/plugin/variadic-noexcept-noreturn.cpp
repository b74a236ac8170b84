// Function parameter packs, noexcept functions (flag 4, no handler), [[noreturn]]
// (flag 8, void; the handler rethrows, so it still never returns) and C
// variadic functions, whose va_start works in place.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -c -o %t.o %s
#include <cstdlib>

template <class... Ts> [[trace::bundle]] int count(int First, const Ts &...Rest) {
  return First + static_cast<int>(sizeof...(Rest));
}
// CHECK: int count(int First, const Ts &...Rest) {__TRACE_BEGIN static {{.*}}__trace_inst == 1u ? "count<double, char[2]>(int, const Ts &...)" : "count(int, const Ts &...)", "count",{{.*}}"First\0Rest\0", 2u, "", nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, First); __trace_call.__pack(1, Rest...); try { __TRACE_END
// CHECK-NEXT: return ::__trace_rt::__retv(__trace_call, First + static_cast<int>(sizeof...(Rest)));

[[trace::bundle]] int safe(int X) noexcept { return X; }
// CHECK: int safe(int X) noexcept {{.*}}"safe(int)", "safe",{{.*}}, nullptr, 4u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, X); __TRACE_END  return ::__trace_rt::__retv(__trace_call, X); }{{$}}

[[trace::bundle]] [[noreturn]] void fail(int Code) { std::exit(Code); }
// CHECK: void fail(int Code) {{.*}}, nullptr, 8u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, Code); try { __TRACE_END  std::exit(Code);  __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END}

#include <cstdarg>
[[trace::bundle]] int sum(int N, ...) {
  va_list Args;
  va_start(Args, N);
  int S = 0;
  for (int I = 0; I < N; ++I)
    S += va_arg(Args, int);
  va_end(Args);
  return S;
}
// CHECK: int sum(int N, ...) {__TRACE_BEGIN {{.*}}"sum(int, ...)"{{.*}}__trace_call.__arg(0, N); try { __TRACE_END
// CHECK-NEXT: va_list Args;

int use() { return count(1, 2.0, "x") + safe(2) + sum(2, 3, 4); }

// CHECK-CONSISTENT: checked 1 file(s), 4 site(s), 0 param(s)
