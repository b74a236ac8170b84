// Enum-typed parameters and return values carry the enumerator names
// (EnumInfo); incomplete, unnamed and dependent enums do not.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %clangxx_trace -Wall -Wextra -Werror -c -o %t.o %s

namespace ui {
enum class Color { Red, Green = 5, Blue = -3 };
enum Plain : unsigned long long { Small = 1, Huge = 0xffffffffffffffffull };
enum class Opaque : int;
}
enum { Anonymous = 1 };

[[trace::bundle]] ui::Color pick(ui::Color C, const ui::Plain &P, ui::Opaque O, int N) {
  return N > 0 && P == ui::Small && static_cast<int>(O) == 0 ? C : ui::Color::Red;
}
// CHECK: ui::Color pick(ui::Color C, const ui::Plain &P, ui::Opaque O, int N) {{.*}}::__trace_rt::__Call __trace_call(__trace_site); static constexpr long long __trace_ev0[] = {0LL, 5LL, -3LL}; static constexpr const char *__trace_en0[] = {"ui::Color::Red", "ui::Color::Green", "ui::Color::Blue"}; static constexpr ::__trace_rt::__EnumInfo __trace_ei0{"ui::Color", 3u, __trace_ev0, __trace_en0}; __trace_call.__arg(0, C, __trace_ei0);
// CHECK-SAME: static constexpr long long __trace_ev1[] = {1LL, static_cast<long long>(18446744073709551615ULL)}; static constexpr const char *__trace_en1[] = {"ui::Plain::Small", "ui::Plain::Huge"}; static constexpr ::__trace_rt::__EnumInfo __trace_ei1{"ui::Plain", 2u, __trace_ev1, __trace_en1}; __trace_call.__argRef(1, P, __trace_ei1);
// CHECK-SAME: __trace_call.__arg(2, O); __trace_call.__arg(3, N);
// CHECK-SAME: static constexpr ::__trace_rt::__EnumInfo __trace_eir{"ui::Color", 3u, __trace_evr, __trace_enr}; __trace_call.__retEnum(__trace_eir); try { __TRACE_END

template <class E> [[trace::bundle]] E same(E V, decltype(Anonymous) A) { return A ? V : V; }
// CHECK: E same(E V, decltype(Anonymous) A) {{.*}}__trace_call.__arg(0, V); __trace_call.__arg(1, A); try { __TRACE_END

int use() { return static_cast<int>(pick(ui::Color::Green, ui::Small, ui::Opaque{}, 1)) + static_cast<int>(same(ui::Color::Red, Anonymous)); }
