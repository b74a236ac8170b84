// Functions whose bodies were sensitive to the move into a lambda (kept in
// place now): a returned by-value parameter is moved implicitly (it would be a copied capture
// otherwise), non-movable results, operators, friends, extern "C", local
// classes, and lambdas returned by value. The program compiles, links and
// runs with the same result as without the plugin.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror %s %trace_ldflags -o %t.exe
// RUN: env TRACE_FILE=%t.trace %t.exe
// RUN: %clangxx_plain -Wno-unknown-attributes %s -o %t.plain.exe
// RUN: %t.plain.exe
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct NoMove {
  NoMove(int) {}
  NoMove(NoMove &&) = delete;
};
[[trace::bundle]] NoMove make(int X) { return NoMove(X); }

[[trace::bundle]] std::unique_ptr<int> own(std::unique_ptr<int> P) { return P; }
// CHECK: std::unique_ptr<int> own(std::unique_ptr<int> P) {{.*}}try {  __TRACE_END  __TRACE_EXPR_BEGIN {__trace_call.__ret(P); __TRACE_EXPR_END return P;}  __TRACE_BEGIN } catch
[[trace::bundle]] std::string copyOf(const std::string &S) { return S; }
// A reference parameter is not moved (nor is it in the original).
// CHECK: std::string copyOf(const std::string &S) {{.*}}__TRACE_EXPR_BEGIN {__trace_call.__ret(S); __TRACE_EXPR_END return S;}
template <class T> [[trace::bundle]] T pass(T V) { return (V); }
// CHECK: T pass(T V) {{.*}}__TRACE_EXPR_BEGIN {__trace_call.__ret((V)); __TRACE_EXPR_END return (V);}

struct V2 {
  int X, Y;
};
[[trace::bundle]] V2 operator+(V2 A, V2 B) { return {A.X + B.X, A.Y + B.Y}; }
// CHECK: V2 operator+(V2 A, V2 B) {{.*}}"operator+(V2, V2)", "operator+"{{.*}}return __TRACE_EXPR_BEGIN ::__trace_rt::__result(__trace_call, [&]() -> V2 { return __TRACE_EXPR_END {A.X + B.X, A.Y + B.Y}; });

[[trace::bundle]] int (&table())[3] {
  static int A[3] = {1, 2, 3};
  return A;
}
// CHECK: int (&table())[3] {{.*}} try { __TRACE_END

extern "C" [[trace::bundle]] int cfun(int X) { return X; }
struct F {
  [[trace::bundle]] friend int peek(const F &Obj) { return Obj.V; }
  int V = 1;
};
[[trace::bundle]] int outer(int X) {
  struct Local {
    [[trace::bundle]] int m(int Y) { return Y; }
  };
  auto L = [&](int Z) { return Local().m(Z) + X; };
  return L(X);
}
// CHECK: int m(int Y) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"outer(int)::Local::m(int)"
[[trace::bundle]] auto adder(int X) { return [X](int Y) { return X + Y; }; }
[[trace::bundle]] std::function<int(int)> times(int X) { return [X](int Y) { return X * Y; }; }
[[trace::bundle]] void thrower(int X) { if (X) throw X; }

int main() {
  NoMove M = make(1);
  (void)M;
  V2 A{1, 2}, B{3, 4};
  V2 C = A + B;
  auto P = own(std::make_unique<int>(3));
  table()[0] = 1;
  F Obj;
  int Q = peek(Obj) + cfun(2) + outer(3) + pass(1) + static_cast<int>(copyOf("ab").size());
  try {
    thrower(1);
  } catch (int) {
  }
  auto G = adder(1);
  int Sum = C.X + *P + Q + G(2) + times(2)(3) + table()[0];
  return Sum == 29 ? 0 : 1;
}

// CHECK-CONSISTENT: checked 1 file(s), 13 site(s), 0 param(s)
