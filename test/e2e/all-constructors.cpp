// Under -fplugin-arg-trace-all, the constructors, destructors and conversion
// functions written in the program are nodes of the graph like its other
// functions: a constructor's body (after its member initializers) makes its
// calls as children, a destructor's too, each with *this. A defaulted one has
// no body of the user's and is not recorded, nor are the small ones of a
// header (the bound on small header functions).
// RUN: %clangxx_trace -fplugin-arg-trace-all -I%S/Inputs %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t > %t.out
// The same program without the plugin prints the same.
// RUN: %clangxx_plain -I%S/Inputs %s -o %t.plain
// RUN: %t.plain > %t.plain.out
// RUN: diff %t.plain.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s --implicit-check-not=Point

#include "all-constructors.h"

#include <cstdio>
#include <string>
#include <vector>

int checksum(const std::vector<int> &V) {
  int S = 0;
  for (int X : V)
    S += X;
  return S;
}

class Ledger {
public:
  explicit Ledger(int N) : Name("ledger") {
    for (int I = 1; I <= N; ++I)
      Entries.push_back(I * I);
    Total = checksum(Entries);
  }
  Ledger(const Ledger &);
  ~Ledger() { std::printf("closing %s with %d\n", Name.c_str(), checksum(Entries)); }
  explicit operator int() const { return Total; }

private:
  int Total = 0;
  std::string Name;
  std::vector<int> Entries;
};

Ledger::Ledger(const Ledger &) = default;

int main() {
  Point P(1, 2);
  {
    Ledger L(3);
    Ledger Copy(L);
    std::printf("total %d %d\n", static_cast<int>(L), P ? 1 : 0);
  }
  return 0;
}

// CHECK: valid
// CHECK-NEXT: call Ledger::Ledger#0 parent=- args=[N=3] this=Ledger{...}
// CHECK-NEXT: call checksum#0 parent=Ledger::Ledger#0 args=[V=[1, 4, 9]]
// CHECK-NEXT: ret checksum#0 value=14
// CHECK-NEXT: ret Ledger::Ledger#0 void
// CHECK-NEXT: call Ledger::operator int#0 parent=- args=[] this=Ledger{...}
// CHECK-NEXT: ret Ledger::operator int#0 value=14
// The copy (made by the defaulted constructor) ends first.
// CHECK-NEXT: call Ledger::~Ledger#0 parent=- args=[] this=Ledger{...}
// CHECK-NEXT: call checksum#1 parent=Ledger::~Ledger#0 args=[V=[1, 4, 9]]
// CHECK-NEXT: ret checksum#1 value=14
// CHECK-NEXT: ret Ledger::~Ledger#0 void
// CHECK-NEXT: call Ledger::~Ledger#1 parent=- args=[] this=Ledger{...}
// CHECK-NEXT: call checksum#2 parent=Ledger::~Ledger#1 args=[V=[1, 4, 9]]
// CHECK-NEXT: ret checksum#2 value=14
// CHECK-NEXT: ret Ledger::~Ledger#1 void
// CHECK-EMPTY:
