// Plugin options: 'all' makes every function defined in the main file a
// bundle (same skip rules, no warning for what it skips), 'match' and
// 'exclude' filter by qualified name; an unknown option is an error.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-print -fsyntax-only %s > %t.all
// RUN: grep -v -e CHECK -e RUN %t.all | FileCheck %s --check-prefix=CHECK-ALL
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-match=^app:: -fplugin-arg-trace-print -fsyntax-only %s > %t.match
// RUN: grep -v -e CHECK -e RUN %t.match | FileCheck %s --check-prefix=CHECK-MATCH
// RUN: %clangxx_trace -fplugin-arg-trace-exclude=annotated -fplugin-arg-trace-print -fsyntax-only %s | count 0
// RUN: %clangxx_trace -fplugin-arg-trace-all -Werror -fsyntax-only %s
// RUN: not %clangxx_trace -fplugin-arg-trace-bogus -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CHECK-BAD
// RUN: not %clangxx_trace -fplugin-arg-trace-match=( -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CHECK-BADRE
// RUN: not %clangxx_trace -fplugin-arg-trace-match -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CHECK-NOVALUE

namespace app {
int helper(int X) { return X + 1; }
constexpr int constant() { return 1; }
struct Thing {
  int get() const { return V; }
  int V = 0;
};
}
int other(int X) { return app::helper(X); }
[[trace::bundle]] int annotated(int X) { return X; }
int main() { return other(1) + annotated(2) + app::constant(); }

// CHECK-ALL: int helper(int X) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"app::helper(int)"
// CHECK-ALL: constexpr int constant() { return 1; }
// CHECK-ALL: int get() const {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"app::Thing::get() const"
// CHECK-ALL: int other(int X) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"other(int)"{{.*}}app::helper(::__trace_rt::__note(X,
// CHECK-ALL: int annotated(int X) {__TRACE_BEGIN static ::__trace_rt::__Site
// main() is never instrumented.
// CHECK-ALL: int main() { return other(1) + annotated(2) + app::constant(); }

// CHECK-MATCH: int helper(int X) {__TRACE_BEGIN static ::__trace_rt::__Site
// CHECK-MATCH: int get() const {__TRACE_BEGIN static ::__trace_rt::__Site
// CHECK-MATCH: int other(int X) { return app::helper(::__trace_rt::__note(X,
// An annotated function is a bundle whatever 'match' says.
// CHECK-MATCH: int annotated(int X) {__TRACE_BEGIN static ::__trace_rt::__Site

// CHECK-BAD: error: trace plugin: unknown option 'bogus'; known options:
// CHECK-BAD: -fplugin-arg-trace-print
// CHECK-BADRE: error: trace plugin: invalid regular expression '(':
// CHECK-NOVALUE: error: trace plugin: option 'match' needs a value
