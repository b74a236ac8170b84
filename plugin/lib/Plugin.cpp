//===- Plugin.cpp - The 'trace' plugin action -----------------------------===//
//
// An AddBeforeMainAction, so a plain -fplugin= activates it while the
// driver's own action (compile, -fsyntax-only, -S, ...) stays in charge.
// For each TU it:
//   1. predefines __TRACE_PLUGIN__;
//   2. decides cheaply whether the TU mentions the attributes (Scan.h);
//   3. runs a nested, syntax-only parse of the same invocation, whose
//      diagnostics are dropped (the outer compile reports the user's own);
//   4. if that parse had no error, computes the rewrite (Rewriting.h),
//      overrides the rewritten files' buffers in the outer compile and
//      includes trace/abi.hpp through the predefines;
//   5. reports the functions it left alone, from the outer compile.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Analysis.h"
#include "trace-plugin/Compat.h"
#include "trace-plugin/InstallPaths.h"
#include "trace-plugin/Options.h"
#include "trace-plugin/Rewriting.h"
#include "trace-plugin/Scan.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/FileManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Sema/Sema.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>

using namespace clang;

namespace trace_plugin {
namespace {

/// Set while a nested parse runs: the plugin is instantiated again inside
/// it and must then do nothing.
thread_local bool InNestedParse = false;

double millisecondsSince(std::chrono::steady_clock::time_point Start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - Start)
      .count();
}

/// The nested parse's consumer: skips bodies nobody edits, then rewrites.
class NestedConsumer : public ASTConsumer {
public:
  NestedConsumer(CompilerInstance &CI, const PluginOptions &Opts,
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

class NestedAction : public ASTFrontendAction {
public:
  NestedAction(const PluginOptions &Opts, const TuContext &Tu,
               std::optional<RewriteResult> &Out,
               std::vector<std::string> &Excluded)
      : Opts(Opts), Tu(Tu), Out(Out), Excluded(Excluded) {}

protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 StringRef) override {
    return std::make_unique<NestedConsumer>(CI, Opts, Tu, Out, Excluded);
  }

private:
  const PluginOptions &Opts;
  const TuContext &Tu;
  std::optional<RewriteResult> &Out;
  std::vector<std::string> &Excluded;
};

/// The outer compile's consumer: reports the functions left alone, once
/// every header has its FileID.
class ReportConsumer : public ASTConsumer {
public:
  ReportConsumer(CompilerInstance &CI, std::vector<SkipNote> Skips,
                 bool NestedFailed = false)
      : CI(CI), Skips(std::move(Skips)), NestedFailed(NestedFailed) {}

  void HandleTranslationUnit(ASTContext &) override {
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    SourceManager &SM = CI.getSourceManager();
    // The nested parse failed although the compile itself succeeds: the TU
    // silently lost its instrumentation; say so.
    if (NestedFailed && !Diags.hasErrorOccurred())
      Diags.Report(Diags.getCustomDiagID(
          DiagnosticsEngine::Warning,
          "trace plugin: the plugin's own parse of this file failed where the "
          "compile did not; the file is compiled without instrumentation "
          "(try -fplugin-arg-trace-no-skip-system-bodies)"));
    unsigned Id = Diags.getCustomDiagID(DiagnosticsEngine::Warning, "%0");
    for (const SkipNote &Note : Skips) {
      SourceLocation Loc;
      if (auto FE = CI.getFileManager().getOptionalFileRef(Note.File))
        Loc = SM.translateFileLineCol(*FE, Note.Line, Note.Column);
      Diags.Report(Loc, Id) << Note.Message;
    }
  }

private:
  CompilerInstance &CI;
  std::vector<SkipNote> Skips;
  bool NestedFailed;
};

/// A copy of \p CI's invocation without the plugin, the output file and
/// the dependency outputs, so running it has no side effect, and which
/// frees what it allocates.
std::shared_ptr<CompilerInvocation> quietCopy(CompilerInstance &CI) {
  auto Inv = std::make_shared<CompilerInvocation>(CI.getInvocation());
  FrontendOptions &FO = Inv->getFrontendOpts();
  FO.OutputFile.clear();
  FO.Plugins.clear();
  FO.AddPluginActions.clear();
  FO.PluginArgs.clear();
  FO.ActionName.clear();
  FO.ShowStats = false;
  FO.StatsFile.clear();
  FO.TimeTracePath.clear();
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

TuContext tuContext(CompilerInstance &CI, StringRef MainFile) {
  TuContext Tu;
  SmallString<256> Path(MainFile);
  llvm::sys::fs::make_absolute(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  Tu.MainFile = std::string(Path);
  std::string WorkingDir = CI.getFileSystemOpts().WorkingDir;
  if (WorkingDir.empty()) {
    SmallString<256> Cwd;
    if (!llvm::sys::fs::current_path(Cwd))
      WorkingDir = std::string(Cwd);
  }
  Tu.Directory = WorkingDir;
  auto Inv = quietCopy(CI);
  // Clang prints "-cc1" first itself.
  Tu.Args = Inv->getCC1CommandLine();
  return Tu;
}

class TraceAction : public PluginASTAction {
public:
  ActionType getActionType() override { return AddBeforeMainAction; }

  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    bool Ok = true;
    for (const std::string &Arg : Args) {
      std::string Error = Opts.parse(Arg);
      if (Error.empty())
        continue;
      DiagnosticsEngine &Diags = CI.getDiagnostics();
      Diags.Report(Diags.getCustomDiagID(DiagnosticsEngine::Error,
                                         "trace plugin: %0"))
          << Error;
      Ok = false;
    }
    return Ok;
  }

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 StringRef InFile) override {
    if (InNestedParse)
      return std::make_unique<ASTConsumer>();
    Preprocessor &PP = CI.getPreprocessor();
    PP.setPredefines(PP.getPredefines() + "#define __TRACE_PLUGIN__ 1\n");
    if (!CI.getLangOpts().CPlusPlus)
      return std::make_unique<ASTConsumer>();
    auto Start = std::chrono::steady_clock::now();

    const FrontendOptions &FO = CI.getFrontendOpts();
    SourceManager &SM = CI.getSourceManager();
    if (FO.Inputs.size() != 1 || !FO.Inputs[0].isFile() ||
        FO.Inputs[0].getFile() == "-") {
      DiagnosticsEngine &Diags = CI.getDiagnostics();
      Diags.Report(Diags.getCustomDiagID(
          DiagnosticsEngine::Warning,
          "trace plugin: input that is not a file (e.g. standard input) is "
          "not instrumented"));
      return std::make_unique<ASTConsumer>();
    }
    FileID MainFID = SM.getMainFileID();
    OptionalFileEntryRef MainEntry = SM.getFileEntryRefForID(MainFID);
    if (!MainEntry)
      return std::make_unique<ASTConsumer>();

    bool Annotated =
        Opts.All || mentionsTraceAttribute(SM.getBufferData(MainFID));
    if (!Annotated)
      Annotated = scanIncludedFiles(quietCopy(CI), CI, Opts);
    double ScanMs = millisecondsSince(Start);
    if (!Annotated) {
      if (Opts.Verbose)
        llvm::errs() << "trace plugin: " << InFile
                     << ": no annotation, not rewritten (scan "
                     << llvm::format("%.1f", ScanMs) << " ms)\n";
      return std::make_unique<ASTConsumer>();
    }

    // The nested parse.
    // The inserted code and trace/abi.hpp need C++11 (lambdas, decltype,
    // variadic templates).
    if (!CI.getLangOpts().CPlusPlus11) {
      DiagnosticsEngine &Diags = CI.getDiagnostics();
      Diags.Report(Diags.getCustomDiagID(
          DiagnosticsEngine::Warning,
          "trace plugin: instrumenting needs C++11 or later; this "
          "translation unit is compiled without instrumentation"));
      return std::make_unique<ASTConsumer>();
    }
    TuContext Tu = tuContext(CI, FO.Inputs[0].getFile());
    std::shared_ptr<CompilerInvocation> Inv = quietCopy(CI);
    Inv->getFrontendOpts().ProgramAction = frontend::ParseSyntaxOnly;
    Inv->getFrontendOpts().SkipFunctionBodies = Opts.SkipSystemBodies;
    Inv->getDiagnosticOpts().VerifyDiagnostics = false;
    Inv->getDiagnosticOpts().DiagnosticSerializationFile.clear();
    Inv->getPreprocessorOpts().addMacroDef("__TRACE_PLUGIN__=1");
    std::optional<RewriteResult> Result;
    std::vector<std::string> Excluded;
    bool NestedErrors = false;
    {
      CompilerInstance Nested(CI.getPCHContainerOperations());
      Nested.setInvocation(std::move(Inv));
      createDiagnosticsWith(Nested, new IgnoringDiagConsumer());
      Nested.setFileManager(&CI.getFileManager());
      NestedAction Action(Opts, Tu, Result, Excluded);
      InNestedParse = true;
      Nested.ExecuteAction(Action);
      InNestedParse = false;
      NestedErrors = Nested.getDiagnostics().hasErrorOccurred();
    }
    double TotalMs = millisecondsSince(Start);
    if (NestedErrors || !Result) {
      if (Opts.Verbose)
        llvm::errs() << "trace plugin: " << InFile
                     << ": the nested parse has errors, not rewritten\n";
      return std::make_unique<ReportConsumer>(CI, std::vector<SkipNote>(),
                                              /*NestedFailed=*/true);
    }
    if (Opts.Verbose) {
      llvm::errs() << "trace plugin: " << InFile << ": " << Result->NumBundles
                   << " bundle(s), "
                   << Result->Skips.size() + Result->LeftAlone.size()
                   << " left alone, " << Result->NumCallSiteEdits
                   << " call-site edit(s), " << Result->NumParams
                   << " trainable parameter(s), " << Result->Files.size()
                   << " file(s) rewritten; scan "
                   << llvm::format("%.1f", ScanMs) << " ms, total "
                   << llvm::format("%.1f", TotalMs) << " ms\n";
      for (const std::string &File : Excluded)
        llvm::errs() << "trace plugin: " << File
                     << ": excluded folder, not rewritten\n";
      for (const SkipNote &Note : Result->LeftAlone)
        llvm::errs() << "trace plugin: " << Note.File << ":" << Note.Line
                     << ":" << Note.Column << ": left alone: " << Note.Message
                     << "\n";
    }

    for (RewrittenFile &F : Result->Files) {
      if (Opts.Print) {
        llvm::outs() << "//=== trace rewritten: " << F.Path << "\n" << F.Text;
        if (F.Text.empty() || F.Text.back() != '\n')
          llvm::outs() << "\n";
        llvm::outs().flush();
      }
      SM.overrideFileContents(
          F.Entry, llvm::MemoryBuffer::getMemBufferCopy(F.Text, F.Path));
    }
    if (!Result->Files.empty()) {
      // The main file's FileID was created from the original text; a fresh
      // one picks up the override.
      bool MainRewritten = false;
      for (const RewrittenFile &F : Result->Files)
        MainRewritten |= F.Entry == *MainEntry;
      if (MainRewritten) {
        SrcMgr::CharacteristicKind Kind =
            SM.getFileCharacteristic(SM.getLocForStartOfFile(MainFID));
        SM.setMainFileID(SM.createFileID(*MainEntry, SourceLocation(), Kind));
      }
      PP.setPredefines(PP.getPredefines() + "#include \"" + abiHeaderPath() +
                       "\"\n");
    }
    if (!Opts.WarnSkipped)
      Result->Skips.clear();
    return std::make_unique<ReportConsumer>(CI, std::move(Result->Skips));
  }

private:
  PluginOptions Opts;
};

FrontendPluginRegistry::Add<TraceAction>
    TraceReg("trace", "record calls of [[trace::bundle]] functions");

} // namespace
} // namespace trace_plugin
