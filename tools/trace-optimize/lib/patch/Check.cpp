//===- Check.cpp - check patched sources with clang -----------------------===//
#include "patch/Check.h"
#include "common/InstallPaths.h"
#include "patch/Lex.h"
#include "prompt/PromptText.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/LangStandard.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Frontend/Utils.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <map>
#include <sys/stat.h>
#include <thread>

#ifndef TRACEOPT_CLANGXX
#define TRACEOPT_CLANGXX "clang++-19"
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
    C.MainFile = Pick->File;
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
    C.MainFile = Real;
    return C;
  }

  CompileCommand C;
  C.Kind = CompileCommand::Driver;
  C.Directory = dirName(Real);
  C.Args = {TRACEOPT_CLANGXX, "-std=c++17", "-fsyntax-only", "-I" + dirName(Real)};
  if (!runtimeIncludeDir().empty())
    C.Args.push_back("-I" + runtimeIncludeDir());
  C.Args.push_back(Real);
  C.Origin = "a fallback command line (no tu record, no compile_commands.json)";
  C.MainFile = Real;
  C.Guessed = true;
  return C;
}

std::vector<CompileCommand> findCompileCommands(const std::string &File, const std::vector<TuArgs> &Tus,
                                                const std::string &CompileCommandsDir) {
  std::string Real = realPath(File);
  auto MainOf = [](const TuArgs &T) {
    return realPath(!T.File.empty() && T.File[0] != '/' ? T.Directory + "/" + T.File : T.File);
  };
  bool IsMain = std::any_of(Tus.begin(), Tus.end(), [&](const TuArgs &T) { return MainOf(T) == Real; });
  // A file no translation unit is built from is included by some of them: which ones, only a
  // parse of each can tell, and a header's function must compile in every one that includes it.
  if (!IsMain) {
    std::vector<CompileCommand> All;
    for (const TuArgs &T : Tus) {
      if (T.Args.empty())
        continue;
      CompileCommand C;
      C.Kind = CompileCommand::Cc1;
      C.Directory = T.Directory;
      C.Args = T.Args;
      C.Origin = "the trace's tu record for " + T.File;
      C.MainFile = T.File;
      All.push_back(std::move(C));
    }
    if (!All.empty())
      return All;
  }
  return {findCompileCommand(File, Tus, CompileCommandsDir)};
}

LanguageStandard languageStandard(const std::vector<std::string> &Args) {
  LanguageStandard S;
  for (size_t I = 0; I < Args.size(); ++I) {
    llvm::StringRef A = Args[I];
    std::optional<std::string> Value;
    if (A.consume_front("-std=") || A.consume_front("--std="))
      Value = A.str();
    else if ((A == "-std" || A == "--std") && I + 1 < Args.size())
      Value = Args[++I];
    else if (A.consume_front("/std:") || A.consume_front("-std:"))
      // clang-cl's spelling; clang 19 takes c++latest as c++26.
      Value = A == "c++latest" ? std::string("c++26") : A.str();
    if (Value) {
      S.Name = *Value;
      S.Given = true;
    }
  }
  if (!S.Given)
    S.Name = "gnu++17";
  return S;
}

std::string LanguageStandard::describe() const {
  const clang::LangStandard *LS = clang::LangStandard::getLangStandardForName(Name);
  if (!LS || !LS->isCPlusPlus())
    return Name;
  const char *Version = LS->isCPlusPlus26()   ? "C++26"
                        : LS->isCPlusPlus23() ? "C++23"
                        : LS->isCPlusPlus20() ? "C++20"
                        : LS->isCPlusPlus17() ? "C++17"
                        : LS->isCPlusPlus14() ? "C++14"
                        : LS->isCPlusPlus11() ? "C++11"
                                              : "C++98";
  return std::string(Version) + (LS->isGNUMode() ? " with GNU extensions" : "");
}

namespace {

/// A declaration's place: the expansion location of its name, as a file offset, when it is
/// in Target.
std::optional<uint64_t> offsetIn(const clang::SourceManager &SM, clang::FileEntryRef Target, const clang::Decl *D) {
  clang::SourceLocation L = SM.getExpansionLoc(D->getLocation());
  if (L.isInvalid())
    return std::nullopt;
  auto FE = SM.getFileEntryRefForID(SM.getFileID(L));
  if (!FE || &FE->getFileEntry() != &Target.getFileEntry())
    return std::nullopt;
  return SM.getFileOffset(L);
}

/// True for declarations inside a function: lambdas, local classes and their members.
bool insideFunction(const clang::Decl *D) {
  for (const clang::DeclContext *DC = D->getLexicalDeclContext(); DC; DC = DC->getLexicalParent())
    if (DC->isFunctionOrMethod())
      return true;
  return false;
}

/// An attribute as written, with its syntax around it: `[[nodiscard]]`, `override`,
/// `__attribute__((noinline))`; without whitespace except between words, so that spacing does
/// not count.
std::string attributeText(const clang::Attr *A, const clang::SourceManager &SM, const clang::LangOptions &LO) {
  using namespace clang;
  std::string Raw;
  SourceRange R = A->getRange();
  if (R.isValid()) {
    CharSourceRange Range = SM.getExpansionRange(R);
    bool Invalid = false;
    Raw = Lexer::getSourceText(Range, SM, LO, &Invalid).str();
    if (Invalid)
      Raw.clear();
  }
  if (Raw.empty())
    Raw = A->getSpelling();
  // Whitespace counts only between two words: `deprecated( "x" )` is `deprecated("x")`.
  auto IsWordChar = [](char C) { return std::isalnum(static_cast<unsigned char>(C)) || C == '_'; };
  std::string Text;
  bool Space = false;
  for (char C : Raw) {
    if (std::isspace(static_cast<unsigned char>(C))) {
      Space = true;
      continue;
    }
    if (Space && !Text.empty() && IsWordChar(Text.back()) && IsWordChar(C))
      Text += ' ';
    Space = false;
    Text += C;
  }
  switch (A->getSyntax()) {
  case AttributeCommonInfo::AS_CXX11:
  case AttributeCommonInfo::AS_C23:
    return "[[" + Text + "]]";
  case AttributeCommonInfo::AS_GNU:
    return "__attribute__((" + Text + "))";
  case AttributeCommonInfo::AS_Declspec:
    return "__declspec(" + Text + ")";
  default:
    return Text;
  }
}

/// The specifiers and attributes written on FD that its type does not hold (see
/// FunctionIdentity::Specifiers), in a fixed order.
std::vector<std::string> specifiersOf(const clang::FunctionDecl *FD, const clang::SourceManager &SM) {
  using namespace clang;
  std::vector<std::string> Out;
  if (FD->isInlineSpecified())
    Out.push_back("inline");
  if (FD->getStorageClass() == SC_Static)
    Out.push_back("static");
  else if (FD->getStorageClass() == SC_Extern)
    Out.push_back("extern");
  if (FD->getConstexprKind() == ConstexprSpecKind::Constexpr)
    Out.push_back("constexpr");
  else if (FD->getConstexprKind() == ConstexprSpecKind::Consteval)
    Out.push_back("consteval");
  if (const auto *M = dyn_cast<CXXMethodDecl>(FD); M && M->isVirtualAsWritten())
    Out.push_back("virtual");
  if (ExplicitSpecifier::getFromDecl(FD).isSpecified())
    Out.push_back("explicit");
  if (FD->getFriendObjectKind() != Decl::FOK_None)
    Out.push_back("friend");
  for (const Attr *A : FD->attrs()) {
    // Implicit ones clang adds itself; inherited ones come from an earlier declaration,
    // which the suggestion does not replace.
    if (A->isImplicit() || A->isInherited())
      continue;
    Out.push_back(attributeText(A, SM, FD->getASTContext().getLangOpts()));
  }
  return Out;
}

FunctionIdentity identityOf(const clang::FunctionDecl *FD, const clang::SourceManager &SM) {
  FunctionIdentity Id;
  Id.QualifiedName = FD->getQualifiedNameAsString();
  // Canonical, so a typedef spelled differently is still the same type; without "class".
  clang::PrintingPolicy Policy(FD->getASTContext().getLangOpts());
  Policy.SuppressTagKeyword = true;
  Id.Type = FD->getType().getCanonicalType().getAsString(Policy);
  Id.Line = SM.getExpansionLineNumber(FD->getLocation());
  Id.Specifiers = specifiersOf(FD, SM);
  return Id;
}

/// "the function 'evil'", for a message that says what a suggestion declared.
std::string describeDecl(const clang::Decl *D) {
  using namespace clang;
  std::string Kind;
  if (isa<FunctionTemplateDecl>(D))
    Kind = "function template";
  else if (isa<CXXMethodDecl>(D))
    Kind = "member function";
  else if (isa<FunctionDecl>(D))
    Kind = "function";
  else if (isa<VarDecl>(D))
    Kind = "variable";
  else if (isa<FieldDecl>(D))
    Kind = "data member";
  else if (isa<ClassTemplateDecl>(D))
    Kind = "class template";
  else if (const auto *T = dyn_cast<TagDecl>(D))
    Kind = T->getKindName().str();
  else if (isa<TypedefNameDecl>(D) || isa<TypeAliasTemplateDecl>(D))
    Kind = "type alias";
  else if (isa<NamespaceDecl>(D) || isa<NamespaceAliasDecl>(D))
    Kind = "namespace";
  else if (isa<UsingDirectiveDecl>(D))
    Kind = "using-directive";
  else if (isa<UsingDecl>(D))
    Kind = "using-declaration";
  else if (isa<StaticAssertDecl>(D))
    Kind = "static_assert";
  else if (isa<AccessSpecDecl>(D))
    Kind = "access specifier";
  else
    Kind = std::string(D->getDeclKindName()) + " declaration";
  std::string Name;
  if (const auto *U = dyn_cast<UsingDirectiveDecl>(D))
    Name = U->getNominatedNamespaceAsWritten()->getQualifiedNameAsString();
  else if (const auto *N = dyn_cast<NamedDecl>(D))
    if (N->getDeclName() && !N->getDeclName().isEmpty())
      Name = N->getQualifiedNameAsString();
  return Name.empty() ? "the " + Kind : fmt::format("the {} '{}'", Kind, Name);
}

/// Collects, for each range, the function definitions at its top level (not inside another
/// function) whose names lie inside it, in source order.
class Finder : public clang::RecursiveASTVisitor<Finder> {
public:
  Finder(clang::SourceManager &SM, clang::FileEntryRef Target, const std::vector<std::pair<uint64_t, uint64_t>> &R)
      : SM(SM), Target(Target), Ranges(R), Found(R.size()) {}

  bool shouldVisitTemplateInstantiations() const { return false; }

  bool VisitFunctionDecl(clang::FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || FD->isImplicit() || insideFunction(FD))
      return true;
    std::optional<uint64_t> Off = offsetIn(SM, Target, FD);
    if (!Off)
      return true;
    for (size_t I = 0; I < Ranges.size(); ++I)
      if (*Off >= Ranges[I].first && *Off < Ranges[I].second)
        Found[I].push_back({*Off, FD});
    return true;
  }

  /// The function a range holds: the one with the expected identity, else the first.
  const clang::FunctionDecl *pick(size_t I, const std::optional<FunctionIdentity> &Expected) {
    std::vector<std::pair<uint64_t, const clang::FunctionDecl *>> &C = Found[I];
    std::sort(C.begin(), C.end(), [](const auto &A, const auto &B) { return A.first < B.first; });
    if (C.empty())
      return nullptr;
    if (Expected)
      for (const auto &[Off, FD] : C)
        if (identityOf(FD, SM) == *Expected)
          return FD;
    return C.front().second;
  }

private:
  clang::SourceManager &SM;
  clang::FileEntryRef Target;
  const std::vector<std::pair<uint64_t, uint64_t>> &Ranges;
  std::vector<std::vector<std::pair<uint64_t, const clang::FunctionDecl *>>> Found;
};

/// Lists the declarations of the target file that begin inside a range but are not the
/// range's function. Only contexts written in the target file are entered, so the
/// standard library's namespaces cost nothing.
void collectOutside(const clang::DeclContext *DC, const clang::SourceManager &SM, clang::FileEntryRef Target,
                    const std::vector<std::pair<uint64_t, uint64_t>> &Ranges,
                    const std::vector<const clang::FunctionDecl *> &Picked,
                    std::vector<std::vector<std::string>> &Out) {
  using namespace clang;
  for (const Decl *D : DC->decls()) {
    if (D->isImplicit() || isa<EmptyDecl>(D))
      continue;
    std::optional<uint64_t> Off = offsetIn(SM, Target, D);
    if (!Off)
      continue;
    bool InRange = false;
    for (size_t I = 0; I < Ranges.size(); ++I) {
      if (*Off < Ranges[I].first || *Off >= Ranges[I].second)
        continue;
      InRange = true;
      const FunctionDecl *FD = Picked[I];
      bool IsFunction = FD && (D == FD || D == FD->getDescribedFunctionTemplate());
      if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(D);
          Spec && Spec->getSpecializationKind() == TSK_ImplicitInstantiation)
        IsFunction = true; // Comes with its template, which is listed.
      std::string What = describeDecl(D);
      if (!IsFunction && std::find(Out[I].begin(), Out[I].end(), What) == Out[I].end())
        Out[I].push_back(std::move(What));
    }
    if (InRange)
      continue;
    const DeclContext *Inner = nullptr;
    if (isa<NamespaceDecl>(D) || isa<LinkageSpecDecl>(D) || isa<ExportDecl>(D))
      Inner = cast<DeclContext>(D);
    else if (const auto *RD = dyn_cast<CXXRecordDecl>(D); RD && !RD->isLambda())
      Inner = RD;
    else if (const auto *CT = dyn_cast<ClassTemplateDecl>(D))
      Inner = CT->getTemplatedDecl();
    if (Inner)
      collectOutside(Inner, SM, Target, Ranges, Picked, Out);
  }
}

class FindConsumer : public clang::ASTConsumer {
public:
  FindConsumer(std::string File, const std::vector<std::pair<uint64_t, uint64_t>> &R,
               const std::vector<std::optional<FunctionIdentity>> *Expected, ParseResult &Out)
      : File(std::move(File)), Ranges(R), Expected(Expected), Out(Out) {}

  void HandleTranslationUnit(clang::ASTContext &Ctx) override {
    clang::SourceManager &SM = Ctx.getSourceManager();
    auto Target = SM.getFileManager().getOptionalFileRef(File);
    if (!Target)
      return;
    // A file the unit never entered has no FileID, though the file manager knows it.
    Out.Included = SM.translateFile(*Target).isValid();
    if (!Out.Included)
      return;
    Finder F(SM, *Target, Ranges);
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
    std::vector<const clang::FunctionDecl *> Picked(Ranges.size());
    for (size_t I = 0; I < Ranges.size(); ++I) {
      Picked[I] = F.pick(I, Expected && I < Expected->size() ? (*Expected)[I] : std::nullopt);
      if (Picked[I])
        Out.Functions[I] = identityOf(Picked[I], SM);
    }
    collectOutside(Ctx.getTranslationUnitDecl(), SM, *Target, Ranges, Picked, Out.Outside);
  }

private:
  std::string File;
  const std::vector<std::pair<uint64_t, uint64_t>> &Ranges;
  const std::vector<std::optional<FunctionIdentity>> *Expected;
  ParseResult &Out;
};

class FindAction : public clang::ASTFrontendAction {
public:
  FindAction(std::string File, const std::vector<std::pair<uint64_t, uint64_t>> &R,
             const std::vector<std::optional<FunctionIdentity>> *Expected, ParseResult &Out)
      : File(std::move(File)), Ranges(R), Expected(Expected), Out(Out) {}

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &, llvm::StringRef) override {
    return std::make_unique<FindConsumer>(File, Ranges, Expected, Out);
  }

private:
  std::string File;
  const std::vector<std::pair<uint64_t, uint64_t>> &Ranges;
  const std::vector<std::optional<FunctionIdentity>> *Expected;
  ParseResult &Out;
};

} // namespace

/// The invocation Cmd describes, set up to build nothing by itself: no output file, no
/// dependency files, no plugins, no warnings, no colours, in Cmd's directory. nullptr with Error
/// set when clang rejects the arguments.
static std::shared_ptr<clang::CompilerInvocation> makeInvocation(const CompileCommand &Cmd, std::string &Error) {
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
      Error = "clang rejected the arguments from " + Cmd.Origin + ": " + ArgDiagText;
      return nullptr;
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
      Error = "clang rejected the command line from " + Cmd.Origin + ": " + ArgDiagText;
      return nullptr;
    }
    Inv = std::move(U);
  }

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
  return Inv;
}

ParseResult parseWithClang(const CompileCommand &Cmd, const std::string &File, const std::string &Content,
                           const std::vector<std::pair<uint64_t, uint64_t>> &Ranges,
                           const std::vector<std::optional<FunctionIdentity>> *Expected) {
  ParseResult Result;
  Result.Functions.resize(Ranges.size());
  Result.Outside.resize(Ranges.size());
  std::string AbsFile = realPath(File);

  std::shared_ptr<clang::CompilerInvocation> Inv = makeInvocation(Cmd, Result.Diagnostics);
  if (!Inv)
    return Result;
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
  FindAction Action(AbsFile, Ranges, Expected, Result);
  CI.ExecuteAction(Action);
  Result.Ran = true;
  Result.Errors = CI.getDiagnostics().getClient()->getNumErrors();
  DiagOS.flush();
  Result.Diagnostics = DiagText;
  return Result;
}

/// "drops `inline` and adds `static`", or "" when Old and New hold the same specifiers
/// (in any order).
static std::string specifierChanges(const std::vector<std::string> &Old, const std::vector<std::string> &New) {
  std::vector<std::string> Dropped, Added = New;
  for (const std::string &S : Old) {
    auto It = std::find(Added.begin(), Added.end(), S);
    if (It != Added.end())
      Added.erase(It);
    else
      Dropped.push_back(S);
  }
  auto List = [](const std::vector<std::string> &Items) {
    std::string Out;
    for (size_t K = 0; K < Items.size(); ++K)
      Out += (K == 0 ? "" : K + 1 == Items.size() ? " and " : ", ") + ("`" + Items[K] + "`");
    return Out;
  };
  std::string Out;
  if (!Dropped.empty())
    Out = "drops " + List(Dropped);
  if (!Added.empty())
    Out += (Out.empty() ? "adds " : " and adds ") + List(Added);
  return Out;
}

CheckOutcome checkPatch(const FilePatch &P, const CompileCommand &Cmd) {
  CheckOutcome Out;
  std::vector<std::pair<uint64_t, uint64_t>> OldRanges;
  for (const Edit &E : P.Edits)
    OldRanges.push_back({E.Begin, E.End});
  auto Problem = [&](std::string Text) {
    Out.Ok = false;
    Out.Problems += Text;
    Out.ProblemList.push_back(std::move(Text));
  };
  ParseResult Before = parseWithClang(Cmd, P.File, P.Original, OldRanges);
  if (!Before.Ran) {
    Problem(P.File + ": cannot check the patch: " + Before.Diagnostics);
    return Out;
  }
  // A unit whose original does not even parse may not have reported what it includes; it is
  // checked as before (its errors are noted, not blamed on the patch).
  if (!Before.Included && Before.Errors == 0) {
    Out.NotIncluded = true;
    return Out;
  }
  // The old function's identity picks the new range's function, so a helper written before it
  // is reported as a helper, not as a renamed function.
  ParseResult After = parseWithClang(Cmd, P.File, P.Patched, P.NewRanges, &Before.Functions);
  // A header compiles as part of a unit; which one matters when it compiles in one and not in
  // another.
  std::string Unit;
  if (!Cmd.MainFile.empty() && realPath(Cmd.MainFile) != realPath(P.File))
    Unit = " in the translation unit " + Cmd.MainFile;
  if (After.Errors > 0)
    Out.CompileErrors = true;
  if (Before.Errors == 0 && After.Errors > 0) {
    Problem(fmt::format("The patched file {} does not compile{} ({} error{}):\n{}\n", P.File, Unit, After.Errors,
                        After.Errors == 1 ? "" : "s", After.Diagnostics));
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
      Problem(fmt::format("The new code for {} does not define a function (expected {}).\n", E.ParamId,
                          Old->str()));
      continue;
    }
    if (!(*Old == *New))
      Problem(fmt::format("The new code for {} changes the function's name or signature: it defines {}, but it "
                          "must keep {}.\n",
                          E.ParamId, New->str(), Old->str()));
    // `inline`, `static`, `constexpr` and the attributes are no part of the type, yet dropping
    // `inline` from a header's function breaks the link, and `static` changes its linkage.
    if (std::string Changed = specifierChanges(Old->Specifiers, New->Specifiers); !Changed.empty()) {
      std::string Kept;
      for (const std::string &S : Old->Specifiers)
        Kept += (Kept.empty() ? "`" : ", `") + S + "`";
      Problem(fmt::format("The new code for {} changes the declaration of {}: it {}. Keep the "
                                  "definition's specifiers and attributes exactly as they are ({}); only the body "
                                  "may change.\n",
                                  E.ParamId, Old->QualifiedName, Changed,
                                  Kept.empty() ? "it has none" : "it has " + Kept));
    }
    // Only what the suggestion added counts; the original range is the user's.
    std::vector<std::string> Added;
    for (const std::string &What : After.Outside[I])
      if (std::find(Before.Outside[I].begin(), Before.Outside[I].end(), What) == Before.Outside[I].end())
        Added.push_back(What);
    if (!Added.empty()) {
      std::string List;
      for (size_t K = 0; K < Added.size(); ++K)
        List += (K == 0 ? "" : K + 1 == Added.size() ? " and " : ", ") + Added[K];
      Problem(fmt::format("The new code for {} declares {} outside the function {}. {}\n", E.ParamId, List,
                          Old->QualifiedName, suggestionRule()));
    }
  }
  return Out;
}

CheckOutcome checkPatchInUnits(const FilePatch &P, const std::vector<CompileCommand> &Cmds) {
  CheckOutcome Out;
  std::vector<std::string> Units;
  for (const CompileCommand &Cmd : Cmds) {
    CheckOutcome C = checkPatch(P, Cmd);
    if (C.NotIncluded)
      continue;
    Units.push_back(Cmd.MainFile);
    Out.Units.push_back(Cmd);
    Out.CompileErrors |= C.CompileErrors;
    for (std::string &N : C.Notes)
      if (std::find(Out.Notes.begin(), Out.Notes.end(), N) == Out.Notes.end())
        Out.Notes.push_back(std::move(N));
    for (std::string &Problem : C.ProblemList) {
      if (std::find(Out.ProblemList.begin(), Out.ProblemList.end(), Problem) != Out.ProblemList.end())
        continue;
      Out.Ok = false;
      Out.Problems += Problem;
      Out.ProblemList.push_back(std::move(Problem));
    }
  }
  if (Units.empty()) {
    // Nothing compiled the file: say so rather than pass it as checked.
    Out.NotIncluded = true;
    Out.Notes.push_back(fmt::format("{}: none of the {} translation unit{} the trace records includes it; the "
                                    "compile check of the patch was skipped",
                                    P.File, Cmds.size(), Cmds.size() == 1 ? "" : "s"));
  }
  return Out;
}

std::string firstLines(const std::string &S, unsigned MaxLines) {
  size_t Pos = 0;
  for (unsigned I = 0; I < MaxLines && Pos < S.size(); ++I) {
    size_t Nl = S.find('\n', Pos);
    Pos = Nl == std::string::npos ? S.size() : Nl + 1;
  }
  std::string Out = S.substr(0, Pos);
  while (!Out.empty() && Out.back() == '\n')
    Out.pop_back();
  return Pos < S.size() ? Out + "\n..." : Out;
}

//===----------------------------------------------------------------------===//
// The link check: objects of the units that include a patched file, linked relocatably
//===----------------------------------------------------------------------===//

namespace {

/// The clang that compiles and links the check's objects, as a path.
std::string clangProgram() {
  if (llvm::StringRef(TRACEOPT_CLANGXX).contains('/'))
    return TRACEOPT_CLANGXX;
  llvm::ErrorOr<std::string> Found = llvm::sys::findProgramByName(TRACEOPT_CLANGXX);
  return Found ? *Found : std::string();
}

/// How one command of runAll ended.
struct RunResult {
  int Code = -1; ///< Its exit code, or -1 when it could not run.
  std::string Stderr;
};

/// Runs each command (Argv[0] is the program) with its stderr in the matching file, up to the
/// machine's cores at a time.
std::vector<RunResult> runAll(const std::vector<std::vector<std::string>> &Cmds,
                              const std::vector<std::string> &ErrFiles) {
  std::vector<RunResult> Results(Cmds.size());
  size_t Jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::pair<size_t, llvm::sys::ProcessInfo>> Running;
  auto WaitOldest = [&] {
    std::string Err;
    llvm::sys::ProcessInfo Done = llvm::sys::Wait(Running.front().second, std::nullopt, &Err);
    RunResult &R = Results[Running.front().first];
    R.Code = Done.ReturnCode;
    readFile(ErrFiles[Running.front().first], R.Stderr, Err);
    Running.erase(Running.begin());
  };
  for (size_t I = 0; I < Cmds.size(); ++I) {
    if (Running.size() >= Jobs)
      WaitOldest();
    std::vector<llvm::StringRef> Args(Cmds[I].begin(), Cmds[I].end());
    std::optional<llvm::StringRef> Redirects[] = {llvm::StringRef(""), llvm::StringRef(""),
                                                  llvm::StringRef(ErrFiles[I])};
    bool Failed = false;
    llvm::sys::ProcessInfo PI = llvm::sys::ExecuteNoWait(Args[0], Args, std::nullopt, Redirects, 0, nullptr, &Failed);
    if (!Failed && PI.Pid != llvm::sys::ProcessInfo::InvalidPid)
      Running.push_back({I, PI});
  }
  while (!Running.empty())
    WaitOldest();
  return Results;
}

/// A file name as the messages show it: relative to the current directory when below it.
std::string shown(const std::string &Path) { return displayPath(realPath(Path)); }

/// A unit as the messages name it: its main file, resolved against the unit's directory.
std::string unitName(const CompileCommand &C) {
  if (!C.MainFile.empty() && C.MainFile[0] != '/' && !C.Directory.empty())
    return shown(C.Directory + "/" + C.MainFile);
  return shown(C.MainFile);
}

/// The objects of one version of the sources (the patched one, or the one on disk).
struct ObjectSet {
  std::vector<std::string> Objects;
  /// Per unit that did not compile: "unit: diagnostics".
  std::vector<std::string> Failures;
  std::string LinkOutput;
  bool Linked = false;
};

/// Compiles every unit to an object in Dir (names start with Tag) and links them with `-r`.
/// Patched: the plan's files are read from their patched copies in Dir (Remaps).
ObjectSet buildAndLink(const std::vector<CompileCommand> &Units,
                       const std::vector<std::pair<std::string, std::string>> &Remaps, const std::string &Dir,
                       const std::string &Tag, const std::string &Clang) {
  ObjectSet S;
  std::vector<std::vector<std::string>> Cmds;
  std::vector<std::string> ErrFiles;
  std::vector<size_t> UnitOf;
  for (size_t I = 0; I < Units.size(); ++I) {
    std::string Error;
    std::shared_ptr<clang::CompilerInvocation> Inv = makeInvocation(Units[I], Error);
    if (!Inv) {
      S.Failures.push_back(unitName(Units[I]) + ": " + Error);
      continue;
    }
    std::string Object = fmt::format("{}/{}{}.o", Dir, Tag, I);
    clang::FrontendOptions &FO = Inv->getFrontendOpts();
    FO.ProgramAction = clang::frontend::EmitObj;
    FO.OutputFile = Object;
    FO.DisableFree = true;
    // Which symbols an object defines does not depend on optimization or debug information.
    Inv->getCodeGenOpts().OptimizationLevel = 0;
    Inv->getCodeGenOpts().setDebugInfo(llvm::codegenoptions::NoDebugInfo);
    for (const auto &[From, To] : Remaps)
      Inv->getPreprocessorOpts().addRemappedFile(From, To);
    std::vector<std::string> Argv = {Clang};
    for (std::string &A : Inv->getCC1CommandLine())
      Argv.push_back(std::move(A));
    if (Argv.size() < 2 || Argv[1] != "-cc1")
      Argv.insert(Argv.begin() + 1, "-cc1");
    Cmds.push_back(std::move(Argv));
    ErrFiles.push_back(fmt::format("{}/{}{}.err", Dir, Tag, I));
    UnitOf.push_back(I);
    S.Objects.push_back(Object);
  }
  std::vector<RunResult> Ran = runAll(Cmds, ErrFiles);
  for (size_t K = 0; K < Cmds.size(); ++K)
    if (Ran[K].Code != 0)
      S.Failures.push_back(
          fmt::format("{}: {}", unitName(Units[UnitOf[K]]), Ran[K].Code < 0 ? "clang did not run" : Ran[K].Stderr));
  if (!S.Failures.empty())
    return S;
  std::vector<std::string> Link = {Clang, "-r", "-nostdlib", "-o", fmt::format("{}/{}linked.o", Dir, Tag)};
  Link.insert(Link.end(), S.Objects.begin(), S.Objects.end());
  std::string LinkErr = fmt::format("{}/{}link.err", Dir, Tag);
  RunResult Linked = runAll({Link}, {LinkErr}).front();
  S.Linked = Linked.Code == 0;
  S.LinkOutput = std::move(Linked.Stderr);
  return S;
}

/// The strong global symbols two objects both define, each as "`name` is defined in both A
/// and B" (the units' main files), in the order of the objects.
std::vector<std::string> duplicateDefinitions(const std::vector<std::string> &Objects,
                                              const std::vector<std::string> &UnitNames) {
  using llvm::object::SymbolRef;
  std::map<std::string, size_t> DefinedIn;
  std::vector<std::string> Out;
  for (size_t I = 0; I < Objects.size(); ++I) {
    auto Obj = llvm::object::ObjectFile::createObjectFile(Objects[I]);
    if (!Obj) {
      llvm::consumeError(Obj.takeError());
      continue;
    }
    for (const SymbolRef &Sym : Obj->getBinary()->symbols()) {
      llvm::Expected<uint32_t> Flags = Sym.getFlags();
      if (!Flags) {
        llvm::consumeError(Flags.takeError());
        continue;
      }
      if (!(*Flags & SymbolRef::SF_Global) ||
          (*Flags & (SymbolRef::SF_Undefined | SymbolRef::SF_Weak | SymbolRef::SF_Common)))
        continue;
      llvm::Expected<llvm::StringRef> Name = Sym.getName();
      if (!Name) {
        llvm::consumeError(Name.takeError());
        continue;
      }
      auto [It, New] = DefinedIn.insert({Name->str(), I});
      if (!New)
        Out.push_back(fmt::format("`{}` is defined in both {} and {}", llvm::demangle(Name->str()),
                                  UnitNames[It->second], UnitNames[I]));
    }
  }
  return Out;
}

} // namespace

LinkOutcome checkLink(const PatchSet &Plan, const std::vector<CompileCommand> &AllUnits) {
  LinkOutcome Out;
  // A unit compiled with a guessed command line is not the program's: its object proves nothing.
  std::vector<CompileCommand> Units;
  for (const CompileCommand &C : AllUnits)
    if (!C.Guessed)
      Units.push_back(C);
  if (Units.size() < 2)
    return Out;
  std::string Clang = clangProgram();
  llvm::SmallString<128> Dir;
  if (Clang.empty() || llvm::sys::fs::createUniqueDirectory("trace-link", Dir)) {
    Out.Notes.push_back(Clang.empty() ? std::string("cannot find " TRACEOPT_CLANGXX "; the link check was skipped")
                                      : std::string("cannot create a temporary directory; the link check was skipped"));
    return Out;
  }
  std::string DirS = Dir.str().str();
  auto RemoveDir = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(DirS); });
  std::vector<std::pair<std::string, std::string>> Remaps;
  std::string Files;
  for (size_t I = 0; I < Plan.Files.size(); ++I) {
    const FilePatch &F = Plan.Files[I];
    std::string Copy = fmt::format("{}/patched{}", DirS, I);
    std::string Error;
    if (!writeFileAtomic(Copy, F.Patched, Error)) {
      Out.Notes.push_back("cannot write a copy of the patched " + F.File + " (" + Error +
                          "); the link check was skipped");
      return Out;
    }
    Remaps.push_back({realPath(F.File), Copy});
    Files += (Files.empty() ? "" : I + 1 == Plan.Files.size() ? " and " : ", ") + shown(F.File);
  }
  std::vector<std::string> UnitNames;
  for (const CompileCommand &C : Units)
    UnitNames.push_back(unitName(C));

  Out.Ran = true;
  ObjectSet Patched = buildAndLink(Units, Remaps, DirS, "p", Clang);
  if (Patched.Failures.empty() && Patched.Linked)
    return Out;
  // Blame the suggestion only for what the sources on disk do not do as well.
  ObjectSet Original = buildAndLink(Units, {}, DirS, "o", Clang);
  bool OriginalFails = !Original.Failures.empty() || !Original.Linked;
  if (OriginalFails) {
    Out.Notes.push_back(
        fmt::format("the link check was skipped: the {} translation units that include {} do not {} without the patch "
                    "either:\n{}",
                    Units.size(), Files, Original.Failures.empty() ? "link" : "compile to objects",
                    firstLines(Original.Failures.empty() ? Original.LinkOutput : Original.Failures.front(), 8)));
  } else if (!Patched.Failures.empty()) {
    Out.Ok = false;
    Out.Problem = fmt::format("The patched {} compiles but does not build an object in {}:\n{}\n", Files,
                              Patched.Failures.size() == 1 ? "one unit" : "some units", Patched.Failures.front());
  } else {
    Out.Ok = false;
    // The linker's own words, with the units named instead of the temporary objects, without
    // the driver's closing line about the linker's exit code.
    std::string Said;
    llvm::SmallVector<llvm::StringRef, 8> Lines;
    llvm::StringRef(Patched.LinkOutput).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef Line : Lines)
      if (!Line.contains("linker command failed"))
        Said += Line.str() + "\n";
    for (size_t I = 0; I < Patched.Objects.size(); ++I)
      for (size_t At; (At = Said.find(Patched.Objects[I])) != std::string::npos;)
        Said.replace(At, Patched.Objects[I].size(), UnitNames[I]);
    Out.Problem = fmt::format("The patched sources do not link: the {} translation units that include {} ({}) ",
                              Units.size(), Files, fmt::join(UnitNames, ", "));
    std::vector<std::string> Twice = duplicateDefinitions(Patched.Objects, UnitNames);
    if (!Twice.empty())
      Out.Problem += fmt::format("define the same symbol twice: {}. A function defined in a header that several "
                                 "units include must stay `inline`.\n",
                                 fmt::join(Twice, "; "));
    else
      Out.Problem += "fail to link together.\n";
    Out.Problem += "The linker says:\n" + firstLines(Said, 12) + "\n";
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// What a suggestion may contain, decided from its tokens
//===----------------------------------------------------------------------===//

std::string suggestionRule() {
  // The prompt's own phrase, so that what the model is told and what is enforced agree.
  return fmt::format("The rule: {} (any preprocessor directive counts as a macro, any declaration outside the "
                     "function's own definition as a helper; lambdas and local classes inside its body are fine).",
                     text::SuggestionScopeRule);
}

namespace {

/// Where the attribute goes back into a suggestion that left it out: after the same tokens
/// that precede it in the original (so "[[nodiscard]] [[trace::trainable]] int f()" keeps its
/// order), else after the template headers, which an attribute may not precede.
size_t insertionPoint(const std::string &Original, const Lexed &O, const TrainableAttr &A, const std::string &New,
                      const Lexed &N) {
  if (N.Toks.size() > A.FirstTok) {
    bool Same = true;
    for (size_t I = 0; I < A.FirstTok && Same; ++I)
      Same = spelling(Original, O.Toks[I]) == spelling(New, N.Toks[I]);
    if (Same)
      return N.Toks[A.FirstTok].Begin;
  }
  size_t I = 0;
  while (I + 1 < N.Toks.size() && isWord(New, N.Toks[I], "template") && N.Toks[I + 1].Kind == clang::tok::less) {
    int Angle = 0, Paren = 0;
    size_t J = I + 1;
    for (; J < N.Toks.size(); ++J) {
      clang::tok::TokenKind K = N.Toks[J].Kind;
      if (K == clang::tok::l_paren)
        ++Paren;
      else if (K == clang::tok::r_paren)
        --Paren;
      else if (Paren == 0 && K == clang::tok::less)
        ++Angle;
      else if (Paren == 0 && K == clang::tok::greater)
        --Angle;
      else if (Paren == 0 && K == clang::tok::greatergreater)
        Angle -= 2;
      if (Angle <= 0)
        break;
    }
    I = J + 1;
  }
  return I < N.Toks.size() ? N.Toks[I].Begin : 0;
}

std::string joinQuoted(const std::vector<std::string> &Items) {
  std::string Out;
  for (size_t K = 0; K < Items.size(); ++K)
    Out += (K == 0 ? "" : K + 1 == Items.size() ? " and " : ", ") + ("`" + Items[K] + "`");
  return Out;
}

} // namespace

std::optional<std::string> prepareSuggestion(const std::string &ParamId, bool IsCode, const std::string &Original,
                                             const std::string &Suggested, std::string &Problem) {
  Lexed O = lexText(Original), N = lexText(Suggested);
  // A directive in a suggestion would reach every line after it in the file, not just this
  // function; only the directives the original text already has may stay.
  std::vector<std::string> Have = O.Directives, Added;
  for (const std::string &D : N.Directives) {
    auto It = std::find(Have.begin(), Have.end(), D);
    if (It != Have.end())
      Have.erase(It);
    else
      Added.push_back(D);
  }
  if (!Added.empty()) {
    Problem = fmt::format("The new {} for {} adds the preprocessor directive{} {}. {}\n", IsCode ? "code" : "value",
                          ParamId, Added.size() == 1 ? "" : "s", joinQuoted(Added), suggestionRule());
    return std::nullopt;
  }
  if (!IsCode)
    return Suggested;
  // The attribute is what makes the function trainable, and its argument is the author's
  // constraint: a suggestion may leave it out (it is put back) but never change it.
  std::optional<TrainableAttr> OA = findTrainable(Original, O.Toks);
  std::optional<TrainableAttr> NA = findTrainable(Suggested, N.Toks);
  if (NA) {
    std::string Want = OA ? OA->Arg : "";
    if (NA->Arg == Want)
      return Suggested;
    Problem = fmt::format("The new code for {} changes the argument of the [[trace::trainable]] attribute: it has "
                          "`{}`, the definition has `{}`. The argument is the constraint the program's author set "
                          "and may not change; leave the attribute out (the original is kept) or copy it "
                          "unchanged.\n",
                          ParamId, NA->Standalone, OA ? OA->Standalone : "[[trace::trainable]]");
    return std::nullopt;
  }
  if (!OA)
    return Suggested;
  // The whitespace that followed the attribute in the original, so that a suggestion shown
  // without it comes back byte for byte.
  std::string Sep;
  for (size_t I = OA->GroupEnd; OA->Alone && I < Original.size() && std::isspace(static_cast<unsigned char>(Original[I]));
       ++I)
    Sep += Original[I];
  if (Sep.empty())
    Sep = " ";
  std::string Out = Suggested;
  Out.insert(insertionPoint(Original, O, *OA, Suggested, N), OA->Standalone + Sep);
  return Out;
}

} // namespace traceopt
