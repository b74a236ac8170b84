// A TU with no annotation anywhere is not rewritten and skips the nested
// parse; __TRACE_PLUGIN__ is still defined.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s | count 0
// RUN: %clangxx_trace -fplugin-arg-trace-verbose -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: %clangxx_plain -fsyntax-only -DNO_PLUGIN %s
#include <vector>

#if !defined(__TRACE_PLUGIN__) && !defined(NO_PLUGIN)
#error "__TRACE_PLUGIN__ is not defined"
#endif
#if defined(__TRACE_PLUGIN__) && defined(NO_PLUGIN)
#error "__TRACE_PLUGIN__ is defined without the plugin"
#endif

// The word trace alone, or trace::other, is not an annotation.
int identity(int trace) { return trace; }
namespace trace { int other(int X) { return X; } }
int use(std::vector<int> &V) { return identity(static_cast<int>(V.size())) + trace::other(1); }

// CHECK: trace plugin: {{.*}}no-annotation.cpp: no annotation, not rewritten
