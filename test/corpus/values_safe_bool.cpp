// Handle types with a boolean conversion and no operator<< of their own: `os << h` compiles through
// the conversion (the C++03 safe-bool `operator unspecified_bool_type`, or a plain `operator bool`)
// and printed "1" or "0" for every handle, status or connection. They are shown by their fields
// instead. A handle with an operator<< of its own prints what that writes, and a type with an
// `explicit operator bool` was never printed through it.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %dump %t/trace.bin | FileCheck --check-prefix=JSON %s

#include <cstdio>
#include <ostream>

/// A file descriptor in the C++03 style: tested with `if (f)`, not convertible to int.
class File {
  struct Tag {
    void yes() {}
  };

public:
  typedef void (Tag::*unspecified_bool_type)();
  explicit File(int Fd) : Fd(Fd) {}
  operator unspecified_bool_type() const { return Fd >= 0 ? &Tag::yes : nullptr; }
  int Fd;
};

/// The same with a plain conversion to bool.
struct Status {
  int Code;
  operator bool() const { return Code == 0; }
};

/// C++11 style: the conversion is explicit.
struct Socket {
  int Fd;
  explicit operator bool() const { return Fd >= 0; }
};

/// A handle that says how it reads.
struct Pipe {
  int Fd;
  operator bool() const { return Fd >= 0; }
  friend std::ostream &operator<<(std::ostream &OS, const Pipe &P) { return OS << "pipe " << P.Fd; }
};

/// The descriptor of an open file, or -1.
int descriptor(File F) { return F ? F.Fd : -1; }

/// Whether an operation succeeded.
bool ok(const Status &S) { return S; }

/// Returns the status of closing a socket.
Status closeSocket(const Socket &S) { return Status{S ? 0 : 9}; }

/// The descriptor of a pipe.
int pipeFd(Pipe P) { return P ? P.Fd : -1; }

int main() {
  std::printf("%d %d\n", descriptor(File(3)), descriptor(File(-1)));
  std::printf("%d %d\n", ok(closeSocket(Socket{4})), ok(closeSocket(Socket{-1})));
  std::printf("%d\n", pipeFd(Pipe{5}));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=3
// Under `all` the conversions and constructors are nodes too; the values
// render the same.
// CHECK: thread 1
// CHECK-NEXT: File::File(Fd=3) -> void
// CHECK-NEXT: descriptor(F={Fd: 3}) -> 3
// CHECK-NEXT: | File::operator void (File::Tag::*)()() -> 1
// CHECK-NEXT: File::File(Fd=-1) -> void
// CHECK-NEXT: descriptor(F={Fd: -1}) -> -1
// CHECK-NEXT: | File::operator void (File::Tag::*)()() -> 0
// CHECK-NEXT: closeSocket(S={Fd: 4}) -> {Code: 0}
// CHECK-NEXT: | Socket::operator bool() -> true
// CHECK-NEXT: ok(S={Code: 0}) -> true
// CHECK-NEXT: | Status::operator bool() -> true
// CHECK-NEXT: closeSocket(S={Fd: -1}) -> {Code: 9}
// CHECK-NEXT: | Socket::operator bool() -> false
// CHECK-NEXT: ok(S={Code: 9}) -> false
// CHECK-NEXT: | Status::operator bool() -> false
// CHECK-NEXT: pipeFd(P=pipe 5) -> 5
// CHECK-NEXT: | Pipe::operator bool() -> true

// JSON: "name":"F","type":"File","value":"{Fd: 3}"
// A value of a handle type (an argument, a result) is never a bare 1 or 0;
// the safe-bool conversion's own result, a pointer to member, prints so.
// JSON-NOT: "type":"{{File|Socket|Status|Pipe}}","value":"{{[01]}}"
// JSON: "name":"P","type":"Pipe","value":"pipe 5"
