//===- Options.cpp - -fplugin-arg-trace-<opt> -----------------------------===//

#include "trace-plugin/Options.h"
#include "trace-plugin/Compat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace trace_plugin {
namespace {

using Setter = std::string (*)(PluginOptions &, llvm::StringRef Value);

struct OptionRow {
  const char *Name;
  bool TakesValue;
  const char *Help;
  Setter Set;
};

std::string setRegex(std::shared_ptr<llvm::Regex> &Field,
                     llvm::StringRef Value) {
  auto R = std::make_shared<llvm::Regex>(Value);
  std::string Error;
  if (!R->isValid(Error))
    return "invalid regular expression '" + Value.str() + "': " + Error;
  Field = std::move(R);
  return "";
}

/// Files are compared by their absolute, dot-free path as the compiler names
/// them, so the folder is made so too (relative to the compiler's working
/// directory, like the -I paths it usually mirrors).
std::string addExcludeDir(PluginOptions &O, llvm::StringRef Value) {
  if (Value.empty())
    return "option 'exclude-dir' needs a folder";
  llvm::SmallString<256> Dir(Value);
  if (std::error_code EC = llvm::sys::fs::make_absolute(Dir))
    return "cannot make '" + Value.str() + "' absolute: " + EC.message();
  llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
  while (Dir.size() > 1 && llvm::sys::path::is_separator(Dir.back()))
    Dir.pop_back();
  O.ExcludeDirs.push_back(std::string(Dir));
  return "";
}

std::string setMinSize(PluginOptions &O, llvm::StringRef Value) {
  unsigned N;
  if (Value.getAsInteger(10, N))
    return "option 'min-size' needs a count of statements, not '" +
           Value.str() + "'";
  O.MinSize = N;
  return "";
}

const OptionRow Rows[] = {
    {"print", false, "print the rewritten text of every rewritten file",
     [](PluginOptions &O, llvm::StringRef) {
       O.Print = true;
       return std::string();
     }},
    {"all", false,
     "make every function defined in the main file or a project header a "
     "bundle",
     [](PluginOptions &O, llvm::StringRef) {
       O.All = true;
       return std::string();
     }},
    {"match", true,
     "with 'all': only functions whose qualified name matches the regex",
     [](PluginOptions &O, llvm::StringRef V) { return setRegex(O.Match, V); }},
    {"exclude", true,
     "never instrument functions whose qualified name matches the regex",
     [](PluginOptions &O, llvm::StringRef V) {
       return setRegex(O.Exclude, V);
     }},
    {"min-size", true,
     "with 'all': leave alone header functions with no loop and fewer than N "
     "statements (default 6; 0 = no bound)",
     setMinSize},
    {"exclude-dir", true,
     "never rewrite files under this folder (third-party headers); "
     "repeatable",
     addExcludeDir},
    {"no-warn-skipped", false,
     "do not warn about annotated functions that are left alone",
     [](PluginOptions &O, llvm::StringRef) {
       O.WarnSkipped = false;
       return std::string();
     }},
    {"warn-skipped", false,
     "warn about annotated functions that are left alone (default)",
     [](PluginOptions &O, llvm::StringRef) {
       O.WarnSkipped = true;
       return std::string();
     }},
    {"no-skip-system-bodies", false,
     "parse the bodies of system-header functions in the nested parse",
     [](PluginOptions &O, llvm::StringRef) {
       O.SkipSystemBodies = false;
       return std::string();
     }},
    {"verbose", false, "report decisions and timings on stderr",
     [](PluginOptions &O, llvm::StringRef) {
       O.Verbose = true;
       return std::string();
     }},
    {"private-fields", false,
     "render private and protected fields of records in main-file bundles",
     [](PluginOptions &O, llvm::StringRef) {
       O.PrivateFields = true;
       return std::string();
     }},
};

} // namespace

std::string PluginOptions::parse(llvm::StringRef Arg) {
  auto [Name, Value] = Arg.split('=');
  bool HasValue = Arg.contains('=');
  for (const OptionRow &Row : Rows) {
    if (Name != Row.Name)
      continue;
    if (Row.TakesValue && !HasValue)
      return "option '" + Name.str() + "' needs a value: -fplugin-arg-trace-" +
             Name.str() + "=<value>";
    if (!Row.TakesValue && HasValue)
      return "option '" + Name.str() + "' takes no value";
    return Row.Set(*this, Value);
  }
  return "unknown option '" + Arg.str() + "'; known options:\n" + help();
}

bool PluginOptions::selects(llvm::StringRef QualifiedName,
                            bool Annotated) const {
  if (Exclude && Exclude->match(QualifiedName))
    return false;
  if (Annotated)
    return true;
  if (!All)
    return false;
  return !Match || Match->match(QualifiedName);
}

llvm::StringRef PluginOptions::excludedBy(llvm::StringRef AbsolutePath) const {
  for (const std::string &Dir : ExcludeDirs) {
    if (!startsWith(AbsolutePath, Dir))
      continue;
    // "/a/b" holds "/a/b/c.h", not "/a/bc/d.h"; "/" holds everything.
    if (AbsolutePath.size() > Dir.size() &&
        (llvm::sys::path::is_separator(AbsolutePath[Dir.size()]) ||
         llvm::sys::path::is_separator(Dir.back())))
      return Dir;
  }
  return "";
}

std::string PluginOptions::help() {
  std::string S;
  for (const OptionRow &Row : Rows) {
    S += "  -fplugin-arg-trace-";
    S += Row.Name;
    if (Row.TakesValue)
      S += "=<value>";
    S += "  ";
    S += Row.Help;
    S += '\n';
  }
  return S;
}

} // namespace trace_plugin
