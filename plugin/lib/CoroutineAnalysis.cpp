//===- CoroutineAnalysis.cpp - Where a coroutine bundle suspends ----------===//
//
// The call object of a coroutine bundle lives in the coroutine frame. A
// thread's records are a stack of open calls, and a suspended coroutine runs
// on no thread, so the call leaves the stack at each suspension point of the
// body and comes back where the body goes on (docs/design.md,
// "Coroutines"). Every co_await and co_yield written in the body gets an
// edit around its operand; where one cannot be edited the coroutine is left
// alone: its call would stay on the stack of a thread that goes on with
// other work.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Analysis.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// The co_await and co_yield expressions written in a body, not those of
/// the lambdas, blocks and local classes in it (their own functions).
class SuspendFinder : public RecursiveASTVisitor<SuspendFinder> {
public:
  SuspendFinder(const SourceManager &SM, const LangOptions &LO)
      : SM(SM), LO(LO) {}

  std::vector<const Expr *> Found;

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseBlockExpr(BlockExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }

  bool VisitCoawaitExpr(CoawaitExpr *E) {
    if (!E->isImplicit())
      Found.push_back(E);
    return true;
  }
  bool VisitDependentCoawaitExpr(DependentCoawaitExpr *E) {
    Found.push_back(E);
    return true;
  }
  bool VisitCoyieldExpr(CoyieldExpr *E) {
    Found.push_back(E);
    return true;
  }
  /// In a template, a co_await whose operand depends on a parameter. The
  /// co_await that a dependent co_yield stands for is one too, at the
  /// co_yield keyword: not a suspension point of its own.
  bool VisitUnaryOperator(UnaryOperator *E) {
    if (E->getOpcode() != UO_Coawait)
      return true;
    SourceLocation Loc = E->getOperatorLoc();
    SmallString<16> Buffer;
    if (Loc.isValid() && Lexer::getSpelling(SM.getSpellingLoc(Loc), Buffer, SM,
                                            LO) == "co_await")
      Found.push_back(E);
    return true;
  }

private:
  const SourceManager &SM;
  const LangOptions &LO;
};

/// True for the nodes between a temporary and what takes it that neither
/// copy nor convert it.
bool isBindingWrapper(const Stmt *S) {
  if (isa<MaterializeTemporaryExpr, CXXBindTemporaryExpr, ParenExpr>(S))
    return true;
  const auto *ICE = dyn_cast<ImplicitCastExpr>(S);
  return ICE && ICE->getCastKind() == CK_NoOp;
}

/// True if the awaiting in \p Root (an awaiter's expression, a call of
/// yield_value) binds the class prvalue \p W to a reference: then W may
/// reach it as an xvalue of the temporary a forwarding reference binds,
/// which lives as long (to the end of the full-expression). Anything that
/// takes W by value is no such binding: an xvalue would be moved from.
bool boundByReference(const Stmt *Root, const Expr *W) {
  llvm::SmallVector<const Stmt *, 16> Path;
  llvm::SmallPtrSet<const Stmt *, 32> Seen;
  bool Found = false, Bound = false;
  auto Visit = [&](auto &Self, const Stmt *S) -> void {
    if (!S || Found || !Seen.insert(S).second)
      return;
    if (S == W) {
      Found = true;
      for (auto It = Path.rbegin(); It != Path.rend() && isBindingWrapper(*It);
           ++It)
        Bound = Bound || isa<MaterializeTemporaryExpr>(*It);
      return;
    }
    Path.push_back(S);
    for (const Stmt *Child : S->children())
      Self(Self, Child);
    // An awaiter's calls name it through an opaque value.
    if (const auto *OVE = dyn_cast<OpaqueValueExpr>(S))
      Self(Self, OVE->getSourceExpr());
    Path.pop_back();
  };
  Visit(Visit, Root);
  return Found && Bound;
}

} // namespace

/// The argument of the yield_value call \p Operand stands for (a co_yield's
/// operand as the parse made it; in a template, co_await of that call).
static const Expr *yieldArgument(const Expr *Operand) {
  const Expr *E = Operand ? Operand->IgnoreImplicit() : nullptr;
  if (const auto *UO = dyn_cast_or_null<UnaryOperator>(E))
    if (UO->getOpcode() == UO_Coawait)
      E = UO->getSubExpr()->IgnoreImplicit();
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (!Call || Call->getNumArgs() != 1)
    return nullptr;
  return Call->getArg(0);
}

const Expr *yieldOperand(const CoyieldExpr *E) {
  return yieldArgument(suspendOperand(E));
}

namespace {

/// A braced-init-list, which only co_yield takes: it cannot be passed on.
bool isBraced(const Expr *W) {
  if (isa<InitListExpr, CXXStdInitializerListExpr>(W))
    return true;
  const auto *CCE = dyn_cast<CXXConstructExpr>(W);
  return CCE && CCE->isListInitialization() &&
         !isa<CXXTemporaryObjectExpr>(CCE);
}

} // namespace

std::vector<SuspensionPoint>
BundleAnalysis::suspensionPoints(const FunctionDecl *FD, std::string &Why) {
  // Judging a coroutine needs its suspension points, and rewriting it needs
  // them again: one walk of its body serves both.
  auto [It, New] = SuspensionCache.try_emplace(FD);
  if (New)
    It->second.Points = findSuspensionPoints(FD, It->second.Why);
  Why = It->second.Why;
  return It->second.Points;
}

std::vector<SuspensionPoint>
BundleAnalysis::findSuspensionPoints(const FunctionDecl *FD, std::string &Why) {
  std::vector<SuspensionPoint> Points;
  const auto *CB = dyn_cast_or_null<CoroutineBodyStmt>(FD->getBody());
  if (!CB)
    return Points;
  SuspendFinder Finder(SM, Ctx.getLangOpts());
  Finder.TraverseStmt(CB->getBody());
  for (const Expr *E : Finder.Found) {
    // What the operand was written as, and what takes it: the awaiter's
    // expression for a co_await, the yield_value call for a co_yield.
    const Expr *Written = nullptr, *Consumer = nullptr;
    if (const auto *Await = dyn_cast<CoawaitExpr>(E)) {
      Written = suspendOperand(Await);
      Consumer = Await->getCommonExpr();
    } else if (const auto *Yield = dyn_cast<CoyieldExpr>(E)) {
      Consumer = suspendOperand(Yield);
      Written = yieldOperand(Yield);
    } else if (const auto *Dependent = dyn_cast<DependentCoawaitExpr>(E)) {
      Written = Dependent->getOperand();
    } else {
      Written = cast<UnaryOperator>(E)->getSubExpr();
    }
    if (!Written) {
      Why = "it is a coroutine, and this Clang does not keep the operands "
            "of co_await and co_yield (Clang 15 does)";
      return {};
    }
    const Expr *W = writtenExpr(Written);
    if (isBraced(W)) {
      Why = "it is a coroutine whose co_yield of a braced initializer list "
            "cannot be edited to follow its suspension";
      return {};
    }
    CharSourceRange Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(Written->getSourceRange()), SM,
        Ctx.getLangOpts());
    if (Range.isInvalid() || !isEditableLoc(Range.getBegin()) ||
        SM.getFileID(Range.getBegin()) != SM.getFileID(Range.getEnd())) {
      Why = "it is a coroutine with a co_await or co_yield in a macro "
            "expansion, which cannot be edited to follow its suspension";
      return {};
    }
    SuspensionPoint P;
    P.Operand = Range;
    // The operand keeps its type and value category through __pass: a
    // glvalue (not a bit-field, which no reference binds), any non-class
    // prvalue (a temporary of its value), a class prvalue that the awaiting
    // binds to a reference. Else the call leaves the thread before the
    // operand is evaluated.
    if (W->isTypeDependent())
      P.Pass = false;
    else if (W->isGLValue())
      P.Pass = !W->refersToBitField();
    else if (!W->getType()->isRecordType())
      P.Pass = !W->getType()->isArrayType();
    else
      P.Pass = Consumer && boundByReference(Consumer, W);
    Points.push_back(P);
  }
  return Points;
}

bool BundleAnalysis::startsLazily(const FunctionDecl *FD) {
  const auto *CB = dyn_cast_or_null<CoroutineBodyStmt>(FD->getBody());
  if (!CB)
    return false;
  // Eager when initial_suspend()'s awaiter is ready at once: its
  // await_ready() returns the constant true, as std::suspend_never's does.
  const auto *Init = dyn_cast_or_null<Expr>(CB->getInitSuspendStmt());
  const auto *Await =
      Init ? dyn_cast<CoawaitExpr>(Init->IgnoreImplicit()) : nullptr;
  const Expr *ReadyExpr = Await ? Await->getReadyExpr() : nullptr;
  const auto *Ready =
      ReadyExpr ? dyn_cast<CXXMemberCallExpr>(ReadyExpr->IgnoreImplicit())
                : nullptr;
  const CXXMethodDecl *MD = Ready ? Ready->getMethodDecl() : nullptr;
  const FunctionDecl *Def = nullptr;
  if (!MD || !MD->hasBody(Def) || !Def)
    return true;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Def->getBody());
  if (!Body || Body->size() != 1)
    return true;
  const auto *Ret = dyn_cast<ReturnStmt>(Body->body_front());
  bool Value = false;
  if (!Ret || !Ret->getRetValue() || Ret->getRetValue()->isValueDependent() ||
      !Ret->getRetValue()->EvaluateAsBooleanCondition(Value, Ctx))
    return true;
  return !Value;
}

} // namespace trace_plugin
