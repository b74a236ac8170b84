//===- BundleAnalysis.cpp - Which functions can be instrumented -----------===//
//
// A bundle is instrumented in place: its statements stay the function's
// own (BundleRewriter.cpp). The plugin leaves a function alone, and says
// why (the outer compile reports it as a warning), only where the inserted
// code could not run or would change the meaning:
//   - constexpr/consteval: the runtime calls are not constant expressions;
//   - coroutines with a suspension point that cannot be edited (in a macro,
//     a co_yield of a braced list; CoroutineAnalysis.cpp);
//   - defaulted/deleted functions: there is no body;
//   - bodies from macros: the Rewriter cannot edit inside an expansion;
//   - explicit object parameters (`this Self &&self`): not supported yet;
//   - bodies that already declare __trace_call or __trace_site (code
//     instrumented by hand): the inserted names would clash.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Analysis.h"
#include "trace-plugin/InstallPaths.h"
#include "trace-plugin/Keys.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// Finds constructs in a body that rule out the rewrite.
class BodyScanner : public RecursiveASTVisitor<BodyScanner> {
public:
  std::string Reason;

  bool VisitVarDecl(VarDecl *VD) {
    if (VD->getIdentifier() &&
        (VD->getName() == "__trace_call" || VD->getName() == "__trace_site")) {
      Reason = "its body already declares '" + VD->getName().str() +
               "' (instrumented by hand); a second one would clash";
      return false;
    }
    return true;
  }
};

} // namespace

const Expr *writtenExpr(const Expr *E) {
  while (true) {
    E = E->IgnoreParens();
    if (const auto *ICE = dyn_cast<ImplicitCastExpr>(E))
      E = ICE->getSubExpr();
    else if (const auto *FE = dyn_cast<FullExpr>(E))
      E = FE->getSubExpr();
    else if (const auto *BTE = dyn_cast<CXXBindTemporaryExpr>(E))
      E = BTE->getSubExpr();
    else if (const auto *MTE = dyn_cast<MaterializeTemporaryExpr>(E))
      E = MTE->getSubExpr();
    else if (const auto *CCE = dyn_cast<CXXConstructExpr>(E);
             CCE && CCE->getNumArgs() == 1 && !CCE->isListInitialization() &&
             CCE->getParenOrBraceRange().isInvalid() &&
             !isa<CXXTemporaryObjectExpr>(CCE))
      E = CCE->getArg(0);
    else
      return E;
  }
}

/// True if a declaration of \p FD carries a trace attribute; with
/// \p SkipMainFile, one outside the main file (an attribute a redeclaration
/// inherits from an earlier one counts where the redeclaration is).
bool BundleAnalysis::isMarkedOutside(const FunctionDecl *FD,
                                     bool SkipMainFile) const {
  if (!SkipMainFile)
    return getTraceMarks(FD).any();
  for (const FunctionDecl *Redecl : FD->redecls()) {
    if (SM.isInMainFile(SM.getExpansionLoc(Redecl->getLocation())))
      continue;
    for (const auto *A : Redecl->specific_attrs<AnnotateAttr>()) {
      StringRef Name = A->getAnnotation().split('=').first;
      if (Name == BundleAnnotation || Name == TrainableAnnotation)
        return true;
    }
  }
  return false;
}

bool BundleAnalysis::isEditableLoc(SourceLocation Loc) const {
  if (Loc.isInvalid() || !Loc.isFileID())
    return false;
  if (SM.isInSystemHeader(Loc))
    return false;
  FileID FID = SM.getFileID(Loc);
  return hasFileEntry(SM, FID) && excludedBy(FID).empty() &&
         !isRuntimeHeader(FID);
}

/// The runtime's own headers (the folder of abi.hpp) are never rewritten:
/// under 'all' they would be instrumented with names they declare
/// themselves, before those are declared (format.hpp comes before abi.hpp).
bool BundleAnalysis::isRuntimeHeader(FileID FID) const {
  if (FID.isInvalid())
    return false;
  auto It = RuntimeCache.find(FID);
  if (It != RuntimeCache.end())
    return It->second;
  static const std::string RuntimeDir = [] {
    SmallString<256> Dir(llvm::sys::path::parent_path(abiHeaderPath()));
    llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
    return std::string(Dir);
  }();
  bool In = false;
  if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID)) {
    SmallString<256> Path(FE->getName());
    SM.getFileManager().makeAbsolutePath(Path);
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    In = !RuntimeDir.empty() &&
         llvm::sys::path::parent_path(Path) == StringRef(RuntimeDir);
  }
  RuntimeCache[FID] = In;
  return In;
}

StringRef BundleAnalysis::excludedBy(FileID FID) const {
  if (Opts.ExcludeDirs.empty() || FID.isInvalid())
    return "";
  auto It = ExcludedCache.find(FID);
  if (It != ExcludedCache.end())
    return It->second;
  StringRef Dir;
  if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID)) {
    SmallString<256> Path(FE->getName());
    SM.getFileManager().makeAbsolutePath(Path);
    llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    Dir = Opts.excludedBy(Path);
  }
  ExcludedCache[FID] = Dir;
  return Dir;
}

namespace {

/// Measures a body for -fplugin-arg-trace-min-size: the statements written
/// in the file (a statement a macro expands to is not counted, so a header
/// measures the same in every TU whatever NDEBUG or the like says), and
/// whether anything in it may repeat: a loop, a goto, a call of the function
/// itself. `do ... while (0)`, the macro idiom, is no loop.
class SizeCounter : public RecursiveASTVisitor<SizeCounter> {
public:
  SizeCounter(const FunctionDecl *FD, unsigned Limit)
      : Fn(FD->getCanonicalDecl()), Limit(Limit) {}

  unsigned Statements = 0;
  bool Repeats = false;

  bool VisitStmt(Stmt *S) {
    if (isa<Expr>(S) || isa<CompoundStmt>(S) || isa<NullStmt>(S))
      return true;
    if (isa<ForStmt, WhileStmt, CXXForRangeStmt, GotoStmt, IndirectGotoStmt>(S))
      return repeats();
    if (const auto *Do = dyn_cast<DoStmt>(S)) {
      const auto *Cond =
          dyn_cast<IntegerLiteral>(Do->getCond()->IgnoreParenImpCasts());
      const auto *BoolCond =
          dyn_cast<CXXBoolLiteralExpr>(Do->getCond()->IgnoreParenImpCasts());
      if (!(Cond && Cond->getValue() == 0) &&
          !(BoolCond && !BoolCond->getValue()))
        return repeats();
    }
    count(S);
    // An expression in a statement's place: `if (X) f();`, `case 1: f();`.
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      countExpr(If->getThen());
      countExpr(If->getElse());
    } else if (const auto *Case = dyn_cast<SwitchCase>(S)) {
      countExpr(Case->getSubStmt());
    } else if (const auto *Label = dyn_cast<LabelStmt>(S)) {
      countExpr(Label->getSubStmt());
    }
    return Statements < Limit;
  }
  bool VisitCompoundStmt(CompoundStmt *CS) {
    for (Stmt *Child : CS->body())
      countExpr(Child);
    return Statements < Limit;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) { return callee(DRE->getDecl()); }
  bool VisitMemberExpr(MemberExpr *ME) { return callee(ME->getMemberDecl()); }
  bool VisitOverloadExpr(OverloadExpr *OE) {
    for (const NamedDecl *D : OE->decls())
      if (!callee(D->getUnderlyingDecl()))
        return false;
    return true;
  }

private:
  const FunctionDecl *Fn;
  unsigned Limit;

  bool repeats() {
    Repeats = true;
    return false;
  }
  void count(const Stmt *S) {
    if (S->getBeginLoc().isFileID())
      ++Statements;
  }
  void countExpr(const Stmt *S) {
    if (S && isa<Expr>(S))
      count(S);
  }
  bool callee(const NamedDecl *D) {
    if (const auto *FTD = dyn_cast_or_null<FunctionTemplateDecl>(D))
      D = FTD->getTemplatedDecl();
    const auto *FD = dyn_cast_or_null<FunctionDecl>(D);
    if (FD && FD->getCanonicalDecl() == Fn)
      return repeats();
    return true;
  }
};

} // namespace

/// Why 'all' leaves \p FD alone under -fplugin-arg-trace-min-size, or "".
/// Only headers are bounded: their small functions are the ones written to
/// be inlined into the callers' loops, and each TU judges a header by its
/// own text, so the verdict is the same everywhere.
std::string BundleAnalysis::smallBodyReason(const FunctionDecl *FD) const {
  if (Opts.MinSize == 0 || !FD->getBody())
    return "";
  SourceLocation Loc = SM.getExpansionLoc(FD->getLocation());
  if (SM.isInMainFile(Loc))
    return "";
  SizeCounter Counter(FD, Opts.MinSize);
  Counter.TraverseStmt(FD->getBody());
  if (Counter.Repeats || Counter.Statements >= Opts.MinSize)
    return "";
  return "its body is small (no loop, " + std::to_string(Counter.Statements) +
         " statement(s), under -fplugin-arg-trace-min-size=" +
         std::to_string(Opts.MinSize) +
         "); a recorded call would cost more "
         "than the function";
}

bool BundleAnalysis::isSelected(const FunctionDecl *FD,
                                const TraceMarks &Marks) {
  if (Marks.any())
    return Opts.selects(qualifiedName(FD), /*Annotated=*/true);
  if (!Opts.All || FD->isImplicit() || isa<CXXMethodDecl>(FD) &&
                                           cast<CXXMethodDecl>(FD)
                                               ->getParent()
                                               ->isLambda())
    return false;
  // Every function defined in a file the plugin may edit: the main file and
  // the project's headers (not system headers, not excluded folders). The
  // rule looks at where the definition is, never at what the TU uses, so
  // every TU that includes a header selects the same functions in it.
  // A name spelled by a macro (GoogleTest's TEST(Suite, Name) {...}) is
  // still a function of the file where the macro is expanded; whether its
  // body can be edited is judged like an annotated one's.
  SourceLocation Loc = FD->getLocation();
  if (Loc.isInvalid() || !isEditableLoc(SM.getExpansionLoc(Loc)))
    return false;
  // 'all' takes what can be taken: no warning about main() and friends.
  if (FD->isMain())
    return false;
  // Constructors, destructors and conversion functions the user wrote are
  // taken like the others: the ones that make or end objects in a hot loop
  // are small and in headers, where the small-body rule leaves them alone.
  // Defaulted ones (and the implicit ones, above) have no body of the
  // user's.
  if (isa<CXXConstructorDecl, CXXDestructorDecl, CXXConversionDecl>(FD) &&
      FD->isDefaulted())
    return false;
  return Opts.selects(qualifiedName(FD), /*Annotated=*/false);
}

std::string BundleAnalysis::declarationSkipReason(const FunctionDecl *FD) {
  if (FD->isDeleted())
    return "it is deleted";
  if (FD->isExplicitlyDefaulted() || FD->isDefaulted())
    return "it is defaulted; there is no body to instrument";
  if (FD->isConsteval())
    return "it is consteval; the recording calls are not constant "
           "expressions";
  if (FD->isConstexpr())
    return "it is constexpr; the recording calls are not constant "
           "expressions";
  if (hasExplicitObjectParameter(FD))
    return "functions with an explicit object parameter are not supported";
  return "";
}

std::optional<std::string>
BundleAnalysis::lambdaReturnType(const FunctionDecl *FD) {
  if (FD->isNoReturn())
    return std::string("void");
  QualType RT = FD->getDeclaredReturnType();
  if (const auto *AT = dyn_cast<AutoType>(RT.getTypePtr())) {
    if (!RT.hasLocalQualifiers() && AT->getKeyword() == AutoTypeKeyword::Auto)
      return std::string();
  }
  // The written text is no good: type-location ranges leave out leading
  // cv-qualifiers, and declarator parts ('&', '*') may sit next to the
  // name. The printed type keeps the written sugar (std::string stays
  // std::string) and is valid in the body, which sees every name the
  // declaration saw.
  PrintingPolicy Policy(Ctx.getLangOpts());
  Policy.SuppressUnwrittenScope = true;
  Policy.AnonymousTagLocations = false;
  std::string Text = RT.getAsString(Policy);
  if (Text.empty() || StringRef(Text).contains("(anonymous") ||
      StringRef(Text).contains("(unnamed") ||
      StringRef(Text).contains("(lambda") || StringRef(Text).contains('\n'))
    return std::nullopt;
  return Text;
}

std::string BundleAnalysis::bodySkipReason(const FunctionDecl *FD) {
  const Stmt *Body = FD->getBody();
  if (!Body)
    return "it has no body";
  // A coroutine's statements are its body's, each of its suspension points
  // edited to follow the suspension.
  if (const auto *CB = dyn_cast<CoroutineBodyStmt>(Body)) {
    std::string Why;
    suspensionPoints(FD, Why);
    if (!Why.empty())
      return Why;
    Body = CB->getBody();
  }
  // A function-try-block's statements are its try block's.
  if (const auto *Try = dyn_cast<CXXTryStmt>(Body))
    Body = Try->getTryBlock();
  const auto *CS = dyn_cast<CompoundStmt>(Body);
  if (!CS)
    return "its body is not a compound statement";
  if (!isEditableLoc(CS->getLBracLoc()) || !isEditableLoc(CS->getRBracLoc()) ||
      SM.getFileID(CS->getLBracLoc()) != SM.getFileID(CS->getRBracLoc()))
    return "its body comes from a macro expansion, which cannot be edited";
  BodyScanner Scanner;
  Scanner.TraverseStmt(const_cast<Stmt *>(FD->getBody()));
  return Scanner.Reason;
}

BundleVerdict BundleAnalysis::judgeDefinition(const FunctionDecl *FD) {
  BundleVerdict V;
  if (!FD->doesThisDeclarationHaveABody() && !FD->isDefaulted() &&
      !FD->isDeleted())
    return V;
  // A system header or an excluded folder is never rewritten, annotated
  // or not.
  if (SM.isInSystemHeader(FD->getLocation()) ||
      !excludedBy(SM.getFileID(SM.getExpansionLoc(FD->getLocation()))).empty() ||
      isRuntimeHeader(SM.getFileID(SM.getExpansionLoc(FD->getLocation()))))
    return V;
  TraceMarks Marks = getTraceMarks(FD);
  V.Selected = isSelected(FD, Marks);
  if (!V.Selected)
    return V;
  V.SkipReason = declarationSkipReason(FD);
  if (V.SkipReason.empty())
    V.SkipReason = bodySkipReason(FD);
  if (V.SkipReason.empty() && !Marks.any())
    V.SkipReason = smallBodyReason(FD);
  V.LazyCoroutine =
      isa_and_nonnull<CoroutineBodyStmt>(FD->getBody()) && startsLazily(FD);
  return V;
}

bool BundleAnalysis::isBundleCallee(const FunctionDecl *Callee) {
  const FunctionDecl *FD = Callee;
  if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern())
    FD = Pattern;
  llvm::PointerIntPair<const FunctionDecl *, 1, bool> CacheKey(
      FD->getCanonicalDecl(), CallerInHeader);
  auto It = CalleeCache.find(CacheKey);
  if (It != CalleeCache.end())
    return It->second;
  const FunctionDecl *Def = FD->getDefinition();
  // A header's call to a function the main file defines: the other TUs that
  // include the header see at most its declarations, so judge by those, as
  // they would.
  if (Def && CallerInHeader &&
      SM.isInMainFile(SM.getExpansionLoc(Def->getLocation())))
    Def = nullptr;
  bool Result = false;
  if (Def) {
    BundleVerdict V = judgeDefinition(Def);
    Result = V.instrument() && !V.LazyCoroutine;
  } else {
    Result = isMarkedOutside(FD, CallerInHeader) &&
             Opts.selects(qualifiedName(FD), true) &&
             declarationSkipReason(FD).empty();
  }
  CalleeCache[CacheKey] = Result;
  return Result;
}

void BundleAnalysis::setCaller(const FunctionDecl *Caller) {
  CallerInHeader = false;
  if (!Caller)
    return;
  SourceLocation Loc = SM.getExpansionLoc(Caller->getLocation());
  CallerInHeader = Loc.isValid() && !SM.isInMainFile(Loc);
}

} // namespace trace_plugin
