// Explicitly defaulted members defined out of line: Sema makes their bodies,
// whose implicit calls (the members' own moves and copies) carry locations
// in the declaration, such as `noexcept` or `= default`. Call-site edits
// there would break the declaration ("expected function body after function
// declarator"), so such functions get none. Under `all`, with a bundle in
// the same file, the file compiles and runs as without the plugin.
// RUN: %clangxx_trace -fplugin-arg-trace-all -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: FileCheck %s < %t.out
// RUN: %clangxx_trace -fplugin-arg-trace-all -Wall -Wextra -Werror %s %trace_ldflags -o %t.exe
// RUN: env TRACE_FILE=%t.trace %t.exe | FileCheck %s --check-prefix=RUN-OUT
#include <cstdio>
#include <string>
#include <utility>

/// A base of the project: its implicit moves and copies are calls the
/// plugin sees inside View's defaulted members.
struct Result {
  std::string Type;
  int Parts = 0;
};

struct View : Result {
  std::string Text;
  std::string Other;
  View() = default;
  View(View &&) noexcept;
  View &operator=(View &&) noexcept;
  View(const View &);
  View &operator=(const View &);
  ~View();
};

// CHECK: View::View(View &&) noexcept = default;
View::View(View &&) noexcept = default;
// CHECK: View &View::operator=(View &&) noexcept = default;
View &View::operator=(View &&) noexcept = default;
// CHECK: View::View(const View &) = default;
View::View(const View &) = default;
// CHECK: View &View::operator=(const View &) = default;
View &View::operator=(const View &) = default;
// CHECK: View::~View() = default;
View::~View() = default;

/// Joins the two texts.
[[trace::bundle]] std::string joined(View V) { return V.Text + V.Other; }

int main() {
  View A;
  A.Text = "ab";
  A.Other = "cd";
  View B;
  A.Type = "t";
  B = std::move(A);
  View C(B);
  C = B;
  // RUN-OUT: abcd
  std::printf("%s\n", joined(C).c_str());
  return 0;
}
