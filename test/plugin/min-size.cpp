// Under -fplugin-arg-trace-all, a function defined in a header with no loop,
// no call of itself and fewer than -fplugin-arg-trace-min-size statements
// (default 6) is left alone: -fplugin-arg-trace-verbose names it with its
// size. A statement from a macro expansion is not counted, so the header is
// rewritten the same way in a TU where the macro makes statements. A
// function of the main file, an annotated function and min-size=0 are not
// bounded.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-print -fplugin-arg-trace-verbose -fsyntax-only -I%S/Inputs/min-size %s > %t.main 2> %t.err
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-print -fsyntax-only -I%S/Inputs/min-size %S/Inputs/min-size/other.cpp > %t.other
// RUN: FileCheck %s --check-prefix=VERBOSE < %t.err
// RUN: sed -n '\#^//=== trace rewritten: .*/sizes.h$#,$p' %t.main > %t.h1
// RUN: sed -n '\#^//=== trace rewritten: .*/sizes.h$#,$p' %t.other > %t.h2
// RUN: FileCheck %s --check-prefix=HEADER < %t.h1
// RUN: diff %t.h1 %t.h2
// RUN: FileCheck %s --check-prefix=MAIN < %t.main
// A bound of 3: five() and six() are recorded, one() and get() are not.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=3 -fplugin-arg-trace-print -fsyntax-only -I%S/Inputs/min-size %s | FileCheck %s --check-prefix=THREE
// No bound.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-min-size=0 -fplugin-arg-trace-print -fsyntax-only -I%S/Inputs/min-size %s | FileCheck %s --check-prefix=NONE
// Without 'all' the bound has nothing to bound: only the annotated function.
// RUN: %clangxx_trace -fplugin-arg-trace-min-size=100 -fplugin-arg-trace-print -fsyntax-only -I%S/Inputs/min-size %s | FileCheck %s --check-prefix=MARKED
// The left-alone functions are no warning.
// RUN: %clangxx_trace -fplugin-arg-trace-all -Werror -fsyntax-only -I%S/Inputs/min-size %s
// RUN: not %clangxx_trace -fplugin-arg-trace-min-size=few -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not %clangxx_trace -fplugin-arg-trace-min-size=-1 -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=BAD

#include "sizes.h"

int tiny(int X) { return X; }

int main() {
  Store S;
  S.set(1);
  return five(S.get()) + six(1) + loop(9) + recurse(2) + small(1) + marked(1) +
                 one(1) + tiny(1) + down(2) >
             0
             ? 0
             : 1;
}

// VERBOSE-DAG: sizes.h:21:12: left alone: 'one' is not instrumented: its body is small (no loop, 1 statement(s), under -fplugin-arg-trace-min-size=6)
// VERBOSE-DAG: sizes.h:25:7: left alone: 'Store::get' is not instrumented: its body is small (no loop, 1 statement(s)
// VERBOSE-DAG: sizes.h:26:8: left alone: 'Store::set' is not instrumented: its body is small (no loop, 1 statement(s)
// VERBOSE-DAG: sizes.h:30:12: left alone: 'five' is not instrumented: its body is small (no loop, 5 statement(s)
// VERBOSE-DAG: sizes.h:61:22: left alone: 'small' is not instrumented: its body is small (no loop, 1 statement(s)
// VERBOSE-NOT: 'six' is not instrumented
// VERBOSE-NOT: 'loop' is not instrumented
// VERBOSE-NOT: 'recurse' is not instrumented
// VERBOSE-NOT: 'down' is not instrumented
// VERBOSE-NOT: 'marked' is not instrumented
// VERBOSE-NOT: 'tiny' is not instrumented

// HEADER: inline int one(int X) { return X + 1; }
// HEADER: int get() const { return V; }
// HEADER: void set(int X) { V = X; }
// HEADER: inline int five(int X) {{{$}}
// HEADER: inline int six(int X) {{[{].+}}"six(int)"
// HEADER: inline int loop(int X) {{[{].+}}"loop(int)"
// HEADER: inline int recurse(int X) {{[{].+}}"recurse(int)"
// HEADER: template <class T> T small(T X) { return X; }
// HEADER: template <class T> T down(T X) {{[{].+}}"down<int>(T)"
// HEADER: inline int marked(int X) {{[{].+}}"marked(int)"

// MAIN: int tiny(int X) {{[{].+}}"tiny(int)"

// THREE-DAG: inline int one(int X) { return X + 1; }
// THREE-DAG: inline int five(int X) {{[{].+}}"five(int)"
// THREE-DAG: inline int six(int X) {{[{].+}}"six(int)"
// THREE-DAG: int get() const { return V; }

// NONE-DAG: inline int one(int X) {{[{].+}}"one(int)"
// NONE-DAG: int get() const {{[{].+}}"Store::get() const"
// NONE-DAG: inline int five(int X) {{[{].+}}"five(int)"
// NONE-DAG: template <class T> T small(T X) {{[{].+}}"small<int>(T)"

// MARKED-NOT: "six(int)"
// MARKED: inline int marked(int X) {{[{].+}}"marked(int)"
// MARKED-NOT: "six(int)"

// BAD: error: trace plugin: option 'min-size' needs a count of statements
