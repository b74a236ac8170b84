// A trainable function's recorded signature is its declaration as written:
// one `...` per parameter pack (by value, by reference, forwarding, unnamed),
// the name inside a declarator (a function pointer), a final `...` for C
// varargs. The key keeps the pack's type as clang prints it, with one `...`.
// RUN: %clangxx_trace -fplugin-arg-trace-no-warn-skipped -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: grep -v -e CHECK -e RUN %t.out | not grep -F '....'
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -fplugin-arg-trace-no-warn-skipped -Wall -Wextra -Werror -c -o %t.o %s
#include <string>
#include <utility>

template <class T, class... Rest>
[[trace::trainable]] std::string fmt(const T &, const Rest &...rest) {
  return std::to_string(sizeof...(rest));
}
template <class... Ts> [[trace::trainable]] int byValue(Ts... Vals) {
  return static_cast<int>(sizeof...(Vals));
}
template <class... Args> [[trace::trainable]] int forward(Args &&...Xs) {
  return byValue(std::forward<Args>(Xs)...);
}
template <class... Ts> [[trace::trainable]] int unnamed(int N, const Ts &...) {
  return N;
}
[[trace::trainable]] int callback(int (*Fn)(int), int X) { return Fn(X); }
// C varargs are left alone as bundles, but the text is still a parameter.
[[trace::trainable]] int sum(int Count, ...) { return Count; }

int twice(int X) { return 2 * X; }
int use() {
  int I = 1;
  return static_cast<int>(fmt(1, 2.0, 'c').size()) + byValue(1, 2) +
         forward(I, 3) + unnamed(1, 2, "x") + callback(twice, 2) + sum(0);
}

// CHECK: __TRACE_BEGIN static ::__trace_rt::__ParamInfo __trace_param_0{"code:fmt(const T &, const Rest &...)", {{.*}}, "std::string fmt(const T &, const Rest &...rest)", nullptr, nullptr};
// CHECK-SAME: static ::__trace_rt::__ParamInfo __trace_param_1{"code:byValue(Ts...)", {{.*}}, "int byValue(Ts ...Vals)", nullptr, nullptr};
// CHECK-SAME: static ::__trace_rt::__ParamInfo __trace_param_2{"code:forward(Args &&...)", {{.*}}, "int forward(Args &&...Xs)", nullptr, nullptr};
// CHECK-SAME: static ::__trace_rt::__ParamInfo __trace_param_3{"code:unnamed(int, const Ts &...)", {{.*}}, "int unnamed(int N, const Ts &...)", nullptr, nullptr};
// CHECK-SAME: static ::__trace_rt::__ParamInfo __trace_param_4{"code:callback(int (*)(int), int)", {{.*}}, "int callback(int (*Fn)(int), int X)", nullptr, nullptr};
// CHECK-SAME: static ::__trace_rt::__ParamInfo __trace_param_5{"code:sum(int, ...)", {{.*}}, "int sum(int Count, ...)", nullptr, nullptr};

// CHECK-CONSISTENT: checked 1 file(s), 6 site(s), 6 param(s)
