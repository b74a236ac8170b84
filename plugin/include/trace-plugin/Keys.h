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

/// The declaration whose key identifies \p FD: the template pattern for an
/// instantiation (so all instantiations share one key), else \p FD itself.
const clang::FunctionDecl *keyDecl(const clang::FunctionDecl *FD);

/// Qualified name, parameter types as clang prints them, and the method
/// qualifiers: "ns::S::f(int, const std::string &) const".
std::string siteKey(const clang::FunctionDecl *FD);

/// The qualified name alone: "ns::S::f".
std::string qualifiedName(const clang::NamedDecl *D);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_KEYS_H
