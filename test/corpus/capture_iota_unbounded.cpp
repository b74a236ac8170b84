// An unbounded view (std::views::iota(1)) passed to a bundle: the program reads its first
// element; recording used to iterate it to the end, which never comes. Containers and views
// show at most TRACE_MAX_ELEMENTS elements (16 by default): a view whose size is known says how
// many were left out (`… +N more`), an unbounded one only that it was cut (`…`).
//
// clang 14 and 15 cannot compile libstdc++ 12's <ranges> (its concepts), with or without the
// plugin; clang 16 can.
// UNSUPPORTED: clang-14, clang-15
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain -std=c++20 %s -o %t/plain
// RUN: %corpus_trace -std=c++20 %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --timeout 30 --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %python %support/tracecheck.py %t/trace.bin graph | FileCheck --check-prefix=VALUE %s

#include <cstdio>
#include <ranges>

/// The first element of an unbounded sequence.
int first(std::ranges::iota_view<int, std::unreachable_sentinel_t> Numbers) {
  return *Numbers.begin();
}

/// The last element of a bounded sequence.
int last(std::ranges::iota_view<int, int> Numbers) { return Numbers.back(); }

int main() {
  std::printf("first %d\n", first(std::views::iota(1)));
  std::printf("last %d\n", last(std::views::iota(1, 100001)));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=2
// CHECK: thread 1
// CHECK-NEXT: first(Numbers=[1, 2, 3, {{.*}}) -> 1
// CHECK-NEXT: last(Numbers=[1, 2, 3, {{.*}}) -> 100000

// VALUE: call first#0 parent=- args=[Numbers=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, …]]
// VALUE: call last#0 parent=- args=[Numbers=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, … +99984 more]]
