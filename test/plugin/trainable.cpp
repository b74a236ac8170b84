// Trainable parameters: the records appended to the main file carry the
// byte range, line and FNV-1a hash of the original text (checked against the
// file by Inputs/check_rewrite.py), and the TU record the cc1 arguments
// without the plugin's own, the output and the dependency file.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -Wall -Wextra -Werror -c -o %t.o -MD -MF %t.d %s
// RUN: %clangxx_trace -fplugin-arg-trace-print -c -o %t.o -MD -MF %t.d %s | FileCheck %s --check-prefix=CHECK-ARGS
#include <string>
#include <vector>

namespace tune {
[[trace::trainable("between 0 and 1")]] double Gain = 0.5;
[[trace::trainable]] std::vector<int> Steps = {1, 2, 3};
[[trace::trainable]] std::string Greeting{"hello \"world\""};
namespace {
[[trace::trainable]] int Hidden = 7;
}
struct Config {
  [[trace::trainable]] static inline int Public = 1;

private:
  [[trace::trainable]] static inline int Private = 2;
};

/// Scales a value.
[[trace::trainable("keep it linear")]] [[nodiscard]] double scale(double X) {
  double Gain = 2; // a local shadowing the trainable: the record reads ::tune::Gain
  return X * Gain * tune::Gain + Hidden;
}
// CHECK: double scale(double X) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x{{[0-9a-f]+}}ull, "tune::scale(double)", "tune::scale", __PRETTY_FUNCTION__, "{{.*}}trainable.cpp", 28u, "X\0", 1u, "Scales a value.", "code:tune::scale(double)", 1u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, X); __trace_call.__global(0x{{[0-9a-f]+}}ull, "var:tune::Gain", ::tune::Gain); __trace_call.__global(0x{{[0-9a-f]+}}ull, "var:tune::(anonymous namespace)::Hidden", ::tune::Hidden); try {

template <class T>
[[trace::trainable]] T clampTo(T V, T Hi) {
  static double Local [[trace::trainable]] = 0.25;
  return V > Hi ? Hi : V + static_cast<T>(Local * 0);
}
}
int use() { return static_cast<int>(tune::scale(1)) + tune::clampTo(1, 2); }

// CHECK: __TRACE_BEGIN static ::__trace_rt::__ParamInfo __trace_param_0{"code:tune::scale(double)", 0u, "tune::scale", "{{.*}}trainable.cpp", 28u, {{[0-9]+}}ull, {{[0-9]+}}ull, "fnv1a64:{{[0-9a-f]+}}", "{{\[\[}}trace::trainable(\"keep it linear\"){{\]\]}} {{\[\[}}nodiscard{{\]\]}} double scale(double X) {\n  double Gain = 2;{{.*}}\n}", "double tune::scale(double X)", "keep it linear", nullptr}; static ::__trace_rt::__Registrar __trace_reg_0(__trace_param_0);
// CHECK-SAME: static ::__trace_rt::__ParamInfo __trace_param_1{"code:tune::clampTo(T, T)", 0u, "tune::clampTo", "{{.*}}", 34u, {{.*}}, "template <class T>\n{{\[\[}}trace::trainable{{\]\]}} T clampTo(T V, T Hi) {\n{{.*}}}", "T tune::clampTo(T V, T Hi)", nullptr, nullptr}; static ::__trace_rt::__Registrar __trace_reg_1(__trace_param_1);
// CHECK-SAME: {"var:tune::Gain", 1u, "tune::Gain", {{.*}}, 14u, {{.*}}, "0.5", nullptr, "between 0 and 1", "double"}; static ::__trace_rt::__Registrar __trace_reg_2(__trace_param_2, ::tune::Gain);
// CHECK-SAME: {"var:tune::Steps", 1u, {{.*}}, "1, 2, 3", nullptr, nullptr, "std::vector<int>"}; static ::__trace_rt::__Registrar __trace_reg_3(__trace_param_3, ::tune::Steps);
// CHECK-SAME: {"var:tune::Greeting", 1u, {{.*}}, "{\"hello \\\"world\\\"\"}", nullptr, nullptr, "std::string"}; static ::__trace_rt::__Registrar __trace_reg_4(__trace_param_4, ::tune::Greeting);
// CHECK-SAME: {"var:tune::(anonymous namespace)::Hidden", {{.*}} "7", {{.*}}(__trace_param_5, ::tune::Hidden);
// CHECK-SAME: {"var:tune::Config::Public", {{.*}} "1", {{.*}}(__trace_param_6, ::tune::Config::Public);
// A private member's value is not reachable from the end of the file.
// CHECK-SAME: {"var:tune::Config::Private", {{.*}} "2", {{.*}} static ::__trace_rt::__Registrar __trace_reg_7(__trace_param_7);
// CHECK-SAME: {"var:tune::clampTo::Local", {{.*}} "0.25", {{.*}} static ::__trace_rt::__Registrar __trace_reg_8(__trace_param_8);
// CHECK-SAME: static ::__trace_rt::__TuInfo __trace_tu{"{{.*}}trainable.cpp", "{{.+}}", "-cc1\000
// CHECK-SAME: static ::__trace_rt::__Registrar __trace_reg_tu(__trace_tu); __TRACE_END{{$}}

// CHECK-ARGS: static ::__trace_rt::__TuInfo __trace_tu{"{{.*}}trainable.cpp", "{{.+}}", "-cc1\000
// CHECK-ARGS-NOT: \000-o\000
// CHECK-ARGS-NOT: -load
// CHECK-ARGS-NOT: plugin
// CHECK-ARGS-NOT: -dependency-file
// CHECK-ARGS-NOT: -MT
// CHECK-ARGS: static ::__trace_rt::__Registrar __trace_reg_tu(__trace_tu); __TRACE_END

// CHECK-CONSISTENT: checked 1 file(s), 2 site(s), 9 param(s)
