//===- Check.cpp - check patched sources with clang -----------------------===//
#include "Check.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Frontend/Utils.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <climits>
#include <cstdlib>
#include <sys/stat.h>

#ifndef TRACEOPT_CLANGXX
#define TRACEOPT_CLANGXX "clang++-19"
#endif
#ifndef TRACEOPT_RUNTIME_INCLUDE
#define TRACEOPT_RUNTIME_INCLUDE ""
#endif

namespace traceopt {

static std::string realPath(const std::string &P) {
  char Buf[PATH_MAX];
  if (::realpath(P.c_str(), Buf))
    return Buf;
  return P;
}

static std::string dirName(const std::string &P) {
  size_t Slash = P.rfind('/');
  if (Slash == std::string::npos)
    return ".";
  return Slash == 0 ? "/" : P.substr(0, Slash);
}

static bool exists(const std::string &P) {
  struct stat St;
  return ::stat(P.c_str(), &St) == 0;
}

CompileCommand findCompileCommand(const std::string &File, const std::vector<TuArgs> &Tus,
                                  const std::string &CompileCommandsDir) {
  std::string Real = realPath(File);
  const TuArgs *Pick = nullptr;
  for (const TuArgs &T : Tus) {
    std::string TuFile = T.File;
    if (!TuFile.empty() && TuFile[0] != '/')
      TuFile = T.Directory + "/" + TuFile;
    if (realPath(TuFile) == Real) {
      Pick = &T;
      break;
    }
  }
  // A header: any TU that registered parameters includes it, most likely.
  bool IsHeader = Real.size() > 2 && (Real.rfind(".h") == Real.size() - 2 || Real.rfind(".hpp") == Real.size() - 4 ||
                                      Real.rfind(".hh") == Real.size() - 3);
  if (!Pick && IsHeader && !Tus.empty())
    Pick = &Tus.front();
  if (Pick && !Pick->Args.empty()) {
    CompileCommand C;
    C.Kind = CompileCommand::Cc1;
    C.Directory = Pick->Directory;
    C.Args = Pick->Args;
    C.Origin = "the trace's tu record for " + Pick->File;
    return C;
  }

  std::vector<std::string> Dirs;
  if (!CompileCommandsDir.empty())
    Dirs.push_back(CompileCommandsDir);
  for (std::string D = dirName(Real);; D = dirName(D)) {
    Dirs.push_back(D);
    Dirs.push_back(D + "/build");
    if (D == "/" || D == ".")
      break;
  }
  for (const std::string &D : Dirs) {
    std::string Db = D + "/compile_commands.json";
    if (!exists(Db))
      continue;
    std::string Err;
    auto Database =
        clang::tooling::JSONCompilationDatabase::loadFromFile(Db, Err, clang::tooling::JSONCommandLineSyntax::AutoDetect);
    if (!Database)
      continue;
    auto Cmds = Database->getCompileCommands(Real);
    if (Cmds.empty())
      continue;
    CompileCommand C;
    C.Kind = CompileCommand::Driver;
    C.Directory = Cmds.front().Directory;
    C.Args = Cmds.front().CommandLine;
    // The entry may start with a compiler wrapper and may name g++: the parse is clang 19's, so
    // drop the wrapper and name the clang that finds its own builtin headers.
    auto BaseName = [](const std::string &P) { return P.substr(P.rfind('/') + 1); };
    while (C.Args.size() > 1 && (BaseName(C.Args[0]) == "ccache" || BaseName(C.Args[0]) == "sccache" ||
                                 BaseName(C.Args[0]) == "distcc"))
      C.Args.erase(C.Args.begin());
    if (!C.Args.empty())
      C.Args[0] = TRACEOPT_CLANGXX;
    C.Origin = Db;
    return C;
  }

  CompileCommand C;
  C.Kind = CompileCommand::Driver;
  C.Directory = dirName(Real);
  C.Args = {TRACEOPT_CLANGXX, "-std=c++17", "-fsyntax-only", "-I" + dirName(Real)};
  if (std::string(TRACEOPT_RUNTIME_INCLUDE).size())
    C.Args.push_back(std::string("-I") + TRACEOPT_RUNTIME_INCLUDE);
  C.Args.push_back(Real);
  C.Origin = "a fallback command line (no tu record, no compile_commands.json)";
  return C;
}

namespace {

/// Finds, for each range, the function definition whose name comes first inside it. A
/// lambda or local class inside the function comes after the function's own name.
class Finder : public clang::RecursiveASTVisitor<Finder> {
public:
  Finder(clang::SourceManager &SM, clang::FileEntryRef Target, const std::vector<std::pair<uint64_t, uint64_t>> &R,
         std::vector<std::optional<FunctionIdentity>> &Out)
      : SM(SM), Target(Target), Ranges(R), Out(Out), BestOffset(R.size(), UINT64_MAX) {}

  bool shouldVisitTemplateInstantiations() const { return false; }

  bool VisitFunctionDecl(clang::FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || FD->isImplicit())
      return true;
    clang::SourceLocation L = SM.getExpansionLoc(FD->getLocation());
    if (L.isInvalid())
      return true;
    clang::FileID FID = SM.getFileID(L);
    auto FE = SM.getFileEntryRefForID(FID);
    if (!FE || &FE->getFileEntry() != &Target.getFileEntry())
      return true;
    uint64_t Off = SM.getFileOffset(L);
    for (size_t I = 0; I < Ranges.size(); ++I) {
      if (Off < Ranges[I].first || Off >= Ranges[I].second || Off >= BestOffset[I])
        continue;
      BestOffset[I] = Off;
      FunctionIdentity Id;
      Id.QualifiedName = FD->getQualifiedNameAsString();
      // Canonical, so a typedef spelled differently is still the same type; without "class".
      clang::PrintingPolicy Policy(FD->getASTContext().getLangOpts());
      Policy.SuppressTagKeyword = true;
      Id.Type = FD->getType().getCanonicalType().getAsString(Policy);
      Id.Line = SM.getExpansionLineNumber(L);
      Out[I] = Id;
    }
    return true;
  }

private:
  clang::SourceManager &SM;
  clang::FileEntryRef Target;
  const std::vector<std::pair<uint64_t, uint64_t>> &Ranges;
  std::vector<std::optional<FunctionIdentity>> &Out;
  std::vector<uint64_t> BestOffset;
};

class FindConsumer : public clang::ASTConsumer {
public:
  FindConsumer(std::string File, const std::vector<std::pair<uint64_t, uint64_t>> &R,
               std::vector<std::optional<FunctionIdentity>> &Out)
      : File(std::move(File)), Ranges(R), Out(Out) {}

  void HandleTranslationUnit(clang::ASTContext &Ctx) override {
    clang::SourceManager &SM = Ctx.getSourceManager();
    auto Target = SM.getFileManager().getOptionalFileRef(File);
    if (!Target)
      return;
    Finder F(SM, *Target, Ranges, Out);
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
  }

private:
  std::string File;
  const std::vector<std::pair<uint64_t, uint64_t>> &Ranges;
  std::vector<std::optional<FunctionIdentity>> &Out;
};

class FindAction : public clang::ASTFrontendAction {
public:
  FindAction(std::string File, const std::vector<std::pair<uint64_t, uint64_t>> &R,
             std::vector<std::optional<FunctionIdentity>> &Out)
      : File(std::move(File)), Ranges(R), Out(Out) {}

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &, llvm::StringRef) override {
    return std::make_unique<FindConsumer>(File, Ranges, Out);
  }

private:
  std::string File;
  const std::vector<std::pair<uint64_t, uint64_t>> &Ranges;
  std::vector<std::optional<FunctionIdentity>> &Out;
};

} // namespace

ParseResult parseWithClang(const CompileCommand &Cmd, const std::string &File, const std::string &Content,
                           const std::vector<std::pair<uint64_t, uint64_t>> &Ranges) {
  ParseResult Result;
  Result.Functions.resize(Ranges.size());
  std::string AbsFile = realPath(File);

  std::string ArgDiagText;
  llvm::raw_string_ostream ArgDiagOS(ArgDiagText);
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> ArgDiagOpts = new clang::DiagnosticOptions();
  auto *ArgPrinter = new clang::TextDiagnosticPrinter(ArgDiagOS, ArgDiagOpts.get());
  llvm::IntrusiveRefCntPtr<clang::DiagnosticsEngine> ArgDiags =
      new clang::DiagnosticsEngine(new clang::DiagnosticIDs(), ArgDiagOpts, ArgPrinter, /*ShouldOwnClient=*/true);

  std::vector<const char *> Argv;
  std::shared_ptr<clang::CompilerInvocation> Inv;
  if (Cmd.Kind == CompileCommand::Cc1) {
    for (const std::string &A : Cmd.Args)
      if (A != "-cc1")
        Argv.push_back(A.c_str());
    Inv = std::make_shared<clang::CompilerInvocation>();
    if (!clang::CompilerInvocation::CreateFromArgs(*Inv, Argv, *ArgDiags, TRACEOPT_CLANGXX)) {
      Result.Diagnostics = "clang rejected the arguments from " + Cmd.Origin + ": " + ArgDiagText;
      return Result;
    }
  } else {
    std::vector<std::string> Args = Cmd.Args;
    Args.push_back("-fsyntax-only");
    for (const std::string &A : Args)
      Argv.push_back(A.c_str());
    clang::CreateInvocationOptions Opts;
    Opts.Diags = ArgDiags;
    std::unique_ptr<clang::CompilerInvocation> U = clang::createInvocation(Argv, std::move(Opts));
    if (!U) {
      Result.Diagnostics = "clang rejected the command line from " + Cmd.Origin + ": " + ArgDiagText;
      return Result;
    }
    Inv = std::move(U);
  }

  // Only parse: no output, no dependency files, no plugins.
  clang::FrontendOptions &FO = Inv->getFrontendOpts();
  FO.ProgramAction = clang::frontend::ParseSyntaxOnly;
  FO.OutputFile.clear();
  FO.Plugins.clear();
  FO.AddPluginActions.clear();
  FO.PluginArgs.clear();
  FO.ActionName.clear();
  FO.DisableFree = false;
  Inv->getDependencyOutputOpts() = clang::DependencyOutputOptions();
  if (!Cmd.Directory.empty())
    Inv->getFileSystemOpts().WorkingDir = Cmd.Directory;
  clang::DiagnosticOptions &DO = Inv->getDiagnosticOpts();
  DO.IgnoreWarnings = true;
  DO.ShowColors = false;
  DO.ErrorLimit = 20;
  DO.DiagnosticSerializationFile.clear();
  Inv->getPreprocessorOpts().addRemappedFile(AbsFile, llvm::MemoryBuffer::getMemBufferCopy(Content, AbsFile).release());

  clang::CompilerInstance CI;
  CI.setInvocation(Inv);
  std::string DiagText;
  llvm::raw_string_ostream DiagOS(DiagText);
  CI.createDiagnostics(new clang::TextDiagnosticPrinter(DiagOS, &CI.getDiagnosticOpts()), /*ShouldOwnClient=*/true);
  if (!CI.hasDiagnostics()) {
    Result.Diagnostics = "cannot set up clang diagnostics";
    return Result;
  }
  // ExecuteAction prints "N errors generated." there; the count is in Result instead.
  CI.setVerboseOutputStream(std::make_unique<llvm::raw_null_ostream>());
  FindAction Action(AbsFile, Ranges, Result.Functions);
  CI.ExecuteAction(Action);
  Result.Ran = true;
  Result.Errors = CI.getDiagnostics().getClient()->getNumErrors();
  DiagOS.flush();
  Result.Diagnostics = DiagText;
  return Result;
}

CheckOutcome checkPatch(const FilePatch &P, const CompileCommand &Cmd) {
  CheckOutcome Out;
  std::vector<std::pair<uint64_t, uint64_t>> OldRanges;
  for (const Edit &E : P.Edits)
    OldRanges.push_back({E.Begin, E.End});
  ParseResult Before = parseWithClang(Cmd, P.File, P.Original, OldRanges);
  if (!Before.Ran) {
    Out.Ok = false;
    Out.Problems = P.File + ": cannot check the patch: " + Before.Diagnostics;
    return Out;
  }
  ParseResult After = parseWithClang(Cmd, P.File, P.Patched, P.NewRanges);
  if (Before.Errors == 0 && After.Errors > 0) {
    Out.Ok = false;
    Out.Problems += fmt::format("The patched file {} does not compile ({} error{}):\n{}\n", P.File, After.Errors,
                                After.Errors == 1 ? "" : "s", After.Diagnostics);
  } else if (Before.Errors > 0) {
    Out.Notes.push_back(fmt::format("{}: the original already has {} error(s) when parsed with {}; compile check of "
                                    "the patch skipped. First errors:\n{}",
                                    P.File, Before.Errors, Cmd.Origin, Before.Diagnostics.substr(0, 2000)));
  }
  for (size_t I = 0; I < P.Edits.size(); ++I) {
    const Edit &E = P.Edits[I];
    if (!E.IsCode)
      continue;
    const auto &Old = Before.Functions[I];
    const auto &New = After.Functions[I];
    if (!Old) {
      Out.Notes.push_back(fmt::format("{}:{}: no function definition found in the original range of {}; signature "
                                      "check skipped",
                                      P.File, E.Line, E.ParamId));
      continue;
    }
    if (!New) {
      Out.Ok = false;
      Out.Problems += fmt::format("The new code for {} does not define a function (expected {}).\n", E.ParamId,
                                  Old->str());
      continue;
    }
    if (!(*Old == *New)) {
      Out.Ok = false;
      Out.Problems += fmt::format("The new code for {} changes the function's name or signature: it defines {}, "
                                  "but it must keep {}.\n",
                                  E.ParamId, New->str(), Old->str());
    }
  }
  return Out;
}

} // namespace traceopt
