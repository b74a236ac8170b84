// A range of chars as two pointers, over a std::vector<char> without NUL, built with
// AddressSanitizer. `Last` is one past the end: the program never reads it, and recording must
// not either (it used to look for a NUL and ASan reported a heap-buffer-overflow in
// Call::capture). Under ASan the runtime stops at poisoned bytes: `First` reaches the end of the
// buffer before a NUL, so both are recorded as addresses; a buffer longer than the value limit
// shows its first bytes, cut (`"555…"…`) (docs/runtime.md, "Values as text").
//
// Needs c++17: std::string_view.
// REQUIRES: c++17
// REQUIRES: asan
// RUN: rm -rf %t && mkdir -p %t/rt
// RUN: %corpus_plain -fsanitize=address -g %s -o %t/plain
// RUN: %corpus_trace -fsanitize=address -g %s -o %t/traced %corpus_ldflags
// RUN: env ASAN_OPTIONS=halt_on_error=1:detect_leaks=0 %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %python %support/tracecheck.py %t/trace.bin graph | FileCheck --check-prefix=VALUE %s
// The runtime built with AddressSanitizer too, so its own reads are checked as well.
// RUN: cd %t/rt && %clangxx -std=c++17 -fsanitize=address -g -O1 -I%trace_include -c %trace_src/runtime/lib/*.cpp
// RUN: %corpus_trace -fsanitize=address -g %s %t/rt/*.o -o %t/traced-rt -lpthread
// RUN: env ASAN_OPTIONS=halt_on_error=1:detect_leaks=0 %corpus_check --plain %t/plain --traced %t/traced-rt --trace %t/trace-rt.bin --source %s --calls > %t/summary-rt
// RUN: FileCheck %s < %t/summary-rt

#include <cstdio>
#include <string_view>
#include <vector>

/// Counts the digits in [First, Last).
int digits(const char *First, const char *Last) {
  int N = 0;
  for (; First != Last; ++First)
    N += *First >= '0' && *First <= '9';
  return N;
}

int main() {
  std::string_view Text = "4a2b7";
  std::vector<char> Buf(Text.begin(), Text.end());
  std::printf("%d digits\n", digits(Buf.data(), Buf.data() + Buf.size()));
  std::vector<char> Long(1000, '5');
  std::printf("%d digits\n", digits(Long.data(), Long.data() + Long.size()));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=2
// CHECK: thread 1
// CHECK-NEXT: digits(First=0x{{[0-9a-f]+}}, Last=0x{{[0-9a-f]+}}) -> 3
// CHECK-NEXT: digits(First="5555{{.*}}, Last=0x{{[0-9a-f]+}}) -> 1000

// VALUE: call digits#0 parent=- args=[First=0x{{[0-9a-f]+}}, Last=0x{{[0-9a-f]+}}]
// VALUE: call digits#1 parent=- args=[First="{{5+}}"…, Last=0x{{[0-9a-f]+}}]
