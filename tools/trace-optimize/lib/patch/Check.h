//===- Check.h - check patched sources with clang -------------------------===//
//
// A code suggestion must keep the function's qualified name and type, and the
// patched file must compile. Both are decided by parsing the file with clang
// (libclang-cpp), with the arguments the build used: the cc1 arguments of the
// trace's `tu` record, else a compile_commands.json entry, else a fallback
// command line.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_CHECK_H
#define TRACEOPT_CHECK_H

#include "patch/Apply.h"

#include <optional>
#include <string>
#include <vector>

namespace traceopt {

struct CompileCommand {
  /// Cc1: Args are cc1 arguments (a trace `tu` record). Driver: Args[0] is a compiler.
  enum KindType { Cc1, Driver } Kind = Driver;
  std::string Directory;
  std::vector<std::string> Args;
  /// Where the command came from, for messages: "trace tu record", "compile_commands.json", "fallback".
  std::string Origin;
  /// The translation unit's main file: the file itself, or for a header the file that includes it.
  std::string MainFile;
  /// Nothing recorded or found names the file's command: the fallback command line is a guess.
  bool Guessed = false;
};

struct TuArgs {
  std::string File, Directory;
  std::vector<std::string> Args;
};

/// Picks how to parse File: the tu record of that file (or, for a header, the first tu
/// record), else compile_commands.json found in CompileCommandsDir or above File, else
/// `clang++ -std=c++17` with the file's directory and the runtime headers on the path.
CompileCommand findCompileCommand(const std::string &File, const std::vector<TuArgs> &Tus,
                                  const std::string &CompileCommandsDir);

/// Every command a check of File compiles: for a source file the one findCompileCommand picks;
/// for a header, one per recorded translation unit (the check skips those that turn out not to
/// include it), else the one findCompileCommand picks.
std::vector<CompileCommand> findCompileCommands(const std::string &File, const std::vector<TuArgs> &Tus,
                                                const std::string &CompileCommandsDir);

/// The C++ standard a command line selects: the last `-std=`, `--std=`, `-std X`, `--std X` or
/// (clang-cl) `/std:` among Args wins, as with clang's driver; none: clang 19's default, gnu++17.
struct LanguageStandard {
  std::string Name;   ///< as the command spells it ("c++20", "gnu++2b"); "gnu++17" when not given
  bool Given = false; ///< false: clang's default applies
  /// "C++20", "C++17 with GNU extensions"; the name itself when clang does not know it as C++.
  std::string describe() const;
  /// The option that selects it ("-std=c++20"), for a command line.
  std::string flag() const { return "-std=" + Name; }
};
LanguageStandard languageStandard(const std::vector<std::string> &Args);

struct FunctionIdentity {
  std::string QualifiedName, Type;
  unsigned Line = 0;
  /// The declaration specifiers and attributes as written on the definition, which its type
  /// does not hold: `inline`, `static`, `extern`, `constexpr`, `consteval`, `virtual`,
  /// `explicit`, `friend`, and each attribute (`[[nodiscard]]`, `override`,
  /// `__attribute__((noinline))`). `[[trace::trainable]]` is not among them: clang does not
  /// know it without the plugin, and prepareSuggestion checks it. Not part of ==, which
  /// identifies the function; checkPatch compares them apart, to say what changed.
  std::vector<std::string> Specifiers;
  bool operator==(const FunctionIdentity &O) const { return QualifiedName == O.QualifiedName && Type == O.Type; }
  std::string str() const { return QualifiedName + " of type '" + Type + "'"; }
};

struct ParseResult {
  /// False when clang could not even start (bad arguments); Diagnostics says why.
  bool Ran = false;
  /// Whether the translation unit the command builds includes File at all (a header may be
  /// included by only some of a program's units).
  bool Included = false;
  unsigned Errors = 0;
  std::string Diagnostics;
  /// Per requested range: the function definition the range holds. That is the one with the
  /// expected identity when one was asked for and the range has it, else the first whose name
  /// lies inside the range.
  std::vector<std::optional<FunctionIdentity>> Functions;
  /// Per requested range: the declarations that begin inside it but outside that function
  /// (helpers, variables, types, using-directives), described for a message, e.g.
  /// "the function 'evil' (line 9)". Lambdas and local classes inside the function are not listed.
  std::vector<std::vector<std::string>> Outside;
};

/// Parses File with Content in place of what is on disk (nothing is written). Expected, when
/// given, holds per range the identity the range's function should have.
ParseResult parseWithClang(const CompileCommand &Cmd, const std::string &File, const std::string &Content,
                           const std::vector<std::pair<uint64_t, uint64_t>> &Ranges,
                           const std::vector<std::optional<FunctionIdentity>> *Expected = nullptr);

/// The first MaxLines lines of S (a compiler's or linker's output, a problem), and "..." when
/// there are more.
std::string firstLines(const std::string &S, unsigned MaxLines);

/// What a suggestion may contain, as quoted when one is refused: the prompt's phrase
/// (text::SuggestionScopeRule) and what it covers.
std::string suggestionRule();

/// Checks a suggestion's text before it is patched in, without clang: it may not add a
/// preprocessor directive, and for code (IsCode) the [[trace::trainable]] attribute of the
/// Original definition must survive with its argument unchanged. Returns the text to patch
/// in: the suggestion as given, or, when it leaves the attribute out, with the original
/// attribute put back where the original had it. nullopt with Problem set (worded for the
/// LLM, naming what was found) when the suggestion breaks the rule or changes the argument.
std::optional<std::string> prepareSuggestion(const std::string &ParamId, bool IsCode, const std::string &Original,
                                             const std::string &Suggested, std::string &Problem);

struct CheckOutcome {
  bool Ok = true;
  /// The command builds a translation unit that does not include the file: nothing was checked.
  bool NotIncluded = false;
  /// Why not: compiler errors and rejected signatures, worded as feedback for the LLM.
  std::string Problems;
  /// The same, one paragraph each, so that checks in several units can say each problem once.
  std::vector<std::string> ProblemList;
  /// Notes for the user (e.g. "the original does not parse with ...; compile check skipped").
  std::vector<std::string> Notes;
  /// The patched file has compile errors in some unit: no object can be built from it.
  bool CompileErrors = false;
  /// The commands of the units that include the file and were checked.
  std::vector<CompileCommand> Units;
};

/// Checks one file's patch: each code edit keeps its function's name and type, declares
/// nothing outside that function, and the patched file has no new compile errors.
CheckOutcome checkPatch(const FilePatch &P, const CompileCommand &Cmd);

/// Checks one file's patch with each command (findCompileCommands): a header's patch in every
/// translation unit that includes it. A compile error names the unit it happens in; a problem
/// found in several units is said once.
CheckOutcome checkPatchInUnits(const FilePatch &P, const std::vector<CompileCommand> &Cmds);

struct LinkOutcome {
  /// Objects were compiled and linked (at least two units include a patched file).
  bool Ran = false;
  bool Ok = true;
  /// Why not, worded as feedback for the LLM: the symbols defined twice and the units that
  /// define them, then what the linker said, with the units named instead of temporary objects.
  std::string Problem;
  std::vector<std::string> Notes;
};

/// The link check of a plan: each of Units (the units that include a patched file; commands
/// guessed from no build record are left out) is compiled to an object with every patched file
/// in place of what is on disk, at -O0 without debug information or plugin, several at a time,
/// and the objects are linked relocatably (`clang++ -r -nostdlib`). That link needs none of
/// the program's libraries, and fails exactly when two objects define the same strong symbol: a
/// header function that lost `inline`, a definition added to a header. Fewer than two units:
/// nothing to link, nothing is run. A failure the unpatched sources have as well is a note, not
/// the suggestion's fault. Nothing is written outside a temporary directory.
LinkOutcome checkLink(const PatchSet &Plan, const std::vector<CompileCommand> &Units);

} // namespace traceopt

#endif
