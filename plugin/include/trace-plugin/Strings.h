//===- trace-plugin/Strings.h - Emitting C++ string literals ----*- C++ -*-===//
//
// Every string the plugin writes into the user's code goes through here, so
// that names, doc comments and original source text (quotes, backslashes,
// newlines, non-ASCII bytes) always become valid C++ literals and never add
// a line.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_STRINGS_H
#define TRACE_PLUGIN_STRINGS_H

#include "llvm/ADT/StringRef.h"
#include <string>

namespace trace_plugin {

/// The body of a C++ narrow string literal holding exactly \p Bytes (no
/// surrounding quotes). Control bytes become three-digit octal escapes, which
/// cannot swallow a following digit; bytes >= 0x80 are kept so UTF-8 stays
/// UTF-8; "??" is broken so no trigraph forms under C++14 and earlier.
std::string escapeForLiteral(llvm::StringRef Bytes);

/// \p Bytes as a complete literal, quotes included.
std::string quoted(llvm::StringRef Bytes);

/// \p Code inside a region where no warning is reported: inserted
/// declarations have reserved names, constructors at namespace scope, C++11
/// syntax, which the user's -Weverything -Werror must not see. The markers
/// are macros of trace/abi.hpp (a system header under the plugin); the
/// user's own code outside the region keeps its warnings.
std::string quiet(llvm::StringRef Code);
/// Like quiet(), for text inside an expression or in a statement's place
/// (`if (c) <here>`), where GCC rejects a pragma: quiet under Clang only.
std::string quietExpr(llvm::StringRef Code);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_STRINGS_H
