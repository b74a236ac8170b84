// A `const char *` to the last 16 bytes of a page, with no NUL and a guard page after them. The
// program reads only those 16 bytes; recording must not read further (it used to look for a NUL
// and died of SIGSEGV). The runtime learns that the next page is not readable without touching
// it, so the pointer is recorded as an address; a string that ends before the guard is recorded
// as text (docs/runtime.md, "Values as text").
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %python %support/tracecheck.py %t/trace.bin graph | FileCheck --check-prefix=VALUE %s

#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

/// Sums a fixed-size record of 16 bytes (not a string: no NUL).
int checksum(const char *Record) {
  int Sum = 0;
  for (int I = 0; I < 16; ++I)
    Sum += Record[I];
  return Sum;
}

/// Length of a C string.
std::size_t length(const char *S) { return std::strlen(S); }

int main() {
  long Page = sysconf(_SC_PAGESIZE);
  char *Map = static_cast<char *>(mmap(nullptr, 2 * Page, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (Map == MAP_FAILED || mprotect(Map + Page, Page, PROT_NONE) != 0)
    return 2;
  char *Record = Map + Page - 16;
  std::memset(Record, 'x', 16);
  std::printf("checksum %d\n", checksum(Record));
  std::memcpy(Map + Page - 6, "guard", 6);
  std::printf("length %zu\n", length(Map + Page - 6));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=2
// CHECK-DAG: site checksum key={{.*}} calls=1 rets=1
// CHECK-DAG: site length key={{.*}} calls=1 rets=1
// CHECK: thread 1
// CHECK-NEXT: checksum(Record=0x{{[0-9a-f]+}}) -> 1920
// CHECK-NEXT: length(S="guard") -> 5

// VALUE: call checksum#0 parent=- args=[Record=0x{{[0-9a-f]+}}]
// VALUE: call length#0 parent=- args=[S="guard"]
