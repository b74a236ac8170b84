//===- Lex.cpp - Tokens of C++ text, the way clang lexes them -------------===//

#include "patch/Lex.h"

#include "clang/Basic/LangOptions.h"
#include "clang/Lex/Lexer.h"
#include <cctype>

namespace traceopt {

Lexed lexText(const std::string &Text) {
  clang::LangOptions LO;
  LO.CPlusPlus = LO.CPlusPlus11 = LO.CPlusPlus14 = LO.CPlusPlus17 = 1;
  LO.LineComment = LO.Bool = LO.Digraphs = 1;
  // std::string's buffer ends in the NUL the lexer expects.
  clang::Lexer L(clang::SourceLocation(), LO, Text.c_str(), Text.c_str(), Text.c_str() + Text.size());
  Lexed Out;
  size_t SkipUntil = 0;
  clang::Token T;
  while (true) {
    L.LexFromRawLexer(T);
    if (T.is(clang::tok::eof))
      break;
    size_t End = size_t(L.getBufferLocation() - Text.c_str());
    size_t Begin = End - T.getLength();
    if (Begin < SkipUntil)
      continue;
    if (T.is(clang::tok::hash) && T.isAtStartOfLine()) {
      std::string Line;
      size_t E = Begin;
      for (; E < Text.size() && Text[E] != '\n'; ++E) {
        if (Text[E] == '\\' && (Text.compare(E + 1, 1, "\n") == 0 || Text.compare(E + 1, 2, "\r\n") == 0)) {
          E = Text.find('\n', E);
          if (!Line.empty() && Line.back() != ' ')
            Line += ' ';
          continue;
        }
        if (std::isspace(static_cast<unsigned char>(Text[E]))) {
          if (!Line.empty() && Line.back() != ' ')
            Line += ' ';
          continue;
        }
        Line += Text[E];
      }
      while (!Line.empty() && Line.back() == ' ')
        Line.pop_back();
      Out.Directives.push_back(std::move(Line));
      SkipUntil = E;
      continue;
    }
    Out.Toks.push_back({T.getKind(), Begin, End});
  }
  return Out;
}

bool isWord(const std::string &Text, const LexTok &T, std::string_view Word) {
  return T.Kind == clang::tok::raw_identifier && std::string_view(Text).substr(T.Begin, T.End - T.Begin) == Word;
}

std::string_view spelling(const std::string &Text, const LexTok &T) {
  return std::string_view(Text).substr(T.Begin, T.End - T.Begin);
}

size_t bodyStart(const std::vector<LexTok> &Toks) {
  int Depth = 0;
  for (size_t I = 0; I < Toks.size(); ++I) {
    switch (Toks[I].Kind) {
    case clang::tok::l_paren:
    case clang::tok::l_square:
      ++Depth;
      break;
    case clang::tok::r_paren:
    case clang::tok::r_square:
      --Depth;
      break;
    case clang::tok::l_brace:
      if (Depth == 0)
        return I;
      break;
    default:
      break;
    }
  }
  return Toks.size();
}

std::optional<TrainableAttr> findTrainable(const std::string &Text, const std::vector<LexTok> &Toks) {
  using clang::tok::TokenKind;
  size_t Body = bodyStart(Toks);
  int Paren = 0;
  for (size_t I = 0; I + 1 < Body; ++I) {
    TokenKind K = Toks[I].Kind;
    if (K == clang::tok::l_paren)
      ++Paren;
    else if (K == clang::tok::r_paren)
      --Paren;
    if (Paren != 0 || K != clang::tok::l_square || Toks[I + 1].Kind != clang::tok::l_square)
      continue;
    // The group's "]]", at depth 0; commas at depth 0 separate its attributes.
    size_t Close = 0;
    std::vector<size_t> Commas;
    int Depth = 0;
    for (size_t J = I + 2; J + 1 < Toks.size() && !Close; ++J) {
      switch (Toks[J].Kind) {
      case clang::tok::l_paren:
      case clang::tok::l_square:
      case clang::tok::l_brace:
        ++Depth;
        break;
      case clang::tok::r_paren:
      case clang::tok::r_brace:
        --Depth;
        break;
      case clang::tok::r_square:
        if (Depth == 0 && Toks[J + 1].Kind == clang::tok::r_square)
          Close = J;
        else
          --Depth;
        break;
      case clang::tok::comma:
        if (Depth == 0)
          Commas.push_back(J);
        break;
      default:
        break;
      }
    }
    if (!Close)
      return std::nullopt;
    size_t First = I + 2;
    bool Using = false, UsingTrace = false;
    if (First + 2 < Close && isWord(Text, Toks[First], "using") && Toks[First + 2].Kind == clang::tok::colon) {
      Using = true;
      UsingTrace = isWord(Text, Toks[First + 1], "trace");
      First += 3;
    }
    Commas.push_back(Close);
    size_t ItemBegin = First;
    for (size_t C : Commas) {
      size_t N = ItemBegin;
      bool Match;
      if (Using) {
        Match = UsingTrace && N < C && isWord(Text, Toks[N], "trainable");
        N += 1;
      } else {
        Match = N + 3 <= C && isWord(Text, Toks[N], "trace") &&
                Toks[N + 1].Kind == clang::tok::coloncolon && isWord(Text, Toks[N + 2], "trainable");
        N += 3;
      }
      if (Match && (N == C || Toks[N].Kind == clang::tok::l_paren)) {
        TrainableAttr A;
        A.FirstTok = I;
        A.GroupBegin = Toks[I].Begin;
        A.GroupEnd = Toks[Close + 1].End;
        for (size_t K = N; K < C; ++K)
          A.Arg += (K == N ? "" : " ") + std::string(spelling(Text, Toks[K]));
        A.Alone = Commas.size() == 1;
        if (A.Alone) {
          A.CutBegin = A.GroupBegin;
          A.CutEnd = A.GroupEnd;
        } else if (C != Close) {
          A.CutBegin = Toks[ItemBegin].Begin;
          A.CutEnd = Toks[C + 1].Begin;
        } else {
          A.CutBegin = Toks[ItemBegin - 2].End;
          A.CutEnd = Toks[C - 1].End;
        }
        std::string Item = Text.substr(Toks[ItemBegin].Begin, Toks[C - 1].End - Toks[ItemBegin].Begin);
        A.Standalone = A.Alone ? Text.substr(A.GroupBegin, A.GroupEnd - A.GroupBegin)
                               : (Using ? "[[trace::" : "[[") + Item + "]]";
        return A;
      }
      ItemBegin = C + 1;
    }
    I = Close + 1;
  }
  return std::nullopt;
}

std::string stripTrainable(std::string S) {
  while (std::optional<TrainableAttr> A = findTrainable(S, lexText(S).Toks)) {
    size_t Begin = A->CutBegin, End = A->CutEnd;
    if (A->Alone) {
      // The blanks after the attribute go with it, and so does its line when
      // it stood on a line of its own.
      while (End < S.size() && (S[End] == ' ' || S[End] == '\t'))
        ++End;
      size_t LineStart = S.rfind('\n', Begin == 0 ? 0 : Begin - 1);
      LineStart = LineStart == std::string::npos || Begin == 0 ? 0 : LineStart + 1;
      bool OwnLine = S.find_first_not_of(" \t", LineStart) >= Begin;
      if (OwnLine && End < S.size() && (S[End] == '\n' || S[End] == '\r')) {
        Begin = LineStart;
        End += S.compare(End, 2, "\r\n") == 0 ? 2 : 1;
      }
    }
    S.erase(Begin, End - Begin);
  }
  return S;
}

std::vector<std::string> includeDirectives(const std::string &FileText) {
  std::vector<std::string> Headers;
  for (const std::string &D : lexText(FileText).Directives) {
    // "#include <x>" or "# include "x"", whitespace already collapsed.
    std::string_view L(D);
    L.remove_prefix(1);
    if (!L.empty() && L.front() == ' ')
      L.remove_prefix(1);
    if (L.substr(0, 7) != "include" ||
        (L.size() > 7 && (std::isalnum(static_cast<unsigned char>(L[7])) || L[7] == '_')))
      continue;
    L.remove_prefix(7);
    if (!L.empty() && L.front() == ' ')
      L.remove_prefix(1);
    char Close = L.empty() ? '\0' : L[0] == '<' ? '>' : L[0] == '"' ? '"' : '\0';
    size_t End = Close ? L.find(Close, 1) : std::string_view::npos;
    Headers.emplace_back(End == std::string_view::npos ? L : L.substr(0, End + 1));
  }
  return Headers;
}

} // namespace traceopt
