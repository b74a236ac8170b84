// -E prints the user's text: the plugin acts only when clang builds an AST,
// so neither the rewrite nor __TRACE_PLUGIN__ reaches preprocessed output.
// RUN: %clangxx_trace -E -P %s | FileCheck %s
// RUN: %clangxx_trace -E -P %s | FileCheck %s --check-prefix=CHECK-NOT-REWRITTEN

#ifdef __TRACE_PLUGIN__
int pluginSeen();
#endif
[[trace::bundle]] int add(int A, int B) { return A + B; }

// CHECK: {{^}}{{.*}}trace::bundle{{.*}} int add(int A, int B) { return A + B; }
// CHECK-NOT-REWRITTEN-NOT: __trace_rt
// CHECK-NOT-REWRITTEN-NOT: pluginSeen
