// -Wthread-safety sees the user's functions: capabilities required, acquired
// and released by bundles (all functions instrumented) give the same
// diagnostics with and without the plugin: none for correct code, the same
// ones for a wrong function.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all --expect-clean -- -std=%trace_std -Werror -Wthread-safety %s
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --all -- -std=%trace_std -Wthread-safety -DWRONG %s | FileCheck %s --check-prefix=WRONG
// WRONG: plain: exit=0 diagnostics=2
// WRONG-DAG: writing variable 'Total' requires holding mutex 'Mu' exclusively
// WRONG-DAG: mutex 'Mu' is still held at the end of function
// WRONG: same
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>

class __attribute__((capability("mutex"))) Mutex {
public:
  void lock() __attribute__((acquire_capability())) { Held = true; }
  void unlock() __attribute__((release_capability())) { Held = false; }
  bool held() const { return Held; }

private:
  bool Held = false;
};

class Account {
public:
  int depositLocked(int V) __attribute__((requires_capability(Mu))) {
    Total += V;
    return Total;
  }
  void lockAll() __attribute__((acquire_capability(Mu))) { Mu.lock(); }
  void unlockAll() __attribute__((release_capability(Mu))) { Mu.unlock(); }
  int deposit(int V) {
    Mu.lock();
    int R = depositLocked(V);
    Mu.unlock();
    return R;
  }
  bool tryTwice(int V) {
    Mu.lock();
    if (V < 0) {
      Mu.unlock();
      return false;
    }
    Total += V;
    Mu.unlock();
    return true;
  }
#ifdef WRONG
  int racy(int V) {
    Total += V;
    return 0;
  }
  void leaks() { Mu.lock(); }
#endif

private:
  Mutex Mu;
  int Total __attribute__((guarded_by(Mu))) = 0;
};

int main() {
  Account A;
  A.lockAll();
  int R = A.depositLocked(2);
  A.unlockAll();
  R += A.deposit(3);
  std::printf("%d %d\n", R, A.tryTwice(-1) ? 1 : 0);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site Account::depositLocked key={{.*}} calls=2 rets=2
// CHECK-DAG: site Account::lockAll key={{.*}} calls=1 rets=1
// CHECK-DAG: site Account::deposit key={{.*}} calls=1 rets=1
