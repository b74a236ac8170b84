//===- CallSiteRewriter.cpp - Data-flow notes at call sites and stores ----===//
//
// Data-flow edges between bundle calls come from small edits (see
// docs/design.md, "What call sites become"): notes on a call's arguments,
// a Local before a declaration, an Assign temporary before a store, and the
// location of each `throw`. Each must leave the program's meaning
// unchanged, hence the rules:
//   - only calls whose callee is statically known, is a bundle, and is not
//     in a dependent context (the text is shared by every instantiation);
//   - note() only on a plain variable that the call could name anyway:
//     local to the same function or of static storage, or captured by
//     reference by the enclosing lambda (it names the same object); not
//     captured by copy (the closure's copy is bound to nothing), not
//     constexpr or a const integral constant (a note would odr-use it),
//     not volatile (note takes T&);
//   - nothing inside unevaluated operands or template arguments;
//   - nothing in a call that comes from a macro expansion;
//   - the left operand of every inserted comma is cast to void: -Wcomma
//     (clang 14 and 15 fire it on `(f(), g(x))`) accepts that as intended,
//     so a -Weverything -Werror build stays clean.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Keys.h"
#include "trace-plugin/Rewriting.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ExprConcepts.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Lex/Lexer.h"
#include "trace-plugin/Strings.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSwitch.h"

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

/// The variable an lvalue names, directly (\p Whole) or as the object it is
/// a member or an element of (`x`, `x.a.b`, `x[i]`, `x.m[i].n`), as the
/// DeclRefExpr that spells it; null through a pointer (`p->m`, `p[i]`).
const DeclRefExpr *rootRef(const Expr *E, bool &Whole) {
  Whole = true;
  E = E->IgnoreParens();
  while (true) {
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return DRE;
    Whole = false;
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (ME->isArrow())
        return nullptr;
      E = ME->getBase()->IgnoreParenImpCasts();
    } else if (const auto *ASE = dyn_cast<ArraySubscriptExpr>(E)) {
      const Expr *Base = ASE->getBase()->IgnoreParenImpCasts();
      if (!Base->getType()->isArrayType())
        return nullptr;
      E = Base;
    } else if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (OC->getOperator() != OO_Subscript || OC->getNumArgs() < 1)
        return nullptr;
      E = OC->getArg(0)->IgnoreParenImpCasts();
    } else {
      return nullptr;
    }
  }
}

/// A variable that names an object a note or a binding can take: not
/// constexpr, volatile (note takes T&), dependent, or a function reference.
bool isObjectVariable(const VarDecl *VD) {
  return VD && !VD->isConstexpr() && !VD->getType().isVolatileQualified() &&
         !VD->getType()->isDependentType() &&
         !VD->getType().getNonReferenceType()->isFunctionType();
}

/// Member functions that put an argument into the object they are called
/// on: the object then holds the argument's value as a part.
bool isInsertion(StringRef Name) {
  return llvm::StringSwitch<bool>(Name)
      .Cases("push_back", "emplace_back", "push_front", "emplace_front", true)
      .Cases("insert", "emplace", "emplace_hint", "insert_or_assign", true)
      .Cases("try_emplace", "push", "append", true)
      .Default(false);
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
  // A co_yield calls the promise's yield_value(), which no one wrote: only
  // its operand is the user's.
  bool TraverseCoyieldExpr(CoyieldExpr *E) {
    if (const Expr *Operand = yieldOperand(E))
      return TraverseStmt(const_cast<Expr *>(Operand));
    return Base::TraverseCoyieldExpr(E);
  }

  bool TraverseLambdaExpr(LambdaExpr *L) {
    // Init-captures are evaluated by the enclosing function.
    for (const LambdaCapture &C : L->captures())
      if (L->isInitCapture(&C))
        if (const auto *VD = dyn_cast<VarDecl>(C.getCapturedVar()))
          if (VD->getInit())
            TraverseStmt(const_cast<Expr *>(VD->getInit()));
    CallSiteVisitor Inner(S, L->getCallOperator());
    Inner.Lambda = L;
    Inner.run(L->getBody());
    return true;
  }

  bool VisitCallExpr(CallExpr *CE) {
    if (const FunctionDecl *Callee = bundleCallee(CE)) {
      const FunctionDecl *KD = keyDecl(Callee);
      // No "ull": an unsuffixed hex literal takes the first of int ... unsigned
      // long that holds it, and `long long` is a C++98-compat warning.
      std::string Hash = "0x" + hex16(fnv1a64(siteKey(Callee)));
      // A function parameter pack is recorded as one argument; arguments
      // from the pack on have no single index.
      unsigned Limit = KD->getNumParams();
      for (unsigned I = 0, N = KD->getNumParams(); I != N; ++I)
        if (KD->getParamDecl(I)->isParameterPack()) {
          Limit = I;
          break;
        }
      for (unsigned I = 0, N = CE->getNumArgs(); I != N && I < Limit; ++I)
        noteArgument(CE->getArg(I), Hash, I);
      ++S.NumBundleSiteEdits;
      return true;
    }
    if (const FunctionDecl *FD = CE->getDirectCallee()) {
      if (FD->getIdentifier() && FD->getName() == "async" &&
          FD->isInStdNamespace() && CE->getNumArgs() >= 2) {
        llvm::ArrayRef<const Expr *> Args(CE->getArgs(), CE->getNumArgs());
        // std::async(policy, f, args...): the callable follows the policy.
        if (Args[0]->getType()->isEnumeralType())
          Args = Args.drop_front();
        carryCallable(Args);
        return true;
      }
    }
    if (isFeedbackCall(CE)) {
      // trace::feedback(value, ...) takes the value by reference: only a
      // temporary, a member or an element needs a note.
      const Expr *Arg = CE->getArg(0);
      if (!isa<DeclRefExpr>(stripArgument(Arg)))
        noteArgument(Arg, "::__trace_rt::__FeedbackHash", 0);
      ++S.NumBundleSiteEdits;
      return true;
    }
    // A library function given a callable runs it with arguments of its own
    // choosing: no wildcard notes for it (std::function's call operator is
    // the exception: it passes its arguments on in order).
    const FunctionDecl *Direct = CE->getDirectCallee();
    bool LibraryFunction = Direct && !isa<CXXMemberCallExpr>(CE) &&
                           !isCallOperator(CE) &&
                           S.SM.isInSystemHeader(Direct->getLocation());
    if (LibraryFunction || !mayReachBundle(CE))
      return true;
    // A callee not known statically (a pointer, std::function, a virtual
    // function, a lambda, a helper of the user's): wildcard notes, taken by
    // the first bundle that starts, and kept only when the values match.
    unsigned First = isCallOperator(CE) && isa<CXXOperatorCallExpr>(CE) ? 1 : 0;
    for (unsigned I = First, N = CE->getNumArgs(); I < N; ++I) {
      if (I - First >= 16)
        break;
      const Expr *Core = stripArgument(CE->getArg(I));
      if (const auto *DRE = dyn_cast<DeclRefExpr>(Core))
        if (notable(DRE))
          wrap(DRE->getBeginLoc(), DRE->getEndLoc(), "::__trace_rt::__note(",
               ", 0, " + std::to_string(I - First) + ")");
    }
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr *CE) {
    const CXXRecordDecl *RD = CE->getConstructor()->getParent();
    if (CE->getNumArgs() < 2 || !RD->getIdentifier() ||
        (RD->getName() != "thread" && RD->getName() != "jthread") ||
        !RD->isInStdNamespace())
      return true;
    carryCallable(llvm::ArrayRef<const Expr *>(CE->getArgs(), CE->getNumArgs()));
    return true;
  }

  bool VisitCXXThrowExpr(CXXThrowExpr *TE) {
    const Expr *E = TE->getSubExpr();
    if (!E || !S.Analysis.isEditableLoc(TE->getBeginLoc()))
      return true;
    SourceLocation Loc = S.SM.getFileLoc(TE->getBeginLoc());
    std::string Open = "((void)::__trace_rt::__thrownAt(" +
                       quoted(S.absolutePath(Loc)) + ", " +
                       std::to_string(S.SM.getSpellingLineNumber(Loc)) + "), ";
    wrap(E->getBeginLoc(), E->getEndLoc(), Open, ")");
    return true;
  }

  bool VisitCompoundStmt(CompoundStmt *CS) {
    for (auto It = CS->body_begin(), End = CS->body_end(); It != End; ++It) {
      Stmt *Child = *It;
      if (auto *DS = dyn_cast<DeclStmt>(Child)) {
        // A guard's constructor must not be jumped over where the user's
        // declaration could be (a vacuous one before a case label).
        bool LabelAfter = false;
        for (auto J = std::next(It); J != End && !LabelAfter; ++J)
          LabelAfter = isa<SwitchCase, LabelStmt>(*J);
        handleDeclaration(DS, LabelAfter);
        continue;
      }
      handleStore(Child);
    }
    return true;
  }

  // Bodies that are a single statement (`for (...) y = f(y);`).
  bool VisitForStmt(ForStmt *FS) { return handleStore(FS->getBody()), true; }
  bool VisitWhileStmt(WhileStmt *WS) {
    return handleStore(WS->getBody()), true;
  }
  bool VisitDoStmt(DoStmt *DS) { return handleStore(DS->getBody()), true; }
  bool VisitCXXForRangeStmt(CXXForRangeStmt *FS) {
    return handleStore(FS->getBody()), true;
  }
  bool VisitIfStmt(IfStmt *IS) {
    handleStore(IS->getThen());
    handleStore(IS->getElse());
    return true;
  }

private:
  RewriteSession &S;
  const DeclContext *Fn;

  /// Variables of this function that a store statement binds: they get a
  /// guard at their declaration, so their address is forgotten at scope end.
  llvm::SmallPtrSet<const VarDecl *, 8> Targets;
  llvm::SmallPtrSet<const VarDecl *, 8> Guarded;
  std::vector<std::pair<SourceLocation, std::string>> Closes;
  /// The lambda whose body this visitor edits, if any.
  const LambdaExpr *Lambda = nullptr;

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

  /// Wraps the callable given to a new thread so that the provenance of the
  /// plain-variable arguments after it crosses to the thread.
  void carryCallable(llvm::ArrayRef<const Expr *> Args) {
    if (Args.size() < 2)
      return;
    const Expr *Fn = Args[0];
    QualType FT = Fn->getType();
    if (FT->isMemberPointerType() || FT->isDependentType() ||
        Fn->isTypeDependent())
      return;
    std::string Addrs;
    bool Any = false;
    for (const Expr *A : Args.drop_front()) {
      const auto *DRE = dyn_cast<DeclRefExpr>(stripArgument(A));
      if (DRE && notable(DRE) && isa<VarDecl>(DRE->getDecl())) {
        Addrs += ", ::__trace_rt::__addr(" +
                 cast<VarDecl>(DRE->getDecl())->getName().str() + ")";
        Any = true;
      } else {
        Addrs += ", nullptr";
      }
    }
    if (!Any)
      return;
    std::string Hash = "0";
    if (const auto *DRE = dyn_cast<DeclRefExpr>(Fn->IgnoreParenImpCasts()))
      if (const auto *FD = dyn_cast<FunctionDecl>(DRE->getDecl()))
        if (S.Analysis.isBundleCallee(FD))
          Hash = "0x" + hex16(fnv1a64(siteKey(FD)));
    wrap(Fn->getBeginLoc(), Fn->getEndLoc(),
         "::__trace_rt::__carry(" + Hash + ", ", Addrs + ")");
    ++S.NumBundleSiteEdits;
  }

  bool isFeedbackCall(CallExpr *CE) const {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD || CE->getNumArgs() < 2 || !FD->getIdentifier() ||
        FD->getName() != "feedback" || FD->getNumParams() < 2)
      return false;
    const auto *NS = dyn_cast<NamespaceDecl>(FD->getDeclContext());
    return NS && NS->getIdentifier() && NS->getName() == "trace" &&
           isa<TranslationUnitDecl>(NS->getDeclContext()) &&
           S.Analysis.isEditableLoc(CE->getBeginLoc()) &&
           S.Analysis.isEditableLoc(CE->getEndLoc());
  }

  static bool isCallOperator(const CallExpr *CE) {
    if (const auto *MD = dyn_cast_or_null<CXXMethodDecl>(CE->getDirectCallee()))
      return MD->getOverloadedOperator() == OO_Call;
    return false;
  }

  /// True if \p CE may run a bundle: a bundle itself, a callee not known
  /// statically, a call operator, a virtual function, a function of the
  /// user's (not a system header's), or a library function given a callable.
  bool mayReachBundle(CallExpr *CE) {
    if (bundleCallee(CE))
      return true;
    if (isa<UserDefinedLiteral>(CE) || isa<CUDAKernelCallExpr>(CE))
      return false;
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD)
      return !isa<CXXPseudoDestructorExpr>(CE->getCallee()->IgnoreParens());
    if (FD->getBuiltinID())
      return false;
    if (isCallOperator(CE))
      return true;
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
      if (MD->isVirtual() && !MD->hasAttr<FinalAttr>())
        return true;
    if (!S.SM.isInSystemHeader(FD->getLocation()))
      return true;
    for (const Expr *Arg : CE->arguments()) {
      QualType T = Arg->getType();
      if (T->isFunctionPointerType() || T->isFunctionType())
        return true;
      if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl())
        if (RD->hasDefinition() && (RD->isLambda() || hasCallOperator(RD)))
          return true;
    }
    return false;
  }

  static bool hasCallOperator(const CXXRecordDecl *RD) {
    for (const CXXMethodDecl *MD : RD->methods())
      if (MD->getOverloadedOperator() == OO_Call)
        return true;
    return false;
  }

  /// True if evaluating \p E may run a bundle (lambda bodies excluded: they
  /// run when called, and their calls are seen then).
  bool exprMayReach(const Expr *E) {
    struct Finder : RecursiveASTVisitor<Finder> {
      CallSiteVisitor &V;
      bool Found = false;
      explicit Finder(CallSiteVisitor &V) : V(V) {}
      bool TraverseLambdaExpr(LambdaExpr *) { return true; }
      bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *) {
        return true;
      }
      bool TraverseCXXNoexceptExpr(CXXNoexceptExpr *) { return true; }
      bool TraverseDecltypeTypeLoc(DecltypeTypeLoc) { return true; }
      bool VisitCallExpr(CallExpr *CE) {
        if (V.mayReachBundle(CE))
          Found = true;
        return !Found;
      }
    } F(*this);
    F.TraverseStmt(const_cast<Expr *>(E));
    return F.Found;
  }

  /// The argument's provenance note for the callee \p Hash.
  void noteArgument(const Expr *Arg, const std::string &Hash, unsigned I) {
    if (isa<CXXDefaultArgExpr>(Arg))
      return;
    const Expr *Core = stripArgument(Arg);
    if (const auto *DRE = dyn_cast<DeclRefExpr>(Core)) {
      if (notable(DRE))
        wrap(DRE->getBeginLoc(), DRE->getEndLoc(), "::__trace_rt::__note(",
             ", " + Hash + ", " + std::to_string(I) + ")");
      return;
    }
    if (const auto *Inner = dyn_cast<CallExpr>(Core)) {
      if (bundleCallee(const_cast<CallExpr *>(Inner))) {
        wrap(Inner->getBeginLoc(), Inner->getEndLoc(),
             "((void)::__trace_rt::__expect(" + Hash + ", " +
                 std::to_string(I) + "), ",
             ")");
        return;
      }
    }
    if (!isa<DeclRefExpr>(Core))
      if (const VarDecl *Future = sourceVariable(Core)) {
        wrap(Core->getBeginLoc(), Core->getEndLoc(),
             "((void)::__trace_rt::__noteObject(" + Future->getName().str() +
                 ", " + Hash + ", " + std::to_string(I) + "), ",
             ")");
        return;
      }
    bool Whole = false;
    const DeclRefExpr *Ref = rootRef(Core, Whole);
    const auto *Root = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (Root && !Whole && notable(Ref) && !Core->refersToBitField()) {
      wrap(Core->getBeginLoc(), Core->getEndLoc(),
           "((void)::__trace_rt::__notePart(" + Root->getName().str() + ", " +
               Hash + ", " + std::to_string(I) + "), ",
           ")");
      return;
    }
    // A helper's result, a ternary of calls, a call through a pointer: the
    // last bundle that returns before the callee starts produced it.
    if (isa<CallExpr, ConditionalOperator, BinaryConditionalOperator>(Core) &&
        exprMayReach(Core))
      wrap(Core->getBeginLoc(), Core->getEndLoc(),
           "((void)::__trace_rt::__expectLast(" + Hash + ", " +
               std::to_string(I) + "), ",
           ")");
  }

  /// A variable that a store may bind: a local of this function (not a
  /// capture) or one of static storage; never a reference to a function.
  bool bindable(const VarDecl *VD, const DeclRefExpr *Ref) const {
    if (!isObjectVariable(VD) || Ref->refersToEnclosingVariableOrCapture())
      return false;
    if (VD->hasGlobalStorage())
      return true;
    return VD->getDeclContext() == Fn;
  }

  struct Store {
    const Expr *Target = nullptr; ///< The whole expression statement.
    const VarDecl *Root = nullptr;
    const DeclRefExpr *RootRef = nullptr; ///< Root as the store names it.
    const Expr *Value = nullptr; ///< What is stored.
    bool Whole = false;          ///< `x = ...`, not a part or `+=`.
  };

  /// Recognises `x = e`, `x op= e`, `x.m = e`, `x[i] = e`, `x.push_back(e)`
  /// as a whole expression statement.
  bool analyseStore(Stmt *St, Store &R) {
    const auto *E = dyn_cast_or_null<Expr>(St);
    if (!E)
      return false;
    if (const auto *EWC = dyn_cast<ExprWithCleanups>(E))
      E = EWC->getSubExpr();
    E = E->IgnoreParens();
    const Expr *LHS = nullptr, *RHS = nullptr;
    bool Plain = false;
    if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
      if (!BO->isAssignmentOp())
        return false;
      LHS = BO->getLHS();
      RHS = BO->getRHS();
      Plain = BO->getOpcode() == BO_Assign;
    } else if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (!OC->isAssignmentOp() || OC->getNumArgs() != 2)
        return false;
      LHS = OC->getArg(0);
      RHS = OC->getArg(1);
      Plain = OC->getOperator() == OO_Equal;
    } else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (!MD || !MD->getIdentifier() || !isInsertion(MD->getName()) ||
          MC->getNumArgs() == 0)
        return false;
      LHS = MC->getImplicitObjectArgument();
      if (!LHS || MC->isImplicitCXXThis())
        return false;
      // The inserted value: the last argument (insert(pos, v), push(v)).
      RHS = MC->getArg(MC->getNumArgs() - 1);
      Plain = false;
    } else {
      return false;
    }
    if (E->getType()->isDependentType() || LHS->isTypeDependent())
      return false;
    bool Whole = false;
    const DeclRefExpr *Ref = rootRef(LHS->IgnoreParenImpCasts(), Whole);
    const auto *Root = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!bindable(Root, Ref))
      return false;
    R.Target = E;
    R.Root = Root;
    R.RootRef = Ref;
    R.Value = RHS;
    R.Whole = Whole && Plain;
    return true;
  }

  /// The variable \p E copies from, if it is a plain variable, or the
  /// future whose result it takes (`fut.get()`).
  const VarDecl *sourceVariable(const Expr *E) const {
    const Expr *Core = stripArgument(E);
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Core)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      const CXXRecordDecl *RD = MD ? MD->getParent() : nullptr;
      if (!MD || !MD->getIdentifier() || MD->getName() != "get" || !RD ||
          !RD->getIdentifier() || !RD->isInStdNamespace() ||
          (RD->getName() != "future" && RD->getName() != "shared_future"))
        return nullptr;
      Core = MC->getImplicitObjectArgument()->IgnoreParenImpCasts();
    }
    const auto *DRE = dyn_cast<DeclRefExpr>(Core);
    if (!DRE)
      return nullptr;
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!isObjectVariable(VD) || DRE->refersToEnclosingVariableOrCapture())
      return nullptr;
    if (!VD->hasGlobalStorage() && VD->getDeclContext() != Fn)
      return nullptr;
    return VD;
  }

  /// The variable that sourceVariable() finds in \p E, as the user spelled
  /// it (a qualifier included: `Counted::Copies`), so the inserted text
  /// names the same object; empty when it cannot be taken from the source.
  std::string sourceSpelling(const Expr *E) const {
    const Expr *Core = stripArgument(E);
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Core))
      Core = MC->getImplicitObjectArgument()->IgnoreParenImpCasts();
    return refSpelling(dyn_cast<DeclRefExpr>(Core));
  }

  /// \p DRE as written, qualifier included; empty when a macro spells it.
  std::string refSpelling(const DeclRefExpr *DRE) const {
    if (!DRE || DRE->getBeginLoc().isMacroID() ||
        DRE->getEndLoc().isMacroID())
      return "";
    return Lexer::getSourceText(
               CharSourceRange::getTokenRange(DRE->getSourceRange()), S.SM,
               S.R.getLangOpts())
        .str();
  }

public:
  /// Rewrites \p Body: first finds every local that a store binds (so its
  /// declaration, met first, gets a guard), then edits.
  void run(Stmt *Body) {
    struct Finder : RecursiveASTVisitor<Finder> {
      CallSiteVisitor &V;
      explicit Finder(CallSiteVisitor &V) : V(V) {}
      bool TraverseLambdaExpr(LambdaExpr *) { return true; }
      bool VisitStmt(Stmt *St) {
        Store R;
        if (isa<Expr>(St) && V.analyseStore(St, R) &&
            !R.Root->hasGlobalStorage())
          V.Targets.insert(R.Root);
        return true;
      }
    } F(*this);
    F.TraverseStmt(Body);
    TraverseStmt(Body);
    // A store's closing parenthesis may share its location with the end of
    // an argument's note inside it: closing the store last nests them.
    for (const auto &[End, Close] : Closes)
      S.R.InsertTextAfterToken(End, Close);
  }

private:

  void handleStore(Stmt *St) {
    Store R;
    if (!St || !analyseStore(St, R))
      return;
    // A local needs a guard to be bound: its address is forgotten when it
    // goes out of scope (parameters and guard-less locals are left alone).
    if (!R.Root->hasGlobalStorage() && !Guarded.contains(R.Root))
      return;
    const char *Mode =
        R.Whole ? "::__trace_rt::__BindSet" : "::__trace_rt::__BindAdd";
    // The store's own spelling of its variable (`ns::x`, `Class::x`): the
    // bare name may not be in scope here, or may name another variable.
    std::string Name = refSpelling(R.RootRef);
    if (Name.empty())
      return;
    std::string Open;
    std::string Src =
        sourceVariable(R.Value) ? sourceSpelling(R.Value) : std::string();
    if (!Src.empty())
      Open = "((void)::__trace_rt::__Assign(" + Name + ", " + Src + ", " +
             Mode + "), ";
    else if (exprMayReach(R.Value))
      Open = "((void)::__trace_rt::__Assign(" + Name + ", " + Mode + "), ";
    else
      return;
    wrap(R.Target->getBeginLoc(), R.Target->getEndLoc(), Open, ")",
         /*CloseLast=*/true);
  }

  /// Whether a local declared in \p DS can be guarded and bound.
  bool bindableLocal(const Decl *D) const {
    const auto *VD = dyn_cast<VarDecl>(D);
    if (!VD || !VD->getIdentifier() && !isa<DecompositionDecl>(VD))
      return false;
    return !VD->hasGlobalStorage() && !VD->getType().isVolatileQualified() &&
           !VD->getType()->isDependentType() && VD->getDeclContext() == Fn;
  }

  /// What follows the declaration of \p VD for its guard \p Local:
  /// `init` (bound to the last bundle its initializer returned, allowed
  /// only when \p MayInit), `copy` from a source variable, `guard` for a
  /// later store, or nothing.
  std::string declAction(const VarDecl *VD, const std::string &Local,
                         bool MayInit, bool LabelAfter) {
    const Expr *Init = VD->getInit();
    std::string Name = VD->getName().str();
    if (Init && !VD->isInitCapture()) {
      bool Reaches = exprMayReach(Init);
      // A reference to an existing object is that object, bound or not.
      if (VD->getType()->isReferenceType() && !Reaches)
        return "";
      std::string Src = sourceVariable(Init) ? sourceSpelling(Init) : "";
      if (!Src.empty())
        return " " + Local + ".__copy(" + Name + ", " + Src + ");";
      if (Reaches && MayInit)
        return " " + Local + ".__init(" + Name + ");";
      if (Targets.contains(VD) && !VD->getType()->isReferenceType())
        return " " + Local + ".__guard(" + Name + ");";
      return "";
    }
    // Quiet: it takes the variable by reference before it is initialised
    // (-Wuninitialized-const-reference).
    if (!Init && !LabelAfter && Targets.contains(VD) &&
        !VD->getType()->isReferenceType())
      return " " + quiet(Local + ".__guard(" + Name + ");");
    return "";
  }

  void handleDeclaration(DeclStmt *DS, bool LabelAfter) {
    SourceLocation Begin = DS->getBeginLoc(), Semi = DS->getEndLoc();
    if (!S.Analysis.isEditableLoc(Begin) || !S.Analysis.isEditableLoc(Semi) ||
        S.SM.getFileID(Begin) != S.SM.getFileID(Semi))
      return;
    if (!DS->isSingleDecl()) {
      handleDeclarationGroup(DS, Begin, Semi, LabelAfter);
      return;
    }
    if (!bindableLocal(DS->getSingleDecl()))
      return;
    const auto *VD = cast<VarDecl>(DS->getSingleDecl());
    const Expr *Init = VD->getInit();
    std::string After;
    std::string Local = "__trace_l" + std::to_string(S.NextGuard);
    if (const auto *DD = dyn_cast<DecompositionDecl>(VD)) {
      if (!Init || !exprMayReach(Init))
        return;
      std::string Names;
      for (const BindingDecl *B : DD->bindings()) {
        if (!B->getIdentifier() || B->getType().isNull() ||
            B->getType()->isDependentType())
          return;
        Names += (Names.empty() ? "" : ", ") + B->getName().str();
      }
      if (Names.empty())
        return;
      After = " " + Local + ".__parts(" + Names + ");";
    } else {
      After = declAction(VD, Local, /*MayInit=*/true, LabelAfter);
    }
    if (After.empty())
      return;
    if (S.R.InsertText(Begin,
                       quiet("::__trace_rt::__Local " + Local + ";") + " ",
                       /*InsertAfter=*/true))
      return;
    S.R.InsertTextAfterToken(Semi, After);
    ++S.NextGuard;
    ++S.NumCallSiteEdits;
    if (!isa<DecompositionDecl>(VD))
      Guarded.insert(VD);
  }

  /// `int a = 1, b = f(a);`: one guard per declarator, all made before the
  /// statement. A guard binds to the last bundle that returned since it was
  /// made, so only a group where one initializer alone can call a bundle
  /// binds that declarator by `init`; the others are guarded or copied.
  void handleDeclarationGroup(DeclStmt *DS, SourceLocation Begin,
                              SourceLocation Semi, bool LabelAfter) {
    unsigned Reaching = 0;
    for (const Decl *D : DS->decls()) {
      if (!bindableLocal(D) || isa<DecompositionDecl>(D))
        return;
      const auto *VD = cast<VarDecl>(D);
      Reaching += VD->getInit() && exprMayReach(VD->getInit());
    }
    std::string Before, After;
    llvm::SmallVector<const VarDecl *, 4> Bound;
    unsigned Next = S.NextGuard;
    for (const Decl *D : DS->decls()) {
      const auto *VD = cast<VarDecl>(D);
      std::string Local = "__trace_l" + std::to_string(Next);
      std::string Action = declAction(VD, Local, Reaching == 1, LabelAfter);
      if (Action.empty())
        continue;
      if (!Before.empty())
        Before += " ";
      Before += "::__trace_rt::__Local " + Local + ";";
      After += Action;
      Bound.push_back(VD);
      ++Next;
    }
    if (After.empty() ||
        S.R.InsertText(Begin, quiet(Before) + " ", /*InsertAfter=*/true))
      return;
    S.R.InsertTextAfterToken(Semi, After);
    S.NextGuard = Next;
    ++S.NumCallSiteEdits;
    for (const VarDecl *VD : Bound)
      Guarded.insert(VD);
  }

  bool notable(const DeclRefExpr *DRE) const {
    if (DRE->refersToEnclosingVariableOrCapture())
      return capturedByReference(DRE);
    // A structured binding names a part of its hidden object, which the
    // declaration bound (Local::parts); never a bit-field (note takes T&).
    if (const auto *BD = dyn_cast<BindingDecl>(DRE->getDecl())) {
      const auto *DD = dyn_cast_or_null<VarDecl>(BD->getDecomposedDecl());
      const Expr *B = BD->getBinding();
      return DD && !DD->hasGlobalStorage() && DD->getDeclContext() == Fn &&
             B && !B->refersToBitField() && !BD->getType().isNull() &&
             !BD->getType()->isDependentType() &&
             !BD->getType().isVolatileQualified();
    }
    // A constant used by value is no odr-use; a note would make it one.
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!isObjectVariable(VD) || VD->isUsableInConstantExpressions(S.Ctx))
      return false;
    if (VD->hasGlobalStorage())
      return true;
    return VD->getDeclContext() == Fn;
  }

  /// A variable a lambda captures by reference names the enclosing
  /// function's object itself, whose binding a note finds. One captured by
  /// copy names the closure's copy, which nothing binds: no note.
  bool capturedByReference(const DeclRefExpr *DRE) const {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!Lambda || !isObjectVariable(VD) ||
        VD->isUsableInConstantExpressions(S.Ctx))
      return false;
    for (const LambdaCapture &C : Lambda->captures())
      if (C.capturesVariable() && C.getCapturedVar() == VD)
        return C.getCaptureKind() == LCK_ByRef;
    return false;
  }

  /// Puts \p Open before and \p Close after [Begin, End]. \p CloseLast
  /// defers the close until the body is done, for a store whose end may be
  /// the end of an argument's note inside it.
  void wrap(SourceLocation Begin, SourceLocation End, const std::string &Open,
            const std::string &Close, bool CloseLast = false) {
    if (!S.Analysis.isEditableLoc(Begin) || !S.Analysis.isEditableLoc(End) ||
        S.SM.getFileID(Begin) != S.SM.getFileID(End))
      return;
    if (S.R.InsertText(Begin, Open, /*InsertAfter=*/true))
      return;
    if (CloseLast)
      Closes.push_back({End, Close});
    else
      S.R.InsertTextAfterToken(End, Close);
    ++S.NumCallSiteEdits;
  }
};

} // namespace

void rewriteCallSites(RewriteSession &S, const FunctionDecl *FD) {
  CallSiteVisitor V(S, FD);
  V.run(FD->getBody());
}

} // namespace trace_plugin
