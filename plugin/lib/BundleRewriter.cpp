//===- BundleRewriter.cpp - The prologue and epilogue of a bundle ---------===//
//
// The user's '{' stays the function's and the user's '}' still closes it;
// in between, the user's body, unchanged, becomes the body of a lambda run by
// ::__trace_rt::__invoke. Everything the prologue needs (Site, arguments,
// enum names, trainable globals) goes on the line of the '{'.
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

/// Finds "return p;" where p is a by-value parameter. In the function,
/// such a return moves p (implicit move); inside the wrapping lambda p is a
/// captured reference and would be copied (a move-only type would not even
/// compile), so the rewrite spells the move.
class ParameterReturns : public RecursiveASTVisitor<ParameterReturns> {
public:
  ParameterReturns(const FunctionDecl *FD, const LangOptions &LO)
      : Fn(FD), LO(LO) {}

  std::vector<const DeclRefExpr *> Found;

  bool shouldVisitLambdaBody() const { return false; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }

  bool VisitReturnStmt(ReturnStmt *RS) {
    const Expr *E = RS->getRetValue();
    if (!E)
      return true;
    while (true) {
      E = E->IgnoreParens();
      if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E))
        E = ICE->getSubExpr();
      else if (const auto *FE = dyn_cast<FullExpr>(E))
        E = FE->getSubExpr();
      else if (const auto *BTE = dyn_cast<CXXBindTemporaryExpr>(E))
        E = BTE->getSubExpr();
      else if (const auto *CCE = dyn_cast<CXXConstructExpr>(E);
               CCE && CCE->getNumArgs() == 1 &&
               CCE->getParenOrBraceRange().isInvalid())
        E = CCE->getArg(0);
      else
        break;
    }
    const auto *DRE = dyn_cast<DeclRefExpr>(E);
    if (!DRE)
      return true;
    const auto *PV = dyn_cast<ParmVarDecl>(DRE->getDecl());
    if (!PV || PV->getDeclContext() != Fn || PV->isParameterPack())
      return true;
    QualType T = PV->getType();
    if (T.isVolatileQualified() || T.isConstQualified())
      return true;
    // C++20 also moves rvalue-reference parameters; lvalue references are
    // never moved.
    if (T->isLValueReferenceType() ||
        (T->isRValueReferenceType() && !LO.CPlusPlus20))
      return true;
    if (!T->isRecordType() && !T->isDependentType() &&
        !T->isRValueReferenceType())
      return true;
    Found.push_back(DRE);
    return true;
  }

private:
  const FunctionDecl *Fn;
  const LangOptions &LO;
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

  std::optional<std::string> RetType = S.Analysis.lambdaReturnType(FD);
  std::string Arrow = RetType && !RetType->empty() ? " -> " + *RetType : "";
  if (FD->isNoReturn())
    Out += "::__trace_rt::__invoke(__trace_call, [&]()" + Arrow + " {";
  else
    Out += "return ::__trace_rt::__invoke(__trace_call, [&]()" + Arrow + " {";

  S.R.InsertTextAfterToken(Body->getLBracLoc(), quiet(Out));

  ParameterReturns Returns(FD, S.Ctx.getLangOpts());
  Returns.TraverseStmt(const_cast<CompoundStmt *>(Body));
  for (const DeclRefExpr *DRE : Returns.Found) {
    SourceLocation Begin = DRE->getBeginLoc(), End = DRE->getEndLoc();
    if (!S.Analysis.isEditableLoc(Begin) || !S.Analysis.isEditableLoc(End))
      continue;
    // Not std::move: a user macro may be named `move`, and the TU may not
    // include <utility>.
    S.R.InsertText(Begin, "::__trace_rt::__move(", /*InsertAfter=*/true);
    S.R.InsertTextAfterToken(End, ")");
  }
}

void insertEpilogue(RewriteSession &S, const FunctionDecl *FD) {
  const auto *Body = cast<CompoundStmt>(FD->getBody());
  S.R.InsertText(Body->getRBracLoc(),
                 FD->isNoReturn() ? "}); __builtin_unreachable();" : "});",
                 /*InsertAfter=*/true);
}

} // namespace trace_plugin
