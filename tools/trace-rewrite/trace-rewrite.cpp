//===- trace-rewrite.cpp - The plugin's rewrite as a source-to-source tool ===//
//
// For compilers that cannot load the clang plugin (GCC, other clang
// releases): parses each file with its compile command (compile_commands.json
// or the flags after `--`), computes exactly the plugin's rewrite (the same
// RewriteAction) and writes the instrumented text, which any C++ compiler
// then builds with the runtime.
//
// Each written file starts with a short prologue (the macro and the include
// that the plugin adds through the predefines, then `#line 1 "<original>"`),
// followed by the rewritten text: every line of the original stays on its
// line, so diagnostics, __LINE__, __FILE__ and the debug line table name the
// user's file and line. The parse reads the user's files, so the byte ranges
// of trainable parameters recorded in the trace are ranges of the originals,
// which trace-optimize patches. The #include directives of user headers are
// retargeted to absolute paths (the instrumented copy when the TU rewrote that
// header, else the original), so the written file compiles from anywhere.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/InstallPaths.h"
#include "trace-plugin/Options.h"
#include "trace-plugin/RewriteAction.h"

#include "clang/Basic/FileManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#ifndef TRACE_CLANG_RESOURCE_DIR
#error "tools/trace-rewrite/CMakeLists.txt names clang's resource directory"
#endif

using namespace clang;
using namespace clang::tooling;
using namespace trace_plugin;

namespace {

llvm::cl::OptionCategory Category("trace-rewrite options");

llvm::cl::opt<std::string> OutDir("o",
                                  llvm::cl::desc("Write the instrumented files under <dir>, mirroring their paths"),
                                  llvm::cl::value_desc("dir"), llvm::cl::cat(Category));
llvm::cl::opt<bool> ToStdout("stdout", llvm::cl::desc("Print the instrumented main file (one FILE) on standard output"),
                             llvm::cl::cat(Category));
llvm::cl::opt<std::string> Root("root",
                                llvm::cl::desc("With -o: a file under <dir> is written at its path relative to <dir>, "
                                               "any other at its absolute path (default: the current directory)"),
                                llvm::cl::value_desc("dir"), llvm::cl::cat(Category));
llvm::cl::list<std::string> PluginArgs("plugin-arg",
                                       llvm::cl::desc("A plugin option, as in -fplugin-arg-trace-<KEY[=VALUE]> "
                                                      "(for example all, exclude=^std::); repeatable"),
                                       llvm::cl::value_desc("KEY[=VALUE]"), llvm::cl::cat(Category));

const char Overview[] =
    "Writes C++ sources instrumented by Trace for C++ (the clang plugin's rewrite), for builds whose compiler "
    "cannot load the plugin, such as g++. Build the output with the runtime's include directory and "
    "libtrace_rt.a.\n";

/// `#include` of a user header, found in the parse.
struct Inclusion {
  unsigned Line;       // of the file name, in the including file
  std::string Spelled; // "a.h" or <a.h>, as written
  std::string Target;  // absolute, dot-free path of the included file
};

std::string absolutePath(FileManager &FM, StringRef Name) {
  SmallString<256> Path(Name);
  FM.makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

/// Records, per including file, the #include directives that name user
/// headers (system headers are found the same way from anywhere).
class IncludeRecorder : public PPCallbacks {
public:
  IncludeRecorder(SourceManager &SM, const LangOptions &LO, llvm::StringMap<std::vector<Inclusion>> &Out)
      : SM(SM), LO(LO), Out(Out) {}

  void InclusionDirective(SourceLocation, const Token &, StringRef, bool, CharSourceRange FilenameRange,
                          OptionalFileEntryRef File, StringRef, StringRef, const Module *, bool,
                          SrcMgr::CharacteristicKind FileType) override {
    SourceLocation Begin = FilenameRange.getBegin();
    if (!File || FileType != SrcMgr::C_User || !Begin.isFileID())
      return;
    OptionalFileEntryRef Includer = SM.getFileEntryRefForID(SM.getFileID(Begin));
    if (!Includer)
      return;
    bool Invalid = false;
    StringRef Spelled = Lexer::getSourceText(FilenameRange, SM, LO, &Invalid);
    if (Invalid || Spelled.empty())
      return;
    FileManager &FM = SM.getFileManager();
    Out[absolutePath(FM, Includer->getName())].push_back(
        {SM.getSpellingLineNumber(Begin), Spelled.str(), absolutePath(FM, File->getName())});
  }

private:
  SourceManager &SM;
  const LangOptions &LO;
  llvm::StringMap<std::vector<Inclusion>> &Out;
};

class RecordingRewriteAction : public RewriteAction {
public:
  RecordingRewriteAction(const PluginOptions &Opts, const TuContext &Tu, std::optional<RewriteResult> &Out,
                         std::vector<std::string> &Excluded, llvm::StringMap<std::vector<Inclusion>> &Includes)
      : RewriteAction(Opts, Tu, Out, Excluded), Includes(Includes) {}

protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI, StringRef InFile) override {
    CI.getPreprocessor().addPPCallbacks(
        std::make_unique<IncludeRecorder>(CI.getSourceManager(), CI.getLangOpts(), Includes));
    return RewriteAction::CreateASTConsumer(CI, InFile);
  }

private:
  llvm::StringMap<std::vector<Inclusion>> &Includes;
};

/// \p Path as a C string literal's contents.
std::string escaped(StringRef Path) {
  std::string S;
  for (char C : Path) {
    if (C == '"' || C == '\\')
      S += '\\';
    S += C;
  }
  return S;
}

/// \p Text with each recorded #include retargeted to the path \p TargetOf
/// gives. The file name is replaced on its own line, which no edit of the
/// rewrite touches, so lines stay where they are.
std::string retargetIncludes(StringRef Text, const std::vector<Inclusion> &Includes,
                             llvm::function_ref<std::string(const Inclusion &)> TargetOf) {
  SmallVector<StringRef, 0> Lines;
  Text.split(Lines, '\n');
  std::vector<std::string> Edited(Lines.size());
  std::vector<bool> Changed(Lines.size());
  for (const Inclusion &I : Includes) {
    if (I.Line == 0 || I.Line > Lines.size() || StringRef(I.Target).contains('"'))
      continue;
    std::string &Line = Edited[I.Line - 1];
    if (!Changed[I.Line - 1])
      Line = Lines[I.Line - 1].str();
    size_t Include = Line.find("include");
    size_t Pos = Include == std::string::npos ? Include : Line.find(I.Spelled, Include);
    if (Pos == std::string::npos)
      continue;
    Line.replace(Pos, I.Spelled.size(), "\"" + escaped(TargetOf(I)) + "\"");
    Changed[I.Line - 1] = true;
  }
  std::string Out;
  Out.reserve(Text.size());
  for (size_t I = 0; I != Lines.size(); ++I) {
    if (I)
      Out += '\n';
    Out += Changed[I] ? StringRef(Edited[I]) : Lines[I];
  }
  return Out;
}

/// The absolute -o folder, made so before ClangTool changes the working
/// directory to each compile command's.
std::string AbsoluteOutDir;

/// Where the instrumented copy of \p AbsPath goes under -o.
std::string outputPath(StringRef AbsPath, StringRef RootDir) {
  SmallString<256> Out(AbsoluteOutDir);
  StringRef Rel = AbsPath;
  if (!RootDir.empty() && Rel.starts_with(RootDir) && Rel.size() > RootDir.size() &&
      llvm::sys::path::is_separator(Rel[RootDir.size()]))
    Rel = Rel.drop_front(RootDir.size() + 1);
  else
    Rel = llvm::sys::path::relative_path(Rel);
  llvm::sys::path::append(Out, Rel);
  return std::string(Out);
}

/// Writes \p Text to \p Path through a temporary file, so a compile never
/// sees half a file and two runs writing one header do not interleave.
/// Unless \p Always, a file that already holds \p Text is left untouched
/// (its time stamp too).
bool writeFile(StringRef Path, StringRef Text, bool Always) {
  if (!Always)
    if (auto Old = llvm::MemoryBuffer::getFile(Path); Old && (*Old)->getBuffer() == Text)
      return true;
  if (std::error_code EC = llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path))) {
    llvm::errs() << "trace-rewrite: cannot create the folder of '" << Path << "': " << EC.message() << "\n";
    return false;
  }
  std::string Temp = (Path + ".tmp" + Twine(llvm::sys::Process::getProcessId())).str();
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Temp, EC);
    if (EC) {
      llvm::errs() << "trace-rewrite: cannot write '" << Temp << "': " << EC.message() << "\n";
      return false;
    }
    OS << Text;
    OS.close();
    if (OS.has_error()) {
      llvm::errs() << "trace-rewrite: cannot write '" << Temp << "': " << OS.error().message() << "\n";
      OS.clear_error();
      return false;
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Path)) {
    llvm::errs() << "trace-rewrite: cannot write '" << Path << "': " << EC.message() << "\n";
    llvm::sys::fs::remove(Temp);
    return false;
  }
  return true;
}

class TraceRewriteTool : public ToolAction {
public:
  TraceRewriteTool(const PluginOptions &Base, std::string RootDir) : Base(Base), RootDir(std::move(RootDir)) {}

  bool runInvocation(std::shared_ptr<CompilerInvocation> Inv, FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCH, DiagnosticConsumer *Diags) override {
    const FrontendOptions &FO = Inv->getFrontendOpts();
    if (FO.Inputs.size() != 1 || !FO.Inputs[0].isFile()) {
      llvm::errs() << "trace-rewrite: a compile command has no single input file; skipped\n";
      return false;
    }
    std::string Main = absolutePath(*Files, FO.Inputs[0].getFile());
    // -fplugin-arg-trace-<opt> in the compile command apply to its file.
    PluginOptions Opts = Base;
    auto It = FO.PluginArgs.find("trace");
    if (It != FO.PluginArgs.end())
      for (const std::string &Arg : It->second)
        if (std::string Error = Opts.parse(Arg); !Error.empty()) {
          llvm::errs() << "trace-rewrite: " << Main << ": -fplugin-arg-trace-" << Arg << ": " << Error << "\n";
          return false;
        }

    std::optional<RewriteResult> Result;
    std::vector<std::string> Excluded;
    llvm::StringMap<std::vector<Inclusion>> Includes;
    if (!Inv->getLangOpts().CPlusPlus || !Inv->getLangOpts().CPlusPlus11) {
      llvm::errs() << "trace-rewrite: " << Main
                   << ": warning: instrumenting needs C++11 or later; written without instrumentation\n";
    } else {
      TuContext Tu = tuContext(*Inv, Main);
      prepareRewriteParse(*Inv, Opts);
      // The user's warnings are the real compile's to report.
      Inv->getDiagnosticOpts().IgnoreWarnings = true;
      CompilerInstance CI(std::move(PCH));
      CI.setInvocation(std::move(Inv));
      CI.setFileManager(Files);
      CI.createDiagnostics(Diags, /*ShouldOwnClient=*/false);
      CI.createSourceManager(*Files);
      RecordingRewriteAction Action(Opts, Tu, Result, Excluded, Includes);
      bool Ran = CI.ExecuteAction(Action);
      Files->clearStatCache();
      if (!Ran || CI.getDiagnostics().hasErrorOccurred() || !Result) {
        llvm::errs() << "trace-rewrite: " << Main << ": the file does not parse (errors above); nothing written\n";
        return false;
      }
      report(Main, Opts, *Result, Excluded);
    }
    return emit(Main, Result, Includes);
  }

private:
  const PluginOptions &Base;
  std::string RootDir;

  void report(StringRef Main, const PluginOptions &Opts, const RewriteResult &R,
              const std::vector<std::string> &Excluded) {
    if (Opts.WarnSkipped)
      for (const SkipNote &Note : R.Skips)
        llvm::errs() << Note.File << ":" << Note.Line << ":" << Note.Column << ": warning: " << Note.Message << "\n";
    if (!Opts.Verbose)
      return;
    llvm::errs() << "trace-rewrite: " << Main << ": " << R.NumBundles << " bundle(s), "
                 << R.Skips.size() + R.LeftAlone.size() << " left alone, " << R.NumCallSiteEdits
                 << " call-site edit(s), " << R.NumParams << " trainable parameter(s), " << R.Files.size()
                 << " file(s) rewritten\n";
    for (const std::string &File : Excluded)
      llvm::errs() << "trace-rewrite: " << File << ": excluded folder, not rewritten\n";
    for (const SkipNote &Note : R.LeftAlone)
      llvm::errs() << "trace-rewrite: " << Note.File << ":" << Note.Line << ":" << Note.Column
                   << ": left alone: " << Note.Message << "\n";
  }

  bool emit(const std::string &Main, const std::optional<RewriteResult> &Result,
            const llvm::StringMap<std::vector<Inclusion>> &Includes) {
    // The texts to write: the main file always (the build compiles it from
    // the output tree), the headers the TU rewrote.
    std::vector<std::pair<std::string, std::string>> Texts;
    llvm::StringSet<> Rewritten;
    bool MainRewritten = false;
    if (Result)
      for (const RewrittenFile &F : Result->Files) {
        Rewritten.insert(F.Path);
        MainRewritten |= F.Path == Main;
        Texts.emplace_back(F.Path, F.Text);
      }
    if (!MainRewritten) {
      auto Buffer = llvm::MemoryBuffer::getFile(Main);
      if (!Buffer) {
        llvm::errs() << "trace-rewrite: cannot read '" << Main << "': " << Buffer.getError().message() << "\n";
        return false;
      }
      Texts.emplace(Texts.begin(), Main, (*Buffer)->getBuffer().str());
    }
    bool TuRewritten = Result && !Result->Files.empty();
    if (ToStdout && Rewritten.size() > (MainRewritten ? 1u : 0u))
      llvm::errs() << "trace-rewrite: " << Main
                   << ": warning: headers were rewritten too and are not printed; use -o to write them\n";

    bool Ok = true;
    for (const auto &[Path, Text] : Texts) {
      bool IsMain = Path == Main;
      if (ToStdout && !IsMain)
        continue;
      std::string Out;
      if (IsMain) {
        // What the plugin adds through the predefines.
        Out += "#define __TRACE_PLUGIN__ 1\n";
        if (TuRewritten)
          Out += "#include \"" + escaped(abiHeaderPath()) + "\"\n";
      }
      Out += "#line 1 \"" + escaped(Path) + "\"\n";
      auto It = Includes.find(Path);
      if (It == Includes.end())
        Out += Text;
      else
        Out += retargetIncludes(Text, It->second, [&](const Inclusion &I) {
          return Rewritten.contains(I.Target) && !ToStdout ? outputPath(I.Target, RootDir) : I.Target;
        });
      if (ToStdout) {
        llvm::outs() << Out;
        continue;
      }
      // The main file's copy is the output of a build step: always written.
      Ok &= writeFile(outputPath(Path, RootDir), Out, /*Always=*/IsMain);
    }
    return Ok;
  }
};

/// Inserts -resource-dir, so the parse finds clang 19's builtin headers
/// (stddef.h, ...) wherever this tool is installed, and -w.
ArgumentsAdjuster resourceDirAdjuster() {
  return [](const CommandLineArguments &Args, StringRef) {
    CommandLineArguments Out;
    bool HasResourceDir = false;
    for (const std::string &A : Args) {
      // A plugin given in the command is not loaded by this tool (its
      // options, -fplugin-arg-trace-*, are read from the invocation).
      if (StringRef(A).starts_with("-fplugin="))
        continue;
      HasResourceDir |= StringRef(A).starts_with("-resource-dir");
      Out.push_back(A);
    }
    if (Out.empty())
      return Out;
    if (!HasResourceDir)
      Out.insert(Out.begin() + 1, "-resource-dir=" TRACE_CLANG_RESOURCE_DIR);
    // Warnings are the real compile's to report, and a GCC command's own
    // flags (-Wno-stringop-overflow, -fno-tree-vrp) would only warn here.
    Out.insert(Out.begin() + 1, "-w");
    return Out;
  };
}

} // namespace

int main(int argc, const char **argv) {
  static std::string PluginHelp =
      "\nPlugin options (for --plugin-arg, without -fplugin-arg-trace-):\n" + PluginOptions::help();
  llvm::cl::extrahelp MoreHelp(PluginHelp.c_str());
  llvm::cl::extrahelp CommonHelp(CommonOptionsParser::HelpMessage);
  auto Parser = CommonOptionsParser::create(argc, argv, Category, llvm::cl::OneOrMore, Overview);
  if (!Parser) {
    llvm::errs() << llvm::toString(Parser.takeError());
    return 1;
  }
  if (OutDir.empty() == !ToStdout) {
    llvm::errs() << "trace-rewrite: give exactly one of -o <dir> and --stdout\n";
    return 1;
  }
  if (ToStdout && Parser->getSourcePathList().size() != 1) {
    llvm::errs() << "trace-rewrite: --stdout prints one file, but " << Parser->getSourcePathList().size()
                 << " were given\n";
    return 1;
  }
  PluginOptions Opts;
  for (const std::string &Arg : PluginArgs)
    if (std::string Error = Opts.parse(Arg); !Error.empty()) {
      llvm::errs() << "trace-rewrite: --plugin-arg " << Arg << ": " << Error << "\n";
      return 1;
    }
  SmallString<256> Out(OutDir);
  llvm::sys::fs::make_absolute(Out);
  AbsoluteOutDir = std::string(Out);
  SmallString<256> RootDir(Root.empty() ? "." : Root.getValue());
  llvm::sys::fs::make_absolute(RootDir);
  llvm::sys::path::remove_dots(RootDir, /*remove_dot_dot=*/true);
  while (RootDir.size() > 1 && llvm::sys::path::is_separator(RootDir.back()))
    RootDir.pop_back();

  ClangTool Tool(Parser->getCompilations(), Parser->getSourcePathList());
  Tool.appendArgumentsAdjuster(resourceDirAdjuster());
  TraceRewriteTool Action(Opts, RootDir == "/" ? std::string() : std::string(RootDir));
  return Tool.run(&Action) ? 1 : 0;
}
