//===- RewriteAction.cpp - The parse that computes the rewrite ------------===//

#include "trace-plugin/RewriteAction.h"
#include "trace-plugin/Analysis.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/FileManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// The rewrite parse's consumer: skips bodies nobody edits, then rewrites.
class RewriteConsumer : public ASTConsumer {
public:
  RewriteConsumer(CompilerInstance &CI, const PluginOptions &Opts,
                  const TuContext &Tu, std::optional<RewriteResult> &Out,
                  std::vector<std::string> &Excluded)
      : CI(CI), Opts(Opts), Tu(Tu), Out(Out), Excluded(Excluded) {}

  void Initialize(ASTContext &Ctx) override { Files.emplace(Ctx, Opts); }

  bool shouldSkipFunctionBody(Decl *D) override {
    // System headers and excluded folders are never rewritten; bodies
    // elsewhere may hold call sites and must be parsed.
    if (!Opts.SkipSystemBodies)
      return false;
    SourceManager &SM = CI.getSourceManager();
    SourceLocation Loc = SM.getExpansionLoc(D->getLocation());
    return SM.isInSystemHeader(Loc) ||
           (Files && !Files->excludedBy(SM.getFileID(Loc)).empty());
  }

  void HandleTranslationUnit(ASTContext &Ctx) override {
    if (Ctx.getDiagnostics().hasErrorOccurred())
      return;
    if (Opts.Verbose && !Opts.ExcludeDirs.empty())
      listExcluded(Ctx.getSourceManager());
    Out = rewriteTranslationUnit(Ctx, Opts, Tu);
  }

private:
  CompilerInstance &CI;
  const PluginOptions &Opts;
  const TuContext &Tu;
  std::optional<RewriteResult> &Out;
  std::vector<std::string> &Excluded;
  std::optional<BundleAnalysis> Files;

  /// Every file the TU entered that an excluded folder holds, once.
  void listExcluded(SourceManager &SM) {
    llvm::StringSet<> Seen;
    for (unsigned I = 0, N = SM.local_sloc_entry_size(); I != N; ++I) {
      const SrcMgr::SLocEntry &E = SM.getLocalSLocEntry(I);
      if (!E.isFile())
        continue;
      FileID FID = SM.getFileID(SourceLocation::getFromRawEncoding(
          static_cast<SourceLocation::UIntTy>(E.getOffset())));
      StringRef Dir = Files->excludedBy(FID);
      OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID);
      if (Dir.empty() || !FE || !Seen.insert(FE->getName()).second)
        continue;
      Excluded.push_back(FE->getName().str() + " (under " + Dir.str() + ")");
    }
  }
};

} // namespace

std::unique_ptr<ASTConsumer>
RewriteAction::CreateASTConsumer(CompilerInstance &CI, StringRef) {
  return std::make_unique<RewriteConsumer>(CI, Opts, Tu, Out, Excluded);
}

std::shared_ptr<CompilerInvocation> quietCopy(const CompilerInvocation &CI) {
  auto Inv = std::make_shared<CompilerInvocation>(CI);
  FrontendOptions &FO = Inv->getFrontendOpts();
  FO.OutputFile.clear();
  FO.Plugins.clear();
  FO.AddPluginActions.clear();
  FO.PluginArgs.clear();
  FO.ActionName.clear();
  FO.ShowStats = false;
  FO.StatsFile.clear();
  clearTimeTracePath(FO);
  FO.ASTDumpDecls = false;
  FO.ASTDumpAll = false;
  // The driver's -disable-free makes a compile leak its AST at exit, which
  // is free for a process about to end. A nested run that leaked would make
  // the compile fault in fresh pages for what it then allocates; freed, its
  // memory is reused (page faults are a good part of a compile's time).
  FO.DisableFree = false;
  Inv->getDependencyOutputOpts() = DependencyOutputOptions();
  return Inv;
}

TuContext tuContext(const CompilerInvocation &Inv, StringRef MainFile) {
  TuContext Tu;
  SmallString<256> Path(MainFile);
  llvm::sys::fs::make_absolute(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  Tu.MainFile = std::string(Path);
  std::string WorkingDir = Inv.getFileSystemOpts().WorkingDir;
  if (WorkingDir.empty()) {
    SmallString<256> Cwd;
    if (!llvm::sys::fs::current_path(Cwd))
      WorkingDir = std::string(Cwd);
  }
  Tu.Directory = WorkingDir;
  // Clang prints "-cc1" first itself.
  Tu.Args = cc1CommandLine(*quietCopy(Inv));
  return Tu;
}

void prepareRewriteParse(CompilerInvocation &Inv, const PluginOptions &Opts) {
  Inv.getFrontendOpts().ProgramAction = frontend::ParseSyntaxOnly;
  Inv.getFrontendOpts().SkipFunctionBodies = Opts.SkipSystemBodies;
  Inv.getDiagnosticOpts().VerifyDiagnostics = false;
  Inv.getDiagnosticOpts().DiagnosticSerializationFile.clear();
  Inv.getPreprocessorOpts().addMacroDef("__TRACE_PLUGIN__=1");
}

} // namespace trace_plugin
