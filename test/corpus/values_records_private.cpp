// Under -fplugin-arg-trace-private-fields, bundles of the main file render the private and
// protected fields of the records they record, even where they may not name them: an explicit
// instantiation appended at the end of the file, which the access rules exempt, hands out the
// member pointer. A private field whose type the bundle cannot name stays counted (`+1 private`).
// Without the option, the same free function shows only what it may read.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace -fplugin-arg-trace-private-fields %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %dump %t/trace.bin | FileCheck --check-prefix=JSON %s
// RUN: %corpus_trace %s -o %t/traced-default %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced-default --trace %t/default.bin --source %s --calls > %t/default
// RUN: FileCheck --check-prefix=DEFAULT %s < %t/default

#include <cstdio>

namespace bank {
class Account {
public:
  Account(int Id, long Balance) : id(Id), balance(Balance), owner("ada") {}
  int id;

protected:
  const char *owner;

private:
  struct Audit {
    int checks;
  };
  long balance;
  Audit audit{2};
  const Account *next = nullptr;
};
} // namespace bank

/// Neither member nor friend of Account.
int accountId(const bank::Account &A) { return A.id; }

int main() {
  bank::Account A(7, 50);
  std::printf("%d\n", accountId(A));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK: accountId(A={id: 7, owner: "ada", balance: 50, next: nullptr, +1 private{{.*}}) -> 7
// JSON: "name":"A","type":"bank::Account","value":"{id: 7, owner: \"ada\", balance: 50, next: nullptr, +1 private}"
// DEFAULT: accountId(A={id: 7, +4 private}) -> 7
