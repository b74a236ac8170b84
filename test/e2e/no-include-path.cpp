// The plugin's inserted code includes the runtime's headers by their own
// path: a file that includes nothing of Trace for C++ builds without
// -I<runtime/include>, and its calls are recorded.
// RUN: %clangxx -std=%trace_std -fplugin=%trace_plugin %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %dump %t.bin | FileCheck %s

/// Adds one.
[[trace::bundle]] int inc(int x) { return x + 1; }

int main() { return inc(41) == 42 ? 0 : 1; }

// CHECK: {"k":"call",{{.*}}"args":[{"name":"x","type":"int","value":"41"}]}
// CHECK: {"k":"ret",{{.*}}"type":"int","value":"42"}
// CHECK: {"k":"end","nodes":1,"dropped":0}
