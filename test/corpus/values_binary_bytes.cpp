// Strings whose bytes are not UTF-8 (a binary key, stray bytes, an overlong form, a surrogate, a
// sequence cut short) are recorded losslessly: every such byte reads `\xNN`, well-formed UTF-8 stays
// as it is, and the JSON export stays valid UTF-8 with the escapes readable. Bytes used to become
// U+FFFD, and binary keys were lost. The round trip: the program prints each string argument's bytes
// in hex; Inputs/string_bytes.py decodes the dumped values back to bytes; both must be equal.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %dump %t/trace.bin > %t/dump.jsonl
// RUN: FileCheck --check-prefix=JSON %s < %t/dump.jsonl
// RUN: %t/plain > %t/expected
// RUN: %python %S/Inputs/string_bytes.py %t/dump.jsonl > %t/decoded
// RUN: diff %t/expected %t/decoded

#include <cstdio>
#include <string>

/// Prints "<function>.<parameter>=<hex>": what the trace must give back. A macro, so that printing
/// records no call of its own.
#define SHOW(FN, PARAM, P, N)                                                                      \
  do {                                                                                             \
    std::printf("%s.%s=", FN, PARAM);                                                              \
    for (std::size_t I_ = 0; I_ < (N); ++I_)                                                       \
      std::printf("%02x", static_cast<unsigned char>((P)[I_]));                                    \
    std::printf("\n");                                                                             \
  } while (0)

/// Length of a database key (any bytes).
std::size_t keyLength(const std::string &Key) { return Key.size(); }

/// First byte of a C string.
int firstByte(const char *Text) { return static_cast<unsigned char>(Text[0]); }

/// A byte's value.
int code(char C) { return static_cast<unsigned char>(C); }

int main() {
  // NUL, a stray 4-byte tail, 0xFF, 'k', "é", a surrogate, then a literal backslash-x.
  const std::string Key("\x00\x9f\x92\x96\xff\x80k\xc3\xa9\xed\xa0\x80\\x41", 16);
  SHOW("keyLength", "Key", Key.data(), Key.size());
  std::size_t N = keyLength(Key);
  // Overlong '/', the euro sign, a euro sign cut short at the end.
  const char *Text = "\xc0\xaf euro \xe2\x82\xac \xe2\x82";
  SHOW("firstByte", "Text", Text, std::char_traits<char>::length(Text));
  int F = firstByte(Text);
  char C = '\xe9';
  SHOW("code", "C", &C, 1);
  int K = code(C);
  return N == 16 && F == 0xc0 && K == 0xe9 ? 0 : 1;
}

// CHECK: run: exit=0 stdout-lines=3
// CHECK: thread 1
// CHECK: keyLength(Key="\0\x9f\x92\x96\xff\x80ké\xed\xa0\x80\\x41") -> 16
// CHECK-NEXT: firstByte(Text="\xc0\xaf euro € \xe2\x82") -> 192
// CHECK-NEXT: code(C='\xe9') -> 233

// The export is valid UTF-8 (string_bytes.py reads it strictly) and keeps the escapes as text.
// JSON: "name":"Key","type":"std::string","value":"\"\\0\\x9f\\x92\\x96\\xff\\x80ké\\xed\\xa0\\x80\\\\x41\""
// JSON: "name":"C","type":"char","value":"'\\xe9'"
