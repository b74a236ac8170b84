// Under -fplugin-arg-trace-all, functions defined in the project's headers
// are instrumented too, the same way in every TU: an inline function, the
// members a class body defines, a function template and a member of a class
// template (per instantiation) are one site each, called from both TUs; a
// header's static function or function in an unnamed namespace, copied
// into each TU, is one site as well. A
// header in an excluded folder is left alone: none of its functions is
// recorded.
// The header's functions are all small: min-size=0 lifts the bound on small
// header functions (test/plugin/min-size.cpp tests it), so that every kind
// is seen here.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=0 -fplugin-arg-trace-exclude-dir=%S/Inputs/all-headers/vendor -I%S/Inputs/all-headers %s %S/Inputs/all-headers/other.cpp -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %dump %t.bin > %t.jsonl
// RUN: FileCheck %s < %t.jsonl
// One site per key, none of the vendor header:
// RUN: grep -o '"k":"site","site":[0-9]*,"key":"[^"]*"' %t.jsonl | sed 's/.*"key"/"key"/' | env LC_ALL=C sort > %t.keys
// RUN: FileCheck %s --check-prefix=SITES --match-full-lines < %t.keys
// Under the default bound, the header's small functions are not recorded;
// the functions of the .cpp files are, whatever their size.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-exclude-dir=%S/Inputs/all-headers/vendor -I%S/Inputs/all-headers %s %S/Inputs/all-headers/other.cpp -o %t.bounded %trace_ldflags
// RUN: env TRACE_FILE=%t.bounded.bin %t.bounded
// RUN: %dump %t.bounded.bin | grep -o '"k":"site","site":[0-9]*,"key":"[^"]*"' | sed 's/.*"key"/"key"/' | env LC_ALL=C sort | FileCheck %s --check-prefix=BOUNDED --match-full-lines

#include "project.h"

int main() {
  Counter C;
  C.add(1);
  Box<int> B{1};
  int R = scale(1) + C.get() + twice(1) + B.open() + hidden(1) + unnamed(1) +
          viaOther(1) +
          vendorMul(1) + vendorNeg(1);
  return otherUnit(2) + R > 0 ? 0 : 1;
}

// SITES:      "key":"(anonymous namespace)::unnamed(int)"
// SITES-NEXT: "key":"Box<int>::open() const"
// SITES-NEXT: "key":"Counter::add(int)"
// SITES-NEXT: "key":"Counter::get() const"
// SITES-NEXT: "key":"hidden(int)"
// SITES-NEXT: "key":"otherUnit(int)"
// SITES-NEXT: "key":"scale(int)"
// SITES-NEXT: "key":"sideA(int)"
// SITES-NEXT: "key":"twice<int>(T)"
// SITES-NEXT: "key":"viaOther(int)"
// SITES-EMPTY:

// BOUNDED:      "key":"otherUnit(int)"
// BOUNDED-NEXT: "key":"sideA(int)"
// BOUNDED-EMPTY:

// Each site is recorded once, then called from main's TU (argument 1) and
// from other.cpp (argument 2).
// CHECK-DAG: {"k":"site","site":[[ADD:[0-9]+]],"key":"Counter::add(int)",{{.*}}"file":"{{.*}}all-headers{{/|\\\\}}project.h"
// CHECK-DAG: {"k":"site","site":[[SCALE:[0-9]+]],"key":"scale(int)",
// CHECK-DAG: {"k":"site","site":[[TWICE:[0-9]+]],"key":"twice<int>(T)",
// CHECK-DAG: {"k":"site","site":[[OPEN:[0-9]+]],"key":"Box<int>::open() const",
// CHECK-DAG: {"k":"site","site":[[HIDDEN:[0-9]+]],"key":"hidden(int)",
// CHECK-DAG: {"k":"site","site":[[UNNAMED:[0-9]+]],"key":"(anonymous namespace)::unnamed(int)",
// CHECK-DAG: {"k":"site","site":[[OTHER:[0-9]+]],"key":"otherUnit(int)",
// CHECK: {"k":"call",{{.*}}"site":[[ADD]],{{.*}}"args":[{"name":"X","type":"int","value":"1"
// CHECK: {"k":"call",{{.*}}"site":[[SCALE]],{{.*}}"args":[{"name":"X","type":"int","value":"1"
// CHECK: {"k":"call",{{.*}}"site":[[TWICE]],{{.*}}"args":[{"name":"X","type":"int","value":"1"
// CHECK: {"k":"call",{{.*}}"site":[[OPEN]],
// CHECK: {"k":"call",{{.*}}"site":[[HIDDEN]],{{.*}}"args":[{"name":"X","type":"int","value":"1"
// CHECK: {"k":"call",{{.*}}"site":[[UNNAMED]],{{.*}}"args":[{"name":"X","type":"int","value":"1"
// CHECK: {"k":"call",{{.*}}"site":[[OTHER]],
// CHECK: {"k":"call",{{.*}}"site":[[ADD]],{{.*}}"args":[{"name":"X","type":"int","value":"2"
// CHECK: {"k":"call",{{.*}}"site":[[SCALE]],{{.*}}"args":[{"name":"X","type":"int","value":"2"
// CHECK: {"k":"call",{{.*}}"site":[[TWICE]],{{.*}}"args":[{"name":"X","type":"int","value":"2"
// CHECK: {"k":"call",{{.*}}"site":[[OPEN]],
// CHECK: {"k":"call",{{.*}}"site":[[HIDDEN]],{{.*}}"args":[{"name":"X","type":"int","value":"2"
// CHECK: {"k":"call",{{.*}}"site":[[UNNAMED]],{{.*}}"args":[{"name":"X","type":"int","value":"2"
