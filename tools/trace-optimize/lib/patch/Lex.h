//===- Lex.h - Tokens of C++ text, the way clang lexes them -----*- C++ -*-===//
//
// What the checker and the prompt need to know about a function's text or a
// file's: its tokens (comments, strings and raw strings hidden, as clang
// lexes them), its preprocessor directives, and where its
// [[trace::trainable]] attribute is. One lexer for both, so what the prompt
// shows and what the checker enforces are read the same way.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEOPT_LEX_H
#define TRACEOPT_LEX_H

#include "clang/Basic/TokenKinds.h"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

struct LexTok {
  clang::tok::TokenKind Kind;
  size_t Begin, End;
};

struct Lexed {
  std::vector<LexTok> Toks;
  /// Each preprocessor directive, as written, with its whitespace collapsed.
  std::vector<std::string> Directives;
};

/// Splits \p Text into tokens the way clang does, so that comments, string
/// and raw string literals hide what looks like a directive or an attribute.
/// Directive lines are listed apart and their tokens left out.
Lexed lexText(const std::string &Text);

bool isWord(const std::string &Text, const LexTok &T, std::string_view Word);
std::string_view spelling(const std::string &Text, const LexTok &T);

/// Index of the token that opens the function's body: the first '{' outside
/// parentheses and brackets (or the number of tokens when there is none).
size_t bodyStart(const std::vector<LexTok> &Toks);

/// A [[trace::trainable]] attribute in a function's head.
struct TrainableAttr {
  size_t FirstTok = 0;                ///< index of the group's first '['
  size_t GroupBegin = 0, GroupEnd = 0; ///< "[[ ... ]]" in the text
  std::string Arg;                    ///< the argument's tokens, space-separated; "" without one
  std::string Standalone;             ///< the attribute alone in a group, as written
  bool Alone = false;                 ///< the group holds nothing else
  /// The text to cut to remove the attribute: the whole group when it is
  /// alone, else the item with the comma that separates it from the next
  /// (or, for the last item, from the previous one).
  size_t CutBegin = 0, CutEnd = 0;
};

/// Finds [[trace::trainable]], [[trace::trainable("...")]], in a group with
/// other attributes or in a [[using trace: ...]] group, among the tokens
/// before the function's body.
std::optional<TrainableAttr> findTrainable(const std::string &Text,
                                           const std::vector<LexTok> &Toks);

/// \p Definition without its [[trace::trainable]] attributes (other
/// attributes of the same group kept; an attribute alone on its line goes
/// with the line).
std::string stripTrainable(std::string Definition);

/// The headers \p FileText's #include directives name, as written.
std::vector<std::string> includeDirectives(const std::string &FileText);

} // namespace traceopt

#endif // TRACEOPT_LEX_H
