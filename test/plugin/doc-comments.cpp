// The description of a bundle is the doc comment of any of its declarations:
// the definition's own first, then the others (a member declared in its
// class and defined outside it, a function declared in a header and defined
// here).
// RUN: %clangxx_trace -I%S/Inputs -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %python %S/Inputs/check_rewrite.py < %t.out | FileCheck %s --check-prefix=CHECK-CONSISTENT
// RUN: %clangxx_trace -I%S/Inputs -Wall -Wextra -Werror -c -o %t.o %s
#include "doc-decls.h"

struct Account {
  /// Adds to the balance.
  [[trace::bundle]] int deposit(int Amount);
  /// Declared with this comment...
  [[trace::bundle]] int withdraw(int Amount);
  /// Only in the class.
  template <class T> [[trace::bundle]] T convert(T Rate) const;
  int Balance = 0;
};

template <class T> struct Ledger {
  /// Records one entry of a ledger.
  [[trace::bundle]] T record(T Entry);
};

int Account::deposit(int Amount) { return Balance += Amount; }
// CHECK: int Account::deposit(int Amount) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"Amount\0", 1u, "Adds to the balance.", nullptr, 2u};

/// ...and defined with this one, which wins.
int Account::withdraw(int Amount) { return Balance -= Amount; }
// CHECK: int Account::withdraw(int Amount) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"Amount\0", 1u, "...and defined with this one, which wins.", nullptr, 2u};

template <class T> T Account::convert(T Rate) const { return Rate * Balance; }
// CHECK: template <class T> T Account::convert(T Rate) const {__TRACE_BEGIN static {{.*}}"Rate\0", 1u, "Only in the class.", nullptr, 2u};

template <class T> T Ledger<T>::record(T Entry) { return Entry; }
// CHECK: template <class T> T Ledger<T>::record(T Entry) {{.*}}"Entry\0", 1u, "Records one entry of a ledger.", nullptr, 2u};

double scale(double X) { return 2 * X; }
// CHECK: double scale(double X) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"X\0", 1u, "Scales a value by the gain.", nullptr, 0u};

// The attribute may sit on the definition only; the comment is the header's.
[[trace::bundle]] int countWords(const char *Line) { return Line[0] ? 1 : 0; }
// CHECK: int countWords(const char *Line) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"Line\0", 1u, "Counts the words of a line.", nullptr, 0u};

int text::join(int A, int B) { return A + B; }
// CHECK: int text::join(int A, int B) {__TRACE_BEGIN static ::__trace_rt::__Site __trace_site{{.*}}"A\0B\0", 2u, "Joins two words.", nullptr, 0u};

int use() {
  Account Acc;
  Ledger<int> L;
  return Acc.deposit(1) + Acc.withdraw(1) + Acc.convert(2) + L.record(3) +
         int(scale(1.0)) + countWords("a") + text::join(1, 2);
}

// CHECK-CONSISTENT: checked 1 file(s), 7 site(s), 0 param(s)
