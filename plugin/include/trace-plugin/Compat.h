//===- trace-plugin/Compat.h - Clang version shims --------------*- C++ -*-===//
//
// The one place where the plugin adapts to differences between Clang
// releases. The plugin is built and tested against Clang 14, 15, 16 and 19
// (-DTRACE_CLANG_VERSIONS); everything that names an API that moved between
// releases goes through here, so porting to another release touches this
// file only. Each shim names the releases it covers; when the oldest one
// supported reaches the newer spelling, the shim can go.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_COMPAT_H
#define TRACE_PLUGIN_COMPAT_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/FileEntry.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Basic/Version.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/LiteralSupport.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/StringSaver.h"

#include <optional>
#include <string>
#include <vector>

namespace trace_plugin {

/// An optional file entry, as SourceManager::getFileEntryRefForID returns
/// it. Clang 14 and 15 spell it llvm::Optional<FileEntryRef> (no
/// has_value() in 14); Clang 16 named it clang::OptionalFileEntryRef.
#if CLANG_VERSION_MAJOR < 16
using OptionalFileEntryRef = llvm::Optional<clang::FileEntryRef>;
#else
using OptionalFileEntryRef = clang::OptionalFileEntryRef;
#endif

/// Whether \p FID is a file's (not a macro expansion's or a buffer's).
/// Clang 14's llvm::Optional has no has_value().
inline bool hasFileEntry(const clang::SourceManager &SM, clang::FileID FID) {
  return static_cast<bool>(SM.getFileEntryRefForID(FID));
}

/// The token after \p Loc, or none inside a macro. Clang 14 and 15 return
/// llvm::Optional<Token>; Clang 16 returns std::optional.
inline std::optional<clang::Token> findNextToken(clang::SourceLocation Loc,
                                                 const clang::SourceManager &SM,
                                                 const clang::LangOptions &LO) {
#if CLANG_VERSION_MAJOR < 16
  if (llvm::Optional<clang::Token> Tok =
          clang::Lexer::findNextToken(Loc, SM, LO))
    return *Tok;
  return std::nullopt;
#else
  return clang::Lexer::findNextToken(Loc, SM, LO);
#endif
}

/// StringRef::starts_with: Clang 14 and 15's LLVM spells it startswith
/// (Clang 16 has both; Clang 19 deprecates startswith).
inline bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
#if CLANG_VERSION_MAJOR < 16
  return S.startswith(Prefix);
#else
  return S.starts_with(Prefix);
#endif
}

/// The cc1 command line that \p Inv stands for, "-cc1" first. Clang 16
/// added CompilerInvocation::getCC1CommandLine; Clang 14 and 15 only have
/// generateCC1CommandLine, which leaves "-cc1" out.
inline std::vector<std::string>
cc1CommandLine(const clang::CompilerInvocation &Inv) {
#if CLANG_VERSION_MAJOR < 16
  llvm::BumpPtrAllocator Alloc;
  llvm::StringSaver Strings(Alloc);
  llvm::SmallVector<const char *, 32> Args{"-cc1"};
  Inv.generateCC1CommandLine(
      Args, [&](const llvm::Twine &Arg) { return Strings.save(Arg).data(); });
  return std::vector<std::string>(Args.begin(), Args.end());
#else
  return Inv.getCC1CommandLine();
#endif
}

/// Whether \p FD has a C++23 explicit object parameter (`this Self &S`).
/// Clang 18 added them; before, no function has one.
inline bool hasExplicitObjectParameter(const clang::FunctionDecl *FD) {
#if CLANG_VERSION_MAJOR < 18
  (void)FD;
  return false;
#else
  return FD->hasCXXExplicitFunctionObjectParameter();
#endif
}

/// Whether \p F is an unnamed bit-field (`int : 3;`). Clang 19 renamed
/// isUnnamedBitfield to isUnnamedBitField.
inline bool isUnnamedBitField(const clang::FieldDecl *F) {
#if CLANG_VERSION_MAJOR < 19
  return F->isUnnamedBitfield();
#else
  return F->isUnnamedBitField();
#endif
}

/// Whether \p P parsed an ordinary string literal (no prefix, not u8"").
/// Clang 15 renamed StringLiteralParser::isAscii to isOrdinary.
inline bool isOrdinaryString(const clang::StringLiteralParser &P) {
#if CLANG_VERSION_MAJOR < 15
  return P.isAscii();
#else
  return P.isOrdinary();
#endif
}

/// What __PRETTY_FUNCTION__ expands to in \p D. Clang 18 moved
/// PredefinedExpr::IdentKind to the scoped enum PredefinedIdentKind.
inline std::string prettyFunctionName(const clang::Decl *D) {
#if CLANG_VERSION_MAJOR < 18
  return clang::PredefinedExpr::ComputeName(
      clang::PredefinedExpr::PrettyFunction, D);
#else
  return clang::PredefinedExpr::ComputeName(
      clang::PredefinedIdentKind::PrettyFunction, D);
#endif
}

/// Forgets where -ftime-trace writes. Clang 15 added
/// FrontendOptions::TimeTracePath; Clang 14 derives the file from the
/// output file, which the caller clears already.
inline void clearTimeTracePath(clang::FrontendOptions &FO) {
#if CLANG_VERSION_MAJOR < 15
  (void)FO;
#else
  FO.TimeTracePath.clear();
#endif
}

/// Gives \p CI its own diagnostics engine that reports to \p Client.
/// Clang 20 added a VFS parameter in front of the client.
inline void createDiagnosticsWith(clang::CompilerInstance &CI,
                                  clang::DiagnosticConsumer *Client) {
#if CLANG_VERSION_MAJOR >= 20
  CI.createDiagnostics(CI.getVirtualFileSystem(), Client,
                       /*ShouldOwnClient=*/true);
#else
  CI.createDiagnostics(Client, /*ShouldOwnClient=*/true);
#endif
}

/// The operand of a co_await or co_yield as the parse made it: for
/// co_await the expression written, for co_yield the call of the promise's
/// yield_value. Clang 15 keeps it; Clang 14 only has the awaiter built from
/// it (nullptr here), and then a coroutine is left alone.
inline const clang::Expr *suspendOperand(const clang::CoroutineSuspendExpr *E) {
#if CLANG_VERSION_MAJOR < 15
  (void)E;
  return nullptr;
#else
  return E->getOperand();
#endif
}

} // namespace trace_plugin

#endif // TRACE_PLUGIN_COMPAT_H
