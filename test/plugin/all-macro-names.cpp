// Under 'all', a function whose name comes from a macro but whose braces are
// the user's is a function of the main file like any other and is recorded,
// as an annotated one is. GoogleTest's TEST(Suite, Name) { ... } is written so;
// such bodies were silently left out. A function whose body comes from a
// macro is still left alone (named by the verbose report, no warning).
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-verbose -fplugin-arg-trace-print -Werror -fsyntax-only %s > %t.out 2> %t.err
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: FileCheck %s --check-prefix=VERBOSE < %t.err
// RUN: %clangxx_trace -fplugin-arg-trace-all %s %trace_ldflags -o %t.exe
// RUN: env TRACE_FILE=%t.bin %t.exe | FileCheck %s --check-prefix=OUT
// RUN: %dump %t.bin | FileCheck %s --check-prefix=TRACE
#include <cstdio>

#define TEST_CASE(Suite, Name) static void Suite##_##Name##_body()
#define WHOLE(Name) static int Name() { return 7; }
#define RUN_CASE(Suite, Name) Suite##_##Name##_body()

// CHECK: TEST_CASE(math, adds) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"math_adds_body", {{.*}}::__trace_rt::__Call __trace_call(__trace_site); try {  __TRACE_END  std::printf("%d\n", 1 + 1);  __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END}
TEST_CASE(math, adds) { std::printf("%d\n", 1 + 1); }
// CHECK: WHOLE(seven){{$}}
WHOLE(seven)

int main() {
  RUN_CASE(math, adds);
  return seven() == 7 ? 0 : 1;
}

// VERBOSE: all-macro-names.cpp: 1 bundle(s), 1 left alone,
// VERBOSE: all-macro-names.cpp:21:7: left alone: 'seven' is not instrumented: its body comes from a macro expansion
// OUT: 2
// TRACE: "k":"site",{{.*}}"name":"math_adds_body",{{.*}}"line":19,
// TRACE: "k":"call",
