//===- Reply.cpp - Parsing the LLM's reply --------------------------------===//
//
// Models wrap their JSON in prose or Markdown fences, put raw newlines into
// strings holding code, and leave trailing commas. The parser looks for the
// object in several places and repairs those slips before giving up; it never
// reacts to words in the text (a "TERMINATE" inside reasoning is just text).
//
//===----------------------------------------------------------------------===//
#include "llm/Reply.h"
#include "patch/Convert.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace traceopt {

namespace {

using nlohmann::json;

/// Escapes control characters inside strings, doubles stray backslashes, and
/// drops trailing commas before '}' or ']'.
std::string repairJson(std::string_view S) {
  std::string Out;
  Out.reserve(S.size() + 16);
  bool InString = false;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (InString) {
      if (C == '\\') {
        char N = I + 1 < S.size() ? S[I + 1] : '\0';
        if (std::string_view("\"\\/bfnrtu").find(N) != std::string_view::npos && N != '\0') {
          Out += C;
          Out += N;
          ++I;
        } else {
          Out += "\\\\";
        }
        continue;
      }
      if (C == '"') {
        InString = false;
        Out += C;
        continue;
      }
      if (C == '\n')
        Out += "\\n";
      else if (C == '\r')
        Out += "\\r";
      else if (C == '\t')
        Out += "\\t";
      else if (static_cast<unsigned char>(C) < 0x20)
        Out += fmt::format("\\u{:04x}", static_cast<unsigned>(C));
      else
        Out += C;
      continue;
    }
    if (C == '"')
      InString = true;
    if (C == '}' || C == ']') {
      size_t K = Out.size();
      while (K > 0 && std::isspace(static_cast<unsigned char>(Out[K - 1])))
        --K;
      if (K > 0 && Out[K - 1] == ',')
        Out.erase(K - 1, 1);
    }
    Out += C;
  }
  return Out;
}

/// Turns each number outside strings that does not fit a double (1e400, -1e999) into a string
/// holding it as written. The JSON parser refuses a whole text for one such number; quoted,
/// the reply parses, and converting that one value to its variable's type says what is wrong
/// with it, naming it. Returns nullopt when there is no such number.
std::optional<std::string> quoteHugeNumbers(std::string_view S) {
  std::string Out;
  bool InString = false, Changed = false;
  auto IsDigit = [](char C) { return C >= '0' && C <= '9'; };
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (InString) {
      Out += C;
      if (C == '\\' && I + 1 < S.size())
        Out += S[++I];
      else if (C == '"')
        InString = false;
      continue;
    }
    if (C == '"') {
      InString = true;
      Out += C;
      continue;
    }
    bool Boundary = I == 0 || !(std::isalnum(static_cast<unsigned char>(S[I - 1])) || S[I - 1] == '.' ||
                                S[I - 1] == '_' || S[I - 1] == '-' || S[I - 1] == '+');
    if (!Boundary || !(IsDigit(C) || (C == '-' && I + 1 < S.size() && IsDigit(S[I + 1])))) {
      Out += C;
      continue;
    }
    size_t E = I + (C == '-');
    while (E < S.size() && IsDigit(S[E]))
      ++E;
    if (E < S.size() && S[E] == '.')
      for (++E; E < S.size() && IsDigit(S[E]);)
        ++E;
    if (E < S.size() && (S[E] == 'e' || S[E] == 'E')) {
      size_t X = E + 1;
      if (X < S.size() && (S[X] == '+' || S[X] == '-'))
        ++X;
      if (X < S.size() && IsDigit(S[X])) {
        for (E = X; E < S.size() && IsDigit(S[E]);)
          ++E;
      }
    }
    std::string Number(S.substr(I, E - I));
    if (std::isinf(std::strtod(Number.c_str(), nullptr))) {
      Out += '"' + Number + '"';
      Changed = true;
    } else {
      Out += Number;
    }
    I = E - 1;
  }
  if (!Changed)
    return std::nullopt;
  return Out;
}

std::optional<json> tryParse(std::string_view S) {
  json J = json::parse(S.begin(), S.end(), nullptr, false);
  if (!J.is_discarded())
    return J;
  std::string Fixed = repairJson(S);
  J = json::parse(Fixed, nullptr, false);
  if (!J.is_discarded())
    return J;
  if (std::optional<std::string> Quoted = quoteHugeNumbers(Fixed)) {
    J = json::parse(*Quoted, nullptr, false);
    if (!J.is_discarded())
      return J;
  }
  return std::nullopt;
}

/// End (one past the closing brace) of the object starting at \p Begin, or npos.
size_t objectEnd(std::string_view S, size_t Begin) {
  int Depth = 0;
  bool InString = false;
  for (size_t I = Begin; I < S.size(); ++I) {
    char C = S[I];
    if (InString) {
      if (C == '\\')
        ++I;
      else if (C == '"')
        InString = false;
      continue;
    }
    if (C == '"')
      InString = true;
    else if (C == '{')
      ++Depth;
    else if (C == '}' && --Depth == 0)
      return I + 1;
  }
  return std::string_view::npos;
}

/// Places the JSON object may be, most likely first.
std::vector<std::string_view> candidates(std::string_view Reply) {
  std::vector<std::string_view> Out;
  Out.push_back(Reply);
  for (size_t Pos = 0; (Pos = Reply.find("```", Pos)) != std::string_view::npos;) {
    size_t Nl = Reply.find('\n', Pos);
    if (Nl == std::string_view::npos)
      break;
    size_t Close = Reply.find("\n```", Nl);
    if (Close == std::string_view::npos)
      Close = Reply.size();
    Out.push_back(Reply.substr(Nl + 1, Close - Nl - 1));
    Pos = Close == Reply.size() ? Close : Close + 4;
  }
  unsigned Tries = 0;
  for (size_t Pos = Reply.find('{'); Pos != std::string_view::npos && Tries < 256; ++Tries) {
    size_t End = objectEnd(Reply, Pos);
    if (End == std::string_view::npos)
      break;
    Out.push_back(Reply.substr(Pos, End - Pos));
    Pos = Reply.find('{', Pos + 1);
  }
  return Out;
}

std::string_view trimName(std::string_view S) {
  while (!S.empty() && (std::isspace(static_cast<unsigned char>(S.front())) || S.front() == '`'))
    S.remove_prefix(1);
  while (!S.empty() && (std::isspace(static_cast<unsigned char>(S.back())) || S.back() == '`'))
    S.remove_suffix(1);
  return S;
}

/// The parameter id a suggestion key refers to: the prompt's name, or the
/// parameter's id or C++ name (models sometimes answer with those).
std::optional<std::string> resolveName(std::string_view Key, const Prompt &P, const TraceSet &T) {
  Key = trimName(Key);
  if (auto It = P.NameToParamId.find(std::string(Key)); It != P.NameToParamId.end())
    return It->second;
  std::optional<std::string> Match;
  for (const auto &[Name, Id] : P.NameToParamId) {
    const Param *Prm = T.findParam(Id);
    bool Same = Id == Key || (Prm && (Prm->Name == Key || (Prm->Kind == "value" && Prm->Name.size() >= Key.size() + 2 &&
                                                          Prm->Name.compare(Prm->Name.size() - Key.size() - 2,
                                                                            std::string::npos,
                                                                            "::" + std::string(Key)) == 0)));
    if (!Same)
      continue;
    if (Match && *Match != Id)
      return std::nullopt; // Ambiguous.
    Match = Id;
  }
  return Match;
}

std::string knownNames(const Prompt &P) {
  std::string Out;
  for (const auto &[Name, Id] : P.NameToParamId)
    Out += (Out.empty() ? "" : ", ") + Name;
  return Out.empty() ? "(none)" : Out;
}

} // namespace

ParsedReply parseReply(std::string_view Reply, const Prompt &P, const TraceSet &T) {
  ParsedReply R;
  std::optional<json> Found, Fallback;
  for (std::string_view C : candidates(Reply)) {
    std::optional<json> J = tryParse(C);
    if (!J || !J->is_object())
      continue;
    if (J->contains("suggestion") || J->contains("suggestions")) {
      Found = std::move(J);
      break;
    }
    if (!Fallback && J->contains("reasoning"))
      Fallback = std::move(J);
  }
  if (!Found && Fallback)
    Found = std::move(Fallback);
  if (!Found) {
    R.Errors.push_back("the reply holds no JSON object with a \"suggestion\" field");
    return R;
  }
  if (auto It = Found->find("reasoning"); It != Found->end())
    R.Reasoning = It->is_string() ? It->get<std::string>() : It->dump();

  auto It = Found->find("suggestion");
  if (It == Found->end())
    It = Found->find("suggestions");
  if (It == Found->end() || It->is_null())
    return R; // Nothing to change.
  json Sugg = *It;
  if (Sugg.is_string()) {
    if (std::optional<json> J = tryParse(Sugg.get<std::string>()); J && J->is_object())
      Sugg = *J;
  }
  if (!Sugg.is_object()) {
    R.Errors.push_back(fmt::format("\"suggestion\" must be an object mapping variable names to new values, got "
                                   "a {}",
                                   Sugg.type_name()));
    return R;
  }
  std::vector<std::string> Seen;
  for (auto &[Key, Value] : Sugg.items()) {
    std::optional<std::string> Id = resolveName(Key, P, T);
    if (!Id) {
      R.Errors.push_back(fmt::format("unknown variable '{}' in \"suggestion\"; the variables are: {}", Key,
                                     knownNames(P)));
      continue;
    }
    if (std::find(Seen.begin(), Seen.end(), *Id) != Seen.end()) {
      R.Errors.push_back(fmt::format("'{}' is suggested more than once; the first suggestion is used", Key));
      continue;
    }
    const Param *Prm = T.findParam(*Id);
    if (!Prm) {
      R.Errors.push_back(fmt::format("variable '{}' names parameter '{}', which the trace does not hold", Key, *Id));
      continue;
    }
    std::string Error;
    std::optional<std::string> Text = toParamText(Value, *Prm, Error);
    if (!Text) {
      R.Errors.push_back(fmt::format("bad value for '{}': {}", Key, Error));
      continue;
    }
    Seen.push_back(*Id);
    R.Suggestions.push_back({*Id, std::move(*Text), uint32_t(Prm - T.Params.data())});
  }
  return R;
}

} // namespace traceopt
