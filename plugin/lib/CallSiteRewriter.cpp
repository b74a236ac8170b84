//===- CallSiteRewriter.cpp - note / expect / Binding at call sites -------===//
//
// Data-flow edges between bundle calls come from three small edits (see
// docs/design.md, "What call sites become"). Each must leave the program's
// meaning unchanged, hence the rules:
//   - only calls whose callee is statically known, is a bundle, and is not
//     in a dependent context (the text is shared by every instantiation);
//   - note() only on a plain variable that the call could name anyway:
//     local to the same function or of static storage, not captured by an
//     enclosing lambda (a note would odr-use it), not constexpr or a const
//     integral constant (ditto), not volatile (note takes T&);
//   - nothing inside unevaluated operands or template arguments;
//   - nothing in a call that comes from a macro expansion.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Keys.h"
#include "trace-plugin/Rewriting.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ExprConcepts.h"
#include "clang/AST/RecursiveASTVisitor.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// The expression an argument is made of once the conversions the call
/// itself adds are removed: lvalue-to-rvalue, temporaries, an implicit copy
/// or move into a by-value parameter.
const Expr *stripArgument(const Expr *E) {
  while (true) {
    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E)) {
      E = ICE->getSubExpr();
    } else if (const auto *FE = dyn_cast<FullExpr>(E)) {
      E = FE->getSubExpr();
    } else if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(E)) {
      E = MTE->getSubExpr();
    } else if (const auto *BTE = dyn_cast<CXXBindTemporaryExpr>(E)) {
      E = BTE->getSubExpr();
    } else if (const auto *CCE = dyn_cast<CXXConstructExpr>(E)) {
      if (isa<CXXTemporaryObjectExpr>(CCE) || CCE->getNumArgs() != 1 ||
          !CCE->getConstructor()->isCopyOrMoveConstructor() ||
          CCE->isListInitialization() ||
          CCE->getParenOrBraceRange().isValid())
        return E;
      E = CCE->getArg(0);
    } else {
      return E;
    }
  }
}

class CallSiteVisitor : public RecursiveASTVisitor<CallSiteVisitor> {
  using Base = RecursiveASTVisitor<CallSiteVisitor>;

public:
  CallSiteVisitor(RewriteSession &S, const DeclContext *Fn) : S(S), Fn(Fn) {}

  bool shouldVisitLambdaBody() const { return false; }

  // Local classes and functions are rewritten on their own.
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool TraverseRecordDecl(RecordDecl *) { return true; }
  bool TraverseFunctionDecl(FunctionDecl *) { return true; }
  bool TraverseCXXMethodDecl(CXXMethodDecl *) { return true; }

  // Unevaluated operands and template arguments: never edited.
  bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *) {
    return true;
  }
  bool TraverseCXXNoexceptExpr(CXXNoexceptExpr *) { return true; }
  bool TraverseCXXTypeidExpr(CXXTypeidExpr *) { return true; }
  bool TraverseRequiresExpr(RequiresExpr *) { return true; }
  bool TraverseGenericSelectionExpr(GenericSelectionExpr *) { return true; }
  bool TraverseDecltypeTypeLoc(DecltypeTypeLoc) { return true; }
  bool TraverseTemplateArgumentLoc(const TemplateArgumentLoc &) {
    return true;
  }
  bool TraverseStaticAssertDecl(StaticAssertDecl *) { return true; }

  bool TraverseLambdaExpr(LambdaExpr *L) {
    // Init-captures are evaluated by the enclosing function.
    for (const LambdaCapture &C : L->captures())
      if (L->isInitCapture(&C))
        if (const auto *VD = dyn_cast<VarDecl>(C.getCapturedVar()))
          if (VD->getInit())
            TraverseStmt(const_cast<Expr *>(VD->getInit()));
    CallSiteVisitor Inner(S, L->getCallOperator());
    Inner.TraverseStmt(L->getBody());
    return true;
  }

  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *Callee = bundleCallee(CE);
    if (!Callee)
      return true;
    const FunctionDecl *KD = keyDecl(Callee);
    uint64_t Hash = fnv1a64(siteKey(Callee));
    // A function parameter pack is recorded as one argument; arguments from
    // the pack on have no single index.
    unsigned Limit = KD->getNumParams();
    for (unsigned I = 0, N = KD->getNumParams(); I != N; ++I)
      if (KD->getParamDecl(I)->isParameterPack()) {
        Limit = I;
        break;
      }
    for (unsigned I = 0, N = CE->getNumArgs(); I != N && I < Limit; ++I) {
      const Expr *Arg = CE->getArg(I);
      if (isa<CXXDefaultArgExpr>(Arg))
        continue;
      const Expr *Core = stripArgument(Arg);
      if (const auto *DRE = dyn_cast<DeclRefExpr>(Core)) {
        if (notable(DRE))
          wrap(DRE->getBeginLoc(), DRE->getEndLoc(), "::__trace_rt::note(",
               ", 0x" + hex16(Hash) + "ull, " + std::to_string(I) + ")");
        continue;
      }
      if (const auto *Inner = dyn_cast<CallExpr>(Core)) {
        if (bundleCallee(const_cast<CallExpr *>(Inner)))
          wrap(Inner->getBeginLoc(), Inner->getEndLoc(),
               "(::__trace_rt::expect(0x" + hex16(Hash) + "ull, " +
                   std::to_string(I) + "), ",
               ")");
      }
    }
    return true;
  }

  bool VisitCompoundStmt(CompoundStmt *CS) {
    for (Stmt *Child : CS->body()) {
      auto *DS = dyn_cast<DeclStmt>(Child);
      if (!DS || !DS->isSingleDecl())
        continue;
      const auto *VD = dyn_cast<VarDecl>(DS->getSingleDecl());
      if (!VD || isa<DecompositionDecl>(VD) || !VD->getIdentifier() ||
          VD->hasGlobalStorage() || !VD->getInit() ||
          VD->getType().isVolatileQualified() || VD->getType()->isDependentType())
        continue;
      const auto *Init = dyn_cast<CallExpr>(stripArgument(VD->getInit()));
      if (!Init || !bundleCallee(const_cast<CallExpr *>(Init)))
        continue;
      SourceLocation Semi = DS->getEndLoc();
      if (!S.Analysis.isEditableLoc(Semi) ||
          !S.Analysis.isEditableLoc(VD->getLocation()))
        continue;
      SourceLocation NameLoc = VD->getLocation();
      std::string Text = " ::__trace_rt::Binding __trace_bind_" +
                         std::to_string(S.SM.getSpellingLineNumber(NameLoc)) +
                         "_" +
                         std::to_string(S.SM.getSpellingColumnNumber(NameLoc)) +
                         "(" + VD->getName().str() + ");";
      if (!S.R.InsertTextAfterToken(Semi, Text))
        ++S.NumCallSiteEdits;
    }
    return true;
  }

private:
  RewriteSession &S;
  const DeclContext *Fn;

  /// The callee of \p CE if it is an instrumented bundle and the call can
  /// be edited.
  const FunctionDecl *bundleCallee(CallExpr *CE) {
    if (CE->isTypeDependent() || CE->isValueDependent() ||
        isa<CXXOperatorCallExpr>(CE) || isa<UserDefinedLiteral>(CE) ||
        isa<CUDAKernelCallExpr>(CE))
      return nullptr;
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee)
      return nullptr;
    if (!S.Analysis.isEditableLoc(CE->getBeginLoc()) ||
        !S.Analysis.isEditableLoc(CE->getEndLoc()))
      return nullptr;
    if (!S.Analysis.isBundleCallee(Callee))
      return nullptr;
    return Callee;
  }

  bool notable(const DeclRefExpr *DRE) const {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD || DRE->refersToEnclosingVariableOrCapture())
      return false;
    if (VD->isConstexpr() || VD->isUsableInConstantExpressions(S.Ctx))
      return false;
    if (VD->getType().isVolatileQualified() || VD->getType()->isDependentType())
      return false;
    if (VD->hasGlobalStorage())
      return true;
    return VD->getDeclContext() == Fn;
  }

  void wrap(SourceLocation Begin, SourceLocation End, const std::string &Open,
            const std::string &Close) {
    if (!S.Analysis.isEditableLoc(Begin) || !S.Analysis.isEditableLoc(End) ||
        S.SM.getFileID(Begin) != S.SM.getFileID(End))
      return;
    if (S.R.InsertText(Begin, Open, /*InsertAfter=*/true))
      return;
    S.R.InsertTextAfterToken(End, Close);
    ++S.NumCallSiteEdits;
  }
};

} // namespace

void rewriteCallSites(RewriteSession &S, const FunctionDecl *FD) {
  CallSiteVisitor V(S, FD);
  V.TraverseStmt(FD->getBody());
}

} // namespace trace_plugin
