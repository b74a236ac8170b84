//===- Rewriting.cpp - Driving the rewrite of one translation unit --------===//

#include "trace-plugin/Rewriting.h"
#include "trace-plugin/Keys.h"
#include "trace-plugin/Strings.h"

#include "clang/AST/Comment.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/RawCommentList.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/FileManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace trace_plugin {

RewriteSession::RewriteSession(ASTContext &Ctx, const PluginOptions &Opts)
    : Ctx(Ctx), SM(Ctx.getSourceManager()), Opts(Opts), Analysis(Ctx, Opts) {
  R.setSourceMgr(SM, Ctx.getLangOpts());
}

std::string RewriteSession::absolutePath(SourceLocation Loc) const {
  if (Loc.isInvalid())
    return "";
  FileID FID = SM.getFileID(SM.getFileLoc(Loc));
  OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID);
  if (!FE)
    return "";
  SmallString<256> Path(FE->getName());
  SM.getFileManager().makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

unsigned RewriteSession::lineOf(SourceLocation Loc) const {
  return SM.getExpansionLineNumber(Loc);
}

SourceLocation RewriteSession::endOfToken(SourceLocation Loc) const {
  return Lexer::getLocForEndOfToken(Loc, 0, SM, Ctx.getLangOpts());
}

bool RewriteSession::fileOffsets(SourceLocation Begin, SourceLocation End,
                                 unsigned &BeginOffset,
                                 unsigned &EndOffset) const {
  if (!Analysis.isEditableLoc(Begin) || End.isInvalid() || !End.isFileID())
    return false;
  auto [BeginFID, BOff] = SM.getDecomposedLoc(Begin);
  auto [EndFID, EOff] = SM.getDecomposedLoc(End);
  if (BeginFID != EndFID || EOff < BOff)
    return false;
  BeginOffset = BOff;
  EndOffset = EOff;
  return true;
}

std::string RewriteSession::description(const FunctionDecl *FD,
                                        const TraceMarks &Marks) const {
  if (Marks.Description)
    return *Marks.Description;
  // The comment may sit on any declaration: an out-of-line member's on its
  // declaration in the class, a function defined in a .cpp file on its
  // declaration in the header. The definition's own comment comes first, as
  // in ASTContext::getRawCommentForAnyRedecl (whose cache we skip: this runs
  // once per bundle).
  auto FirstComment = [&](const Decl *D) -> const RawComment * {
    if (const RawComment *RC = Ctx.getRawCommentForDeclNoCache(D))
      return RC;
    for (const Decl *Redecl : D->redecls())
      if (Redecl != D)
        if (const RawComment *RC = Ctx.getRawCommentForDeclNoCache(Redecl))
          return RC;
    return nullptr;
  };
  const RawComment *RC = FirstComment(FD);
  if (!RC)
    if (const FunctionTemplateDecl *FTD = FD->getDescribedFunctionTemplate())
      RC = FirstComment(FTD);
  if (!RC)
    return "";
  return StringRef(RC->getFormattedText(SM, Ctx.getDiagnostics()))
      .trim()
      .str();
}

namespace {

/// Finds the instantiations of the user's function templates and of the
/// members of the user's class templates.
class InstantiationFinder : public RecursiveASTVisitor<InstantiationFinder> {
public:
  InstantiationFinder(
      const SourceManager &SM,
      llvm::DenseMap<const FunctionDecl *,
                     llvm::SmallVector<const FunctionDecl *, 2>> &Found)
      : SM(SM), Found(Found) {}

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM.isInSystemHeader(D->getLocation()))
      return true;
    return RecursiveASTVisitor<InstantiationFinder>::TraverseDecl(D);
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!FD->isTemplateInstantiation() || !FD->hasBody())
      return true;
    if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern()) {
      auto &List = Found[Pattern->getCanonicalDecl()];
      if (!llvm::is_contained(List, FD))
        List.push_back(FD);
    }
    return true;
  }

private:
  const SourceManager &SM;
  llvm::DenseMap<const FunctionDecl *,
                 llvm::SmallVector<const FunctionDecl *, 2>> &Found;
};

} // namespace

llvm::ArrayRef<const FunctionDecl *>
RewriteSession::instantiationsOf(const FunctionDecl *Pattern) {
  if (!InstantiationsFound) {
    InstantiationFinder(SM, Instantiations)
        .TraverseDecl(Ctx.getTranslationUnitDecl());
    InstantiationsFound = true;
  }
  auto It = Instantiations.find(Pattern->getCanonicalDecl());
  if (It == Instantiations.end())
    return {};
  return It->second;
}

std::string spellGlobal(const VarDecl *VD) {
  if (!VD->hasGlobalStorage() || VD->isStaticLocal() || !VD->getIdentifier())
    return "";
  std::vector<std::string> Parts{VD->getName().str()};
  for (const DeclContext *DC = VD->getDeclContext(); DC;
       DC = DC->getParent()) {
    if (isa<TranslationUnitDecl>(DC))
      break;
    if (isa<LinkageSpecDecl>(DC) || isa<ExportDecl>(DC))
      continue;
    if (const auto *NS = dyn_cast<NamespaceDecl>(DC)) {
      // Members of an unnamed namespace are visible in the enclosing one.
      if (NS->isAnonymousNamespace())
        continue;
      Parts.push_back(NS->getName().str());
      continue;
    }
    const auto *RD = dyn_cast<CXXRecordDecl>(DC);
    if (!RD || !RD->getIdentifier() || RD->getDescribedClassTemplate() ||
        isa<ClassTemplateSpecializationDecl>(RD) || RD->isDependentContext())
      return "";
    Parts.push_back(RD->getName().str());
  }
  std::string S;
  for (auto It = Parts.rbegin(); It != Parts.rend(); ++It)
    S += "::" + *It;
  return S;
}

namespace {

/// Collects, in source order, the definitions the rewrite looks at.
class Collector : public RecursiveASTVisitor<Collector> {
public:
  explicit Collector(RewriteSession &S) : S(S) {}

  std::vector<const FunctionDecl *> Functions;
  std::vector<const VarDecl *> Variables;

  /// Nothing in a system header is rewritten: skipping those subtrees whole
  /// (most of a TU's AST) keeps the walk proportional to the user's code,
  /// and the Visit functions below see no system-header declaration.
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM().isInSystemHeader(D->getLocation()))
      return true;
    return RecursiveASTVisitor<Collector>::TraverseDecl(D);
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (FD->isImplicit() || FD->isTemplateInstantiation())
      return true;
    bool HasBody = FD->doesThisDeclarationHaveABody();
    // Defaulted and deleted definitions have no body, but an annotation on
    // them deserves a warning.
    bool IsSpecialDefinition =
        (FD->isExplicitlyDefaulted() || FD->isDeleted()) &&
        getTraceMarks(FD).any() && FD->isThisDeclarationADefinition();
    if (!HasBody && !IsSpecialDefinition)
      return true;
    Functions.push_back(FD);
    return true;
  }

  bool VisitVarDecl(VarDecl *VD) {
    if (isa<ParmVarDecl>(VD) || !VD->hasGlobalStorage() || !VD->getInit())
      return true;
    // A static local of a template has one initializer text for all
    // instantiations; other variables of dependent contexts have none yet.
    if ((VD->getDeclContext()->isDependentContext() && !VD->isStaticLocal()) ||
        VD->getDescribedVarTemplate() || isa<VarTemplateSpecializationDecl>(VD))
      return true;
    if (getTraceMarks(VD).Trainable)
      Variables.push_back(VD);
    return true;
  }

private:
  RewriteSession &S;
  SourceManager &SM() { return S.SM; }
};

struct Bundle {
  const FunctionDecl *FD;
  TraceMarks Marks;
};

} // namespace

RewriteResult rewriteTranslationUnit(ASTContext &Ctx,
                                     const PluginOptions &Opts,
                                     const TuContext &Tu) {
  RewriteResult Result;
  RewriteSession S(Ctx, Opts);
  SourceManager &SM = S.SM;

  Collector C(S);
  C.TraverseDecl(Ctx.getTranslationUnitDecl());

  std::vector<Bundle> Bundles;
  llvm::SetVector<FileID> Files;
  Files.insert(SM.getMainFileID());
  TrainableParams Params(S);
  for (const FunctionDecl *FD : C.Functions) {
    BundleVerdict V = S.Analysis.judgeDefinition(FD);
    if (!V.Selected)
      continue;
    TraceMarks Marks = getTraceMarks(FD);
    if (Marks.Trainable)
      Params.addFunction(FD, Marks);
    if (!V.instrument()) {
      // A function picked by 'all' is skipped silently (only the verbose
      // report names it); an annotated one is worth a warning.
      if (!Marks.any() && !Opts.Verbose)
        continue;
      SourceLocation Loc = SM.getFileLoc(FD->getLocation());
      SkipNote Note{S.absolutePath(Loc), SM.getSpellingLineNumber(Loc),
                    SM.getSpellingColumnNumber(Loc),
                    "'" + qualifiedName(FD) +
                        "' is not instrumented: " + V.SkipReason};
      if (Marks.any())
        Result.Skips.push_back(std::move(Note));
      else
        Result.LeftAlone.push_back(std::move(Note));
      continue;
    }
    Bundles.push_back({FD, Marks});
    Files.insert(SM.getFileID(FD->getBody()->getBeginLoc()));
  }
  for (const VarDecl *VD : C.Variables)
    Params.addVariable(VD, getTraceMarks(VD));

  // Which callees count as bundles depends on whether the caller is in a
  // header (see BundleAnalysis::isBundleCallee).
  for (const Bundle &B : Bundles) {
    S.Analysis.setCaller(B.FD);
    insertPrologue(S, B.FD, B.Marks);
  }
  for (const FunctionDecl *FD : C.Functions) {
    if (!FD->hasBody() || FD->isConstexpr())
      continue;
    // A defaulted function's body is made by Sema: its implicit calls have
    // locations in the declaration (`= default`, `noexcept`), which no edit
    // may touch.
    if (FD->isDefaulted())
      continue;
    if (!Files.contains(SM.getFileID(SM.getFileLoc(FD->getLocation()))))
      continue;
    S.Analysis.setCaller(FD);
    rewriteCallSites(S, FD);
  }
  S.Analysis.setCaller(nullptr);
  for (const Bundle &B : Bundles)
    insertEpilogue(S, B.FD);
  if (Bundles.empty() && Params.size() == 0 && S.NumBundleSiteEdits == 0) {
    Result.NumCallSiteEdits = 0;
    return Result;
  }

  std::string Trailer = Params.trailer(Tu);
  // A program with a coroutine bundle may write coroutine records: this
  // tells the runtime, which writes the trace format version that has them
  // (a weak definition: one per program, whatever the TUs that make it).
  if (llvm::any_of(Bundles, [](const Bundle &B) {
        return isa<CoroutineBodyStmt>(B.FD->getBody());
      }))
    Trailer += std::string(Trailer.empty() ? "" : " ") +
               "extern \"C\" __attribute__((__weak__)) const char "
               "__trace_rt_coroutines = 1;";
  if (!Trailer.empty()) {
    FileID Main = SM.getMainFileID();
    StringRef Buffer = SM.getBufferData(Main);
    // The file's last line may be a // comment without a newline; a newline
    // after the last character moves no line. A file that ends with a
    // newline still does (-Wnewline-eof).
    Trailer = quiet(Trailer);
    if (!Buffer.empty() && Buffer.back() != '\n')
      Trailer = "\n" + Trailer;
    else
      Trailer += "\n";
    S.R.InsertText(SM.getLocForEndOfFile(Main), Trailer, /*InsertAfter=*/true);
  }

  Result.NumBundles = Bundles.size();
  Result.NumCallSiteEdits = S.NumCallSiteEdits;
  Result.NumParams = Params.size();
  for (FileID FID : Files) {
    const RewriteBuffer *Buf = S.R.getRewriteBufferFor(FID);
    if (!Buf)
      continue;
    OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID);
    if (!FE)
      continue;
    Result.Files.push_back({*FE, S.absolutePath(SM.getLocForStartOfFile(FID)),
                            std::string(Buf->begin(), Buf->end())});
  }
  return Result;
}

} // namespace trace_plugin
