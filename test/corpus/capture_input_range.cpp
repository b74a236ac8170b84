// A range whose begin() reads a line from a stream (input iterators): iterating it consumes the
// stream, so recording must not (count_lines used to return 0 with the plugin: the argument's
// rendering read the lines first). Input ranges, and C++20 input-only views such as
// std::ranges::istream_view, are recorded by their type's name (docs/runtime.md).
//
// clang 14 and 15 cannot compile libstdc++ 12's <ranges> (its concepts), with or without the
// plugin; clang 16 can.
// UNSUPPORTED: clang-14, clang-15
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain -std=c++17 %s -o %t/plain
// RUN: %corpus_trace -std=c++17 -fplugin-arg-trace-match=^count_ %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck --check-prefixes=CHECK,CXX17 %s < %t/summary
// RUN: %corpus_plain -std=c++20 %s -o %t/plain20
// RUN: %corpus_trace -std=c++20 -fplugin-arg-trace-match=^count_ %s -o %t/traced20 %corpus_ldflags
// RUN: %corpus_check --plain %t/plain20 --traced %t/traced20 --trace %t/trace20.bin --source %s --calls > %t/summary20
// RUN: FileCheck --check-prefixes=CHECK,CXX20 %s < %t/summary20
// RUN: %python %support/tracecheck.py %t/trace20.bin graph | FileCheck --check-prefix=VALUE20 %s

#include <cstdio>
#include <istream>
#include <iterator>
#include <sstream>
#include <string>
#if __cplusplus >= 202002L
#include <ranges>
#endif

/// The lines of a stream, read as they are iterated.
class Lines {
public:
  class iterator {
  public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string *;
    using reference = const std::string &;
    iterator() = default;
    explicit iterator(std::istream &In) : In(&In) { ++*this; }
    const std::string &operator*() const { return Line; }
    iterator &operator++() {
      if (!std::getline(*In, Line))
        In = nullptr;
      return *this;
    }
    bool operator==(const iterator &O) const { return In == O.In; }
    bool operator!=(const iterator &O) const { return In != O.In; }

  private:
    std::istream *In = nullptr;
    std::string Line;
  };
  explicit Lines(std::istream &In) : In(&In) {}
  iterator begin() const { return iterator(*In); }
  iterator end() const { return iterator(); }

private:
  std::istream *In;
};

/// Counts the lines of a stream.
int count_lines(const Lines &L) {
  int N = 0;
  for (const std::string &Line : L)
    N += !Line.empty();
  return N;
}

#if __cplusplus >= 202002L
/// Counts the words of a stream.
int count_words(std::ranges::istream_view<std::string> &Words) {
  int N = 0;
  for (const std::string &W : Words)
    N += !W.empty();
  return N;
}
#endif

int main() {
  std::istringstream In("one\ntwo\nthree\n");
  std::printf("%d lines\n", count_lines(Lines(In)));
#if __cplusplus >= 202002L
  std::istringstream Text("a b c d");
  auto Words = std::views::istream<std::string>(Text);
  std::printf("%d words\n", count_words(Words));
#endif
  return 0;
}

// CXX17: run: exit=0 stdout-lines=1
// CXX20: run: exit=0 stdout-lines=2
// CHECK: thread 1
// CHECK-NEXT: count_lines(L=Lines{...}) -> 3
// CXX20-NEXT: count_words(Words={{.*}}istream_view{{.*}}) -> 4

// VALUE20: call count_lines#0 parent=- args=[L=Lines{...}]
// VALUE20: call count_words#0 parent=- args=[Words={{.*}}istream_view<{{.*}}>{...}]
