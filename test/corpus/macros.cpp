// Functions defined in macros. A function whose body comes from a macro expansion is left
// alone (the rewriter cannot edit inside an expansion). A function whose name or attribute comes
// from a macro but whose braces are the user's is instrumented; one whose whole signature comes
// from a macro (checked) is left alone today. Statements of the body that expand macros
// (including ones that return) keep working.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s --implicit-check-not="site getWidth" --implicit-check-not="site getHeight" < %t/summary

#include <cstdio>

#define DEFINE_GETTER(Name, Value)                                                              \
  [[trace::bundle]] int Name() { return Value; }
#define DEFINE_PLAIN(Name, Value)                                                               \
  int Name() { return Value; }
#define NAME(Suffix) make_##Suffix
#define BUNDLE [[trace::bundle]]
#define SIGNATURE(Name) int Name(int X)
#define RETURN_IF_NEGATIVE(V)                                                                   \
  if ((V) < 0)                                                                                  \
    return -1
#define SQUARE(V) ((V) * (V))
#define LOG(...) std::printf(__VA_ARGS__)

DEFINE_GETTER(getWidth, 640)
DEFINE_PLAIN(getHeight, 480)

BUNDLE int NAME(area)(int Scale) { return getWidth() * getHeight() * Scale; }

BUNDLE SIGNATURE(checked) {
  RETURN_IF_NEGATIVE(X);
  LOG("checked %d\n", X);
  return SQUARE(X);
}

#define WRAPPED_BODY { return X + 1; }
BUNDLE int wrapped(int X) WRAPPED_BODY

[[trace::bundle]] int usesLine(int X) { return X + __LINE__ - __LINE__; }

int main() {
  std::printf("area %d\n", make_area(2));
  std::printf("checked %d %d\n", checked(-3), checked(4));
  std::printf("wrapped %d line %d\n", wrapped(1), usesLine(7));
  std::printf("__LINE__ %d\n", __LINE__);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=5
// CHECK-DAG: site make_area key={{.*}} calls=1
// CHECK-DAG: site usesLine key={{.*}} calls=1
// CHECK: thread 1
// CHECK-NEXT: make_area(Scale=2) -> 614400
