//===- trace-plugin/RewriteAction.h - The rewrite parse ---------*- C++ -*-===//
//-*-===//
//
// The seam between the rewrite and its two drivers: the plugin runs this
// action in a nested CompilerInstance and hands the texts to the compile it
// is loaded into; trace-rewrite (tools/trace-rewrite) runs it over
// compile_commands.json and writes the texts to files. Both go through
// prepareRewriteParse() and RewriteAction, so they compute the same edits.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_PLUGIN_REWRITEACTION_H
#define TRACE_PLUGIN_REWRITEACTION_H

#include "trace-plugin/Options.h"
#include "trace-plugin/Rewriting.h"

#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/FrontendAction.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace trace_plugin {

/// A copy of \p Inv without plugins, output file and dependency outputs, so
/// running it has no side effect, and which frees what it allocates.
std::shared_ptr<clang::CompilerInvocation>
quietCopy(const clang::CompilerInvocation &Inv);

/// The TU record of a compile of \p MainFile by \p Inv: the absolute main
/// file, the working directory and the cc1 arguments without plugins.
TuContext tuContext(const clang::CompilerInvocation &Inv,
                    llvm::StringRef MainFile);

/// Turns \p Inv into the syntax-only parse the rewrite is computed on:
/// bodies the rewrite never edits may be skipped, no -verify, and
/// __TRACE_PLUGIN__ defined as in an instrumented compile.
void prepareRewriteParse(clang::CompilerInvocation &Inv,
                         const PluginOptions &Opts);

/// Parses the TU and, when the parse has no error, computes its rewrite
/// into \p Out. \p Excluded receives, under the verbose option, the files of
/// excluded folders that the TU entered.
class RewriteAction : public clang::ASTFrontendAction {
public:
  RewriteAction(const PluginOptions &Opts, const TuContext &Tu,
                std::optional<RewriteResult> &Out,
                std::vector<std::string> &Excluded)
      : Opts(Opts), Tu(Tu), Out(Out), Excluded(Excluded) {}

protected:
  std::unique_ptr<clang::ASTConsumer>
  CreateASTConsumer(clang::CompilerInstance &CI, llvm::StringRef) override;

private:
  const PluginOptions &Opts;
  const TuContext &Tu;
  std::optional<RewriteResult> &Out;
  std::vector<std::string> &Excluded;
};

} // namespace trace_plugin

#endif // TRACE_PLUGIN_REWRITEACTION_H
