// A run that dies abnormally still leaves a trace with every call recorded
// before the crash: on SIGABRT, SIGSEGV (and SIGBUS, SIGILL, SIGFPE) and on
// _exit/_Exit the runtime writes the queue and the dying thread's records,
// whole lines only, and no `end` record, so readers see the run was cut
// short. The program still dies of its signal or exits with its status.
// RUN: %clangxx_plain -D__TRACE_PLUGIN__ %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.abort.bin not --crash %t abort
// RUN: %python %support/tracecheck.py %t.abort.bin graph | FileCheck %s
// RUN: not %python %support/tracecheck.py %t.abort.bin validate | FileCheck --check-prefix=INVALID %s
// (AddressSanitizer would take SIGSEGV itself and exit instead of crashing.)
// RUN: env TRACE_FILE=%t.segv.bin ASAN_OPTIONS=handle_segv=0 not --crash %t segv
// RUN: %python %support/tracecheck.py %t.segv.bin graph | FileCheck %s
// RUN: env TRACE_FILE=%t.exit.bin %python -c "import subprocess as s, sys; sys.exit(s.call(sys.argv[1:]) != 3)" %t _exit
// RUN: %python %support/tracecheck.py %t.exit.bin graph | FileCheck %s
// RUN: env TRACE_FILE=%t.Exit.bin %python -c "import subprocess as s, sys; sys.exit(s.call(sys.argv[1:]) != 3)" %t _Exit
// RUN: %python %support/tracecheck.py %t.Exit.bin graph | FileCheck %s
//
// Many chunks' worth of calls: the queue of the writer thread is written too.
// RUN: env TRACE_FILE=%t.many.bin not --crash %t many
// RUN: %python %support/tracecheck.py %t.many.bin summary | FileCheck --check-prefix=MANY %s
//
// The program's own handler wins (here it ends the run with _exit(4), which
// writes the records); TRACE_CRASH_FLUSH=0 turns the feature off.
// RUN: env TRACE_FILE=%t.own.bin %python -c "import subprocess as s, sys; sys.exit(s.call(sys.argv[1:]) != 4)" %t own-handler
// RUN: %python %support/tracecheck.py %t.own.bin graph | FileCheck %s
// RUN: env TRACE_FILE=%t.off.bin TRACE_CRASH_FLUSH=0 not --crash %t abort
// RUN: %python %support/tracecheck.py %t.off.bin graph | FileCheck --check-prefix=FLUSHED %s

#include "trace/abi.hpp"
#include "trace/trace.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

static int f(int x) {
  static ::__trace_rt::__Site __trace_site{0x1ull, "f(int)", "f", __PRETTY_FUNCTION__, __FILE__, 35, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, x);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> int { return x + 1; });}

static void ownHandler(int) { _exit(4); }

int main(int argc, char **argv) {
  const char *Mode = argc > 1 ? argv[1] : "";
  if (!std::strcmp(Mode, "own-handler"))
    std::signal(SIGABRT, ownHandler);
  f(1);
  trace::flush();
  if (!std::strcmp(Mode, "many")) {
    for (int I = 0; I < 300000; ++I)
      f(I);
    std::abort();
  }
  f(2);
  if (!std::strcmp(Mode, "abort") || !std::strcmp(Mode, "own-handler"))
    std::abort();
  if (!std::strcmp(Mode, "segv"))
    std::raise(SIGSEGV);
  if (!std::strcmp(Mode, "_exit"))
    _exit(3);
  if (!std::strcmp(Mode, "_Exit"))
    _Exit(3);
  return 0;
}

// CHECK: call f#0 parent=- args=[x=1]
// CHECK-NEXT: ret f#0 value=2
// CHECK-NEXT: call f#1 parent=- args=[x=2]
// CHECK-NEXT: ret f#1 value=3
// CHECK-EMPTY:
// INVALID: problem: no end record as the last line

// MANY: calls f 300001
// MANY: nodes 300001

// FLUSHED: call f#0 parent=- args=[x=1]
// FLUSHED-NEXT: ret f#0 value=2
// FLUSHED-EMPTY:
