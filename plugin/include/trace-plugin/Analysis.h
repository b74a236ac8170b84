//===- trace-plugin/Analysis.h - Which functions become bundles -*- C++ -*-===//
//
// Decides, on the nested parse's AST, which function definitions are
// bundles, which of them can be rewritten without changing their meaning,
// and whether a call's callee is a bundle. The rules are in docs/design.md
// ("What a bundle becomes") and docs/attributes.md ("What is left alone").
//
// A header is rewritten in every TU that includes it, and the copies of an
// inline function must agree: every decision about a definition in a header
// depends only on the header's own text and the options, never on what the
// including TU defines or uses.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_ANALYSIS_H
#define TRACE_PLUGIN_ANALYSIS_H

#include "trace-plugin/Attributes.h"
#include "trace-plugin/Compat.h"
#include "trace-plugin/Options.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/PointerIntPair.h"
#include <optional>
#include <string>
#include <vector>

namespace trace_plugin {

/// The verdict on one function definition.
struct BundleVerdict {
  /// Annotated, or chosen by -fplugin-arg-trace-all/match.
  bool Selected = false;
  /// Empty when the function can be rewritten; else why it is left alone.
  std::string SkipReason;
  /// A coroutine whose body may start after its call returned: a call of
  /// it runs no bundle, and its arguments take no call-site note.
  bool LazyCoroutine = false;

  bool instrument() const { return Selected && SkipReason.empty(); }
};

/// A co_await or co_yield written in a coroutine bundle's body.
struct SuspensionPoint {
  /// The operand's characters.
  clang::CharSourceRange Operand;
  /// `__CoSuspend(__trace_call).__pass(E)`: E reaches the awaiting with its
  /// own type and value category, and the call leaves the thread once E is
  /// evaluated. Else `((void)__CoSuspend(__trace_call).__now(), E)`: it
  /// leaves before.
  bool Pass = false;
};

/// The operand of the co_yield \p E, which the parse makes the argument of
/// the promise's yield_value(); nullptr if not known.
const clang::Expr *yieldOperand(const clang::CoyieldExpr *E);

/// \p E without the nodes that the language adds around what was written
/// (conversions, temporaries, an implicit copy or move).
const clang::Expr *writtenExpr(const clang::Expr *E);

class BundleAnalysis {
public:
  BundleAnalysis(clang::ASTContext &Ctx, const PluginOptions &Opts)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), Opts(Opts) {}

  /// The verdict on \p FD, which must be a definition written in the source
  /// (a template pattern, never an instantiation).
  BundleVerdict judgeDefinition(const clang::FunctionDecl *FD);

  /// True if a call to \p Callee runs a rewritten bundle: the callee (its
  /// pattern, for an instantiation) is selected and, as far as this TU can
  /// see, not left alone. In a caller outside the main file (see
  /// setCaller()), a definition in the main file is not looked at: the
  /// other TUs that include the caller's header do not see it.
  bool isBundleCallee(const clang::FunctionDecl *Callee);

  /// Sets the function whose body the following isBundleCallee() calls
  /// come from (nullptr: the main file).
  void setCaller(const clang::FunctionDecl *Caller);

  /// True if \p Loc is in a file the plugin may edit: a real file, not a
  /// system header, not under an excluded folder, not a macro expansion.
  bool isEditableLoc(clang::SourceLocation Loc) const;

  /// The folder of -fplugin-arg-trace-exclude-dir that holds \p FID's file,
  /// or "" if none does.
  llvm::StringRef excludedBy(clang::FileID FID) const;
  bool isRuntimeHeader(clang::FileID FID) const;

  /// The return type text to put after "->" in the lambda, "" to omit it
  /// (deduced 'auto'), or std::nullopt if it cannot be reused.
  std::optional<std::string> lambdaReturnType(const clang::FunctionDecl *FD);

  /// The suspension points of the coroutine \p FD, in source order; empty,
  /// with \p Why set, when one of them cannot be edited.
  std::vector<SuspensionPoint> suspensionPoints(const clang::FunctionDecl *FD,
                                                std::string &Why);
  /// True if the body of the coroutine \p FD may start after its call
  /// returned: its initial_suspend() is not known never to suspend.
  bool startsLazily(const clang::FunctionDecl *FD);

private:
  clang::ASTContext &Ctx;
  clang::SourceManager &SM;
  const PluginOptions &Opts;
  /// Keyed by the callee's canonical declaration and whether the caller is
  /// outside the main file.
  llvm::DenseMap<llvm::PointerIntPair<const clang::FunctionDecl *, 1, bool>,
                 bool>
      CalleeCache;
  mutable llvm::DenseMap<clang::FileID, llvm::StringRef> ExcludedCache;
  mutable llvm::DenseMap<clang::FileID, bool> RuntimeCache;
  /// A coroutine's suspension points, or why one cannot be edited.
  struct Suspensions {
    std::vector<SuspensionPoint> Points;
    std::string Why;
  };
  llvm::DenseMap<const clang::FunctionDecl *, Suspensions> SuspensionCache;
  bool CallerInHeader = false;

  std::vector<SuspensionPoint>
  findSuspensionPoints(const clang::FunctionDecl *FD, std::string &Why);
  bool isSelected(const clang::FunctionDecl *FD, const TraceMarks &Marks);
  bool isMarkedOutside(const clang::FunctionDecl *FD, bool SkipMainFile) const;
  std::string declarationSkipReason(const clang::FunctionDecl *FD);
  std::string bodySkipReason(const clang::FunctionDecl *FD);
  std::string smallBodyReason(const clang::FunctionDecl *FD) const;
};

} // namespace trace_plugin

#endif // TRACE_PLUGIN_ANALYSIS_H
