//===- trace-plugin/Keys.h - Site keys and hashes ---------------*- C++ -*-===//
//
// A site key names a function independently of the translation unit that
// sees it: the runtime merges calls and the call-site notes find their
// callee through it, so the plugin must compute the same key for the same
// function in every TU and at every call site.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_KEYS_H
#define TRACE_PLUGIN_KEYS_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <string>

namespace trace_plugin {

/// FNV-1a 64 of \p Bytes; the hash of site keys, parameter ids and of the
/// original text of trainable parameters.
uint64_t fnv1a64(llvm::StringRef Bytes);

/// \p V as 16 lowercase hex digits.
std::string hex16(uint64_t V);

/// The declaration whose parameter types a key spells: the template pattern
/// for an instantiation, else \p FD itself (its definition when there is
/// one).
const clang::FunctionDecl *keyDecl(const clang::FunctionDecl *FD);

/// Qualified name, parameter types as clang prints them, and the method
/// qualifiers: "ns::S::f(int, const std::string &) const". For an
/// instantiation (a function template specialization, or a member of a class
/// template specialization) the name carries the template arguments, printed
/// canonically so every TU agrees, and the parameter types stay the
/// pattern's: "Stats<int>::add(const T &)", "fmt<int, double>(const T &,
/// const Rest &...)". A template pattern itself gets its unqualified-args
/// key, "Stats::add(const T &)", which is also patternKey() of every
/// instantiation.
std::string siteKey(const clang::FunctionDecl *FD);

/// The key of the definition written in the source that \p FD comes from:
/// siteKey() of the template pattern for an instantiation, else siteKey().
/// A trainable function's code parameter is named after it ("code:<key>"),
/// since all instantiations share that one text.
std::string patternKey(const clang::FunctionDecl *FD);

/// The qualified name alone: "ns::S::f".
std::string qualifiedName(const clang::NamedDecl *D);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_KEYS_H
