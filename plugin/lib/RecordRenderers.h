//===- RecordRenderers.h - Field-by-field renderers for records -*- C++ -*-===//
//
// Private to the plugin: the prologue text that lets the runtime render the
// record types a bundle records, field by field (RecordRenderers.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_RECORDRENDERERS_H
#define TRACE_PLUGIN_RECORDRENDERERS_H

#include "trace-plugin/Rewriting.h"

#include <string>

namespace trace_plugin {

/// Declarations for \p FD's prologue: a local class with one renderer per
/// record type that reaches its values, and their registration; "" when no
/// record type needs one.
std::string recordRenderers(RewriteSession &S, const clang::FunctionDecl *FD);

} // namespace trace_plugin

#endif // TRACE_PLUGIN_RECORDRENDERERS_H
