// The reference's strange-sort example, ported: a trainable strange_sort_list
// (wrong: a plain sort) is checked by a bundle eq against the expected list, for
// several test cases; each case's feedback is on eq's result, as the reference
// calls backward on `test_output.eq(expected)`.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: trace-optimize prompt --trace %t.bin 2> %t.err | FileCheck %s --match-full-lines
// RUN: count 0 < %t.err
// The same cases with the feedback on strange_sort_list's output: eq's results
// lead to no feedback, so eq is left out.
// RUN: %clangxx_trace -DFEEDBACK_ON_OUTPUT %s -o %t.out %trace_ldflags
// RUN: env TRACE_FILE=%t.out.bin %t.out
// RUN: trace-optimize prompt --trace %t.out.bin 2> %t.out.err | FileCheck %s --check-prefix=OUT --match-full-lines
// RUN: count 0 < %t.out.err

#include <trace/trace.hpp>

#include <algorithm>
#include <string>
#include <vector>

/// Given a list of integers, returns it in strange order: the minimum value,
/// then the maximum of the remaining integers, then the minimum, and so on.
[[trace::trainable]] std::vector<int> strange_sort_list(std::vector<int> lst) {
  std::sort(lst.begin(), lst.end());
  return lst;
}

/// Whether the output equals the expected list.
[[trace::bundle]] bool eq(const std::vector<int> &output, const std::vector<int> &expected) {
  return output == expected;
}

int main() {
  struct Case {
    std::vector<int> input, expected;
  };
  const Case cases[] = {{{1, 2, 3, 4}, {1, 4, 2, 3}},
                        {{5, 5, 5, 5}, {5, 5, 5, 5}},
                        {{9, 3, 7}, {3, 9, 7}}};
  for (const Case &c : cases) {
    std::vector<int> test_output = strange_sort_list(c.input);
    bool correctness = eq(test_output, c.expected);
#ifndef FEEDBACK_ON_OUTPUT
    trace::feedback(correctness, correctness ? "test case passed!" : "test case failed!");
#else
    trace::feedback(test_output, correctness ? "test case passed!" : "test case failed!");
#endif
  }
  return 0;
}

// Each case is one eq call fed by one strange_sort_list call: the output is
// eq's argument `output`, the expected list an input.
//      CHECK:#Code
// CHECK-NEXT:strange_sort_list0 = strange_sort_list(lst=lst0, __code=__code0)
// CHECK-NEXT:eq0 = eq(output=strange_sort_list0, expected=expected0)
// CHECK-NEXT:strange_sort_list1 = strange_sort_list(lst=lst1, __code=__code0)
// CHECK-NEXT:eq1 = eq(output=strange_sort_list1, expected=expected1)
// CHECK-NEXT:strange_sort_list2 = strange_sort_list(lst=lst2, __code=__code0)
// CHECK-NEXT:eq2 = eq(output=strange_sort_list2, expected=expected2)
// CHECK-EMPTY:
// CHECK-NEXT:#Documentation
// CHECK-NEXT:[strange_sort_list] std::vector<int> strange_sort_list(std::vector<int>): Given a list of integers, returns it in strange order: the minimum value,
// CHECK-NEXT:then the maximum of the remaining integers, then the minimum, and so on.
// CHECK-NEXT:[eq] bool eq(const std::vector<int> &, const std::vector<int> &): Whether the output equals the expected list.
// CHECK-EMPTY:
// CHECK-NEXT:#Variables
// CHECK-NEXT:(code) __code0: std::vector<int> strange_sort_list(std::vector<int> lst) {
// CHECK-NEXT:  std::sort(lst.begin(), lst.end());
// CHECK-NEXT:  return lst;
// CHECK-NEXT:}
// CHECK-EMPTY:
// CHECK-NEXT:#Constraints
// CHECK-NEXT:__code0: keep the function's name and signature exactly: `std::vector<int> strange_sort_list(std::vector<int> lst)`; the body may change freely.
// CHECK-NEXT:__code0: a suggestion may not add #include directives, macros or helper functions outside the function.
// CHECK-NEXT:__code0: its file strange-sort-eq.cpp includes <trace/trace.hpp>, <algorithm>, <string>, <vector>.
// CHECK-NEXT:__code0: its file strange-sort-eq.cpp is compiled as C++17 (-std=c++17); a new definition must compile as C++17.
// CHECK-EMPTY:
// CHECK-NEXT:#Inputs
// CHECK-NEXT:(std::vector<int>) lst0=[1, 2, 3, 4]
// CHECK-NEXT:(std::vector<int>) expected0=[1, 4, 2, 3]
// CHECK-NEXT:(std::vector<int>) lst1=[5, 5, 5, 5]
// CHECK-NEXT:(std::vector<int>) expected1=[5, 5, 5, 5]
// CHECK-NEXT:(std::vector<int>) lst2=[9, 3, 7]
// CHECK-NEXT:(std::vector<int>) expected2=[3, 9, 7]
// CHECK-EMPTY:
// CHECK-NEXT:#Others
// CHECK-NEXT:(std::vector<int>) strange_sort_list0=[1, 2, 3, 4]
// CHECK-NEXT:(std::vector<int>) strange_sort_list1=[5, 5, 5, 5]
// CHECK-NEXT:(std::vector<int>) strange_sort_list2=[3, 7, 9]
// CHECK-EMPTY:
// CHECK-NEXT:#Outputs
// CHECK-NEXT:(bool) eq0=false
// CHECK-NEXT:(bool) eq1=true
// CHECK-NEXT:(bool) eq2=false
// CHECK-EMPTY:
// CHECK-NEXT:#Feedback
// CHECK-NEXT:eq0: test case failed!
// CHECK-NEXT:eq1: test case passed!
// CHECK-NEXT:eq2: test case failed!

// With the feedback on the output, eq is off every path to feedback.
//      OUT:#Code
// OUT-NEXT:strange_sort_list0 = strange_sort_list(lst=lst0, __code=__code0)
// OUT-NEXT:strange_sort_list1 = strange_sort_list(lst=lst1, __code=__code0)
// OUT-NEXT:strange_sort_list2 = strange_sort_list(lst=lst2, __code=__code0)
// OUT-EMPTY:
// OUT-NEXT:#Documentation
// OUT-NEXT:[strange_sort_list] {{.*}}
// OUT-NEXT:then the maximum of the remaining integers, then the minimum, and so on.
// OUT-EMPTY:
// OUT:#Inputs
// OUT-NEXT:(std::vector<int>) lst0=[1, 2, 3, 4]
// OUT-NEXT:(std::vector<int>) lst1=[5, 5, 5, 5]
// OUT-NEXT:(std::vector<int>) lst2=[9, 3, 7]
// OUT-EMPTY:
// OUT-NEXT:#Others
// OUT-NEXT:(none)
// OUT-EMPTY:
// OUT-NEXT:#Outputs
// OUT-NEXT:(std::vector<int>) strange_sort_list0=[1, 2, 3, 4]
// OUT-NEXT:(std::vector<int>) strange_sort_list1=[5, 5, 5, 5]
// OUT-NEXT:(std::vector<int>) strange_sort_list2=[3, 7, 9]
// OUT-EMPTY:
// OUT-NEXT:#Feedback
// OUT-NEXT:strange_sort_list0: test case failed!
// OUT-NEXT:strange_sort_list1: test case passed!
// OUT-NEXT:strange_sort_list2: test case failed!
