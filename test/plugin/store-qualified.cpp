// A store to a variable named through a qualifier keeps that qualifier in
// the inserted text: the bare name is not in scope here (it failed to compile
// with "use of undeclared identifier 'Flag'").
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-print -Werror -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// RUN: %clangxx_trace -fplugin-arg-trace-all %s %trace_ldflags -o %t.exe
// RUN: env TRACE_FILE=%t.bin %t.exe
namespace ns {
int Flag = 3;
struct Holder {
  static int Count;
};
int Holder::Count = 1;
} // namespace ns

int restore() {
  int Saved = ns::Flag;
  ns::Flag = 5;
  // CHECK: ::__trace_rt::__Assign(ns::Flag, Saved, ::__trace_rt::__BindSet), ns::Flag = Saved)
  ns::Flag = Saved;
  int Kept = ns::Holder::Count;
  // CHECK: ::__trace_rt::__Assign(ns::Holder::Count, Kept, ::__trace_rt::__BindSet), ns::Holder::Count = Kept)
  ns::Holder::Count = Kept;
  return ns::Flag + ns::Holder::Count;
}

int main() { return restore() == 4 ? 0 : 1; }
