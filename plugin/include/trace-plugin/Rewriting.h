//===- trace-plugin/Rewriting.h - Edits on the nested parse's AST -*- C++ -*-===//
//
// The rewrite of one translation unit, computed on the nested parse and
// handed back as whole-file texts that the outer compile then builds. Every
// insertion is free of newlines, so lines never move.
//
// Edit order matters where two insertions land on the same offset (a
// Binding after the last statement and the epilogue before '}', say): the
// Rewriter keeps insertions at one offset in call order, so all prologues
// are inserted first, then the call-site edits, then the epilogues, then the
// records at the end of the main file.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_REWRITING_H
#define TRACE_PLUGIN_REWRITING_H

#include "trace-plugin/Analysis.h"
#include "trace-plugin/Attributes.h"
#include "trace-plugin/Options.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/FileEntry.h"
#include "clang/Rewrite/Core/Rewriter.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <string>
#include <vector>

namespace trace_plugin {

/// A function left alone, reported by the outer compile as a warning.
struct SkipNote {
  std::string File;
  unsigned Line = 0;
  unsigned Column = 0;
  std::string Message;
};

/// What the TU record needs to know about the compile.
struct TuContext {
  std::string MainFile;
  std::string Directory;
  std::vector<std::string> Args;
};

struct RewrittenFile {
  clang::FileEntryRef Entry;
  std::string Path;
  std::string Text;
};

struct RewriteResult {
  std::vector<RewrittenFile> Files;
  std::vector<SkipNote> Skips;
  /// Functions that 'all' selected but left alone: no warning for them, but
  /// -fplugin-arg-trace-verbose names them, so a build can count what it
  /// does not record.
  std::vector<SkipNote> LeftAlone;
  unsigned NumBundles = 0;
  unsigned NumCallSiteEdits = 0;
  unsigned NumParams = 0;
};

/// State shared by the rewriting steps of one TU.
class RewriteSession {
public:
  RewriteSession(clang::ASTContext &Ctx, const PluginOptions &Opts);

  clang::ASTContext &Ctx;
  clang::SourceManager &SM;
  const PluginOptions &Opts;
  BundleAnalysis Analysis;
  clang::Rewriter R;
  unsigned NumCallSiteEdits = 0;
  /// Call-site edits that name a bundle (a note or expect addressed to it,
  /// a feedback's note). Without any, nor a bundle or parameter, the other
  /// edits (wildcard notes, guards) serve nothing and are dropped.
  unsigned NumBundleSiteEdits = 0;
  /// Numbers the Local guards of the TU, so a lambda's never shadow its
  /// enclosing function's.
  unsigned NextGuard = 0;

  /// Absolute, dot-free path of the file holding \p Loc ("" if none).
  std::string absolutePath(clang::SourceLocation Loc) const;
  /// Line of \p Loc in its file (after macro expansion).
  unsigned lineOf(clang::SourceLocation Loc) const;
  /// Offsets of the file range [Begin, End); false if the two locations are
  /// not in one editable file.
  bool fileOffsets(clang::SourceLocation Begin, clang::SourceLocation End,
                   unsigned &BeginOffset, unsigned &EndOffset) const;
  /// Location just past the token at \p Loc.
  clang::SourceLocation endOfToken(clang::SourceLocation Loc) const;
  /// The description of \p FD: the attribute's argument, else its doc
  /// comment, else "".
  std::string description(const clang::FunctionDecl *FD,
                          const TraceMarks &Marks) const;
  /// The instantiations with a body that this TU made of the template
  /// pattern \p Pattern (a definition written in the source), in AST order.
  llvm::ArrayRef<const clang::FunctionDecl *>
  instantiationsOf(const clang::FunctionDecl *Pattern);

private:
  /// Pattern (canonical declaration) -> its instantiations; filled on the
  /// first call of instantiationsOf().
  llvm::DenseMap<const clang::FunctionDecl *,
                 llvm::SmallVector<const clang::FunctionDecl *, 2>>
      Instantiations;
  bool InstantiationsFound = false;
};

/// Spells \p VD so that nothing local can shadow it ("::ns::gain"), or ""
/// when it cannot be named from namespace scope (static locals, members of
/// templates or of unnamed classes).
std::string spellGlobal(const clang::VarDecl *VD);

// BundleRewriter.cpp
/// The block that holds a bundle's statements: the body, or the try block
/// of a function-try-block.
const clang::CompoundStmt *bodyBlock(const clang::FunctionDecl *FD);
void insertPrologue(RewriteSession &S, const clang::FunctionDecl *FD,
                    const TraceMarks &Marks);
void insertEpilogue(RewriteSession &S, const clang::FunctionDecl *FD);

// CallSiteRewriter.cpp
void rewriteCallSites(RewriteSession &S, const clang::FunctionDecl *FD);

// TrainableParams.cpp
class TrainableParams {
public:
  explicit TrainableParams(RewriteSession &S) : S(S) {}
  void addFunction(const clang::FunctionDecl *FD, const TraceMarks &Marks);
  void addVariable(const clang::VarDecl *VD, const TraceMarks &Marks);
  /// The registrations and TU record, or "" when there is no parameter.
  std::string trailer(const TuContext &Tu) const;
  unsigned size() const { return Records.size(); }

private:
  RewriteSession &S;
  /// "static ParamInfo __trace_param_<i>{...}; static Registrar ...".
  std::vector<std::string> Records;
};

/// Rewrites the TU held by \p Ctx (the nested parse).
RewriteResult rewriteTranslationUnit(clang::ASTContext &Ctx,
                                     const PluginOptions &Opts,
                                     const TuContext &Tu);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_REWRITING_H
