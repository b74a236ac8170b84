// The reproduction of issue 16: code that builds under -Werror -Wthread-safety
// still builds with the plugin, because the user's statements stay the
// statements of the user's function (a lambda around them is analysed
// without the function's capabilities).
// RUN: %python %support/samediags.py %clangxx %trace_plugin %trace_include --expect-clean -- -std=%trace_std -Werror -Wthread-safety %s | FileCheck %s
// CHECK: plain: exit=0 diagnostics=0
// CHECK: traced: exit=0 diagnostics=0
// CHECK: same
// The prologue is on the '{' line and the user's statements follow it.
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s | FileCheck %s --check-prefix=TEXT
// TEXT: int addLocked(int v) __attribute__((requires_capability(mu_))) {__TRACE_BEGIN static {{.*}} __trace_call.__arg(0, v); __TRACE_END total_ += v; return __TRACE_BEGIN ::__trace_rt::__ret<int>(__trace_call, __TRACE_END total___TRACE_BEGIN ) __TRACE_END; }
// TEXT: void lockAll() __attribute__((acquire_capability(mu_))) {__TRACE_BEGIN {{.*}}__TRACE_END mu_.Lock(); }

class __attribute__((capability("mutex"))) Mutex {
public:
  void Lock() __attribute__((acquire_capability())) { Held = true; }
  void Unlock() __attribute__((release_capability())) { Held = false; }

private:
  bool Held = false;
};

class Counter {
 public:
  /// Adds while the caller holds the lock.
  [[trace::bundle]] int addLocked(int v) __attribute__((requires_capability(mu_))) { total_ += v; return total_; }
  /// Takes the lock and leaves it held for the caller.
  [[trace::bundle]] void lockAll() __attribute__((acquire_capability(mu_))) { mu_.Lock(); }
  /// Releases the lock the caller holds.
  [[trace::bundle]] void unlockAll() __attribute__((release_capability(mu_))) { mu_.Unlock(); }
  /// Takes and releases the lock itself.
  [[trace::bundle]] int add(int v) {
    mu_.Lock();
    int r = addLocked(v);
    mu_.Unlock();
    return r;
  }
 private:
  Mutex mu_;                                        // a class with capability("mutex")
  int total_ __attribute__((guarded_by(mu_))) = 0;
};

int use() {
  Counter C;
  C.lockAll();
  int R = C.addLocked(2);
  C.unlockAll();
  return R + C.add(3);
}
