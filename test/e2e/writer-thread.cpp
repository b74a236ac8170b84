// Full chunks are written by a background writer thread by default, and on
// the calling thread with TRACE_WRITER_THREAD=0. Both give the same trace,
// line for line of its JSON export apart from the header, for a run that fills many chunks with
// nested calls, provenance, strings that need escaping, exceptions, packs and
// members. A bounded queue keeps memory flat (the stream benchmark measures
// it). The program also forks: with %p in TRACE_FILE the child writes a
// trace of its own (header and sites again, its calls only), written on its
// calling thread.
// RUN: %clangxx_trace -O1 %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.async.%%p.bin TRACE_WRITER_THREAD=1 %t %t.async.pid
// RUN: env TRACE_FILE=%t.inline.%%p.bin TRACE_WRITER_THREAD=0 %t %t.inline.pid
// RUN: %python %S/Inputs/same-trace.py %t.async %t.inline | FileCheck %s

#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

/// Doubles a number.
[[trace::bundle]] int twice(int x) { return 2 * x; }

/// Fails on multiples of 97.
[[trace::bundle]] int check(int x) {
  if (x % 97 == 0)
    throw std::runtime_error("multiple of 97: " + std::to_string(x));
  return x;
}

[[trace::bundle]] std::string label(const std::string &s, int n) {
  return s + "\t\"" + std::to_string(n) + "\"\n\xff\xc3\xa9";
}

template <class... Ts> [[trace::bundle]] int sum(Ts... xs) {
  return (0 + ... + xs);
}

struct Counter {
  int Total = 0;
  [[trace::bundle]] int add(int x) { return Total += x; }
};

[[trace::bundle]] int work(int i, Counter &c) {
  int a = twice(i);
  int b = twice(a);
  std::string l = label(std::string(i % 7, 'x'), b);
  try {
    check(i);
  } catch (const std::exception &) {
  }
  return c.add(sum(a, b, static_cast<int>(l.size())));
}

int main(int argc, char **argv) {
  Counter C;
  long Total = 0;
  for (int I = 0; I < 20000; ++I)
    Total += work(I, C);
  pid_t Child = fork();
  if (Child == 0) {
    for (int I = 0; I < 5000; ++I)
      Total += work(I, C);
    return 0;
  }
  int Status = 0;
  waitpid(Child, &Status, 0);
  if (FILE *F = std::fopen(argv[1], "w")) {
    std::fprintf(F, "%d %d\n", static_cast<int>(getpid()),
                 static_cast<int>(Child));
    std::fclose(F);
  }
  std::printf("%ld\n", Total);
  return WIFEXITED(Status) && WEXITSTATUS(Status) == 0 ? 0 : 1;
}

// CHECK: parent: same, calls 140000, rets 140000, sites 6, unannounced 0, end nodes 140000 dropped 0
// CHECK-NEXT: child: same, calls 35000, rets 35000, sites 6, unannounced 0, end nodes 35000 dropped 0
