// References to arrays and function pointers, as parameters and as return types, plus pointers
// to members and arrays passed as plain variables at call sites. Return types written in
// declarator syntax (rowOf, pick) or as a trailing type (rowRef) are recorded too: the wrapping
// lambda spells the type clang prints.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>

int Grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
int Row[3] = {7, 8, 9};

[[trace::bundle]] int sumRow(const int (&R)[3]) {
  int S = 0;
  for (int X : R)
    S += X;
  return S;
}
template <std::size_t N> [[trace::bundle]] std::size_t length(const char (&)[N]) { return N - 1; }
[[trace::bundle]] int corner(int (*G)[3]) { return G[1][2]; }
[[trace::bundle]] int (&rowOf(int I))[3] { return Grid[I]; }
[[trace::bundle]] auto rowRef(int I) -> int (&)[3] { return Grid[I]; }

[[trace::bundle]] int twice(int X) { return 2 * X; }
[[trace::bundle]] int negate(int X) { return -X; }
[[trace::bundle]] int apply(int (*F)(int), int X) { return F(X); }
[[trace::bundle]] int applyRef(int (&F)(int), int X) { return F(X); }
[[trace::bundle]] int (*pick(bool Neg))(int) { return Neg ? negate : twice; }
using Op = int (*)(int);
[[trace::bundle]] Op pickAlias(bool Neg) { return Neg ? &negate : &twice; }
[[trace::bundle]] int compose(Op F, Op G, int X) { return F(G(X)); }

struct Account {
  int Balance = 10;
  [[trace::bundle]] int get() const { return Balance; }
};
[[trace::bundle]] int readMember(const Account &A, int Account::*Field) { return A.*Field; }
[[trace::bundle]] int callMember(const Account &A, int (Account::*Fn)() const) { return (A.*Fn)(); }

int main() {
  std::printf("sumRow %d %d\n", sumRow(Row), sumRow(Grid[1]));
  std::printf("length %zu\n", length("hello"));
  std::printf("corner %d\n", corner(Grid));
  rowOf(0)[1] = 20;
  std::printf("rowOf %d rowRef %d\n", Grid[0][1], rowRef(1)[0]);
  int (*F)(int) = twice;
  std::printf("apply %d %d\n", apply(F, 4), applyRef(negate, 4));
  std::printf("pick %d %d\n", pick(true)(3), pickAlias(false)(3));
  std::printf("compose %d\n", compose(negate, F, 5));
  Account A;
  std::printf("member %d %d\n", readMember(A, &Account::Balance), callMember(A, &Account::get));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=8
// CHECK-DAG: site Account::get key={{.*}} calls=1
// CHECK-DAG: site apply key={{.*}} calls=1
// CHECK-DAG: site applyRef key={{.*}} calls=1
// CHECK-DAG: site callMember key={{.*}} calls=1
// CHECK-DAG: site compose key={{.*}} calls=1
// CHECK-DAG: site corner key={{.*}} calls=1
// CHECK-DAG: site length key={{.*}} calls=1
// CHECK-DAG: site negate key={{.*}} calls=3
// CHECK-DAG: site pick key=pick(bool) calls=1
// CHECK-DAG: site pickAlias key={{.*}} calls=1
// CHECK-DAG: site rowOf key=rowOf(int) calls=1
// CHECK-DAG: site rowRef key=rowRef(int) calls=1
// CHECK-DAG: site readMember key={{.*}} calls=1
// CHECK-DAG: site sumRow key={{.*}} calls=2
// CHECK-DAG: site twice key={{.*}} calls=3
// CHECK: thread 1
// CHECK-NEXT: sumRow(R={{.*}}7, 8, 9{{.*}}) -> 24
// CHECK-NEXT: sumRow(R={{.*}}4, 5, 6{{.*}}) -> 15
// CHECK-NEXT: length({{.*}}) -> 5
// CHECK-NEXT: corner(G={{.*}}) -> 6
// CHECK-NEXT: rowOf(I=0) -> [1, 2, 3]
// CHECK-NEXT: rowRef(I=1) -> [4, 5, 6]
// CHECK-NEXT: apply(F={{.*}}, X=4) -> 8
// CHECK-NEXT: | twice(X=4) -> 8
// CHECK-NEXT: applyRef(F={{.*}}, X=4) -> -4
// CHECK-NEXT: | negate(X=4) -> -4
// CHECK-NEXT: pick(Neg=true) -> 0x{{[0-9a-f]+}}
// CHECK-NEXT: negate(X=3) -> -3
// CHECK:      compose(F={{.*}}, G={{.*}}, X=5) -> -10
// CHECK-NEXT: | twice(X=5) -> 10
// CHECK-NEXT: | negate(X=10) -> -10
// CHECK-NEXT: readMember(A={{.*}}, Field={{.*}}) -> 10
// CHECK-NEXT: callMember(A={{.*}}, Fn={{.*}}) -> 10
// CHECK-NEXT: | Account::get() -> 10
