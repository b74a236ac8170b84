// C varargs and va_list. A function with a C variadic parameter list is recorded (its body stays
// the function's, so va_start works; the named parameters are its arguments); a function that
// takes a va_list (already started by its caller) is an ordinary function and is recorded too;
// va_copy inside a bundle keeps working.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdarg>
#include <cstdio>
#include <string>

[[trace::bundle]] int sumList(int Count, va_list Args) {
  int Total = 0;
  for (int I = 0; I < Count; ++I)
    Total += va_arg(Args, int);
  return Total;
}

[[trace::bundle]] int countTwice(int Count, va_list Args) {
  va_list Copy;
  va_copy(Copy, Args);
  int First = sumList(Count, Copy);
  va_end(Copy);
  return First + sumList(Count, Args);
}

// C varargs: never instrumented, with or without the attribute.
[[trace::bundle]] int sumInts(int Count, ...) {
  va_list Args;
  va_start(Args, Count);
  int Total = countTwice(Count, Args);
  va_end(Args);
  return Total;
}

std::string format(const char *Fmt, ...) {
  char Buf[128];
  va_list Args;
  va_start(Args, Fmt);
  std::vsnprintf(Buf, sizeof Buf, Fmt, Args);
  va_end(Args);
  return Buf;
}

[[trace::bundle]] std::string describe(int A, double B) { return format("%d/%.1f/%s", A, B, "x"); }

extern "C" [[trace::bundle]] int c_style(int N, ...) {
  va_list Args;
  va_start(Args, N);
  int Last = 0;
  while (N-- > 0)
    Last = va_arg(Args, int);
  va_end(Args);
  return Last;
}

int main() {
  std::printf("sum %d\n", sumInts(3, 1, 2, 3));
  std::printf("describe %s\n", describe(4, 2.5).c_str());
  std::printf("c_style %d\n", c_style(2, 8, 9));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=3
// CHECK-DAG: site c_style key=c_style(int, ...) calls=1 rets=1
// CHECK-DAG: site countTwice key={{.*}} calls=1 rets=1
// CHECK-DAG: site describe key={{.*}} calls=1 rets=1
// CHECK-DAG: site format key=format(const char *, ...) calls=1 rets=1
// CHECK-DAG: site sumInts key=sumInts(int, ...) calls=1 rets=1
// CHECK-DAG: site sumList key={{.*}} calls=2 rets=2
// CHECK: thread 1
// CHECK-NEXT: sumInts(Count=3) -> 12
// CHECK-NEXT: | countTwice(Count=3, Args={{.*}}) -> 12
// CHECK-NEXT: | | sumList(Count=3, Args={{.*}}) -> 6
// CHECK-NEXT: | | sumList(Count=3, Args={{.*}}) -> 6
// CHECK-NEXT: describe(A=4, B=2.5) -> "4/2.5/x"
// CHECK-NEXT: | format(Fmt="%d/%.1f/%s") -> "4/2.5/x"
// CHECK-NEXT: c_style(N=2) -> 9
