//===- Attributes.cpp - Parsing [[trace::bundle]] and [[trace::trainable]] ===//
//
// Both attributes take an optional string literal. Their subjects:
//   trace::bundle     functions
//   trace::trainable  functions, and variables with static storage duration
// Anything else (a class, a parameter, a local variable, a statement, ...) is
// an error, so a misplaced annotation never silently does nothing.
//
//===----------------------------------------------------------------------===//

#include "trace-plugin/Attributes.h"
#include "trace-plugin/Compat.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/LiteralSupport.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// "trace::bundle=text" -> ("trace::bundle", "text"); no '=' -> no argument.
std::pair<StringRef, std::optional<std::string>>
splitAnnotation(StringRef Annotation) {
  size_t Eq = Annotation.find('=');
  if (Eq == StringRef::npos)
    return {Annotation, std::nullopt};
  return {Annotation.take_front(Eq), Annotation.drop_front(Eq + 1).str()};
}

enum class TraceAttr { Bundle, Trainable };

/// Functions that can carry either attribute. Function templates reach the
/// handler as their templated FunctionDecl.
bool isFunctionSubject(const Decl *D) { return isa<FunctionDecl>(D); }

/// Variables whose initializer can be a trainable value: namespace scope,
/// static data members and static locals (not parameters or automatic
/// locals, whose initializer runs per call).
bool isVariableSubject(const Decl *D) {
  const auto *VD = dyn_cast<VarDecl>(D);
  if (!VD || isa<ParmVarDecl>(VD))
    return false;
  return VD->hasGlobalStorage() && !VD->getTLSKind();
}

/// Clang 19 does not parse the arguments of plugin attributes (its
/// hasAttribute() does not consult plugins, so the parser skips the
/// parentheses). The argument is read back from the source instead: the
/// tokens after the attribute name must be '(' string-literal+ ')'.
/// Returns false after reporting an error.
bool readStringArgument(Sema &S, const ParsedAttr &Attr,
                        std::optional<std::string> &Out) {
  SourceManager &SM = S.getSourceManager();
  const LangOptions &LO = S.getLangOpts();
  SourceLocation NameLoc = SM.getSpellingLoc(Attr.getLoc());
  std::optional<Token> Tok = findNextToken(NameLoc, SM, LO);
  // The location is the scope's ("trace"); step over "::" and the name.
  if (Tok && Tok->is(tok::coloncolon)) {
    Tok = findNextToken(Tok->getLocation(), SM, LO);
    if (Tok)
      Tok = findNextToken(Tok->getLocation(), SM, LO);
  }
  if (!Tok || Tok->isNot(tok::l_paren))
    return true;
  SmallVector<Token, 2> Strings;
  SourceLocation Loc = Tok->getLocation();
  while (true) {
    Tok = findNextToken(Loc, SM, LO);
    if (!Tok || !tok::isStringLiteral(Tok->getKind()))
      break;
    Strings.push_back(*Tok);
    Loc = Tok->getLocation();
  }
  auto Fail = [&](SourceLocation At) {
    unsigned Id = S.getDiagnostics().getCustomDiagID(
        DiagnosticsEngine::Error,
        "the argument of '%0' must be one ordinary string literal");
    S.Diag(At, Id) << ("trace::" + Attr.getAttrName()->getName()).str();
    return false;
  };
  if (Strings.empty() || !Tok || Tok->isNot(tok::r_paren))
    return Fail(Tok ? Tok->getLocation() : NameLoc);
  StringLiteralParser Parser(Strings, S.getPreprocessor());
  if (Parser.hadError || !isOrdinaryString(Parser))
    return Fail(Strings.front().getLocation());
  Out = Parser.GetString().str();
  return true;
}

class TraceAttrInfo : public ParsedAttrInfo {
public:
  explicit TraceAttrInfo(TraceAttr Kind) : Kind(Kind) {
    OptArgs = 1;
    static constexpr Spelling BundleSpellings[] = {
        {ParsedAttr::AS_CXX11, "trace::bundle"}};
    static constexpr Spelling TrainableSpellings[] = {
        {ParsedAttr::AS_CXX11, "trace::trainable"}};
    if (Kind == TraceAttr::Bundle)
      Spellings = BundleSpellings;
    else
      Spellings = TrainableSpellings;
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr,
                            const Decl *D) const override {
    if (isFunctionSubject(D))
      return true;
    if (Kind == TraceAttr::Trainable && isVariableSubject(D))
      return true;
    unsigned Id = S.getDiagnostics().getCustomDiagID(
        DiagnosticsEngine::Error, "'%0' attribute cannot be applied to %1; %2");
    S.Diag(Attr.getLoc(), Id) << name() << describe(D) << subjects();
    return false;
  }

  bool diagAppertainsToStmt(Sema &S, const ParsedAttr &Attr,
                            const Stmt *) const override {
    unsigned Id = S.getDiagnostics().getCustomDiagID(
        DiagnosticsEngine::Error, "'%0' attribute cannot be applied to a "
                                  "statement; %1");
    S.Diag(Attr.getLoc(), Id) << name() << subjects();
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D,
                                   const ParsedAttr &Attr) const override {
    std::optional<std::string> Arg;
    if (!readStringArgument(S, Attr, Arg))
      return AttributeNotApplied;
    if (hasMark(D)) {
      unsigned Id = S.getDiagnostics().getCustomDiagID(
          DiagnosticsEngine::Warning, "'%0' attribute given twice");
      S.Diag(Attr.getLoc(), Id) << name();
      return AttributeNotApplied;
    }
    // The argument travels in the annotation string: expression arguments
    // of an AnnotateAttr would be emitted by CodeGen, which expects them
    // constant-evaluated.
    std::string Annotation = name().str();
    if (Arg)
      Annotation += "=" + *Arg;
    D->addAttr(AnnotateAttr::Create(S.Context, Annotation, nullptr, 0,
                                    Attr.getRange()));
    return AttributeApplied;
  }

private:
  TraceAttr Kind;

  StringRef name() const {
    return Kind == TraceAttr::Bundle ? BundleAnnotation : TrainableAnnotation;
  }

  StringRef subjects() const {
    return Kind == TraceAttr::Bundle
               ? "it applies to function definitions"
               : "it applies to functions and to variables with static "
                 "storage duration (namespace scope, static members, static "
                 "locals)";
  }

  static StringRef describe(const Decl *D) {
    if (isa<ParmVarDecl>(D))
      return "a parameter";
    if (const auto *VD = dyn_cast<VarDecl>(D)) {
      if (VD->getTLSKind())
        return "a thread-local variable";
      if (VD->hasGlobalStorage())
        return "a variable";
      return "a local variable with automatic storage";
    }
    if (isa<FieldDecl>(D))
      return "a non-static data member";
    if (isa<TagDecl>(D))
      return "a type";
    if (isa<NamespaceDecl>(D))
      return "a namespace";
    if (isa<TypedefNameDecl>(D))
      return "a type alias";
    if (isa<EnumConstantDecl>(D))
      return "an enumerator";
    return "this declaration";
  }

  bool hasMark(const Decl *D) const {
    for (const auto *A : D->specific_attrs<AnnotateAttr>())
      if (splitAnnotation(A->getAnnotation()).first == name())
        return true;
    return false;
  }
};

class BundleAttrInfo : public TraceAttrInfo {
public:
  BundleAttrInfo() : TraceAttrInfo(TraceAttr::Bundle) {}
};
class TrainableAttrInfo : public TraceAttrInfo {
public:
  TrainableAttrInfo() : TraceAttrInfo(TraceAttr::Trainable) {}
};

ParsedAttrInfoRegistry::Add<BundleAttrInfo>
    BundleReg("trace-bundle", "[[trace::bundle]]: record calls of a function");
ParsedAttrInfoRegistry::Add<TrainableAttrInfo>
    TrainableReg("trace-trainable",
                 "[[trace::trainable]]: a function's code or a variable's "
                 "initializer is a trainable parameter");


} // namespace

TraceMarks getTraceMarks(const Decl *D) {
  TraceMarks Marks;
  bool LocIsWritten = false;
  for (const Decl *R : D->redecls()) {
    for (const auto *A : R->specific_attrs<AnnotateAttr>()) {
      auto [Name, Arg] = splitAnnotation(A->getAnnotation());
      bool IsBundle = Name == BundleAnnotation;
      bool IsTrainable = Name == TrainableAnnotation;
      if (!IsBundle && !IsTrainable)
        continue;
      // Redeclarations inherit the attribute; keep the written one's place.
      if (!Marks.AttrLoc.isValid() || (!LocIsWritten && !A->isInherited())) {
        Marks.AttrLoc = A->getLocation();
        LocIsWritten = !A->isInherited();
      }
      if (IsBundle) {
        Marks.Bundle = true;
        if (!Marks.Description)
          Marks.Description = Arg;
      } else {
        Marks.Trainable = true;
        if (!Marks.Constraint)
          Marks.Constraint = Arg;
      }
    }
  }
  return Marks;
}

} // namespace trace_plugin
