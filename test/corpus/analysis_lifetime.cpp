// The lifetime warnings (-Wreturn-stack-address, -Wdangling, -Wdangling-gsl)
// see the user's returns: returning the address of a local, a reference to a
// temporary or a view of a local string is reported the same way with the
// plugin (all functions instrumented), and correct code builds under
// -Werror.
// Needs c++17: std::string_view.
// REQUIRES: c++17
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all --expect-clean -- -std=%trace_std -Werror -Wreturn-stack-address -Wdangling -Wdangling-gsl %s
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all -- -std=%trace_std -Wreturn-stack-address -Wdangling -Wdangling-gsl -DWRONG %s | FileCheck %s --check-prefix=WRONG
// WRONG: plain: exit=0 diagnostics=5
// WRONG-DAG: address of stack memory associated with local variable 'X' returned
// WRONG-DAG: reference to stack memory associated with local variable 'Y' returned
// WRONG-DAG: returning reference to local temporary object
// WRONG-DAG: address of stack memory associated with local variable 'S' returned
// WRONG-DAG: object backing the pointer will be destroyed at the end of the full-expression
// WRONG: same
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>
#include <string>
#include <string_view>

static int Kept = 7;

int *keptAddress() { return &Kept; }
const int &larger(const int &A, const int &B) { return A < B ? B : A; }
std::string_view prefix(std::string_view S) { return S.substr(0, 2); }

#ifdef WRONG
int *localAddress() {
  int X = 1;
  return &X;
}
int &localRef() {
  int Y = 2;
  return Y;
}
const int &temporary() { return 3; }
std::string_view localView() {
  std::string S = "abc";
  return S;
}
std::size_t dangling() {
  std::string_view V = std::string("temporary");
  return V.size();
}
#endif

int main() {
  int A = 1, B = 2;
  std::printf("%d %d %s\n", *keptAddress(), larger(A, B),
              std::string(prefix("hello")).c_str());
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site keptAddress key={{.*}} calls=1 rets=1
// CHECK-DAG: site larger key={{.*}} calls=1 rets=1
// CHECK-DAG: site prefix key={{.*}} calls=1 rets=1
