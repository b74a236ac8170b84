// Contiguous runs of char with data() and size() (a slice class, std::vector<char>,
// std::array<char, N>) are rendered as strings: quoted and escaped, under the value limit like a
// std::string (the bytes past it are counted: `…[+N bytes]`, "truncated"). They are rendered at
// the call, where their own data() and size(), bundles here, are not recorded. They used to
// render as lists of characters, `['0', '0', ...]`, about 5x the size of the text. A slice with
// an operator<< of its own prints what that writes.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %dump %t/trace.bin | FileCheck --check-prefix=JSON %s

#include <array>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

/// A view of bytes owned by someone else (like leveldb::Slice): no begin()/end().
class Slice {
public:
  Slice(const char *D, std::size_t N) : Data(D), Size(N) {}
  const char *data() const { return Data; }
  std::size_t size() const { return Size; }

private:
  const char *Data;
  std::size_t Size;
};

/// A slice that prints itself.
struct Token : Slice {
  using Slice::Slice;
};
std::ostream &operator<<(std::ostream &OS, const Token &T) { return OS << "token of " << T.size(); }

/// Counts the '0' bytes of a slice.
std::size_t zeros(Slice S) {
  const char *P = S.data();
  const std::size_t Size = S.size();
  std::size_t N = 0;
  for (std::size_t I = 0; I < Size; ++I)
    N += P[I] == '0';
  return N;
}

/// Sum of the bytes of a buffer.
int sum(const std::vector<char> &Buffer) {
  int S = 0;
  for (char C : Buffer)
    S += C;
  return S;
}

/// First byte of a fixed-size tag.
char first(const std::array<char, 4> &Tag) { return Tag[0]; }

/// Length of a token.
std::size_t length(const Token &T) { return T.size(); }

int main() {
  const std::string Text = "007\n\"x\"";
  std::printf("%zu\n", zeros(Slice(Text.data(), Text.size())));
  // Longer than the value limit (256 bytes by default).
  const std::string Long(300, '0');
  std::printf("%zu\n", zeros(Slice(Long.data(), Long.size())));
  std::printf("%d\n", sum(std::vector<char>{'1', '2', '\t'}));
  std::printf("%c\n", first(std::array<char, 4>{{'a', 'b', 'c', '\0'}}));
  std::printf("%zu\n", length(Token("abc", 3)));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=5
// CHECK: thread 1
// CHECK-NEXT: Slice::Slice(D="007\n\"x\"", N=7) -> void
// CHECK-NEXT: zeros(S="007\n\"x\"") -> 2
// CHECK-NEXT: | Slice::data() -> "007\n\"x\""
// CHECK-NEXT: | Slice::size() -> 7
// CHECK-NEXT: Slice::Slice(D="0000{{.*}}, N=300) -> void
// CHECK-NEXT: zeros(S="0000{{.*}}) -> 300
// CHECK-NEXT: | Slice::data() -> "0000
// CHECK-NEXT: | Slice::size() -> 300
// CHECK-NEXT: sum(Buffer="12\t") -> 108
// CHECK-NEXT: first(Tag="abc\0") -> 'a'
// CHECK-NEXT: Slice::Slice(D="abc", N=3) -> void
// CHECK-NEXT: length(T=token of 3) -> 3

// JSON: "name":"S","type":"Slice","value":"\"007\\n\\\"x\\\"\""
// Cut at the value limit (256 bytes with the quote), the rest counted.
// JSON: "name":"S","type":"Slice","value":"\"{{(0{255})}}…[+46 bytes]","truncated":46}
// JSON: "name":"Buffer","type":"{{.*}}","value":"\"12\\t\""
// JSON: "name":"Tag","type":"{{.*}}","value":"\"abc\\0\""
