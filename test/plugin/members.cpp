// Static and non-static members: const, virtual, out-of-line, ref-qualified.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -fsyntax-only %s

namespace geo {
struct Shape {
  virtual ~Shape() = default;
  [[trace::bundle]] virtual double area() const { return 0; }
  [[trace::bundle]] static int count(int N) { return N; }
  [[trace::bundle]] int scaled(int K) &&;
  int Size = 1;
};
struct Square : Shape {
  [[trace::bundle]] double area() const override { return Side * Side; }
  double Side = 2;
};
int Shape::scaled(int K) && { return Size * K; }
}

// CHECK: virtual double area() const {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "geo::Shape::area() const", "geo::Shape::area", __PRETTY_FUNCTION__, "{{.*}}members.cpp", 10u, "", 0u, "", nullptr, 2u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__self(*this);
// A static member has no 'self' and no member flag.
// CHECK: static int count(int N) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "geo::Shape::count(int)", "geo::Shape::count",{{.*}}, nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, N); try {
// CHECK: double area() const override {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "geo::Square::area() const", "geo::Square::area",{{.*}}__trace_call.__self(*this);
// The out-of-line definition inherits the attribute of the declaration.
// CHECK: int Shape::scaled(int K) && {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "geo::Shape::scaled(int) &&", "geo::Shape::scaled", __PRETTY_FUNCTION__, "{{.*}}members.cpp", 19u, "K\0", 1u, "", nullptr, 2u}; {{.*}}__trace_call.__self(*this); __trace_call.__arg(0, K);

// CHECK-CONSISTENT: checked 1 file(s), 4 site(s), 0 param(s)
