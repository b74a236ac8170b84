//===- Scan.cpp - Does a TU mention the attributes? -----------------------===//

#include "trace-plugin/Scan.h"
#include "trace-plugin/Compat.h"

#include "clang/Basic/DiagnosticFrontend.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"

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
  if (!Text.substr(Pos).starts_with(Word))
    return false;
  size_t End = Pos + Word.size();
  return End >= Text.size() || !isIdentChar(Text[End]);
}

class ScanCallbacks : public PPCallbacks {
public:
  ScanCallbacks(SourceManager &SM, bool &Found) : SM(SM), Found(Found) {}

  void FileChanged(SourceLocation Loc, FileChangeReason Reason,
                   SrcMgr::CharacteristicKind FileType,
                   FileID) override {
    if (Found || Reason != EnterFile || FileType != SrcMgr::C_User)
      return;
    FileID FID = SM.getFileID(Loc);
    if (!SM.getFileEntryRefForID(FID))
      return;
    if (mentionsTraceAttribute(SM.getBufferData(FID)))
      Found = true;
  }

private:
  SourceManager &SM;
  bool &Found;
};

class ScanAction : public PreprocessorFrontendAction {
public:
  explicit ScanAction(bool &Found) : Found(Found) {}

protected:
  void ExecuteAction() override {
    Preprocessor &PP = getCompilerInstance().getPreprocessor();
    PP.addPPCallbacks(
        std::make_unique<ScanCallbacks>(PP.getSourceManager(), Found));
    // Only directives matter: which files are entered.
    PP.SetMacroExpansionOnlyInDirectives();
    PP.EnterMainSourceFile();
    Token Tok;
    do
      PP.Lex(Tok);
    while (Tok.isNot(tok::eof) && !Found);
  }

private:
  bool &Found;
};

} // namespace

bool mentionsTraceAttribute(llvm::StringRef Text) {
  for (size_t Pos = Text.find("trace"); Pos != llvm::StringRef::npos;
       Pos = Text.find("trace", Pos + 5)) {
    if (Pos > 0 && isIdentChar(Text[Pos - 1]))
      continue;
    size_t P = skipSpace(Text, Pos + 5);
    if (!Text.substr(P).starts_with("::"))
      continue;
    P = skipSpace(Text, P + 2);
    if (wordAt(Text, P, "bundle") || wordAt(Text, P, "trainable"))
      return true;
  }
  return false;
}

bool scanIncludedFiles(std::shared_ptr<CompilerInvocation> Invocation,
                       CompilerInstance &Outer) {
  Invocation->getFrontendOpts().ProgramAction = frontend::PrintPreprocessedInput;
  CompilerInstance Scan(Outer.getPCHContainerOperations());
  Scan.setInvocation(std::move(Invocation));
  createDiagnosticsWith(Scan, new IgnoringDiagConsumer());
  Scan.setFileManager(&Outer.getFileManager());
  bool Found = false;
  ScanAction Action(Found);
  Scan.ExecuteAction(Action);
  return Found;
}

} // namespace trace_plugin
