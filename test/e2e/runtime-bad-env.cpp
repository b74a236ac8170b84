// Bad settings are reported with their cause and the program runs on:
// an unwritable TRACE_FILE, a TRACE_MAX_VALUE that is not a byte count, a
// TRACE_MAX_ELEMENTS of 0.
// RUN: %clangxx_plain %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.missing-dir/trace.bin %t 2>&1 | FileCheck --check-prefix=FILE %s
// RUN: env TRACE_FILE=%t.bin TRACE_MAX_VALUE=12kb %t 2>&1 | FileCheck --check-prefix=MAX %s
// RUN: %dump %t.bin | FileCheck --check-prefix=DEFAULT %s
// RUN: env TRACE_FILE=%t.bin TRACE_MAX_ELEMENTS=0 %t 2>&1 | FileCheck --check-prefix=ELEMENTS %s

#include "trace/abi.hpp"

#include <cstdio>
#include <string>

static std::size_t len(const std::string &s) {
  static ::__trace_rt::__Site __trace_site{0x1ull, "len(const std::string &)", "len", __PRETTY_FUNCTION__, __FILE__, 13, "s\0", 1, "", nullptr, 0u};
  ::__trace_rt::__Call __trace_call(__trace_site);
  __trace_call.__arg(0, s);
  return ::__trace_rt::__invoke(__trace_call, [&]() -> std::size_t { return s.size(); });}

int main() {
  std::printf("len=%zu\n", len(std::string(5000, 'a')));
  return 0;
}

// FILE-DAG: trace: cannot open trace file '{{.*}}.missing-dir/trace.bin': No such file or directory
// FILE-DAG: len=5000

// MAX-DAG: trace: ignoring TRACE_MAX_VALUE='12kb' (expected a byte count from 1 to 67108864); using 256
// MAX-DAG: len=5000
// DEFAULT: "truncated":4744

// ELEMENTS-DAG: trace: ignoring TRACE_MAX_ELEMENTS='0' (expected an element count from 1 to 1048576); using 16
// ELEMENTS-DAG: len=5000
