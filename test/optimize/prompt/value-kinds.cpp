// Trainable variables of several kinds, as a real run records them, appear in
// #Variables with their C++ types; an enum whose value was rendered without
// enumerator names is shown as written in the source.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: trace-optimize prompt --trace %t.bin | FileCheck %s --match-full-lines

#include <trace/trace.hpp>

#include <string>
#include <vector>

enum class Mode { Slow, Fast };
[[trace::trainable]] std::vector<int> weights = {1, 2};
[[trace::trainable]] Mode mode = Mode::Slow;
[[trace::trainable]] bool flag = true;
[[trace::trainable]] float ratio = 1.5f;
[[trace::trainable]] char sep = 'a';
[[trace::trainable]] std::string label = "abc";

[[trace::bundle]] int use() {
  return weights[0] + (mode == Mode::Fast) + flag + int(ratio) + sep + int(label.size());
}

int main() {
  int r = use();
  trace::feedback(r, "too large");
}

//      CHECK:#Code
// CHECK-NEXT:use0 = use(weights=weights0, mode=mode0, flag=flag0, ratio=ratio0, sep=sep0, label=label0)
//      CHECK:#Variables
// CHECK-NEXT:(std::vector<int>) weights0=[1, 2]
// CHECK-NEXT:(Mode) mode0=Mode::Slow
// CHECK-NEXT:(bool) flag0=true
// CHECK-NEXT:(float) ratio0=1.5
// CHECK-NEXT:(char) sep0='a'
// CHECK-NEXT:(std::string) label0="abc"
//      CHECK:#Outputs
// CHECK-NEXT:(int) use0={{[0-9]+}}
