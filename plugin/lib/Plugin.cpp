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

#include "trace-plugin/Compat.h"
#include "trace-plugin/InstallPaths.h"
#include "trace-plugin/Options.h"
#include "trace-plugin/RewriteAction.h"
#include "trace-plugin/Rewriting.h"
#include "trace-plugin/Scan.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/FileManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/Sema.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
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
      Diags.Report(
          Diags.getCustomDiagID(DiagnosticsEngine::Error, "trace plugin: %0"))
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
      Annotated = scanIncludedFiles(quietCopy(CI.getInvocation()), CI, Opts);
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
    TuContext Tu = tuContext(CI.getInvocation(), FO.Inputs[0].getFile());
    std::shared_ptr<CompilerInvocation> Inv = quietCopy(CI.getInvocation());
    prepareRewriteParse(*Inv, Opts);
    std::optional<RewriteResult> Result;
    std::vector<std::string> Excluded;
    bool NestedErrors = false;
    {
      CompilerInstance Nested(CI.getPCHContainerOperations());
      Nested.setInvocation(std::move(Inv));
      createDiagnosticsWith(Nested, new IgnoringDiagConsumer());
      Nested.setFileManager(&CI.getFileManager());
      RewriteAction Action(Opts, Tu, Result, Excluded);
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
        llvm::errs() << "trace plugin: " << Note.File << ":" << Note.Line << ":"
                     << Note.Column << ": left alone: " << Note.Message << "\n";
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
