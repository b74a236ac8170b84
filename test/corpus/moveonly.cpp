// Move-only and non-copyable types as parameters and return values. Values are rendered without
// copying or moving them: the traced run must make exactly the copies and moves the plain one
// (return_param_move.cpp covers returning a by-value parameter)
// makes (each is printed), including the guaranteed elision of a returned prvalue of a type that can be neither copied nor moved.
//
// Needs c++17: C++17 library types.
// REQUIRES: c++17
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct Counted {
  int V;
  explicit Counted(int V) : V(V) {}
  Counted(const Counted &O) : V(O.V) { std::printf("copy %d\n", V); }
  Counted(Counted &&O) noexcept : V(O.V) {
    std::printf("move %d\n", V);
    O.V = -1;
  }
  Counted &operator=(const Counted &) = delete;
  Counted &operator=(Counted &&) = delete;
};

struct Pinned {
  int V;
  std::mutex M;
  explicit Pinned(int V) : V(V) {}
  Pinned(const Pinned &) = delete;
  Pinned(Pinned &&) = delete;
};

[[trace::bundle]] std::unique_ptr<int> makeBox(int V) { return std::make_unique<int>(V); }
[[trace::bundle]] int unbox(std::unique_ptr<int> P) { return P ? *P : -1; }
// Named return value of a local: elided or moved, never copied.
[[trace::bundle]] Counted makeCounted(int V) {
  Counted C(V);
  C.V += 1;
  return C;
}
// A prvalue of a type with no copy or move constructor: guaranteed elision.
[[trace::bundle]] Pinned makePinned(int V) { return Pinned(V * 2); }
[[trace::bundle]] int readPinned(const Pinned &P) { return P.V; }
[[trace::bundle]] int consumePinned(Pinned P) { return P.V + 1; }
[[trace::bundle]] std::vector<std::string> grow(std::vector<std::string> &&Items) {
  Items.push_back("c");
  return std::move(Items);
}

int main() {
  auto B = makeBox(5);
  std::printf("unbox %d\n", unbox(std::move(B)));
  std::printf("moved-from %d\n", B == nullptr);
  Counted D = makeCounted(8);
  std::printf("makeCounted %d\n", D.V);
  Pinned P = makePinned(21);
  std::printf("pinned %d %d\n", readPinned(P), consumePinned(Pinned(1)));
  std::vector<std::string> Items{"a", "b"};
  auto Grown = grow(std::move(Items));
  std::printf("grown %zu\n", Grown.size());
  return 0;
}

// CHECK: run: exit=0
// Under `all`, the constructors written in the file are nodes too.
// CHECK-DAG: site Counted::Counted key=Counted::Counted(int) calls=1 rets=1
// CHECK-DAG: site Pinned::Pinned key=Pinned::Pinned(int) calls=2 rets=2
// CHECK-DAG: site consumePinned key={{.*}} calls=1 rets=1
// CHECK-DAG: site grow key={{.*}} calls=1 rets=1
// CHECK-DAG: site makeBox key={{.*}} calls=1 rets=1
// CHECK-DAG: site makeCounted key={{.*}} calls=1 rets=1
// CHECK-DAG: site makePinned key={{.*}} calls=1 rets=1
// CHECK-DAG: site readPinned key={{.*}} calls=1 rets=1
// CHECK-DAG: site unbox key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: makeBox(V=5) -> {{.+}}
// CHECK-NEXT: unbox(P={{.+}}) -> 5
// CHECK-NEXT: makeCounted(V=8) -> {{.+}}
// CHECK-NEXT: | Counted::Counted(V=8) -> void
// CHECK-NEXT: makePinned(V=21) -> <not captured>
// CHECK-NEXT: | Pinned::Pinned(V=42) -> void
// CHECK-NEXT: readPinned(P={{.+}}) -> 42
// CHECK-NEXT: Pinned::Pinned(V=1) -> void
// CHECK-NEXT: consumePinned(P={{.+}}) -> 2
// CHECK-NEXT: grow(Items={{.*}}"a", "b"{{.*}}) -> {{.*}}"a", "b", "c"
