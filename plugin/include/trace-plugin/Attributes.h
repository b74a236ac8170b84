//===- trace-plugin/Attributes.h - [[trace::bundle]], [[trace::trainable]] ===//
//
// The attributes are parsed by ParsedAttrInfo subclasses (Attributes.cpp),
// which check where they are written and attach an AnnotateAttr carrying
// the optional string argument. Everything after parsing finds them through
// the queries below, which look at every redeclaration so that an attribute
// on a forward declaration also marks the definition.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_ATTRIBUTES_H
#define TRACE_PLUGIN_ATTRIBUTES_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace trace_plugin {

/// Annotation strings of the AnnotateAttr the plugin attaches.
inline constexpr llvm::StringLiteral BundleAnnotation = "trace::bundle";
inline constexpr llvm::StringLiteral TrainableAnnotation = "trace::trainable";

/// What the attributes say about one declaration.
struct TraceMarks {
  bool Bundle = false;
  bool Trainable = false;
  /// The string argument of [[trace::bundle("...")]], if any.
  std::optional<std::string> Description;
  /// The string argument of [[trace::trainable("...")]], if any.
  std::optional<std::string> Constraint;
  /// Where the first trace attribute is written (for diagnostics and ranges).
  clang::SourceLocation AttrLoc;

  bool any() const { return Bundle || Trainable; }
};

/// Collects the marks of \p D and all its redeclarations.
TraceMarks getTraceMarks(const clang::Decl *D);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_ATTRIBUTES_H
