//===- RecordRenderers.cpp - Field-by-field renderers for record types ----===//
//
// A class without operator<< used to be recorded as `Type{...}`. The plugin
// knows its fields, so the prologue of a bundle declares a local class with
// one renderer per record type that reaches the bundle's values (its
// parameters, its result (not *this), their fields and bases, and the element
// types of the standard templates the runtime renders), and registers each
// with the runtime once, from a function-local static:
//
//   struct __trace_rr { static void __r0(::__trace_rt::__Out &__o,
//       const void *__p) { const ::P &__v = *static_cast<const ::P *>(__p);
//       ::__trace_rt::__Fields __f(__o); __f.__field("x", __v.x); } };
//   static const bool __trace_rrk = ::__trace_rt::__useRecord< ::P>(
//       &__trace_rr::__r0, true);
//
// Why a local class: its member functions have the access of the enclosing
// function, so a member (or friend) bundle may read private fields, and the
// plugin decides access with the same rule. Why a registration at run time:
// a renderer is a runtime hook per type (a static member of a class
// template), which the runtime consults only where its own rules would show
// the type's name: a type with operator<<, trace_format or a container shape
// keeps its rendering. The guard of the static costs one load per call of a
// bundle that has record types; other bundles get no text at all.
//
//===----------------------------------------------------------------------===//

#include "RecordRenderers.h"

#include "trace-plugin/Compat.h"
#include "trace-plugin/Strings.h"

#include "clang/AST/CXXInheritance.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclFriend.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/PrettyPrinter.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

using namespace clang;

namespace trace_plugin {
namespace {

/// Record types one bundle registers at most; the rest render by name.
constexpr unsigned MaxRecords = 32;
/// How deep the search for record types goes from a bundle's values.
constexpr unsigned MaxTypeDepth = 8;

class RendererBuilder {
public:
  RendererBuilder(RewriteSession &S, const FunctionDecl *FD)
      : S(S), Fn(FD), Body(bodyBlock(FD)->getLBracLoc()) {}

  /// A value of type \p T is rendered: find the records it shows.
  void addValueType(QualType T, unsigned Depth);
  /// The prologue text, "" when no record needs a renderer.
  std::string text() const;

private:
  RewriteSession &S;
  const FunctionDecl *Fn;
  SourceLocation Body;
  llvm::DenseSet<const CXXRecordDecl *> Seen;
  /// The records given a renderer here.
  llvm::DenseSet<const CXXRecordDecl *> Rendered;
  /// Access decisions per record (canonical declaration).
  mutable llvm::DenseMap<const CXXRecordDecl *, bool> Privileged;
  std::string Functions;
  std::string Registrations;
  unsigned Count = 0;

  void addRecord(const CXXRecordDecl *RD, unsigned Depth);
  bool canSeePrivate(const CXXRecordDecl *RD) const;
  bool isFriendOf(const CXXRecordDecl *RD, const Decl *D) const;
  bool nameAccessible(const NamedDecl *D) const;
  bool spellable(QualType T) const;
  std::string spell(QualType T) const;
  std::string spellTypeId(QualType T) const;
  std::string grantedRead(const CXXRecordDecl *RD, const FieldDecl *F,
                          const std::string &Object);
  void emitFields(const CXXRecordDecl *RD, const std::string &Object,
                  const std::string &Fields, unsigned &Hidden, std::string &Out,
                  unsigned &Nested, llvm::SmallVectorImpl<QualType> &Next);
};

/// True when \p D grants friendship to the function or class \p Ctx.
bool RendererBuilder::isFriendOf(const CXXRecordDecl *RD,
                                 const Decl *Ctx) const {
  for (const FriendDecl *FrD : RD->friends()) {
    if (const TypeSourceInfo *TSI = FrD->getFriendType()) {
      const auto *Friend = TSI->getType()->getAsCXXRecordDecl();
      const auto *CtxRD = dyn_cast<CXXRecordDecl>(Ctx);
      if (Friend && CtxRD &&
          Friend->getCanonicalDecl() == CtxRD->getCanonicalDecl())
        return true;
      continue;
    }
    const NamedDecl *ND = FrD->getFriendDecl();
    const auto *CtxFD = dyn_cast<FunctionDecl>(Ctx);
    if (!ND || !CtxFD)
      continue;
    if (const auto *FFD = dyn_cast<FunctionDecl>(ND)) {
      if (FFD->getCanonicalDecl() == CtxFD->getCanonicalDecl())
        return true;
    } else if (const auto *FTD = dyn_cast<FunctionTemplateDecl>(ND)) {
      const FunctionTemplateDecl *Primary = CtxFD->getPrimaryTemplate();
      if (!Primary)
        Primary = CtxFD->getDescribedFunctionTemplate();
      if (Primary && Primary->getCanonicalDecl() == FTD->getCanonicalDecl())
        return true;
    }
  }
  return false;
}

/// Whether code in the bundle's body (a local class of it, which has the
/// function's access) may name the private and protected members of \p RD:
/// the bundle is a member of \p RD or of a class nested in it, or it (or an
/// enclosing function or class) is a friend of \p RD. A protected member
/// reached through a derived class's member is not counted: the object
/// expression is of type \p RD, where that access does not apply.
bool RendererBuilder::canSeePrivate(const CXXRecordDecl *RD) const {
  RD = RD->getCanonicalDecl();
  auto [It, New] = Privileged.try_emplace(RD, false);
  if (!New)
    return It->second;
  bool Result = false;
  for (const DeclContext *DC = Fn; DC && !Result; DC = DC->getParent()) {
    if (const auto *CRD = dyn_cast<CXXRecordDecl>(DC))
      Result = CRD->getCanonicalDecl() == RD || isFriendOf(RD, CRD);
    else if (const auto *FD = dyn_cast<FunctionDecl>(DC))
      Result = isFriendOf(RD, FD);
  }
  Privileged[RD] = Result;
  return Result;
}

/// Whether the body may name \p D: every class it is nested in makes it
/// (and each enclosing class) accessible from the bundle.
bool RendererBuilder::nameAccessible(const NamedDecl *D) const {
  while (const auto *Parent = dyn_cast<CXXRecordDecl>(D->getDeclContext())) {
    if (D->getAccess() != AS_public && !canSeePrivate(Parent))
      return false;
    D = Parent;
  }
  return true;
}

/// Whether \p T can be spelled in the prologue: every record or enum in it
/// is named, accessible, and declared before the body (a template's body
/// binds its names where it is written).
bool RendererBuilder::spellable(QualType T) const {
  T = T.getCanonicalType();
  if (T->isBuiltinType())
    return true;
  if (const auto *PT = T->getAs<PointerType>())
    return spellable(PT->getPointeeType());
  if (const auto *RT = T->getAs<ReferenceType>())
    return spellable(RT->getPointeeType());
  if (const auto *AT = dyn_cast<ConstantArrayType>(T.getTypePtr()))
    return spellable(AT->getElementType());
  const auto *TD = T->getAsTagDecl();
  if (!TD || TD->isDependentContext() || !TD->getIdentifier() ||
      !nameAccessible(TD) ||
      !S.SM.isBeforeInTranslationUnit(TD->getCanonicalDecl()->getLocation(),
                                      Body))
    return false;
  for (const DeclContext *DC = TD->getDeclContext(); DC; DC = DC->getParent())
    if (DC->isFunctionOrMethod())
      return false; // A local class is named nowhere else.
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(TD);
  if (!Spec)
    return true;
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
    switch (Arg.getKind()) {
    case TemplateArgument::Type:
      if (!spellable(Arg.getAsType()))
        return false;
      break;
    case TemplateArgument::Integral:
      break;
    case TemplateArgument::Pack:
      for (const TemplateArgument &P : Arg.pack_elements())
        if (P.getKind() != TemplateArgument::Integral &&
            (P.getKind() != TemplateArgument::Type ||
             !spellable(P.getAsType())))
          return false;
      break;
    default:
      return false; // Declarations, templates: not worth the risk.
    }
  }
  return true;
}

/// \p T fully qualified, from the global namespace; "" when the printer
/// gives something that is no type name.
std::string RendererBuilder::spell(QualType T) const {
  PrintingPolicy Policy(S.Ctx.getLangOpts());
  Policy.SuppressUnwrittenScope = true;
  Policy.AnonymousTagLocations = false;
  Policy.FullyQualifiedName = true;
  Policy.PrintCanonicalTypes = true;
  Policy.SuppressTagKeyword = true;
  std::string Text =
      T.getCanonicalType().getUnqualifiedType().getAsString(Policy);
  StringRef View(Text);
  if (Text.empty() || View.contains("(anonymous") ||
      View.contains("(unnamed") || View.contains("(lambda") ||
      View.contains('\n'))
    return "";
  return "::" + Text;
}

/// \p T as a type-id (cv-qualifiers kept) when it is a scalar, a record or
/// enum the body may name, or a pointer to one; else "".
std::string RendererBuilder::spellTypeId(QualType T) const {
  T = T.getCanonicalType();
  std::string Cv;
  if (T.isConstQualified())
    Cv = "const ";
  if (T.isVolatileQualified())
    return "";
  if (const auto *PT = T->getAs<PointerType>()) {
    std::string Pointee = spellTypeId(PT->getPointeeType());
    return Pointee.empty() ? "" : Cv + Pointee + " *";
  }
  if (T->isBuiltinType())
    return Cv + T.getUnqualifiedType().getAsString(
                    PrintingPolicy(S.Ctx.getLangOpts()));
  if (!T->getAsTagDecl() || !spellable(T))
    return "";
  std::string Name = spell(T);
  return Name.empty() ? "" : Cv + Name;
}

/// Under -fplugin-arg-trace-private-fields: the expression that reads the
/// private field \p F of \p Object, through a member pointer that an
/// explicit instantiation at the end of the main file gives out (access
/// checking does not apply to the names in an explicit instantiation); ""
/// when the field cannot be read that way. Only bundles of the main file
/// use it: the accessor is specific to the translation unit, and an inline
/// function of a header must read the same in every unit.
std::string RendererBuilder::grantedRead(const CXXRecordDecl *RD,
                                         const FieldDecl *F,
                                         const std::string &Object) {
  if (!S.Opts.PrivateFields || !S.SM.isInMainFile(S.SM.getExpansionLoc(Body)) ||
      F->isBitField() || F->getType()->isReferenceType() ||
      F->getParent()->getCanonicalDecl() != RD->getCanonicalDecl() ||
      F->getParent()->isAnonymousStructOrUnion())
    return "";
  std::string Record = spell(S.Ctx.getRecordType(RD));
  std::string Type = spellTypeId(F->getType());
  if (Record.empty() || Type.empty())
    return "";
  std::string Tag = "::__trace_rt::__PrivateField< ::__trace_rt::__TuTag, " +
                    Record + ", " + Type + ", " +
                    std::to_string(F->getFieldIndex()) + "u>";
  static llvm::DenseMap<const ASTContext *, llvm::StringSet<>> Granted;
  if (Granted[&S.Ctx].insert(Tag).second) {
    FileID Main = S.SM.getMainFileID();
    StringRef Buffer = S.SM.getBufferData(Main);
    std::string Text = quiet("template struct ::__trace_rt::__PrivateGrant<" +
                             Tag + ", " + Type + " " + Record + "::*, &" +
                             Record + "::" + F->getName().str() + ">;");
    // After the last line, on lines of its own: no line of the user's moves,
    // and a last line that is a // comment without a newline stays one.
    if (!Buffer.empty() && Buffer.back() != '\n')
      Text = "\n" + Text;
    else
      Text += "\n";
    S.R.InsertText(S.SM.getLocForEndOfFile(Main), Text, /*InsertAfter=*/true);
  }
  return Object + ".*__privateField(" + Tag + "())";
}

void RendererBuilder::addValueType(QualType T, unsigned Depth) {
  if (Depth > MaxTypeDepth || T.isNull())
    return;
  T = T.getNonReferenceType();
  T = S.Ctx.getBaseElementType(T).getCanonicalType();
  if (T->isDependentType() || T->isPointerType())
    return; // A pointer shows its address; its pointee is never followed.
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD || !(RD = RD->getDefinition()))
    return;
  if (RD->isInStdNamespace() || S.SM.isInSystemHeader(RD->getLocation())) {
    // The runtime renders the standard containers, pairs, tuples and
    // optionals through their elements: look into their arguments.
    const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
    if (!Spec)
      return;
    for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
      if (Arg.getKind() == TemplateArgument::Type)
        addValueType(Arg.getAsType(), Depth + 1);
      else if (Arg.getKind() == TemplateArgument::Pack)
        for (const TemplateArgument &P : Arg.pack_elements())
          if (P.getKind() == TemplateArgument::Type)
            addValueType(P.getAsType(), Depth + 1);
    }
    return;
  }
  addRecord(RD, Depth);
}

/// Emits the entries of \p RD's fields, read from \p Object into the
/// __Fields named \p Fields; \p Next collects the types to look into.
void RendererBuilder::emitFields(const CXXRecordDecl *RD,
                                 const std::string &Object,
                                 const std::string &Fields, unsigned &Hidden,
                                 std::string &Out, unsigned &Nested,
                                 llvm::SmallVectorImpl<QualType> &Next) {
  for (const FieldDecl *F : RD->fields()) {
    if (isUnnamedBitField(F))
      continue;
    if (F->getAccess() != AS_public && F->getAccess() != AS_none &&
        !canSeePrivate(RD)) {
      std::string Read = grantedRead(RD, F, Object);
      if (Read.empty()) {
        ++Hidden;
        continue;
      }
      Out += Fields + ".__field(" + quoted(F->getName()) + ", " + Read + "); ";
      Next.push_back(F->getType());
      continue;
    }
    QualType FT = F->getType();
    const auto *FRD = FT->getAsCXXRecordDecl();
    if (F->isAnonymousStructOrUnion()) {
      // Its members are named as members of the enclosing object. An
      // anonymous union's active member is unknown: nothing of it is read.
      if (!FRD || FRD->isUnion())
        Out += Fields + ".__text(nullptr, \"union{...}\"); ";
      else
        emitFields(FRD, Object, Fields, Hidden, Out, Nested, Next);
      continue;
    }
    std::string Name = quoted(F->getName());
    std::string Member = Object + "." + F->getName().str();
    if (S.Ctx.getBaseElementType(FT).isVolatileQualified()) {
      // Reading it could be an I/O access the program did not make.
      Out += Fields + ".__text(" + Name + ", \"<volatile>\"); ";
      continue;
    }
    if (FRD && FRD->isUnion() && !FRD->getIdentifier() &&
        !FRD->getTypedefNameForAnonDecl()) {
      Out += Fields + ".__text(" + Name + ", \"union{...}\"); ";
      continue;
    }
    if (FRD && !FRD->isUnion() && !FRD->getIdentifier() &&
        !FRD->getTypedefNameForAnonDecl() && FRD->getDefinition()) {
      // `struct { int a; } pos;`: a type nothing can name, rendered here.
      std::string Inner = "__f" + std::to_string(++Nested);
      Out += "if (" + Fields + ".__open(" + Name +
             ")) { ::__trace_rt::__Fields " + Inner + "(__o); ";
      emitFields(FRD->getDefinition(), Member, Inner, Hidden, Out, Nested,
                 Next);
      Out += "} ";
      continue;
    }
    // A named union renders by its name (no member is read); a bit-field
    // binds to the const reference through a temporary copy.
    Out += Fields + ".__field(" + Name + ", " + Member + "); ";
    Next.push_back(FT);
  }
}

void RendererBuilder::addRecord(const CXXRecordDecl *RD, unsigned Depth) {
  if (RD->isUnion() || RD->isLambda() || RD->isDependentContext() ||
      Count >= MaxRecords || !Seen.insert(RD->getCanonicalDecl()).second)
    return;
  QualType T = S.Ctx.getRecordType(RD);
  if (!spellable(T) || !S.SM.isBeforeInTranslationUnit(RD->getLocation(), Body))
    return;
  std::string Spelled = spell(T);
  if (Spelled.empty())
    return;

  unsigned Hidden = 0, Nested = 0;
  std::string Entries;
  llvm::SmallVector<QualType, 8> Next;
  for (const CXXBaseSpecifier &B : RD->bases()) {
    QualType BT = B.getType().getCanonicalType();
    const auto *BRD = BT->getAsCXXRecordDecl();
    if (!BRD || !(BRD = BRD->getDefinition()) || BRD->isEmpty())
      continue;
    CXXBasePaths Paths(/*FindAmbiguities=*/true, /*RecordPaths=*/false,
                       /*DetectVirtual=*/false);
    if (!RD->isDerivedFrom(BRD, Paths) ||
        Paths.isAmbiguous(S.Ctx.getCanonicalType(BT)))
      continue;
    if ((B.getAccessSpecifier() != AS_public && !canSeePrivate(RD)) ||
        !spellable(BT)) {
      ++Hidden;
      continue;
    }
    // A base of this project shows something only through a renderer of
    // its own: without one, `Base: Base{...}` says no more than the type's
    // name and costs a call at every capture (tinyxml2's XMLDocument, whose
    // fields are private, rendered as `{XMLNode: XMLNode{...}, +14
    // private}`). It is counted as not shown. A standard base is rendered
    // by the runtime.
    addValueType(BT, Depth + 1);
    if (!BRD->isInStdNamespace() &&
        !S.SM.isInSystemHeader(BRD->getLocation()) &&
        !Rendered.count(BRD->getCanonicalDecl())) {
      ++Hidden;
      continue;
    }
    Entries += "__f.__field(" + quoted(BRD->getName()) +
               ", static_cast<const " + spell(BT) + " &>(__v)); ";
  }
  emitFields(RD, "__v", "__f", Hidden, Entries, Nested, Next);
  // Nothing the bundle may read, or nothing to read (an interface, a
  // tag): the type's name says more than `{}` or `{+N private}`, so the
  // runtime keeps showing `Type{...}`.
  if (Entries.empty())
    return;
  if (Hidden)
    Entries += "__f.__hidden(" + std::to_string(Hidden) + "u); ";

  Rendered.insert(RD->getCanonicalDecl());
  std::string Fn = "__r" + std::to_string(Count++);
  Functions += "static void " + Fn +
               "(::__trace_rt::__Out &__o, const void *__p) { const " +
               Spelled + " &__v = *static_cast<const " + Spelled +
               " *>(__p); ::__trace_rt::__Fields __f(__o); " + Entries + "} ";
  if (!Registrations.empty())
    Registrations += " & ";
  // `< ::` keeps `<:` from reading as a digraph before C++11's fix.
  Registrations += "::__trace_rt::__useRecord< " + Spelled +
                   ">(&__trace_rr::" + Fn + ", " + (Hidden ? "false" : "true") +
                   ")";

  for (QualType N : Next)
    addValueType(N, Depth + 1);
}

std::string RendererBuilder::text() const {
  if (!Count)
    return "";
  return "struct __trace_rr { " + Functions +
         "}; static const bool __trace_rrk = " + Registrations +
         "; (void)__trace_rrk; ";
}

} // namespace

std::string recordRenderers(RewriteSession &S, const FunctionDecl *FD) {
  RendererBuilder B(S, FD);
  // Not *this: a member bundle would render its whole object at every call
  // (tinyxml2's xmltest under 'all': 36x the plain run's time instead of 9x,
  // 190 bytes a call), and the object's state is what its other calls'
  // arguments and results already show. A class that reaches a bundle as an
  // argument or a result is rendered by its fields wherever it is recorded,
  // *this included.
  for (const ParmVarDecl *P : FD->parameters())
    B.addValueType(P->getType(), 0);
  if (!FD->isNoReturn())
    B.addValueType(FD->getReturnType(), 0);
  return B.text();
}

} // namespace trace_plugin
