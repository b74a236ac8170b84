// Clang's thread-safety analysis sees the user's function: a bundle whose
// body needs a lock held, or acquires one for its caller, still builds
// under -Werror -Wthread-safety with the plugin (issue 16), and a real
// mistake is still reported, the same as without the plugin.
// RUN: %clangxx_trace -Wthread-safety -Werror -fsyntax-only %s
// RUN: %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.out
// RUN: grep -v -e CHECK -e RUN %t.out | FileCheck %s
// A mistake, as a warning (an error would stop the plugin's own parse, and
// nothing would be rewritten): the same warnings with and without it.
// RUN: %clangxx_trace -Wthread-safety -fsyntax-only -DMISTAKE -fplugin-arg-trace-print %s > %t.mistake 2> %t.trace
// RUN: FileCheck --check-prefix=PEEK %s < %t.mistake
// RUN: %clangxx_plain -Wno-unknown-attributes -Wthread-safety -fsyntax-only -DMISTAKE %s 2> %t.plain
// RUN: FileCheck --check-prefix=MISTAKE %s < %t.trace
// RUN: grep -o "warning: .*" %t.plain > %t.plain.warnings
// RUN: grep -o "warning: .*" %t.trace > %t.trace.warnings
// RUN: diff %t.plain.warnings %t.trace.warnings

class __attribute__((capability("mutex"))) Mutex {
public:
  void Lock() __attribute__((acquire_capability())) {}
  void Unlock() __attribute__((release_capability())) {}
};

class Counter {
public:
  /// Adds while the caller holds the lock.
  [[trace::bundle]] int addLocked(int v) __attribute__((requires_capability(mu_))) {
    total_ += v;
    return total_;
  }
  /// Takes the lock and leaves it held for the caller.
  [[trace::bundle]] void lockAll() __attribute__((acquire_capability(mu_))) { mu_.Lock(); }
  /// Gives the lock back.
  [[trace::bundle]] void unlockAll() __attribute__((release_capability(mu_))) { mu_.Unlock(); }
  /// Reads under the lock it takes itself.
  [[trace::bundle]] int read() {
    mu_.Lock();
    int v = total_;
    mu_.Unlock();
    return v;
  }
#ifdef MISTAKE
  /// Forgets the lock.
  [[trace::bundle]] int peek() { return total_; }
#endif

private:
  Mutex mu_;
  int total_ __attribute__((guarded_by(mu_))) = 0;
};

int use(Counter &C) {
  C.lockAll();
  int v = C.addLocked(2);
  C.unlockAll();
  return v + C.read();
}

// CHECK: int addLocked(int v) __attribute__((requires_capability(mu_))) {{[{]}}__TRACE_BEGIN {{.*}} ::__trace_rt::__Call __trace_call(__trace_site); {{.*}} try {{[{]}} __TRACE_END {{$}}
// CHECK-NEXT: total_ += v;
// CHECK-NEXT: return ::__trace_rt::__retv(__trace_call, total_);
// CHECK-NEXT: __TRACE_BEGIN } catch (...) { __trace_call.__threw(); throw; } __TRACE_END}
// CHECK: void lockAll() {{.*}} ::__trace_rt::__Call __trace_call(__trace_site); {{.*}} mu_.Lock(); __TRACE_BEGIN } catch (...)
// PEEK: int peek() {{[{]}}__TRACE_BEGIN {{.*}} return ::__trace_rt::__retv(__trace_call, total_);
// MISTAKE: warning: reading variable 'total_' requires holding mutex 'mu_'
