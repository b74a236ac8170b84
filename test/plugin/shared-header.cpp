// A header holding bundles is rewritten in every TU that includes it, the
// same way (a template's Site lists the instantiations the TU makes: here
// both make biggest<int>), and gives the same keys and hashes, also in a TU with no
// annotation of its own (its annotations are found through the includes).
// RUN: %clangxx_trace -I%S/Inputs -fplugin-arg-trace-print -fsyntax-only %s > %t.main
// RUN: %clangxx_trace -I%S/Inputs -fplugin-arg-trace-print -fsyntax-only %S/Inputs/shared-other.cpp > %t.other
// RUN: grep -v -e CHECK -e RUN %t.main | FileCheck %s
// RUN: FileCheck %s --check-prefix=CHECK-OTHER < %t.other
// RUN: %python %S/Inputs/check_rewrite.py < %t.main | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %python %S/Inputs/check_rewrite.py < %t.other | FileCheck %s --check-prefix=CHECK-CONSISTENT
// The header's rewritten text is the same in both TUs.
// RUN: sed -n '\#^//=== trace rewritten: .*/shared.h$#,$p' %t.main > %t.h1
// RUN: sed -n '\#^//=== trace rewritten: .*/shared.h$#,$p' %t.other > %t.h2
// RUN: FileCheck %s --check-prefix=CHECK-HEADER < %t.h1
// RUN: diff %t.h1 %t.h2
// Both TUs link into one program.
// RUN: %clangxx_trace -I%S/Inputs -c -o %t.1.o %s
// RUN: %clangxx_trace -I%S/Inputs -c -o %t.2.o %S/Inputs/shared-other.cpp
#include "shared.h"

int main() {
  int X = 1;
  return lib::biggest(X, 2) + lib::callsJoin(3);
}

// The main file comes first, then the headers.
// CHECK: //=== trace rewritten: {{.*}}shared-header.cpp
// CHECK: return lib::biggest(::__trace_rt::__note(X, 0x[[BIG:[0-9a-f]+]], 0), 2) + lib::callsJoin(3);
// CHECK: //=== trace rewritten: {{.*}}Inputs/shared.h
// CHECK: inline std::string join(const std::string &A, const std::string &B) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{0x[[JOIN:[0-9a-f]+]]ull, "lib::join(const std::string &, const std::string &)", "lib::join", __PRETTY_FUNCTION__, "{{.*}}Inputs/shared.h", 8u, "A\0B\0", 2u, "Joins two words.", nullptr, 0u};
// CHECK: T biggest(T A, T B) {__TRACE_BEGIN static constexpr unsigned __trace_inst = !__builtin_strcmp(__PRETTY_FUNCTION__, "T lib::biggest(T, T) [T = int]") ? 1u : 0u; static ::__trace_rt::__Site __trace_site{__trace_inst == 1u ? 0x[[BIG]]ull : 0x{{[0-9a-f]+}}ull, __trace_inst == 1u ? "lib::biggest<int>(T, T)" : "lib::biggest(T, T)"
// CHECK: inline int callsJoin(int N) { return static_cast<int>(join("a", "b").size()) + biggest(::__trace_rt::__note(N, 0x[[BIG]], 0), 1); }

// CHECK-OTHER: //=== trace rewritten: {{.*}}shared-other.cpp
// CHECK-OTHER: int other(int N) { return lib::biggest(::__trace_rt::__note(N, 0x[[BIG:[0-9a-f]+]], 0), 2) + lib::callsJoin(::__trace_rt::__note(N, 0, 0)); }
// CHECK-OTHER: //=== trace rewritten: {{.*}}Inputs/shared.h
// CHECK-OTHER: __trace_site{0x{{[0-9a-f]+}}ull, "lib::join(const std::string &, const std::string &)"
// CHECK-OTHER: __trace_site{__trace_inst == 1u ? 0x[[BIG]]ull : 0x{{[0-9a-f]+}}ull, __trace_inst == 1u ? "lib::biggest<int>(T, T)" : "lib::biggest(T, T)"

// CHECK-HEADER: {{^}}//=== trace rewritten: {{.*}}/Inputs/shared.h{{$}}
// CHECK-HEADER: biggest(::__trace_rt::__note(N,

// CHECK-CONSISTENT: checked 2 file(s), 2 site(s), 0 param(s)
