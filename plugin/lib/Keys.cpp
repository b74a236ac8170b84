//===- Keys.cpp - Site keys and FNV-1a hashes -----------------------------===//

#include "trace-plugin/Keys.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/AST/Type.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace trace_plugin {

uint64_t fnv1a64(llvm::StringRef Bytes) {
  uint64_t H = 0xcbf29ce484222325ull;
  for (unsigned char C : Bytes) {
    H ^= C;
    H *= 0x100000001b3ull;
  }
  return H;
}

std::string hex16(uint64_t V) {
  static const char Digits[] = "0123456789abcdef";
  std::string S(16, '0');
  for (int I = 15; I >= 0; --I, V >>= 4)
    S[I] = Digits[V & 0xf];
  return S;
}

const FunctionDecl *keyDecl(const FunctionDecl *FD) {
  if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern())
    FD = Pattern;
  // The definition's parameter types are the ones the Site is built from;
  // prefer them so a call site through a forward declaration agrees.
  if (const FunctionDecl *Def = FD->getDefinition())
    FD = Def;
  return FD;
}

/// Printing is independent of where the key is computed: no canonical
/// types (keep std::string rather than its basic_string spelling), no
/// anonymous-tag locations (they would differ between files).
static PrintingPolicy keyPolicy(const ASTContext &Ctx) {
  PrintingPolicy P(Ctx.getLangOpts());
  P.AnonymousTagLocations = false;
  P.SuppressUnwrittenScope = false;
  P.PrintCanonicalTypes = false;
  return P;
}

std::string qualifiedName(const NamedDecl *D) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  PrintingPolicy P = keyPolicy(D->getASTContext());
  D->printQualifiedName(OS, P);
  return OS.str();
}

/// True if \p FD is an instantiation, or the declaration of a member of a
/// class template specialization: its key names the template arguments.
static bool hasTemplateArguments(const FunctionDecl *FD) {
  if (FD->isDependentContext())
    return false;
  if (FD->getTemplateSpecializationArgs())
    return true;
  for (const DeclContext *DC = FD->getDeclContext(); DC; DC = DC->getParent())
    if (isa<ClassTemplateSpecializationDecl>(DC))
      return true;
  return false;
}

/// The qualified name of \p FD with every template argument list: the
/// enclosing class template specializations' and, for a function template
/// specialization, its own. The arguments are canonical (a class template
/// specialization stores them so; a function's are made so here): their
/// sugar would depend on which spelling a TU met first. They are printed
/// without PrintCanonicalTypes, which would also print every defaulted
/// argument (std::basic_string<char, std::char_traits<char>, ...>).
static std::string nameWithArguments(const FunctionDecl *FD) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  PrintingPolicy P = keyPolicy(FD->getASTContext());
  FD->printQualifiedName(OS, P);
  if (const TemplateArgumentList *Args = FD->getTemplateSpecializationArgs()) {
    const ASTContext &Ctx = FD->getASTContext();
    SmallVector<TemplateArgument, 4> Canonical;
    for (const TemplateArgument &A : Args->asArray())
      Canonical.push_back(Ctx.getCanonicalTemplateArgument(A));
    const TemplateParameterList *Params = nullptr;
    if (const FunctionTemplateDecl *FTD = FD->getPrimaryTemplate())
      Params = FTD->getTemplateParameters();
    printTemplateArgumentList(OS, Canonical, P, Params);
  }
  return OS.str();
}

std::string siteKey(const FunctionDecl *FD) {
  std::string Name = hasTemplateArguments(FD) ? nameWithArguments(FD) : "";
  // A lambda or an unnamed class among the arguments has no name to print
  // (only "(lambda)", the same for all), and __PRETTY_FUNCTION__ names it by
  // a column that the rewrite may move: such an instantiation keeps the
  // template's key, which every TU and call site can agree on.
  if (StringRef(Name).contains("(lambda)") ||
      StringRef(Name).contains("(unnamed "))
    Name.clear();
  FD = keyDecl(FD);
  const ASTContext &Ctx = FD->getASTContext();
  PrintingPolicy P = keyPolicy(Ctx);
  std::string Key = Name.empty() ? qualifiedName(FD) : Name;
  Key += '(';
  const auto *Proto = FD->getType()->getAs<FunctionProtoType>();
  if (Proto) {
    for (unsigned I = 0, N = Proto->getNumParams(); I != N; ++I) {
      if (I)
        Key += ", ";
      Key += Proto->getParamType(I).getAsString(P);
    }
    if (Proto->isVariadic())
      Key += Proto->getNumParams() ? ", ..." : "...";
  }
  Key += ')';
  if (Proto) {
    Qualifiers Q = Proto->getMethodQuals();
    if (Q.hasConst())
      Key += " const";
    if (Q.hasVolatile())
      Key += " volatile";
    if (Proto->getRefQualifier() == RQ_LValue)
      Key += " &";
    else if (Proto->getRefQualifier() == RQ_RValue)
      Key += " &&";
  }
  return Key;
}

std::string patternKey(const FunctionDecl *FD) { return siteKey(keyDecl(FD)); }

} // namespace trace_plugin
