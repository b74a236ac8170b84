// Function templates, member templates and members of class templates: the
// pattern's body is rewritten, so every instantiation records, each under
// its own key (the template arguments are part of it; see template-keys.cpp).
// Overloads get distinct keys.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -c -o %t.o %s

template <class T> [[trace::bundle]] T twice(T X) { return X + X; }
// CHECK: T twice(T X) {__TRACE_BEGIN static constexpr unsigned __trace_inst = {{.*}}; static ::__trace_rt::__Site __trace_site{__trace_inst == 1u ? 0x[[TWICE_I:[0-9a-f]+]]ull : __trace_inst == 2u ? 0x[[TWICE_D:[0-9a-f]+]]ull : 0x{{[0-9a-f]+}}ull, __trace_inst == 1u ? "twice<int>(T)" : __trace_inst == 2u ? "twice<double>(T)" : "twice(T)", "twice", __PRETTY_FUNCTION__, {{.*}}, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, X);

template <class T> struct Box {
  T Value;
  [[trace::bundle]] T get() const { return Value; }
  template <class U> [[trace::bundle]] U as() const { return static_cast<U>(Value); }
};
// CHECK: T get() const {__TRACE_BEGIN static {{.*}}__trace_inst == 1u ? "Box<int>::get() const" : "Box::get() const", "Box::get",{{.*}}, 2u}; {{.*}}__trace_call.__self(*this);
// CHECK: U as() const {__TRACE_BEGIN static {{.*}}__trace_inst == 1u ? "Box<int>::as<long>() const" : "Box::as() const", "Box::as",{{.*}}static_cast<U>(Value)

[[trace::bundle]] int pick(int X) { return X; }
[[trace::bundle]] double pick(double X) { return X; }
// CHECK: int pick(int X) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x[[PICKI:[0-9a-f]+]]ull, "pick(int)"
// CHECK: double pick(double X) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x[[PICKD:[0-9a-f]+]]ull, "pick(double)"

int use() {
  int I = 2;
  double D = 1.5;
  Box<int> B{3};
  return twice(I) + twice(D) > 0 ? B.get() + B.as<long>() + pick(I) + int(pick(D)) : 0;
}
// Calls of different instantiations carry their instantiation's hash;
// overloads carry their own.
// CHECK: return twice(::__trace_rt::__note(I, 0x[[TWICE_I]], 0)) + twice(::__trace_rt::__note(D, 0x[[TWICE_D]], 0)) > 0 ? B.get() + B.as<long>() + pick(::__trace_rt::__note(I, 0x[[PICKI]], 0)) + int(pick(::__trace_rt::__note(D, 0x[[PICKD]], 0))) : 0;

// CHECK-CONSISTENT: checked 1 file(s), 5 site(s), 0 param(s)
