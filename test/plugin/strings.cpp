// Everything the plugin writes into string literals stays a valid literal:
// quotes, backslashes, newlines, "??" (a trigraph before C++17), non-ASCII
// bytes and control characters.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -ftrigraphs -Werror -Wtrigraphs -fsyntax-only %s
// RUN: %clangxx_trace -std=c++20 -Werror -fsyntax-only %s

/// Says "hi" \ back\slash ??= and café.
[[trace::bundle]] int quoted(int X) { return X; }
// CHECK: "Says \"hi\" \\ back\\slash ?\?= and café."

[[trace::bundle("tab\there, newline\nthere")]] int described(int X) { return X; }
// CHECK: "tab\there, newline\nthere"

[[trace::trainable]] const char *Message = "a \"quoted\"\tvalue\\n";
// CHECK: "\"a \\\"quoted\\\"\\tvalue\\\\n\""

int use() { return quoted(1) + described(2) + (Message != nullptr); }

// CHECK-CONSISTENT: checked 1 file(s), 2 site(s), 1 param(s)

// C++11 and C++14 are instrumented (and "??=" is a trigraph there); before
// C++11 the TU is compiled as written, with a warning.
// RUN: %clangxx_trace -std=c++11 -Werror -fsyntax-only %s
// RUN: %clangxx_trace -std=c++14 -Werror -fsyntax-only %s
// RUN: %clangxx_trace -std=c++11 -fplugin-arg-trace-print -fsyntax-only %s | FileCheck %s --check-prefix=CHECK-CXX11
// CHECK-CXX11: ::__trace_rt::__Call
// Clang 14 to 16 reject [[...]] under C++03, with or without the plugin; the plugin's warning comes first.
// RUN: %if clang-14 || clang-15 || clang-16 %{ not %} %clangxx_trace -std=c++03 -Dnullptr=0 -Wno-unknown-attributes -Wno-c++11-extensions -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CHECK-CXX03
// CHECK-CXX03: warning: trace plugin: instrumenting needs C++11 or later
