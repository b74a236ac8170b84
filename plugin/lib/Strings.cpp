//===- Strings.cpp - Emitting C++ string literals -------------------------===//

#include "trace-plugin/Strings.h"

namespace trace_plugin {

std::string escapeForLiteral(llvm::StringRef Bytes) {
  std::string Out;
  Out.reserve(Bytes.size() + 8);
  char Prev = 0;
  for (char C : Bytes) {
    unsigned char U = static_cast<unsigned char>(C);
    switch (C) {
    case '"':
      Out += "\\\"";
      break;
    case '\\':
      Out += "\\\\";
      break;
    case '\n':
      Out += "\\n";
      break;
    case '\t':
      Out += "\\t";
      break;
    case '\r':
      Out += "\\r";
      break;
    case '?':
      // "??=" and friends are trigraphs before C++17.
      Out += Prev == '?' ? "\\?" : "?";
      break;
    default:
      if (U < 0x20 || U == 0x7f) {
        // Three octal digits always end the escape, whatever follows.
        Out += '\\';
        Out += static_cast<char>('0' + ((U >> 6) & 7));
        Out += static_cast<char>('0' + ((U >> 3) & 7));
        Out += static_cast<char>('0' + (U & 7));
      } else {
        Out += C;
      }
    }
    Prev = C;
  }
  return Out;
}

std::string quoted(llvm::StringRef Bytes) {
  return "\"" + escapeForLiteral(Bytes) + "\"";
}

std::string quiet(llvm::StringRef Code) {
  return "__TRACE_BEGIN " + Code.str() + " __TRACE_END";
}

std::string quietExpr(llvm::StringRef Code) {
  return "__TRACE_EXPR_BEGIN " + Code.str() + " __TRACE_EXPR_END";
}

} // namespace trace_plugin
