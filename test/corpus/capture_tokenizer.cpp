// A tokenizer: a `const char *` cursor walks a 1.7 MB text, one bundle call per token (200000
// calls). Each capture used to measure the rest of the text to find its NUL (thousands of times
// slower than the program). Now a `char *` is read up to its NUL or the value limit, whichever
// comes first, on pages known to be readable: mid-text, the cursor shows the text ahead of it,
// cut to a quarter of the limit (`"…"…`); at the end of the text, the last token in full.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain -O2 %s -o %t/plain
// RUN: %corpus_trace -O2 %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --timeout 60 --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %python %support/tracecheck.py %t/trace.bin graph > %t/graph
// RUN: FileCheck --check-prefix=VALUE %s < %t/graph

#include <cstdio>
#include <string>

/// Length of the token at the cursor (tokens end at a space or at the end of the text).
std::size_t tokenLength(const char *Cursor) {
  std::size_t N = 0;
  while (Cursor[N] && Cursor[N] != ' ')
    ++N;
  return N;
}

int main() {
  std::string Text;
  unsigned Seed = 1;
  for (int I = 0; I < 200000; ++I) {
    Seed = Seed * 1103515245u + 12345u;
    if (I)
      Text += ' ';
    Text.append(3 + (Seed >> 16) % 10, static_cast<char>('a' + (Seed >> 8) % 26));
  }
  std::size_t Tokens = 0, Letters = 0;
  for (const char *C = Text.c_str(); *C;) {
    std::size_t N = tokenLength(C);
    ++Tokens;
    Letters += N;
    C += N;
    while (*C == ' ')
      ++C;
  }
  std::printf("%zu tokens, %zu letters, %zu bytes\n", Tokens, Letters, Text.size());
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK: site tokenLength key={{.*}} calls=200000 rets=200000

// The first token: no NUL within the value limit (256), so the cursor shows the text ahead of it,
// a quarter of the limit (64 bytes, copied as they are; the reader adds the quotes and the
// ellipsis); its length is not measured.
// VALUE: call tokenLength#0 parent=- args=[Cursor="{{[a-z ]{32}[a-z ]{32}"}}…]
// VALUE-NEXT: ret tokenLength#0 value={{[0-9]+}}
// The last one: its NUL is within the limit, so it is shown whole.
// VALUE: call tokenLength#199999 parent=- args=[Cursor="{{[a-z]+}}"]
