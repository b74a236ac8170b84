//===- BundleRewriter.cpp - The prologue, returns and handler of a bundle -===//
//
// The user's statements stay the statements of the user's function, so
// Clang's analyses (thread safety, -Wreturn-type, -Wuninitialized...) see
// the function as written. The prologue (Site, the __Call, arguments, enum
// names, trainable globals) goes on the line of the body's '{'; each
// `return E;` is rewritten on its own line(s) to record its result; a
// handler that records an exception wraps the statements inside the
// function's own braces. No line moves.
//
//===----------------------------------------------------------------------===//

#include "RecordRenderers.h"
#include "trace-plugin/Keys.h"
#include "trace-plugin/Rewriting.h"
#include "trace-plugin/Strings.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// Trainable variables a body reads, in order of first use.
class GlobalReads : public RecursiveASTVisitor<GlobalReads> {
public:
  explicit GlobalReads(RewriteSession &S) : S(S) {}

  llvm::SetVector<const VarDecl *> Vars;

  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (!VD || !VD->hasGlobalStorage() || VD->isStaticLocal())
      return true;
    if (getTraceMarks(VD).Trainable && !spellGlobal(VD).empty())
      Vars.insert(VD->getCanonicalDecl());
    return true;
  }

  /// A helper the body calls reads for the bundle: its trainable reads are
  /// the call's inputs too (transitively, within this TU, bounded). A
  /// bundle callee records its own reads.
  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee || Visited.size() >= MaxHelpers)
      return true;
    const FunctionDecl *Def = nullptr;
    if (const FunctionDecl *P = Callee->getTemplateInstantiationPattern())
      Callee = P;
    if (!Callee->hasBody(Def) || !Def || S.Analysis.isBundleCallee(Callee) ||
        S.SM.isInSystemHeader(Def->getLocation()) ||
        !Visited.insert(Def->getCanonicalDecl()).second)
      return true;
    TraverseStmt(Def->getBody());
    return true;
  }

private:
  static constexpr unsigned MaxHelpers = 64;
  RewriteSession &S;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Visited;
};

std::string integerLiteral(const llvm::APSInt &V) {
  if (V.isSigned() || V.getActiveBits() < 64) {
    int64_t X = V.getExtValue();
    if (X == INT64_MIN)
      return "(-9223372036854775807LL - 1)";
    return std::to_string(X) + "LL";
  }
  return "static_cast<long long>(" + std::to_string(V.getZExtValue()) +
         "ULL)";
}

/// The EnumInfo declarations for a value of type \p T, named with
/// \p Suffix; "" when \p T is not a complete, non-dependent, named enum with
/// enumerators.
std::string enumInfo(RewriteSession &S, QualType T, StringRef Suffix) {
  T = T.getNonReferenceType().getUnqualifiedType();
  if (T->isDependentType())
    return "";
  const auto *ET = T->getAs<EnumType>();
  if (!ET)
    return "";
  const EnumDecl *ED = ET->getDecl()->getDefinition();
  if (!ED || !ED->getIdentifier() || ED->enumerators().empty())
    return "";
  std::string TypeName = qualifiedName(ED);
  std::string Values, Names;
  unsigned Count = 0;
  for (const EnumConstantDecl *ECD : ED->enumerators()) {
    if (Count) {
      Values += ", ";
      Names += ", ";
    }
    Values += integerLiteral(ECD->getInitVal());
    Names += quoted(TypeName + "::" + ECD->getName().str());
    ++Count;
  }
  std::string Out;
  Out += "static constexpr long long __trace_ev" + Suffix.str() + "[] = {" +
         Values + "}; ";
  Out += "static constexpr const char *__trace_en" + Suffix.str() + "[] = {" +
         Names + "}; ";
  Out += "static constexpr ::__trace_rt::__EnumInfo __trace_ei" + Suffix.str() +
         "{" + quoted(TypeName) + ", " + std::to_string(Count) +
         "u, __trace_ev" + Suffix.str() + ", __trace_en" + Suffix.str() + "}; ";
  return Out;
}

/// True if a name can go right after \p TL's last token: the type is not
/// a function, an array or a member pointer, whose declarator wraps the name.
bool nameGoesAfter(TypeLoc TL) {
  while (true) {
    TL = TL.getUnqualifiedLoc();
    if (auto P = TL.getAs<PointerTypeLoc>())
      TL = P.getPointeeLoc();
    else if (auto R = TL.getAs<ReferenceTypeLoc>())
      TL = R.getPointeeLoc();
    else
      break;
  }
  return !TL.getAs<ParenTypeLoc>() && !TL.getAs<FunctionTypeLoc>() &&
         !TL.getAs<ArrayTypeLoc>() && !TL.getAs<MemberPointerTypeLoc>() &&
         !TL.getAs<AttributedTypeLoc>();
}

/// Names the unnamed parameters of \p FD that can be named in place
/// (`int` becomes `[[maybe_unused]] int __trace_argI`), so the call records
/// them; returns the names to use, "" for a parameter left unnamed.
std::vector<std::string> nameParameters(RewriteSession &S,
                                        const FunctionDecl *FD) {
  std::vector<std::string> Names;
  for (unsigned I = 0, N = FD->getNumParams(); I != N; ++I) {
    const ParmVarDecl *P = FD->getParamDecl(I);
    Names.push_back(P->getName().str());
    if (!P->getName().empty() || P->isParameterPack())
      continue;
    const TypeSourceInfo *TSI = P->getTypeSourceInfo();
    if (!TSI || !nameGoesAfter(TSI->getTypeLoc()))
      continue;
    SourceLocation Begin = P->getBeginLoc();
    SourceLocation End = TSI->getTypeLoc().getEndLoc();
    if (Begin.isInvalid() || End.isInvalid() ||
        !S.Analysis.isEditableLoc(Begin) || !S.Analysis.isEditableLoc(End) ||
        S.SM.getFileID(Begin) != S.SM.getFileID(End))
      continue;
    std::string Name = "__trace_arg" + std::to_string(I);
    if (S.R.InsertText(Begin, quiet("[[__maybe_unused__]]") + " ",
                       /*InsertAfter=*/true))
      continue;
    S.R.InsertTextAfterToken(End, " " + quiet(Name));
    Names.back() = Name;
  }
  return Names;
}

/// The start of the Site's declaration up to its key:
/// "static ::__trace_rt::__Site __trace_site{0x<hash>ull, "<key>"".
///
/// A template's body is written once for all its instantiations, yet each
/// instantiation has its own key (the template arguments are part of it). The
/// instantiations this TU makes are known here, each with the text of its
/// __PRETTY_FUNCTION__, which is a constant expression in the instantiated
/// body: a constexpr index picks the instantiation's hash and key, so the
/// Site stays constant-initialised. An instantiation whose key is
/// \p PatternKey (see siteKey()), or that matches none (none should), records
/// \p PatternKey.
std::string siteIdentity(RewriteSession &S, const FunctionDecl *FD,
                         const std::string &PatternKey) {
  std::string Open = "static ::__trace_rt::__Site __trace_site{";
  std::string PatternHash = "0x" + hex16(fnv1a64(PatternKey)) + "ull";
  if (!FD->isDependentContext())
    return Open + PatternHash + ", " + quoted(PatternKey);
  std::string Index = "static constexpr unsigned __trace_inst = ";
  std::string Hashes, Keys;
  unsigned Count = 0;
  for (const FunctionDecl *Inst : S.instantiationsOf(FD)) {
    std::string Key = siteKey(Inst);
    if (Key == PatternKey)
      continue;
    std::string Number = std::to_string(++Count) + "u";
    std::string Pretty = prettyFunctionName(Inst);
    Index += "!__builtin_strcmp(__PRETTY_FUNCTION__, " + quoted(Pretty) +
             ") ? " + Number + " : ";
    Hashes += "__trace_inst == " + Number + " ? 0x" + hex16(fnv1a64(Key)) +
              "ull : ";
    Keys += "__trace_inst == " + Number + " ? " + quoted(Key) + " : ";
  }
  if (!Count)
    return Open + PatternHash + ", " + quoted(PatternKey);
  Index += "0u; ";
  return Index + Open + Hashes + PatternHash + ", " + Keys +
         quoted(PatternKey);
}

/// The return statements of a body that return from the function itself
/// (not from a lambda, a block or a local class inside it).
class ReturnFinder : public RecursiveASTVisitor<ReturnFinder> {
public:
  std::vector<const ReturnStmt *> Found;

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseBlockExpr(BlockExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitReturnStmt(ReturnStmt *RS) {
    Found.push_back(RS);
    return true;
  }
};

/// Finds what changes meaning, or does not compile, inside the lambda of
/// a class prvalue's return: __func__ and friends and
/// source_location::current() would name the lambda; a structured binding
/// cannot be captured before C++20.
class LambdaUnsafe : public RecursiveASTVisitor<LambdaUnsafe> {
public:
  explicit LambdaUnsafe(const LangOptions &LO) : LO(LO) {}

  bool Found = false;

  bool VisitPredefinedExpr(PredefinedExpr *) { return found(); }
  bool VisitSourceLocExpr(SourceLocExpr *) { return found(); }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    if (isa<BindingDecl>(DRE->getDecl()) && !LO.CPlusPlus20)
      return found();
    return true;
  }
  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (!Callee || !Callee->getIdentifier() || Callee->getName() != "current")
      return true;
    const auto *RD = dyn_cast<CXXRecordDecl>(Callee->getDeclContext());
    if (RD && RD->getIdentifier() && RD->getName() == "source_location")
      return found();
    return true;
  }

private:
  const LangOptions &LO;

  bool found() {
    Found = true;
    return false;
  }
};

/// How one `return E;` records its result.
enum class ReturnForm {
  /// `{__trace_call.__ret(x); return x;}`: E names a variable or a member;
  /// the return statement stays as written (NRVO, implicit move).
  Variable,
  /// `return __retv(__trace_call, E);`: a scalar of the return type,
  /// passed by value (a bit-field, a constant without a definition).
  Value,
  /// `return __retAs<R>(__trace_call, E);`: a scalar converted to R.
  As,
  /// `return __retRef(__trace_call, E);`: a glvalue for a reference.
  Ref,
  /// `return __result(__trace_call, [&]() -> R { return E; });`: a class
  /// prvalue. Recording it in the function would need a copy or a move;
  /// in the lambda it initialises a local that NRVO makes the caller's
  /// object, as guaranteed elision would.
  Lambda,
  /// Left as written: the call records "not captured".
  Untouched
};

struct ReturnEdit {
  const ReturnStmt *RS;
  ReturnForm Form;
  /// The returned expression's characters in the file.
  CharSourceRange Range;
};

/// A type whose value the runtime can look at through a const reference.
bool isRecordable(QualType T) {
  T = T.getNonReferenceType();
  return !T.isVolatileQualified() && !T->isArrayType() && !T->isFunctionType();
}

/// True if \p E names a variable or a field of *this: evaluating it again
/// before the return has no effect, so it is recorded first and the
/// return statement keeps its exact form.
bool namesObject(const Expr *E) {
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    // A constant static member may have no definition (before C++17): a
    // reference to it would need one.
    if (VD && VD->isStaticDataMember() &&
        (VD->isConstexpr() || VD->getType().isConstQualified()))
      return false;
    return VD && isRecordable(VD->getType());
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    return FD && !FD->isBitField() && isRecordable(FD->getType()) &&
           isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts());
  }
  return false;
}

/// True if the return converts \p E with a conversion function
/// (`return S;` of a class with operator bool): the scalar to record is
/// the converted one, so __retv, which takes E's own type, does not fit.
bool userConversion(const Expr *E) {
  while (true) {
    E = E->IgnoreParens();
    if (const auto *FE = dyn_cast<FullExpr>(E)) {
      E = FE->getSubExpr();
      continue;
    }
    const auto *ICE = dyn_cast<ImplicitCastExpr>(E);
    if (!ICE)
      return false;
    if (ICE->getCastKind() == CK_UserDefinedConversion)
      return true;
    E = ICE->getSubExpr();
  }
}

ReturnForm returnForm(RewriteSession &S, const FunctionDecl *FD, const Expr *E,
                      const std::optional<std::string> &Spelled) {
  QualType RT = FD->getReturnType();
  // Only where the return statement's own form matters (NRVO, implicit
  // move): a scalar goes through __retv, so that a return Clang finds
  // unreachable is still the first statement of its block.
  if (namesObject(writtenExpr(E)) &&
      (RT->isDependentType() || RT->isRecordType() ||
       RT->isRValueReferenceType()))
    return ReturnForm::Variable;
  bool Deduced = FD->getDeclaredReturnType()->getContainedDeducedType();
  auto InLambda = [&] {
    LambdaUnsafe Unsafe(S.Ctx.getLangOpts());
    Unsafe.TraverseStmt(const_cast<Expr *>(E));
    return Spelled && !Unsafe.Found ? ReturnForm::Lambda
                                    : ReturnForm::Untouched;
  };
  bool Spellable = Spelled && !Spelled->empty() && !Deduced;
  if (RT->isDependentType())
    return InLambda();
  const Expr *Bare = E->IgnoreImplicit();
  bool Braced = isa<InitListExpr>(Bare) ||
                (isa<CXXConstructExpr>(Bare) &&
                 cast<CXXConstructExpr>(Bare)->isListInitialization() &&
                 !isa<CXXTemporaryObjectExpr>(Bare));
  if (RT->isReferenceType()) {
    if (E->isTypeDependent())
      return InLambda();
    // Arrays and functions are recorded through a reference, as they are.
    if (Braced || !E->isGLValue() || E->refersToBitField() ||
        E->getType().isVolatileQualified())
      return ReturnForm::Untouched;
    return ReturnForm::Ref;
  }
  if (RT->isScalarType()) {
    QualType WT = E->IgnoreImpCasts()->getType();
    if (!Braced && !E->isTypeDependent() && !userConversion(E) &&
        isRecordable(WT) && S.Ctx.hasSameUnqualifiedType(WT, RT))
      return ReturnForm::Value;
    return Spellable ? ReturnForm::As : ReturnForm::Untouched;
  }
  if (RT->isRecordType())
    return InLambda();
  return ReturnForm::Untouched;
}

/// The returns of \p FD and how each records its result.
std::vector<ReturnEdit> planReturns(RewriteSession &S, const FunctionDecl *FD,
                                    const CompoundStmt *Block) {
  std::vector<ReturnEdit> Plan;
  if (FD->getReturnType()->isVoidType() || FD->isNoReturn())
    return Plan;
  std::optional<std::string> Spelled = S.Analysis.lambdaReturnType(FD);
  const LangOptions &LO = S.Ctx.getLangOpts();
  ReturnFinder Finder;
  Finder.TraverseStmt(const_cast<CompoundStmt *>(Block));
  for (const ReturnStmt *RS : Finder.Found) {
    const Expr *E = RS->getRetValue();
    if (!E)
      continue;
    ReturnEdit Edit{RS, returnForm(S, FD, E, Spelled), {}};
    // Before C++17 the elidable copy of a returned temporary (`return Buf;`
    // to a std::string) begins at the `return` keyword: the written
    // expression begins where the copied one does.
    SourceRange Written = E->getSourceRange();
    if (Written.getBegin() == RS->getReturnLoc())
      Written.setBegin(E->IgnoreUnlessSpelledInSource()->getBeginLoc());
    Edit.Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(Written), S.SM, LO);
    if (Edit.Range.isInvalid() ||
        !S.Analysis.isEditableLoc(Edit.Range.getBegin()) ||
        S.SM.getFileID(Edit.Range.getBegin()) !=
            S.SM.getFileID(Edit.Range.getEnd()))
      Edit.Form = ReturnForm::Untouched;
    if (Edit.Form == ReturnForm::Variable &&
        (!RS->getReturnLoc().isFileID() || !E->getBeginLoc().isFileID() ||
         !E->getEndLoc().isFileID()))
      Edit.Form = ReturnForm::Untouched;
    Plan.push_back(Edit);
  }
  return Plan;
}

/// True if control cannot reach the end of \p S (a return, a throw, a
/// call of a [[noreturn]] function, an if/else whose branches all end).
/// Conservative: "false" only costs the function its handler.
bool endsFunction(const Stmt *S) {
  if (!S)
    return false;
  if (isa<ReturnStmt>(S))
    return true;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return !CS->body_empty() && endsFunction(CS->body_back());
  if (const auto *AS = dyn_cast<AttributedStmt>(S))
    return endsFunction(AS->getSubStmt());
  if (const auto *If = dyn_cast<IfStmt>(S))
    return If->getElse() && endsFunction(If->getThen()) &&
           endsFunction(If->getElse());
  if (const auto *E = dyn_cast<Expr>(S)) {
    E = E->IgnoreImplicit()->IgnoreParenImpCasts();
    if (isa<CXXThrowExpr>(E))
      return true;
    if (const auto *CE = dyn_cast<CallExpr>(E))
      if (const FunctionDecl *Callee = CE->getDirectCallee())
        return Callee->isNoReturn();
  }
  return false;
}

/// True if the statements are wrapped in `try { ... } catch (...) {
/// __trace_call.__threw(); throw; }`, which records an exception's type
/// and what(). Not where no exception can leave (noexcept, destructors,
/// -fno-exceptions) and not in a non-void function whose end may be
/// reached: there the handler would change the wording of -Wreturn-type.
/// Without it, the __Call's destructor records an exception of unknown
/// type.
bool hasHandler(RewriteSession &S, const FunctionDecl *FD,
                const CompoundStmt *Block) {
  if (!S.Ctx.getLangOpts().CXXExceptions || isa<CXXDestructorDecl>(FD))
    return false;
  // An exception that leaves a coroutine's body goes to the promise's
  // unhandled_exception(), whatever the function's noexcept says.
  if (isa<CoroutineBodyStmt>(FD->getBody()))
    return true;
  const auto *Proto = FD->getType()->getAs<FunctionProtoType>();
  if (Proto && Proto->isNothrow(/*ResultIfDependent=*/false))
    return false;
  if (!FD->getReturnType()->isVoidType() && !FD->isMain() &&
      !FD->isNoReturn() && !endsFunction(Block))
    return false;
  return true;
}

/// How one `co_return` ends the call of a coroutine bundle.
enum class CoreturnForm {
  /// `{__trace_call.__ret(x); co_return x;}`: the statement stays as
  /// written (the implicit move of a local).
  Variable,
  /// `co_return ::__trace_rt::__retv(__trace_call, E);`: a scalar.
  Value,
  /// `co_return ::__trace_rt::__result(__trace_call, [&]() ->
  /// decltype(auto) { return (E); });`: a class prvalue, or an E whose type
  /// depends on a template parameter. The parentheses keep E's value
  /// category (a member access would give its declared type: a copy).
  Lambda,
  /// `co_return __trace_call.__coVoid();`: no operand (a void operand is
  /// the same return_void()).
  Void,
  /// `co_return (E), __trace_call.__coVoid();`: a void E.
  VoidExpr,
  /// Left as written: the call records "not captured".
  Untouched
};

struct CoreturnEdit {
  const CoreturnStmt *CS;
  CoreturnForm Form;
  /// The operand's characters in the file.
  CharSourceRange Range;
};

/// The co_return statements of a coroutine's body, not of the lambdas,
/// blocks and local classes in it.
class CoreturnFinder : public RecursiveASTVisitor<CoreturnFinder> {
public:
  std::vector<const CoreturnStmt *> Found;
  bool HasSuspension = false;

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseBlockExpr(BlockExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitCoreturnStmt(CoreturnStmt *CS) {
    if (!CS->isImplicit())
      Found.push_back(CS);
    return true;
  }
  bool VisitCoawaitExpr(CoawaitExpr *) { return suspends(); }
  bool VisitDependentCoawaitExpr(DependentCoawaitExpr *) { return suspends(); }
  bool VisitCoyieldExpr(CoyieldExpr *) { return suspends(); }
  bool VisitUnaryOperator(UnaryOperator *UO) {
    return UO->getOpcode() == UO_Coawait ? suspends() : true;
  }

private:
  bool suspends() {
    HasSuspension = true;
    return true;
  }
};

/// True if \p E suspends: a lambda made of it would be a coroutine.
bool hasSuspension(const Expr *E) {
  CoreturnFinder F;
  F.TraverseStmt(const_cast<Expr *>(E));
  return F.HasSuspension;
}

CoreturnForm coreturnForm(RewriteSession &S, const CoreturnStmt *CS) {
  const Expr *E = CS->getOperand();
  if (!E)
    return CoreturnForm::Void;
  if (!E->isTypeDependent() && E->getType()->isVoidType())
    return CoreturnForm::VoidExpr;
  const Expr *W = writtenExpr(E);
  if (isa<InitListExpr>(E->IgnoreImplicit()) || isa<InitListExpr>(W))
    return CoreturnForm::Untouched;
  if (namesObject(W))
    return CoreturnForm::Variable;
  // In the lambda, E keeps its type and value category (decltype(auto)),
  // a class prvalue initialises its result in place, a void E is void. A
  // lambda cannot suspend, nor name the function (__func__).
  auto InLambda = [&] {
    LambdaUnsafe Unsafe(S.Ctx.getLangOpts());
    Unsafe.TraverseStmt(const_cast<Expr *>(E));
    return Unsafe.Found || hasSuspension(E) ? CoreturnForm::Untouched
                                            : CoreturnForm::Lambda;
  };
  if (E->isTypeDependent() || W->isTypeDependent())
    return InLambda();
  QualType WT = W->getType();
  if (WT->isScalarType()) {
    if (!isRecordable(WT) || userConversion(E))
      return CoreturnForm::Untouched;
    // __retv gives E's value as a prvalue of E's own type, which the
    // promise's return_value() converts as it would E. Not where that
    // changes what it gets: a glvalue bound to a reference parameter (its
    // address), an integer null pointer constant to a pointer.
    const auto *Call =
        dyn_cast_or_null<CXXMemberCallExpr>(CS->getPromiseCall());
    const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
    std::optional<QualType> PT;
    if (MD && MD->getNumParams() == 1)
      PT = MD->getParamDecl(0)->getType();
    if (W->isGLValue() && (!PT || (*PT)->isReferenceType()))
      return CoreturnForm::Untouched;
    if (WT->isIntegerType() &&
        W->isNullPointerConstant(S.Ctx, Expr::NPC_ValueDependentIsNotNull) &&
        (!PT || PT->getNonReferenceType()->isPointerType() ||
         PT->getNonReferenceType()->isMemberPointerType()))
      return CoreturnForm::Untouched;
    return CoreturnForm::Value;
  }
  if (WT->isRecordType() && W->isPRValue() &&
      S.Ctx.hasSameUnqualifiedType(E->getType(), WT))
    return InLambda();
  return CoreturnForm::Untouched;
}

/// The co_returns of a coroutine's \p Block and how each ends its call.
std::vector<CoreturnEdit> planCoreturns(RewriteSession &S,
                                        const CompoundStmt *Block) {
  std::vector<CoreturnEdit> Plan;
  const LangOptions &LO = S.Ctx.getLangOpts();
  CoreturnFinder Finder;
  Finder.TraverseStmt(const_cast<CompoundStmt *>(Block));
  for (const CoreturnStmt *CS : Finder.Found) {
    CoreturnEdit Edit{CS, coreturnForm(S, CS), {}};
    SourceLocation Keyword = CS->getKeywordLoc();
    if (!Keyword.isFileID() || !S.Analysis.isEditableLoc(Keyword))
      Edit.Form = CoreturnForm::Untouched;
    if (const Expr *E = CS->getOperand()) {
      SourceRange Written = E->getSourceRange();
      if (Written.getBegin() == Keyword)
        Written.setBegin(E->IgnoreUnlessSpelledInSource()->getBeginLoc());
      Edit.Range = Lexer::makeFileCharRange(
          CharSourceRange::getTokenRange(Written), S.SM, LO);
      if (Edit.Range.isInvalid() ||
          !S.Analysis.isEditableLoc(Edit.Range.getBegin()) ||
          S.SM.getFileID(Edit.Range.getBegin()) != S.SM.getFileID(Keyword) ||
          S.SM.getFileID(Edit.Range.getEnd()) != S.SM.getFileID(Keyword))
        Edit.Form = CoreturnForm::Untouched;
      if (Edit.Form == CoreturnForm::Variable &&
          (!E->getBeginLoc().isFileID() || !E->getEndLoc().isFileID()))
        Edit.Form = CoreturnForm::Untouched;
    }
    Plan.push_back(Edit);
  }
  return Plan;
}

/// The edits of a coroutine bundle's body besides the prologue: its
/// suspension points, its co_returns, the end of its body.
void insertCoroutineEdits(RewriteSession &S, const FunctionDecl *FD,
                          const CompoundStmt *Body) {
  const LangOptions &LO = S.Ctx.getLangOpts();
  std::string Why;
  for (const SuspensionPoint &P : S.Analysis.suspensionPoints(FD, Why)) {
    std::string Open = P.Pass
                           ? "::__trace_rt::__CoSuspend(__trace_call).__pass("
                           : "((void)::__trace_rt::__CoSuspend(__trace_call)"
                             ".__now(),";
    S.R.InsertText(P.Operand.getBegin(), quietExpr(Open) + " ",
                   /*InsertAfter=*/false);
    S.R.InsertText(P.Operand.getEnd(), ")", /*InsertAfter=*/true);
  }
  for (const CoreturnEdit &Edit : planCoreturns(S, Body)) {
    SourceLocation Begin = Edit.Range.getBegin(), End = Edit.Range.getEnd();
    switch (Edit.Form) {
    case CoreturnForm::Untouched:
      continue;
    case CoreturnForm::Void:
      S.R.InsertTextAfterToken(Edit.CS->getKeywordLoc(),
                               " __trace_call.__coVoid()");
      continue;
    case CoreturnForm::VoidExpr:
      S.R.InsertText(Begin, "(", /*InsertAfter=*/false);
      S.R.InsertText(End, " " + quietExpr("), __trace_call.__coVoid()"),
                     /*InsertAfter=*/true);
      continue;
    case CoreturnForm::Variable: {
      SourceLocation AfterSemi = Lexer::findLocationAfterToken(
          Edit.CS->getOperand()->getEndLoc(), tok::semi, S.SM, LO,
          /*SkipTrailingWhitespaceAndNewLine=*/false);
      if (AfterSemi.isInvalid())
        continue;
      StringRef Text = Lexer::getSourceText(Edit.Range, S.SM, LO);
      S.R.InsertText(Edit.CS->getKeywordLoc(),
                     quietExpr("{__trace_call.__ret(" + Text.str() + ");") +
                         " ",
                     /*InsertAfter=*/true);
      S.R.InsertText(AfterSemi, "}", /*InsertAfter=*/true);
      continue;
    }
    case CoreturnForm::Value:
      S.R.InsertText(Begin, "::__trace_rt::__retv(__trace_call, ",
                     /*InsertAfter=*/false);
      S.R.InsertText(End, ")", /*InsertAfter=*/true);
      continue;
    case CoreturnForm::Lambda:
      S.R.InsertText(Begin,
                     quietExpr("::__trace_rt::__result(__trace_call, [&]() -> "
                               "decltype(auto) { return (") +
                         " ",
                     /*InsertAfter=*/false);
      S.R.InsertText(End, "); })", /*InsertAfter=*/true);
      continue;
    }
  }
  // Falling off the end: return_void(), as `co_return;`.
  S.R.InsertText(Body->getRBracLoc(), " " + quiet("__trace_call.__coVoid();"),
                 /*InsertAfter=*/true);
}

} // namespace

const CompoundStmt *bodyBlock(const FunctionDecl *FD) {
  const Stmt *Body = FD->getBody();
  if (const auto *CB = dyn_cast_or_null<CoroutineBodyStmt>(Body))
    Body = CB->getBody();
  if (const auto *Try = dyn_cast_or_null<CXXTryStmt>(Body))
    return Try->getTryBlock();
  return dyn_cast_or_null<CompoundStmt>(Body);
}

void insertPrologue(RewriteSession &S, const FunctionDecl *FD,
                    const TraceMarks &Marks) {
  // A function-try-block's prologue goes inside its try block: the
  // handlers stay the user's.
  const CompoundStmt *Body = bodyBlock(FD);
  std::string Key = patternKey(FD);
  SourceLocation NameLoc = S.SM.getFileLoc(FD->getLocation());

  const auto *Proto = FD->getType()->getAs<FunctionProtoType>();
  const auto *MD = dyn_cast<CXXMethodDecl>(FD);
  bool IsMember = MD && MD->isInstance();
  unsigned Flags = 0;
  if (Marks.Trainable)
    Flags |= 1;
  if (IsMember)
    Flags |= 2;
  if (Proto && Proto->isNothrow(/*ResultIfDependent=*/false))
    Flags |= 4;
  if (FD->getReturnType()->isVoidType())
    Flags |= 8;
  if (FD->isMain())
    Flags |= 16;
  // An unnamed parameter is recorded as "argI" when it can be named.
  std::vector<std::string> Named = nameParameters(S, FD);
  std::string ParamNames;
  for (unsigned I = 0, N = FD->getNumParams(); I != N; ++I) {
    std::string Shown = FD->getParamDecl(I)->getName().str();
    if (Shown.empty() && !Named[I].empty())
      Shown = "arg" + std::to_string(I);
    ParamNames += escapeForLiteral(Shown) + "\\0";
  }

  // A coroutine that may start after its call returned reads no reference
  // parameter and no *this: a valid program may have ended them by then.
  const bool Coroutine = isa<CoroutineBodyStmt>(FD->getBody());
  const bool Lazy = Coroutine && S.Analysis.startsLazily(FD);

  std::string Out = siteIdentity(S, FD, Key);
  Out += ", " + quoted(qualifiedName(FD)) +
         ", __PRETTY_FUNCTION__, " + quoted(S.absolutePath(NameLoc)) + ", " +
         std::to_string(S.lineOf(NameLoc)) + "u, ";
  Out += "\"" + ParamNames + "\", " + std::to_string(FD->getNumParams()) +
         "u, ";
  Out += quoted(S.description(FD, Marks)) + ", ";
  Out += Marks.Trainable ? quoted("code:" + Key) : std::string("nullptr");
  Out += ", " + std::to_string(Flags) + "u}; ";
  // Records without operator<< render field by field (RecordRenderers.cpp).
  Out += recordRenderers(S, FD);
  if (Coroutine)
    Out += std::string("::__trace_rt::__CoCall __trace_call(__trace_site, ") +
           (Lazy ? "true" : "false") + "); ";
  else
    Out += "::__trace_rt::__Call __trace_call(__trace_site); ";
  // A volatile object cannot bind to the const T& that self() takes.
  if (IsMember && !MD->getMethodQualifiers().hasVolatile() && !Lazy)
    Out += "__trace_call.__self(*this); ";

  for (unsigned I = 0, N = FD->getNumParams(); I != N; ++I) {
    const ParmVarDecl *P = FD->getParamDecl(I);
    if (Named[I].empty())
      continue;
    std::string Name = Named[I];
    std::string Index = std::to_string(I);
    if (Lazy) {
      QualType Pattern = P->getType();
      if (const auto *PET = Pattern->getAs<PackExpansionType>())
        Pattern = PET->getPattern();
      if (Pattern->isReferenceType())
        continue;
    }
    if (P->isParameterPack()) {
      Out += "__trace_call.__pack(" + Index + ", " + Name + "...); ";
      continue;
    }
    if (P->getType().isVolatileQualified())
      continue;
    // A parameter taken by value is the callee's own copy: the runtime
    // skips looking its address up among bindings (its producer can only
    // come from the call site's note). A reference is the caller's object.
    // A template parameter `T X` instantiated with an explicit reference
    // type is taken as by value: it may lose an edge, never gain a wrong one.
    QualType PT = P->getType();
    const char *Member = PT->isReferenceType() ? "__trace_call.__argRef("
                                               : "__trace_call.__arg(";
    std::string Enum = enumInfo(S, PT, Index);
    if (!Enum.empty()) {
      Out += Enum + Member + Index + ", " + Name + ", __trace_ei" + Index +
             "); ";
      continue;
    }
    Out += Member + Index + ", " + Name + "); ";
  }
  if (!FD->isNoReturn()) {
    std::string Enum = enumInfo(S, FD->getReturnType(), "r");
    if (!Enum.empty())
      Out += Enum + "__trace_call.__retEnum(__trace_eir); ";
  }

  GlobalReads Reads(S);
  Reads.TraverseStmt(const_cast<CompoundStmt *>(Body));
  for (const VarDecl *VD : Reads.Vars) {
    // A helper may read a variable declared after this function: the
    // prologue can name only what is declared before it.
    if (!S.SM.isBeforeInTranslationUnit(VD->getCanonicalDecl()->getLocation(),
                                        Body->getLBracLoc()))
      continue;
    std::string Id = "var:" + qualifiedName(VD);
    Out += "__trace_call.__global(0x" + hex16(fnv1a64(Id)) + "ull, " +
           quoted(Id) + ", " + spellGlobal(VD) + "); ";
  }

  // A return left as written (from a macro, or a value that cannot be
  // looked at without a copy) records "not captured" rather than nothing.
  bool Unrecorded = false;
  for (const ReturnEdit &Edit : planReturns(S, FD, Body))
    Unrecorded = Unrecorded || Edit.Form == ReturnForm::Untouched;
  if (Coroutine)
    for (const CoreturnEdit &Edit : planCoreturns(S, Body))
      Unrecorded = Unrecorded || Edit.Form == CoreturnForm::Untouched;
  if (Unrecorded)
    Out += "__trace_call.__unrecorded(); ";
  if (hasHandler(S, FD, Body))
    Out += "try { ";

  // The space keeps __TRACE_END apart from a token right after the '{'.
  S.R.InsertTextAfterToken(Body->getLBracLoc(), quiet(Out) + " ");
}

void insertEpilogue(RewriteSession &S, const FunctionDecl *FD) {
  const CompoundStmt *Body = bodyBlock(FD);
  const LangOptions &LO = S.Ctx.getLangOpts();
  if (isa<CoroutineBodyStmt>(FD->getBody()))
    insertCoroutineEdits(S, FD, Body);
  // Runs after the call sites are rewritten: the text around a returned
  // expression goes outside theirs (before their insertions at its start,
  // after those at its end).
  for (const ReturnEdit &Edit : planReturns(S, FD, Body)) {
    const Expr *E = Edit.RS->getRetValue();
    SourceLocation Begin = Edit.Range.getBegin(), End = Edit.Range.getEnd();
    const Expr *Bare = E->IgnoreImplicit();
    bool Comma =
        isa<BinaryOperator>(Bare) && cast<BinaryOperator>(Bare)->isCommaOp();
    std::string Open = Comma ? "(" : "", Close = Comma ? ")" : "";
    switch (Edit.Form) {
    case ReturnForm::Untouched:
      continue;
    case ReturnForm::Variable: {
      SourceLocation AfterSemi = Lexer::findLocationAfterToken(
          E->getEndLoc(), tok::semi, S.SM, LO,
          /*SkipTrailingWhitespaceAndNewLine=*/false);
      if (AfterSemi.isInvalid())
        continue;
      StringRef Text = Lexer::getSourceText(Edit.Range, S.SM, LO);
      // After the prologue when `return` follows the body's '{'.
      S.R.InsertText(Edit.RS->getReturnLoc(),
                     quietExpr("{__trace_call.__ret(" + Text.str() + ");") +
                         " ",
                     /*InsertAfter=*/true);
      S.R.InsertText(AfterSemi, "}", /*InsertAfter=*/true);
      continue;
    }
    // The call is not quieted: -Wunreachable-code-return reports an
    // unreachable return at the first token of its value, and nothing in
    // these names warns.
    case ReturnForm::Value:
      Open = "::__trace_rt::__retv(__trace_call, " + Open;
      break;
    case ReturnForm::As:
      Open = "::__trace_rt::__retAs " +
             quietExpr("< " + *S.Analysis.lambdaReturnType(FD) + ">") +
             " (__trace_call, " + Open;
      break;
    case ReturnForm::Ref:
      Open = "::__trace_rt::__retRef(__trace_call, " + Open;
      break;
    case ReturnForm::Lambda: {
      // A lambda warns under -Wc++98-compat: quiet.
      std::string RetType = *S.Analysis.lambdaReturnType(FD);
      std::string Arrow = RetType.empty() ? "" : " -> " + RetType;
      Open = quietExpr("::__trace_rt::__result(__trace_call, [&]()" + Arrow +
                       " { return") +
             " ";
      Close = "; }";
      break;
    }
    }
    S.R.InsertText(Begin, Open, /*InsertAfter=*/false);
    S.R.InsertText(End, Close + ")", /*InsertAfter=*/true);
  }
  if (hasHandler(S, FD, Body))
    S.R.InsertText(Body->getRBracLoc(),
                   " " + quiet("} catch (...) { __trace_call.__threw(); "
                               "throw; }"),
                   /*InsertAfter=*/true);
}

} // namespace trace_plugin
