//===- Scan.cpp - Does a TU mention the attributes? -----------------------===//

#include "trace-plugin/Scan.h"
#include "trace-plugin/Compat.h"

#include "clang/Basic/DiagnosticFrontend.h"
#include "clang/Basic/FileManager.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace trace_plugin {
namespace {

bool isIdentChar(char C) {
  return (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') ||
         (C >= '0' && C <= '9') || C == '_';
}

size_t skipSpace(llvm::StringRef Text, size_t Pos) {
  while (Pos < Text.size() && (Text[Pos] == ' ' || Text[Pos] == '\t' ||
                               Text[Pos] == '\n' || Text[Pos] == '\r'))
    ++Pos;
  return Pos;
}

bool wordAt(llvm::StringRef Text, size_t Pos, llvm::StringRef Word) {
  if (!startsWith(Text.substr(Pos), Word))
    return false;
  size_t End = Pos + Word.size();
  return End >= Text.size() || !isIdentChar(Text[End]);
}

class ScanCallbacks : public PPCallbacks {
public:
  ScanCallbacks(SourceManager &SM, const PluginOptions &Opts, bool &Found)
      : SM(SM), Opts(Opts), Found(Found) {}

  void FileChanged(SourceLocation Loc, FileChangeReason Reason,
                   SrcMgr::CharacteristicKind FileType,
                   FileID) override {
    if (Found || Reason != EnterFile || FileType != SrcMgr::C_User)
      return;
    FileID FID = SM.getFileID(Loc);
    OptionalFileEntryRef FE = SM.getFileEntryRefForID(FID);
    if (!FE || !mentionsTraceAttribute(SM.getBufferData(FID)))
      return;
    // An excluded folder's annotations are never rewritten: they alone
    // are not worth a nested parse.
    if (!Opts.ExcludeDirs.empty()) {
      SmallString<256> Path(FE->getName());
      SM.getFileManager().makeAbsolutePath(Path);
      llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
      if (!Opts.excludedBy(Path).empty())
        return;
    }
    Found = true;
  }

private:
  SourceManager &SM;
  const PluginOptions &Opts;
  bool &Found;
};

class ScanAction : public PreprocessorFrontendAction {
public:
  ScanAction(const PluginOptions &Opts, bool &Found)
      : Opts(Opts), Found(Found) {}

protected:
  void ExecuteAction() override {
    Preprocessor &PP = getCompilerInstance().getPreprocessor();
    PP.addPPCallbacks(
        std::make_unique<ScanCallbacks>(PP.getSourceManager(), Opts, Found));
    // Only directives matter: which files are entered.
    PP.SetMacroExpansionOnlyInDirectives();
    PP.EnterMainSourceFile();
    Token Tok;
    do
      PP.Lex(Tok);
    while (Tok.isNot(tok::eof) && !Found);
  }

private:
  const PluginOptions &Opts;
  bool &Found;
};

} // namespace

bool mentionsTraceAttribute(llvm::StringRef Text) {
  for (size_t Pos = Text.find("trace"); Pos != llvm::StringRef::npos;
       Pos = Text.find("trace", Pos + 5)) {
    if (Pos > 0 && isIdentChar(Text[Pos - 1]))
      continue;
    size_t P = skipSpace(Text, Pos + 5);
    if (!startsWith(Text.substr(P), "::"))
      continue;
    P = skipSpace(Text, P + 2);
    if (wordAt(Text, P, "bundle") || wordAt(Text, P, "trainable"))
      return true;
  }
  return false;
}

bool scanIncludedFiles(std::shared_ptr<CompilerInvocation> Invocation,
                       CompilerInstance &Outer, const PluginOptions &Opts) {
  Invocation->getFrontendOpts().ProgramAction = frontend::PrintPreprocessedInput;
  CompilerInstance Scan(Outer.getPCHContainerOperations());
  Scan.setInvocation(std::move(Invocation));
  createDiagnosticsWith(Scan, new IgnoringDiagConsumer());
  Scan.setFileManager(&Outer.getFileManager());
  bool Found = false;
  ScanAction Action(Opts, Found);
  Scan.ExecuteAction(Action);
  return Found;
}

} // namespace trace_plugin
