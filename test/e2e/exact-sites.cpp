// What the trace says about a function is exact: instantiations have their
// own keys, the same in every TU (the header's RunningStats<int>::add is one
// site although both TUs instantiate it), call-site notes find the
// instantiation they call (the `from` edge); doc comments come from any
// declaration; a variadic template's signature has one `...` per pack.
// RUN: %clangxx_trace -I%S/Inputs %s %S/Inputs/exact-sites-other.cpp -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %dump %t.bin > %t.jsonl
// RUN: FileCheck %s < %t.jsonl
// RUN: FileCheck %s --check-prefix=SITES < %t.jsonl
// RUN: FileCheck %s --check-prefix=PARAM < %t.jsonl

#include "running-stats.h"
#include <string>

int sampleCount(int Runs) { return 2 * Runs; }

template <class T, class... Rest>
[[trace::trainable]] std::string fmt(const T &First, const Rest &...Others) {
  return std::to_string(First) + "+" + std::to_string(sizeof...(Others));
}

int main() {
  int Samples = sampleCount(2);
  RunningStats<int> Ints;
  RunningStats<double> Doubles;
  Ints.add(Samples);
  Doubles.add(0.5);
  std::string Text = fmt(1, 2.5, 'c');
  return otherUnit(3) == 6 && Text == "1+2" ? 0 : 1;
}

// SITES-COUNT-1: "key":"RunningStats<int>::add(const T &)"
// SITES-COUNT-1: "key":"RunningStats<double>::add(const T &)"

// CHECK: {"k":"site","site":[[COUNT:[0-9]+]],"key":"sampleCount(int)","name":"sampleCount",{{.*}}"doc":"Counts the samples of a run.","param":null}
// CHECK: {"k":"site","site":[[INTS:[0-9]+]],"key":"RunningStats<int>::add(const T &)","name":"RunningStats::add","signature":"T RunningStats<int>::add(const T &) [T = int]",{{.*}}"doc":"Adds one sample to the sum.","param":null}
// CHECK: {"k":"site","site":[[DOUBLES:[0-9]+]],"key":"RunningStats<double>::add(const T &)","name":"RunningStats::add","signature":"T RunningStats<double>::add(const T &) [T = double]",{{.*}}"doc":"Adds one sample to the sum.","param":null}
// CHECK: {"k":"site","site":[[FMT:[0-9]+]],"key":"fmt<int, double, char>(const T &, const Rest &...)","name":"fmt",{{.*}}"param":"code:fmt(const T &, const Rest &...)"}
// CHECK: {"k":"call","node":[[MAIN_COUNT:[0-9]+]],"site":[[COUNT]],
// CHECK: {"k":"call",{{.*}}"site":[[INTS]],{{.*}}"args":[{"name":"X","type":"int","value":"4","from":[[MAIN_COUNT]]}]
// CHECK: {"k":"call",{{.*}}"site":[[DOUBLES]],{{.*}}"args":[{"name":"X","type":"double","value":"0.5"}]
// CHECK: {"k":"call",{{.*}}"site":[[FMT]],
// CHECK: {"k":"call","node":[[OTHER_COUNT:[0-9]+]],"site":[[COUNT]],
// CHECK: {"k":"call",{{.*}}"site":[[INTS]],{{.*}}"args":[{"name":"X","type":"int","value":"6","from":[[OTHER_COUNT]]}]

// PARAM: {"k":"param","id":"code:fmt(const T &, const Rest &...)","kind":"code","name":"fmt",{{.*}}"signature":"std::string fmt(const T &First, const Rest &...Others)"
