// Return types with a leading const: const T &, const T *, const-qualified values. The lambda
// that wraps the body must return exactly the declared type.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <string>
#include <vector>

std::vector<int> Table{10, 20, 30};

[[trace::bundle]] const std::string &longer(const std::string &A, const std::string &B) {
  return A.size() >= B.size() ? A : B;
}
[[trace::bundle]] const int *find(int V) {
  for (const int &X : Table)
    if (X == V)
      return &X;
  return nullptr;
}
[[trace::bundle]] const volatile int &cvRef(const volatile int &X) { return X; }

int main() {
  std::string S1 = "abc", S2 = "de";
  const std::string &L = longer(S1, S2);
  std::printf("longer %s same %d\n", L.c_str(), &L == &S1);
  std::printf("find %d %d\n", *find(20), find(7) == nullptr);
  volatile int V = 4;
  std::printf("cv %d\n", cvRef(V));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=3
// CHECK-DAG: site find key={{.*}} calls=2 rets=2
// CHECK-DAG: site longer key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: longer(A="abc", B="de") -> "abc"
// CHECK-NEXT: find(V=20) -> {{.+}}
