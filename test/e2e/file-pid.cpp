// TRACE_FILE expands %p to the process id (like LLVM_PROFILE_FILE).
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: rm -rf %t.dir && mkdir -p %t.dir
// RUN: env TRACE_FILE=%t.dir/trace-%%p.bin %t > %t.pid
// RUN: ls %t.dir | FileCheck %s
// RUN: %python -c "import subprocess, sys; pid = open(sys.argv[1]).read().strip(); print(subprocess.run(sys.argv[3:] + [sys.argv[2] + '/trace-' + pid + '.bin'], check=True, capture_output=True, text=True).stdout.splitlines()[0])" %t.pid %t.dir %dump | FileCheck --check-prefix=HEADER %s

#include <cstdio>
#include <unistd.h>

[[trace::bundle]] int f(int x) { return x + 1; }

int main() {
  std::printf("%d\n", static_cast<int>(getpid()));
  return f(1) == 2 ? 0 : 1;
}

// CHECK: trace-{{[0-9]+}}.bin
// HEADER: {"k":"header","format":"trace-cpp","version":1,"pid":{{[0-9]+}}
