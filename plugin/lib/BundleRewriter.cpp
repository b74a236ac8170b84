//===- BundleRewriter.cpp - The prologue and returns of a bundle ----------===//
//
// The user's body stays the function's body: Clang's flow-sensitive
// analyses (thread safety, -Wreturn-type, -Wuninitialized, lifetimes) see
// the user's function, and NRVO, implicit moves, [[noreturn]], noexcept,
// __func__ and va_start keep their meaning.
//
// The prologue, on the line of the '{', declares the Site and a __Call
// (`__trace_call`) and records the arguments. Each `return E;` is rewritten
// on its own line(s) to record its value, choosing the form that adds no
// copy and no move:
//   - a scalar, pointer, enum or reference result:
//       return ::__trace_rt::__ret<R>(__trace_call, E);
//     the parameter is copy-initialised from E as the result would be, and
//     is [[clang::lifetimebound]], so returning a local's address still
//     warns;
//   - `return x;` of a variable (NRVO and the implicit move must still
//     happen): recorded before the unchanged return, in a block, which is
//     valid wherever the return statement was:
//       { __trace_call.__retName(x); return x; }
//   - any other class-type (or dependent) result: the expression alone goes
//     into a lambda whose prvalue initialises, through NRVO, the caller's
//     object (guaranteed elision is kept; a non-movable type is "not
//     captured"):
//       return ::__trace_rt::__retv<R>(__trace_call, [&]() -> R { return E; });
// A void return, falling off the end, and an exception leaving the
// function are recorded by the __Call's destructor (it compares the
// thread's count of throws; the runtime's __cxa_throw hook keeps the
// exception's type and object). A return that cannot be edited (from a
// macro) records "not captured".
//
//===----------------------------------------------------------------------===//

#include "RecordRenderers.h"
#include "trace-plugin/Keys.h"
#include "trace-plugin/Rewriting.h"
#include "trace-plugin/Strings.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
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

/// The return statements of a function's own body (not those of a lambda
/// or a local class inside it).
class ReturnFinder : public RecursiveASTVisitor<ReturnFinder> {
public:
  std::vector<const ReturnStmt *> Found;

  bool shouldVisitLambdaBody() const { return false; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseBlockExpr(BlockExpr *) { return true; }
  bool VisitReturnStmt(ReturnStmt *RS) {
    if (RS->getRetValue())
      Found.push_back(RS);
    return true;
  }
};

/// Finds what a lambda around a return's expression would change: a name
/// of the function (__func__), a source location, a structured binding
/// (not capturable before C++20), a coroutine operator.
class LambdaBlockers : public RecursiveASTVisitor<LambdaBlockers> {
public:
  explicit LambdaBlockers(const LangOptions &LO) : LO(LO) {}
  bool Blocked = false;

  bool VisitPredefinedExpr(PredefinedExpr *) { return block(); }
  bool VisitSourceLocExpr(SourceLocExpr *) { return block(); }
  bool VisitCoawaitExpr(CoawaitExpr *) { return block(); }
  bool VisitCoyieldExpr(CoyieldExpr *) { return block(); }
  bool VisitDependentCoawaitExpr(DependentCoawaitExpr *) { return block(); }
  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *Callee = CE->getDirectCallee();
    if (Callee && Callee->getIdentifier() && Callee->getName() == "current")
      return block();
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    if (isa<BindingDecl>(DRE->getDecl()) && !LO.CPlusPlus20)
      return block();
    return true;
  }

private:
  const LangOptions &LO;
  bool block() {
    Blocked = true;
    return false;
  }
};

/// The expression a `return` converts, under the implicit nodes that the
/// conversion adds (a copy or move of a variable, a cast).
const Expr *returnedOperand(const Expr *E) {
  while (true) {
    E = E->IgnoreParens();
    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E))
      E = ICE->getSubExpr();
    else if (const auto *MCE = dyn_cast<CXXMemberCallExpr>(E);
             MCE && isa<CXXConversionDecl>(MCE->getMethodDecl()) &&
             MCE->getExprLoc() ==
                 MCE->getImplicitObjectArgument()->getExprLoc())
      // An implicit conversion function (`return S;` to a view of S).
      E = MCE->getImplicitObjectArgument();
    else if (const auto *FE = dyn_cast<FullExpr>(E))
      E = FE->getSubExpr();
    else if (const auto *BTE = dyn_cast<CXXBindTemporaryExpr>(E))
      E = BTE->getSubExpr();
    else if (const auto *CCE = dyn_cast<CXXConstructExpr>(E);
             CCE && CCE->getNumArgs() == 1 &&
             CCE->getParenOrBraceRange().isInvalid() &&
             !isa<CXXTemporaryObjectExpr>(CCE))
      E = CCE->getArg(0);
    else
      return E;
  }
}

/// How one `return E;` records its value.
struct ReturnEdit {
  enum Kind { Scalar, Name, Lambda } K;
  const ReturnStmt *RS;
  std::string Text;     ///< Scalar, Lambda: the result type to spell ("" if
                        ///< deduced); Name: the variable's name.
  bool Deduced = false; ///< Lambda: Text is a declared `auto` form.
};

/// The plan for a function's returns; Unseen when one cannot be recorded.
struct ReturnPlan {
  std::vector<ReturnEdit> Edits;
  bool Unseen = false;
};

/// The result type to spell in __ret<R> / `-> R`: the declared one, or the
/// deduced one of a non-template; "" when only a lambda's own deduction
/// can name it, nullopt when it cannot be spelled.
std::optional<std::string> spelledResult(RewriteSession &S,
                                         const FunctionDecl *FD) {
  QualType Declared = FD->getDeclaredReturnType();
  if (!Declared->getContainedDeducedType())
    return S.Analysis.lambdaReturnType(FD);
  QualType RT = FD->getReturnType();
  if (RT->isUndeducedType() || RT->isDependentType())
    return std::string();
  PrintingPolicy Policy(S.Ctx.getLangOpts());
  Policy.SuppressUnwrittenScope = true;
  Policy.AnonymousTagLocations = false;
  // The deduced type's sugar may name what only the returned expression's
  // scope sees (`value_type &`): spelled as its canonical type.
  std::string Text = RT.getCanonicalType().getAsString(Policy);
  if (Text.empty() || StringRef(Text).contains("(anonymous") ||
      StringRef(Text).contains("(unnamed") ||
      StringRef(Text).contains("(lambda") || StringRef(Text).contains('\n'))
    return std::string();
  return Text;
}

/// A class whose copies and moves are the compiler's own, trivial and
/// available (std::string_view, a plain struct): copying it through
/// __ret's parameter cannot be observed.
bool simplyCopied(ASTContext &Ctx, QualType T) {
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition() || !T.isTriviallyCopyableType(Ctx) ||
      T.isVolatileQualified())
    return false;
  if (!RD->hasTrivialCopyConstructor() || !RD->hasTrivialMoveConstructor() ||
      !RD->hasTrivialDestructor())
    return false;
  if ((RD->needsImplicitCopyConstructor() &&
       RD->defaultedCopyConstructorIsDeleted()) ||
      (RD->needsImplicitMoveConstructor() &&
       RD->defaultedMoveConstructorIsDeleted()))
    return false;
  for (const CXXConstructorDecl *C : RD->ctors())
    if ((C->isCopyConstructor() || C->isMoveConstructor()) && C->isDeleted())
      return false;
  return true;
}

ReturnPlan planReturns(RewriteSession &S, const FunctionDecl *FD) {
  ReturnPlan Plan;
  QualType Declared = FD->getDeclaredReturnType();
  if (FD->isNoReturn() || Declared->isVoidType() ||
      isa<CXXConstructorDecl>(FD) || isa<CXXDestructorDecl>(FD))
    return Plan;
  // main() returns 0 when control reaches its end, which no return records.
  if (FD->isMain())
    Plan.Unseen = true;
  ReturnFinder Finder;
  Finder.TraverseStmt(FD->getBody());
  if (Finder.Found.empty())
    return Plan;
  std::optional<std::string> Spelled = spelledResult(S, FD);
  QualType RT = FD->getReturnType();
  bool Deduced = Declared->getContainedDeducedType() != nullptr;
  bool DecltypeAuto = false;
  if (const auto *AT = Declared->getContainedAutoType())
    DecltypeAuto = AT->isDecltypeAuto();
  const LangOptions &LO = S.Ctx.getLangOpts();
  for (const ReturnStmt *RS : Finder.Found) {
    const Expr *E = RS->getRetValue();
    SourceLocation Begin = RS->getBeginLoc(), EBegin = E->getBeginLoc(),
                   EEnd = E->getEndLoc();
    if (!S.Analysis.isEditableLoc(Begin) || !S.Analysis.isEditableLoc(EBegin) ||
        !S.Analysis.isEditableLoc(EEnd) ||
        S.SM.getFileID(Begin) != S.SM.getFileID(EEnd)) {
      Plan.Unseen = true;
      continue;
    }
    bool Dependent = RT->isDependentType() || RT->isUndeducedType();
    if (!Dependent && Spelled && !Spelled->empty() &&
        (RT->isReferenceType() || RT->isScalarType() ||
         simplyCopied(S.Ctx, RT))) {
      Plan.Edits.push_back({ReturnEdit::Scalar, RS, *Spelled});
      continue;
    }
    // `return x;` of a variable: recorded before the unchanged return.
    if (const auto *DRE = dyn_cast<DeclRefExpr>(returnedOperand(E))) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      QualType VT = VD ? VD->getType() : QualType();
      bool SameType = VD && !RT.isNull() &&
                      S.Ctx.hasSameUnqualifiedType(VT.getNonReferenceType(),
                                                   RT.getNonReferenceType()) &&
                      VT->isReferenceType() == RT->isReferenceType();
      // A class object returned by name is moved or elided; a converting
      // return still records the variable itself rather than add a copy.
      bool Moves = VD && VD->hasLocalStorage() && !VT->isReferenceType() &&
                   (VT->isRecordType() || VT->isDependentType());
      if (VD && !VD->isParameterPack() && !VT.isVolatileQualified() &&
          (SameType || Moves || (Deduced && !DecltypeAuto)) &&
          !(DecltypeAuto && isa<ParenExpr>(E->IgnoreImplicit()))) {
        Plan.Edits.push_back({ReturnEdit::Name, RS, VD->getName().str()});
        continue;
      }
    }
    LambdaBlockers Blockers(LO);
    Blockers.TraverseStmt(const_cast<Expr *>(E));
    if (Blockers.Blocked || (!Spelled && !Deduced) ||
        (DecltypeAuto && !LO.CPlusPlus14)) {
      Plan.Unseen = true;
      continue;
    }
    // A deduced result: the lambda deduces it as the function does, from
    // the same declared form (`auto &`, `decltype(auto)`).
    std::string Arrow;
    if (!Deduced)
      Arrow = *Spelled;
    else if (!Declared->getAs<AutoType>() ||
             Declared->getAs<AutoType>()->isDecltypeAuto() ||
             Declared.hasLocalQualifiers())
      Arrow = Declared.getAsString(S.Ctx.getPrintingPolicy());
    Plan.Edits.push_back({ReturnEdit::Lambda, RS, Arrow, Deduced});
  }
  return Plan;
}

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
    std::string Pretty = PredefinedExpr::ComputeName(
        PredefinedIdentKind::PrettyFunction, Inst);
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

} // namespace

void insertPrologue(RewriteSession &S, const FunctionDecl *FD,
                    const TraceMarks &Marks) {
  const auto *Body = cast<CompoundStmt>(FD->getBody());
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

  // An unnamed parameter is recorded as "argI" when it can be named.
  std::vector<std::string> Named = nameParameters(S, FD);
  std::string ParamNames;
  for (unsigned I = 0, N = FD->getNumParams(); I != N; ++I) {
    std::string Shown = FD->getParamDecl(I)->getName().str();
    if (Shown.empty() && !Named[I].empty())
      Shown = "arg" + std::to_string(I);
    ParamNames += escapeForLiteral(Shown) + "\\0";
  }

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
  Out += "::__trace_rt::__Call __trace_call(__trace_site); ";
  // A volatile object cannot bind to the const T& that self() takes.
  if (IsMember && !MD->getMethodQualifiers().hasVolatile())
    Out += "__trace_call.__self(*this); ";

  for (unsigned I = 0, N = FD->getNumParams(); I != N; ++I) {
    const ParmVarDecl *P = FD->getParamDecl(I);
    if (Named[I].empty())
      continue;
    std::string Name = Named[I];
    std::string Index = std::to_string(I);
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

  if (planReturns(S, FD).Unseen)
    Out += "__trace_call.__retUnseen(); ";
  Out.pop_back();

  S.R.InsertTextAfterToken(Body->getLBracLoc(), quiet(Out));
}

void insertEpilogue(RewriteSession &S, const FunctionDecl *FD) {
  // After the call sites' edits: an edit inside a return's expression
  // stays inside the text that wraps it.
  ReturnPlan Plan = planReturns(S, FD);
  const LangOptions &LO = S.Ctx.getLangOpts();
  for (const ReturnEdit &Edit : Plan.Edits) {
    const Expr *E = Edit.RS->getRetValue();
    switch (Edit.K) {
    case ReturnEdit::Name: {
      SourceLocation AfterSemi = Lexer::findLocationAfterToken(
          Edit.RS->getEndLoc(), tok::semi, S.SM, LO,
          /*SkipTrailingWhitespaceAndNewLine=*/false);
      if (AfterSemi.isInvalid())
        continue;
      S.R.InsertText(Edit.RS->getBeginLoc(),
                     quiet("{ __trace_call.__retName(" + Edit.Text + ");") +
                         " ",
                     /*InsertAfter=*/false);
      S.R.InsertText(AfterSemi, " }", /*InsertAfter=*/true);
      break;
    }
    case ReturnEdit::Scalar:
      // Not quiet: a diagnostic about the whole return (unreachable code)
      // is reported at the first token of its expression.
      S.R.InsertText(E->getBeginLoc(),
                     "::__trace_rt::__ret<" + Edit.Text + ">(__trace_call, ",
                     /*InsertAfter=*/false);
      S.R.InsertTextAfterToken(E->getEndLoc(), " " + quiet(")"));
      break;
    case ReturnEdit::Lambda: {
      // Quiet, the call too: it passes a local type (the lambda) as a
      // template argument (-Wc++98-compat-local-type-template-args).
      std::string Name = "::__trace_rt::__retv";
      if (!Edit.Text.empty() && !Edit.Deduced)
        Name += "<" + Edit.Text + ">";
      std::string Open = "(__trace_call, [&]()";
      if (!Edit.Text.empty())
        Open += " -> " + Edit.Text;
      Open += " { return";
      S.R.InsertText(E->getBeginLoc(), quiet(Name + Open) + " ",
                     /*InsertAfter=*/false);
      S.R.InsertTextAfterToken(E->getEndLoc(), " " + quiet("; })"));
      break;
    }
    }
  }
}

} // namespace trace_plugin
