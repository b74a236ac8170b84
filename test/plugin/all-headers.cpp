// Under -fplugin-arg-trace-all, a project header is rewritten, with the same
// text in every TU that includes it: its inline functions, in-class members,
// templates and static functions become bundles, and its call to a function
// that only one TU defines (sideA, in other.cpp) carries the same note in
// both. A header under -fplugin-arg-trace-exclude-dir is not rewritten, and
// -fplugin-arg-trace-verbose names it.
// The header's functions are all small: min-size=0 lifts the bound on small
// header functions (test/plugin/min-size.cpp tests it), so that every kind
// is seen here.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=0 -fplugin-arg-trace-exclude-dir=%S/../e2e/Inputs/all-headers/vendor -fplugin-arg-trace-print -fplugin-arg-trace-verbose -fsyntax-only -I%S/../e2e/Inputs/all-headers %S/../e2e/all-headers.cpp > %t.main 2> %t.main.err
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=0 -fplugin-arg-trace-exclude-dir=%S/../e2e/Inputs/all-headers/vendor -fplugin-arg-trace-print -fsyntax-only -I%S/../e2e/Inputs/all-headers %S/../e2e/Inputs/all-headers/other.cpp > %t.other
// RUN: FileCheck %s --check-prefix=FILES < %t.main
// RUN: FileCheck %s --check-prefix=FILES < %t.other
// RUN: FileCheck %s --check-prefix=VERBOSE < %t.main.err
// RUN: %python %S/Inputs/check_rewrite.py < %t.main | FileCheck %s --check-prefix=CONSISTENT
// RUN: %python %S/Inputs/check_rewrite.py < %t.other | FileCheck %s --check-prefix=CONSISTENT
// The header's rewritten text is the same in both TUs.
// RUN: sed -n '\#^//=== trace rewritten: .*/project.h$#,$p' %t.main > %t.h1
// RUN: sed -n '\#^//=== trace rewritten: .*/project.h$#,$p' %t.other > %t.h2
// RUN: FileCheck %s < %t.h1
// RUN: diff %t.h1 %t.h2
// Without the option, the vendor header is a project header like any other.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=0 -fplugin-arg-trace-print -fsyntax-only -I%S/../e2e/Inputs/all-headers %S/../e2e/all-headers.cpp | FileCheck %s --check-prefix=NO-EXCLUDE
// A folder given with a trailing separator or as a relative path is the same folder.
// RUN: cd %S/../e2e/Inputs && %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=0 -fplugin-arg-trace-exclude-dir=all-headers/./vendor/ -fplugin-arg-trace-print -fsyntax-only -Iall-headers %S/../e2e/all-headers.cpp | FileCheck %s --check-prefix=FILES

// FILES: //=== trace rewritten: {{.*}}{{all-headers|other}}.cpp
// FILES-NOT: trace rewritten: {{.*}}vendor.h
// FILES: //=== trace rewritten: {{.*}}all-headers{{/|\\}}project.h
// FILES-NOT: trace rewritten: {{.*}}vendor.h

// VERBOSE: trace plugin: {{.*}}vendor{{/|\\}}vendor.h (under {{.*}}vendor): excluded folder, not rewritten

// CONSISTENT: checked 2 file(s), {{[1-9][0-9]*}} site(s), 0 param(s)

// CHECK: inline int scale(int X) {{[{].+}}"scale(int)"{{.+}}return ::__trace_rt::__retv(__trace_call, 3 * X);
// CHECK: int add(int X) {{[{].+}}"Counter::add(int)"
// CHECK: int get() const {{[{].+}}"Counter::get() const"
// CHECK: template <class T> T twice(T X) {{[{].+}}"twice<int>(T)"{{.+}}return __TRACE_EXPR_END X + X; });
// CHECK: T open() const {{[{].+}}"Box<int>::open() const"
// CHECK: static int hidden(int X) {{[{].+}}"hidden(int)"
// CHECK: int unnamed(int X) {{[{].+}}"(anonymous namespace)::unnamed(int)"
// sideA's definition is in other.cpp only: a wildcard note in both TUs.
// CHECK: inline int viaOther(int X) {{[{].+}}"viaOther(int)"{{.+}}return ::__trace_rt::__retv(__trace_call, sideA({{.*}}X, 0, 0){{.*}}) + scale(

// NO-EXCLUDE: //=== trace rewritten: {{.*}}vendor.h
// NO-EXCLUDE: inline int vendorMul(int X) {{[{].+}}"vendorMul(int)"
