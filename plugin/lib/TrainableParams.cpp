//===- TrainableParams.cpp - Records of trainable parameters --------------===//
//
// One ParamInfo + Registrar per trainable seen in the TU, and one TU record,
// appended to the main file. Byte ranges and hashes are of the *original*
// text (the nested parse's buffers are the user's files), so the optimizer
// can find and replace exactly that text.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Keys.h"
#include "trace-plugin/Rewriting.h"
#include "trace-plugin/Strings.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace trace_plugin {
namespace {

std::string optionalQuoted(const std::optional<std::string> &S) {
  return S ? quoted(*S) : std::string("nullptr");
}

/// Moves \p Loc back to the "[[" that opens the attribute list holding it.
SourceLocation openingBrackets(const SourceManager &SM, SourceLocation Loc) {
  auto [FID, Offset] = SM.getDecomposedLoc(Loc);
  StringRef Buffer = SM.getBufferData(FID);
  size_t Open = Buffer.substr(0, Offset).rfind("[[");
  if (Open == StringRef::npos)
    return Loc;
  // Another attribute list ending in between means Loc is not inside this
  // one (an alignas or a GNU attribute, say).
  if (Buffer.substr(Open, Offset - Open).contains("]]"))
    return Loc;
  return Loc.getLocWithOffset(-static_cast<int>(Offset - Open));
}

/// The declaration of \p FD without its body, as a programmer writes it:
/// a parameter is printed around its name (`int (*Cb)(int)`), a parameter
/// pack with one `...` before its name (`const Rest &...Rest`), a C
/// variadic function ends in `...`.
std::string functionSignature(const FunctionDecl *FD) {
  PrintingPolicy P(FD->getASTContext().getLangOpts());
  P.SuppressUnwrittenScope = false;
  std::string Sig = FD->getReturnType().getAsString(P) + " " +
                    qualifiedName(FD) + "(";
  llvm::raw_string_ostream OS(Sig);
  for (unsigned I = 0, N = FD->getNumParams(); I != N; ++I) {
    const ParmVarDecl *PD = FD->getParamDecl(I);
    if (I)
      OS << ", ";
    // A pack's type is a pack expansion, which would print its "..." after
    // the name; print its pattern with the "..." before the name instead.
    QualType T = PD->getOriginalType();
    std::string Name = PD->getName().str();
    if (const auto *Pack = T->getAs<PackExpansionType>()) {
      T = Pack->getPattern();
      Name = "..." + Name;
    }
    T.print(OS, P, Name);
  }
  const auto *Proto = FD->getType()->getAs<FunctionProtoType>();
  if (Proto && Proto->isVariadic())
    OS << (FD->getNumParams() ? ", ..." : "...");
  OS << ")";
  if (Proto) {
    Qualifiers Q = Proto->getMethodQuals();
    if (Q.hasConst())
      OS << " const";
    if (Q.hasVolatile())
      OS << " volatile";
    if (Proto->getRefQualifier() == RQ_LValue)
      OS << " &";
    else if (Proto->getRefQualifier() == RQ_RValue)
      OS << " &&";
  }
  return Sig;
}

/// True if code at namespace scope may read \p VD: every class it is nested
/// in, and the member itself, are public.
bool readableFromNamespaceScope(const VarDecl *VD) {
  const Decl *D = VD;
  while (const auto *RD = dyn_cast<CXXRecordDecl>(D->getDeclContext())) {
    if (D->getAccess() != AS_public && D->getAccess() != AS_none)
      return false;
    D = RD;
  }
  return D->getAccess() == AS_public || D->getAccess() == AS_none;
}

} // namespace

void TrainableParams::addFunction(const FunctionDecl *FD,
                                  const TraceMarks &Marks) {
  const Stmt *Body = FD->getBody();
  if (!Body)
    return;
  SourceLocation Begin = S.SM.getFileLoc(FD->getOuterLocStart());
  if (const FunctionTemplateDecl *FTD = FD->getDescribedFunctionTemplate()) {
    SourceLocation TemplateLoc = S.SM.getFileLoc(FTD->getBeginLoc());
    if (S.SM.isBeforeInTranslationUnit(TemplateLoc, Begin))
      Begin = TemplateLoc;
  }
  for (const Attr *A : FD->attrs()) {
    if (A->isImplicit() || A->isInherited() || A->getLocation().isInvalid())
      continue;
    SourceLocation Loc = S.SM.getFileLoc(A->getRange().getBegin());
    if (S.SM.getFileID(Loc) != S.SM.getFileID(Begin) ||
        !S.SM.isBeforeInTranslationUnit(Loc, Begin))
      continue;
    Begin = openingBrackets(S.SM, Loc);
  }
  SourceLocation End = Body->getEndLoc().getLocWithOffset(1);
  unsigned BeginOffset, EndOffset;
  if (!S.fileOffsets(Begin, End, BeginOffset, EndOffset))
    return;
  StringRef Buffer = S.SM.getBufferData(S.SM.getFileID(Begin));
  StringRef Text = Buffer.slice(BeginOffset, EndOffset);
  std::string Key = patternKey(FD);

  std::string Index = std::to_string(Records.size());
  std::string Out =
      "static ::__trace_rt::__ParamInfo __trace_param_" + Index + "{";
  Out += quoted("code:" + Key) + ", 0u, " + quoted(qualifiedName(FD)) + ", " +
         quoted(S.absolutePath(Begin)) + ", " +
         std::to_string(S.lineOf(Begin)) + "u, " +
         std::to_string(BeginOffset) + "ull, " + std::to_string(EndOffset) +
         "ull, " + quoted("fnv1a64:" + hex16(fnv1a64(Text))) + ", " +
         quoted(Text) + ", " + quoted(functionSignature(FD)) + ", " +
         optionalQuoted(Marks.Constraint) + ", nullptr}; ";
  Out += "static ::__trace_rt::__Registrar __trace_reg_" + Index +
         "(__trace_param_" + Index + ");";
  Records.push_back(std::move(Out));
}

void TrainableParams::addVariable(const VarDecl *VD, const TraceMarks &Marks) {
  const Expr *Init = VD->getInit();
  if (!Init)
    return;
  const Expr *E = Init;
  if (const auto *FE = dyn_cast<FullExpr>(E))
    E = FE->getSubExpr();
  SourceRange Range = E->getSourceRange();
  if (const auto *CCE = dyn_cast<CXXConstructExpr>(E);
      CCE && CCE->getParenOrBraceRange().isValid() &&
      VD->getInitStyle() != VarDecl::CInit)
    Range = CCE->getParenOrBraceRange();
  SourceLocation Begin = Range.getBegin();
  SourceLocation End = S.endOfToken(Range.getEnd());
  // "T v = {...}" (copy-list-initialization): the text inside the braces.
  if (VD->getInitStyle() == VarDecl::CInit && Begin.isFileID() &&
      End.isFileID()) {
    bool Invalid = false;
    StringRef Written =
        Lexer::getSourceText(CharSourceRange::getCharRange(Begin, End), S.SM,
                             S.Ctx.getLangOpts(), &Invalid);
    if (!Invalid && Written.size() >= 2 && Written.front() == '{' &&
        Written.back() == '}') {
      Begin = Begin.getLocWithOffset(1);
      End = End.getLocWithOffset(-1);
    }
  }
  unsigned BeginOffset, EndOffset;
  if (!S.fileOffsets(Begin, End, BeginOffset, EndOffset))
    return;
  StringRef Buffer = S.SM.getBufferData(S.SM.getFileID(Begin));
  StringRef Text = Buffer.slice(BeginOffset, EndOffset);
  std::string Name = qualifiedName(VD);
  // A static local is named after its function, which clang leaves out.
  if (VD->isStaticLocal())
    if (const auto *Fn = dyn_cast<FunctionDecl>(VD->getDeclContext()))
      Name = qualifiedName(Fn) + "::" + VD->getName().str();
  PrintingPolicy P(S.Ctx.getLangOpts());
  P.SuppressUnwrittenScope = false;

  std::string Index = std::to_string(Records.size());
  std::string Out =
      "static ::__trace_rt::__ParamInfo __trace_param_" + Index + "{";
  Out += quoted("var:" + Name) + ", 1u, " + quoted(Name) + ", " +
         quoted(S.absolutePath(Begin)) + ", " +
         std::to_string(S.lineOf(Begin)) + "u, " +
         std::to_string(BeginOffset) + "ull, " + std::to_string(EndOffset) +
         "ull, " + quoted("fnv1a64:" + hex16(fnv1a64(Text))) + ", " +
         quoted(Text) + ", nullptr, " + optionalQuoted(Marks.Constraint) +
         ", " + quoted(VD->getType().getAsString(P)) + "}; ";
  std::string Spelled = spellGlobal(VD);
  if (!Spelled.empty() && readableFromNamespaceScope(VD))
    Out += "static ::__trace_rt::__Registrar __trace_reg_" + Index +
           "(__trace_param_" + Index + ", " + Spelled + ");";
  else
    Out += "static ::__trace_rt::__Registrar __trace_reg_" + Index +
           "(__trace_param_" + Index + ");";
  Records.push_back(std::move(Out));
}

std::string TrainableParams::trailer(const TuContext &Tu) const {
  if (Records.empty())
    return "";
  std::string Out;
  for (const std::string &Record : Records)
    Out += Record + " ";
  std::string Args;
  for (const std::string &A : Tu.Args)
    Args += escapeForLiteral(A) + "\\000";
  Out += "static ::__trace_rt::__TuInfo __trace_tu{" + quoted(Tu.MainFile) +
         ", " + quoted(Tu.Directory) + ", \"" + Args + "\"}; ";
  Out += "static ::__trace_rt::__Registrar __trace_reg_tu(__trace_tu);";
  return Out;
}

} // namespace trace_plugin
