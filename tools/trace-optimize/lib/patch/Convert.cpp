//===- Convert.cpp - Suggested values to C++ source text ------------------===//
#include "patch/Convert.h"
#include "traceset/TraceSet.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

namespace traceopt {

namespace {

std::string_view trim(std::string_view S) {
  while (!S.empty() && std::isspace(static_cast<unsigned char>(S.front())))
    S.remove_prefix(1);
  while (!S.empty() && std::isspace(static_cast<unsigned char>(S.back())))
    S.remove_suffix(1);
  return S;
}

bool startsWith(std::string_view S, std::string_view P) { return S.substr(0, P.size()) == P; }

/// The type without top-level cv-qualifiers, references and redundant spaces.
std::string normalizeType(std::string_view Type) {
  std::string Out;
  for (char C : Type) {
    if (std::isspace(static_cast<unsigned char>(C))) {
      if (!Out.empty() && Out.back() != ' ')
        Out += ' ';
      continue;
    }
    Out += C;
  }
  std::string_view S = trim(Out);
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (std::string_view Q : {"const ", "volatile ", "static ", "constexpr ", "inline ", "std::atomic<"}) {
      if (startsWith(S, Q) && Q.back() == ' ') {
        S.remove_prefix(Q.size());
        Changed = true;
      }
    }
    for (std::string_view Q : {" const", " volatile", "&", " "}) {
      if (S.size() >= Q.size() && S.substr(S.size() - Q.size()) == Q) {
        S.remove_suffix(Q.size());
        Changed = true;
      }
    }
  }
  return std::string(S);
}

struct IntType {
  std::string_view Name;
  bool Signed;
  unsigned Bits;
};

const IntType *findIntType(std::string_view T) {
  static const IntType Types[] = {
      {"short", true, 16},          {"short int", true, 16},       {"signed short", true, 16},
      {"unsigned short", false, 16}, {"unsigned short int", false, 16},
      {"int", true, 32},            {"signed", true, 32},          {"signed int", true, 32},
      {"unsigned", false, 32},      {"unsigned int", false, 32},   {"long", true, 64},
      {"long int", true, 64},       {"signed long", true, 64},     {"unsigned long", false, 64},
      {"unsigned long int", false, 64}, {"long long", true, 64},   {"long long int", true, 64},
      {"signed long long", true, 64}, {"unsigned long long", false, 64},
      {"unsigned long long int", false, 64},
      {"int8_t", true, 8},   {"int16_t", true, 16},   {"int32_t", true, 32},   {"int64_t", true, 64},
      {"uint8_t", false, 8}, {"uint16_t", false, 16}, {"uint32_t", false, 32}, {"uint64_t", false, 64},
      {"size_t", false, 64}, {"ssize_t", true, 64},   {"ptrdiff_t", true, 64}, {"intptr_t", true, 64},
      {"uintptr_t", false, 64}, {"signed char", true, 8}, {"unsigned char", false, 8},
  };
  if (startsWith(T, "std::"))
    T.remove_prefix(5);
  for (const IntType &I : Types)
    if (I.Name == T)
      return &I;
  return nullptr;
}

bool isFloatType(std::string_view T) { return T == "double" || T == "float" || T == "long double"; }
bool isStringType(std::string_view T) {
  return T == "std::string" || T == "std::__cxx11::basic_string<char>" || T == "string" ||
         T == "std::string_view" || T == "const char *" || T == "const char*" || T == "char const *" ||
         T == "char *" || T == "char*" ||
         startsWith(T, "std::basic_string<char");
}

/// Element type of a sequence container ("std::vector<int>" -> "int"), or "".
std::string elementType(std::string_view T) {
  for (std::string_view C : {"std::vector<", "std::array<", "std::list<", "std::deque<", "std::set<",
                             "std::unordered_set<", "std::initializer_list<", "vector<", "array<"}) {
    if (!startsWith(T, C) || T.back() != '>')
      continue;
    std::string_view Inner = T.substr(C.size(), T.size() - C.size() - 1);
    // First template argument: up to a top-level comma (allocators, array sizes follow).
    int Depth = 0;
    for (size_t I = 0; I < Inner.size(); ++I) {
      char Ch = Inner[I];
      if (Ch == '<' || Ch == '(')
        ++Depth;
      else if (Ch == '>' || Ch == ')')
        --Depth;
      else if (Ch == ',' && Depth == 0)
        return std::string(trim(Inner.substr(0, I)));
    }
    return std::string(trim(Inner));
  }
  return "";
}

/// Splits \p S at its top-level commas (outside brackets, string and character literals) and
/// trims each part; "" gives no part.
std::vector<std::string> splitTopLevel(std::string_view S) {
  std::vector<std::string> Parts;
  int Depth = 0;
  size_t Start = 0;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (C == '"' || C == '\'') {
      for (++I; I < S.size() && S[I] != C; ++I)
        if (S[I] == '\\')
          ++I;
      continue;
    }
    if (C == '<' || C == '(' || C == '[' || C == '{')
      ++Depth;
    else if (C == '>' || C == ')' || C == ']' || C == '}')
      --Depth;
    else if (C == ',' && Depth == 0) {
      Parts.push_back(std::string(trim(S.substr(Start, I - Start))));
      Start = I + 1;
    }
  }
  if (!trim(S.substr(Start)).empty() || !Parts.empty())
    Parts.push_back(std::string(trim(S.substr(Start))));
  return Parts;
}

/// The template arguments of \p T when it names one of \p Templates (each given with its
/// '<': "std::pair<"), else nullopt.
std::optional<std::vector<std::string>> templateArgs(std::string_view T,
                                                     std::initializer_list<std::string_view> Templates) {
  for (std::string_view Tmpl : Templates)
    if (startsWith(T, Tmpl) && T.back() == '>')
      return splitTopLevel(T.substr(Tmpl.size(), T.size() - Tmpl.size() - 1));
  return std::nullopt;
}

std::optional<std::vector<std::string>> pairOrTupleArgs(std::string_view T) {
  return templateArgs(T, {"std::pair<", "pair<", "std::tuple<", "tuple<"});
}

/// Key and mapped type of a map.
std::optional<std::vector<std::string>> mapArgs(std::string_view T) {
  auto Args = templateArgs(T, {"std::map<", "std::unordered_map<", "std::multimap<", "std::unordered_multimap<",
                               "map<", "unordered_map<", "multimap<", "unordered_multimap<"});
  if (Args && Args->size() < 2)
    return std::nullopt;
  return Args;
}

std::optional<std::string> optionalArg(std::string_view T) {
  auto Args = templateArgs(T, {"std::optional<", "optional<"});
  if (!Args || Args->size() != 1)
    return std::nullopt;
  return Args->front();
}

/// The parts of a recorded value as the runtime renders a container, pair or tuple:
/// "[Color::Red, Color::Blue]", "(\"q\", 2)", "{\"a\": 1}". Each part tells what an element
/// was (an enumerator, say); empty when the value is no such list.
std::vector<std::string> recordedParts(std::string_view Old) {
  Old = trim(Old);
  if (Old.size() < 2)
    return {};
  char Open = Old.front(), Close = Old.back();
  if (!((Open == '[' && Close == ']') || (Open == '(' && Close == ')') || (Open == '{' && Close == '}')))
    return {};
  return splitTopLevel(Old.substr(1, Old.size() - 2));
}

/// "key: value" of a recorded map entry, split at its top-level ": ".
std::pair<std::string, std::string> recordedEntry(std::string_view Entry) {
  for (size_t I = 0; I + 1 < Entry.size(); ++I) {
    char C = Entry[I];
    if (C == '"' || C == '\'') {
      for (++I; I < Entry.size() && Entry[I] != C; ++I)
        if (Entry[I] == '\\')
          ++I;
      continue;
    }
    if (C == ':' && Entry[I + 1] == ' ')
      return {std::string(trim(Entry.substr(0, I))), std::string(trim(Entry.substr(I + 1)))};
    if (C == ':' && Entry[I + 1] == ':')
      ++I;
  }
  return {"", ""};
}

/// The recorded part that describes element \p I: its own when there is one, else the first.
std::string_view partFor(const std::vector<std::string> &Parts, size_t I) {
  if (Parts.empty())
    return "";
  return I < Parts.size() ? Parts[I] : Parts.front();
}

/// A JSON string that is itself JSON text for a list, a number or a bool
/// ("[1, 2]", "1.5", "false") is taken as that value.
std::optional<nlohmann::json> reparse(const nlohmann::json &V) {
  if (!V.is_string())
    return std::nullopt;
  std::string_view S = trim(V.get_ref<const std::string &>());
  if (S.empty())
    return std::nullopt;
  nlohmann::json J = nlohmann::json::parse(S.begin(), S.end(), nullptr, false);
  if (J.is_discarded())
    return std::nullopt;
  return J;
}

std::string describe(const nlohmann::json &V) {
  std::string S = V.dump();
  if (S.size() > 60)
    S = S.substr(0, 57) + "...";
  return S;
}

/// A number too large or too small for a double, as written (the reply parser keeps such a
/// number as its text): a long double may hold it; for double and float it is an error that
/// names the value.
std::optional<std::string> outOfRangeFloat(std::string_view S, std::string_view Type, std::string &Error) {
  std::string Text(S);
  long double LD = std::strtold(Text.c_str(), nullptr);
  if (Type == "long double" && std::isfinite(LD) && LD != 0) {
    size_t Exp = Text.find_first_of("eE");
    if (Text.find('.') == std::string::npos)
      Text.insert(Exp == std::string::npos ? Text.size() : Exp, ".0");
    return Text + "L";
  }
  bool Huge = std::isinf(std::strtod(Text.c_str(), nullptr));
  if (Huge)
    Error = fmt::format("{} is out of range for type '{}' (its largest finite value is {:g}); give a finite number",
                        Text, Type,
                        Type == "float" ? double(std::numeric_limits<float>::max())
                                        : std::numeric_limits<double>::max());
  else
    Error = fmt::format("{} is too close to zero for type '{}' (its smallest positive value is {:g}); give 0 or a "
                        "larger number",
                        Text, Type,
                        Type == "float" ? double(std::numeric_limits<float>::denorm_min())
                                        : std::numeric_limits<double>::denorm_min());
  return std::nullopt;
}

std::optional<std::string> toFloat(const nlohmann::json &V, std::string_view Type, std::string &Error) {
  double D;
  if (V.is_number()) {
    D = V.get<double>();
  } else if (V.is_string()) {
    std::string_view S = trim(V.get_ref<const std::string &>());
    // Accept a C++ suffix the model may have copied ("1.5f").
    if (!S.empty() && (S.back() == 'f' || S.back() == 'F' || S.back() == 'l' || S.back() == 'L'))
      S.remove_suffix(1);
    auto [Ptr, Ec] = std::from_chars(S.data(), S.data() + S.size(), D);
    if (!S.empty() && Ec == std::errc::result_out_of_range && Ptr == S.data() + S.size())
      return outOfRangeFloat(S, Type, Error);
    if (S.empty() || Ec != std::errc() || Ptr != S.data() + S.size()) {
      Error = fmt::format("expected a number for type '{}', got {}", Type, describe(V));
      return std::nullopt;
    }
  } else {
    Error = fmt::format("expected a number for type '{}', got {}", Type, describe(V));
    return std::nullopt;
  }
  if (!std::isfinite(D)) {
    Error = fmt::format("{} is not a finite number (type '{}')", describe(V), Type);
    return std::nullopt;
  }
  if (Type == "float" && std::fabs(D) > double(std::numeric_limits<float>::max())) {
    Error = fmt::format("{} is out of range for type 'float'", describe(V));
    return std::nullopt;
  }
  char Buf[64];
  auto [Ptr, Ec] = std::to_chars(Buf, Buf + sizeof(Buf), D);
  std::string Out(Buf, Ptr);
  if (Out.find_first_of(".e") == std::string::npos)
    Out += ".0";
  else if (Out.find('.') == std::string::npos && Out.find('e') != std::string::npos)
    Out.insert(Out.find('e'), ".0");
  if (Type == "float")
    Out += 'f';
  else if (Type == "long double")
    Out += 'L';
  return Out;
}

std::optional<std::string> toInt(const nlohmann::json &V, const IntType &IT, std::string_view Type,
                                 std::string &Error) {
  auto Bad = [&] {
    Error = fmt::format("expected an integer for type '{}', got {}", Type, describe(V));
    return std::nullopt;
  };
  bool Neg = false;
  uint64_t Mag = 0;
  if (V.is_number_unsigned()) {
    Mag = V.get<uint64_t>();
  } else if (V.is_number_integer()) {
    int64_t I = V.get<int64_t>();
    Neg = I < 0;
    Mag = Neg ? uint64_t(0) - uint64_t(I) : uint64_t(I);
  } else if (V.is_number_float()) {
    double D = V.get<double>();
    if (!std::isfinite(D) || D != std::floor(D) || std::fabs(D) > 1.8e19)
      return Bad();
    Neg = D < 0;
    Mag = uint64_t(std::fabs(D));
  } else if (V.is_string()) {
    std::string_view S = trim(V.get_ref<const std::string &>());
    if (!S.empty() && (S[0] == '-' || S[0] == '+')) {
      Neg = S[0] == '-';
      S.remove_prefix(1);
    }
    while (!S.empty() && (S.back() == 'u' || S.back() == 'U' || S.back() == 'l' || S.back() == 'L'))
      S.remove_suffix(1);
    auto [Ptr, Ec] = std::from_chars(S.data(), S.data() + S.size(), Mag);
    if (S.empty() || Ec != std::errc() || Ptr != S.data() + S.size())
      return Bad();
  } else if (V.is_boolean()) {
    Mag = V.get<bool>() ? 1 : 0;
  } else {
    return Bad();
  }
  if (Neg && Mag == 0)
    Neg = false;
  uint64_t MaxPos = IT.Signed ? (uint64_t(1) << (IT.Bits - 1)) - 1
                              : (IT.Bits == 64 ? ~uint64_t(0) : (uint64_t(1) << IT.Bits) - 1);
  uint64_t MaxNeg = IT.Signed ? uint64_t(1) << (IT.Bits - 1) : 0;
  if ((Neg && Mag > MaxNeg) || (!Neg && Mag > MaxPos)) {
    Error = fmt::format("{}{} is out of range for type '{}'", Neg ? "-" : "", Mag, Type);
    return std::nullopt;
  }
  if (Neg && Mag == MaxNeg && IT.Bits == 64)
    return fmt::format("(-{} - 1)", Mag - 1); // The literal itself would not fit.
  std::string Out = fmt::format("{}{}", Neg ? "-" : "", Mag);
  if (!IT.Signed && Mag > uint64_t(std::numeric_limits<int64_t>::max()))
    Out += "ull";
  return Out;
}

std::optional<std::string> toBool(const nlohmann::json &V, std::string &Error) {
  if (V.is_boolean())
    return std::string(V.get<bool>() ? "true" : "false");
  if (V.is_number_integer() || V.is_number_unsigned()) {
    int64_t I = V.get<int64_t>();
    if (I == 0 || I == 1)
      return std::string(I ? "true" : "false");
  }
  if (V.is_string()) {
    std::string S(trim(V.get_ref<const std::string &>()));
    for (char &C : S)
      C = char(std::tolower(static_cast<unsigned char>(C)));
    if (S == "true" || S == "1")
      return std::string("true");
    if (S == "false" || S == "0")
      return std::string("false");
  }
  Error = fmt::format("expected true or false for type 'bool', got {}", describe(V));
  return std::nullopt;
}

std::string charLiteral(unsigned char C) {
  switch (C) {
  case '\'': return "'\\''";
  case '\\': return "'\\\\'";
  case '\n': return "'\\n'";
  case '\t': return "'\\t'";
  case '\r': return "'\\r'";
  case '\0': return "'\\0'";
  }
  if (C < 0x20 || C >= 0x7f)
    return fmt::format("'\\{:03o}'", C);
  return std::string("'") + char(C) + "'";
}

/// True when \p S is one C++ initializer or expression and nothing more:
/// brackets balance outside string and character literals, and there is no
/// top-level ';' and no comment that could hide the rest of the line. A value
/// suggestion must never add declarations to the file. With \p Braced, the
/// first '{' must close at the very end ("{1}; int x{2}" is refused).
bool isSingleInitializer(std::string_view S, bool Braced) {
  std::string Stack;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (C == '"' || C == '\'') {
      for (++I; I < S.size() && S[I] != C; ++I)
        if (S[I] == '\\')
          ++I;
      if (I >= S.size())
        return false;
      continue;
    }
    if (C == '/' && I + 1 < S.size() && (S[I + 1] == '/' || S[I + 1] == '*'))
      return false;
    if (C == '(' || C == '[' || C == '{') {
      Stack += C;
      continue;
    }
    if (C == ')' || C == ']' || C == '}') {
      char Open = C == ')' ? '(' : C == ']' ? '[' : '{';
      if (Stack.empty() || Stack.back() != Open)
        return false;
      Stack.pop_back();
      if (Braced && Stack.empty() && I + 1 != S.size())
        return false;
      continue;
    }
    // A ';' belongs only in a block nested in the value (a lambda body), never
    // directly in the value, in parentheses, or between a list's elements.
    if (C == ';' && (Stack.empty() || Stack.back() != '{' || (Braced && Stack.size() == 1)))
      return false;
  }
  return Stack.empty();
}

bool isIdentifierPath(std::string_view S) {
  if (S.empty())
    return false;
  bool Start = true;
  for (size_t I = 0; I < S.size(); ++I) {
    char C = S[I];
    if (C == ':' && I + 1 < S.size() && S[I + 1] == ':' && !Start) {
      ++I;
      Start = true;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(C)) || C == '_' ||
        (!Start && std::isdigit(static_cast<unsigned char>(C)))) {
      Start = false;
      continue;
    }
    return false;
  }
  return !Start;
}

} // namespace

std::string cppStringLiteral(std::string_view S) {
  std::string Out = "\"";
  for (unsigned char C : S) {
    switch (C) {
    case '"': Out += "\\\""; break;
    case '\\': Out += "\\\\"; break;
    case '\n': Out += "\\n"; break;
    case '\t': Out += "\\t"; break;
    case '\r': Out += "\\r"; break;
    case '?': Out += "?"; break;
    default:
      // Octal escapes take at most three digits, so a following digit cannot join them.
      if (C < 0x20 || C == 0x7f)
        Out += fmt::format("\\{:03o}", C);
      else
        Out += char(C);
    }
  }
  Out += '"';
  return Out;
}

namespace {

std::optional<std::string> convert(const nlohmann::json &V, std::string_view RawType, std::string_view OldValue,
                                   bool Nested, std::string &Error);

/// S as an initializer of string type Type. A literal ends at its first NUL when it becomes a
/// std::string, so a string holding one is built with its length; a character pointer cannot
/// hold it at all.
std::optional<std::string> stringInitializer(const std::string &S, std::string_view Type, std::string_view RawType,
                                             std::string &Error) {
  if (S.find('\0') == std::string::npos)
    return cppStringLiteral(S);
  if (startsWith(Type, "std::string_view"))
    return fmt::format("std::string_view({}, {})", cppStringLiteral(S), S.size());
  if (Type.find("char *") != std::string_view::npos || Type.find("char*") != std::string_view::npos) {
    Error = fmt::format("the string holds a NUL character, which type '{}' ends at; give it without", RawType);
    return std::nullopt;
  }
  return fmt::format("std::string({}, {})", cppStringLiteral(S), S.size());
}

/// A list the model gave as a string: JSON text ("[1, 2]", "{\"a\": 1}"), or the shape the
/// prompt shows a pair or tuple in ("(\"q\", 2)"). nullopt when it is neither.
std::optional<nlohmann::json> reparseList(std::string_view S) {
  S = trim(S);
  if (S.size() >= 2 && S.front() == '(' && S.back() == ')') {
    std::string AsArray = "[" + std::string(S.substr(1, S.size() - 2)) + "]";
    nlohmann::json J = nlohmann::json::parse(AsArray, nullptr, false);
    if (!J.is_discarded())
      return J;
    return std::nullopt;
  }
  nlohmann::json J = nlohmann::json::parse(S.begin(), S.end(), nullptr, false);
  if (J.is_discarded() || !(J.is_array() || J.is_object()))
    return std::nullopt;
  return J;
}

/// C++ braced text the model wrote itself ("{\"q\", 2}"): kept as written when it is one list.
std::optional<std::string> bracedText(std::string_view S, std::string_view RawType, std::string &Error) {
  if (!isSingleInitializer(S, /*Braced=*/true)) {
    Error = fmt::format("'{}' is not one braced list for type '{}'", S, RawType);
    return std::nullopt;
  }
  return std::string(S);
}

/// A pair or tuple from a list of as many elements, each converted to its own type.
std::optional<std::string> toTuple(const nlohmann::json &V, std::string_view RawType,
                                   const std::vector<std::string> &Types, std::string_view OldValue,
                                   std::string &Error) {
  const nlohmann::json *List = &V;
  std::optional<nlohmann::json> Re;
  if (V.is_string()) {
    std::string_view S = trim(V.get_ref<const std::string &>());
    if (!S.empty() && S.front() == '{' && S.back() == '}')
      return bracedText(S, RawType, Error);
    Re = reparseList(S);
    if (Re)
      List = &*Re;
  }
  if (!List->is_array()) {
    Error = fmt::format("expected a list of {} elements for type '{}', got {}", Types.size(), RawType, describe(V));
    return std::nullopt;
  }
  if (List->size() != Types.size()) {
    Error = fmt::format("expected {} elements for type '{}', got {}: {}", Types.size(), RawType, List->size(),
                        describe(*List));
    return std::nullopt;
  }
  std::vector<std::string> Old = recordedParts(OldValue);
  std::string Out = "{";
  for (size_t I = 0; I < Types.size(); ++I) {
    std::string ElemError;
    std::optional<std::string> E = convert((*List)[I], Types[I], I < Old.size() ? Old[I] : "", true, ElemError);
    if (!E) {
      Error = fmt::format("element {} of the {}: {}", I, RawType, ElemError);
      return std::nullopt;
    }
    Out += (I ? ", " : "") + *E;
  }
  return Out + "}";
}

/// True for the key types a JSON object's (string) key is read as a number for.
bool isArithmeticType(std::string_view Type) {
  std::string T = normalizeType(Type);
  return findIntType(T) || isFloatType(T) || T == "bool";
}

/// A map from a JSON object (the shape the prompt shows it in: {"key": value}) or from a list
/// of [key, value] pairs.
std::optional<std::string> toMap(const nlohmann::json &V, std::string_view RawType,
                                 const std::vector<std::string> &Args, std::string_view OldValue,
                                 std::string &Error) {
  const nlohmann::json *Given = &V;
  std::optional<nlohmann::json> Re;
  if (V.is_string()) {
    std::string_view S = trim(V.get_ref<const std::string &>());
    Re = reparseList(S);
    if (Re)
      Given = &*Re;
    else if (!S.empty() && S.front() == '{' && S.back() == '}')
      return bracedText(S, RawType, Error);
  }
  const std::string &KeyType = Args[0], &MappedType = Args[1];
  std::vector<std::string> Old = recordedParts(OldValue);
  std::pair<std::string, std::string> OldEntry = recordedEntry(partFor(Old, 0));
  const std::string &OldKey = OldEntry.first, &OldMapped = OldEntry.second;
  std::string Out = "{";
  size_t I = 0;
  auto Entry = [&](const nlohmann::json &Key, const nlohmann::json &Mapped) -> bool {
    std::string KeyError, MappedError;
    std::optional<std::string> K = convert(Key, KeyType, OldKey, true, KeyError);
    if (!K) {
      Error = fmt::format("the key {} of the {}: {}", describe(Key), RawType, KeyError);
      return false;
    }
    std::optional<std::string> M = convert(Mapped, MappedType, OldMapped, true, MappedError);
    if (!M) {
      Error = fmt::format("the value of key {} of the {}: {}", describe(Key), RawType, MappedError);
      return false;
    }
    Out += (I++ ? ", {" : "{") + *K + ", " + *M + "}";
    return true;
  };
  if (Given->is_object()) {
    for (const auto &[Key, Mapped] : Given->items()) {
      // JSON keys are strings; a number key comes back as the number it spells.
      nlohmann::json K = Key;
      if (isArithmeticType(KeyType))
        if (std::optional<nlohmann::json> J = reparse(K); J && (J->is_number() || J->is_boolean()))
          K = *J;
      if (!Entry(K, Mapped))
        return std::nullopt;
    }
    return Out + "}";
  }
  if (Given->is_array()) {
    for (const nlohmann::json &E : *Given) {
      if (!E.is_array() || E.size() != 2) {
        Error = fmt::format("expected [key, value] pairs for type '{}', got {}", RawType, describe(E));
        return std::nullopt;
      }
      if (!Entry(E[0], E[1]))
        return std::nullopt;
    }
    return Out + "}";
  }
  Error = fmt::format("expected an object {{\"key\": value, ...}} for type '{}', got {}", RawType, describe(V));
  return std::nullopt;
}

std::optional<std::string> convert(const nlohmann::json &V, std::string_view RawType, std::string_view OldValue,
                                   bool Nested, std::string &Error) {
  std::string Type = normalizeType(RawType);
  if (std::optional<std::string> Inner = optionalArg(Type)) {
    if (V.is_null() || (V.is_string() && trim(V.get_ref<const std::string &>()) == "nullopt"))
      return std::string("std::nullopt");
    std::string_view Old = trim(OldValue);
    return convert(V, *Inner, Old == "nullopt" ? "" : Old, Nested, Error);
  }
  if (V.is_null()) {
    Error = fmt::format("null is not a value of type '{}'", RawType);
    return std::nullopt;
  }
  if (Type == "bool")
    return toBool(V, Error);
  if (isFloatType(Type))
    return toFloat(V, Type, Error);
  if (Type == "char") {
    if (V.is_string() && V.get_ref<const std::string &>().size() == 1)
      return charLiteral(static_cast<unsigned char>(V.get_ref<const std::string &>()[0]));
    if (V.is_number_integer() || V.is_number_unsigned()) {
      static const IntType Char{"char", true, 8};
      return toInt(V, Char, Type, Error);
    }
    Error = fmt::format("expected one character for type 'char', got {}", describe(V));
    return std::nullopt;
  }
  if (const IntType *IT = findIntType(Type)) {
    if (auto J = reparse(V); J && (J->is_number() || J->is_boolean()))
      return toInt(*J, *IT, Type, Error);
    return toInt(V, *IT, Type, Error);
  }
  if (isStringType(Type)) {
    if (V.is_string())
      return stringInitializer(V.get_ref<const std::string &>(), Type, RawType, Error);
    if (V.is_number() || V.is_boolean())
      return cppStringLiteral(V.dump());
    Error = fmt::format("expected a string for type '{}', got {}", RawType, describe(V));
    return std::nullopt;
  }
  if (std::optional<std::vector<std::string>> Args = pairOrTupleArgs(Type))
    return toTuple(V, RawType, *Args, OldValue, Error);
  if (std::optional<std::vector<std::string>> Args = mapArgs(Type))
    return toMap(V, RawType, *Args, OldValue, Error);
  std::string Elem = elementType(Type);
  if (!Elem.empty()) {
    const nlohmann::json *List = &V;
    std::optional<nlohmann::json> Re;
    if (V.is_string()) {
      std::string_view S = trim(V.get_ref<const std::string &>());
      // Already C++ braced text: keep it as written, if it is one list.
      if (!S.empty() && S.front() == '{' && S.back() == '}') {
        if (!isSingleInitializer(S, /*Braced=*/true)) {
          Error = fmt::format("'{}' is not one braced list for type '{}'", S, RawType);
          return std::nullopt;
        }
        return std::string(S);
      }
      Re = reparse(V);
      if (Re && Re->is_array())
        List = &*Re;
    }
    if (!List->is_array()) {
      Error = fmt::format("expected a list for type '{}', got {}", RawType, describe(V));
      return std::nullopt;
    }
    std::vector<std::string> Old = recordedParts(OldValue);
    std::string Out = "{";
    for (size_t I = 0; I < List->size(); ++I) {
      std::string ElemError;
      std::optional<std::string> E = convert((*List)[I], Elem, partFor(Old, I), true, ElemError);
      if (!E) {
        Error = fmt::format("element {} of the list: {}", I, ElemError);
        return std::nullopt;
      }
      if (I)
        Out += ", ";
      Out += *E;
    }
    Out += "}";
    return Out;
  }
  // An enum: the recorded value is "Type::Enumerator"; accept a bare enumerator too.
  std::string_view Old = trim(OldValue);
  bool LooksEnum = isIdentifierPath(Old) && Old.find("::") != std::string_view::npos &&
                   (startsWith(Old, Type + "::") || startsWith(Type, "enum "));
  if (LooksEnum) {
    if (!V.is_string()) {
      Error = fmt::format("expected an enumerator name of '{}', got {}", RawType, describe(V));
      return std::nullopt;
    }
    std::string_view S = trim(V.get_ref<const std::string &>());
    if (!isIdentifierPath(S)) {
      Error = fmt::format("'{}' is not an enumerator name of '{}'", S, RawType);
      return std::nullopt;
    }
    std::string_view Scope = Old.substr(0, Old.rfind("::"));
    if (S.find("::") == std::string_view::npos)
      return fmt::format("{}::{}", Scope, S);
    return std::string(S);
  }
  // A string inside a list (an element, a member of a struct) is that string: taken as C++
  // text, "q" would name whatever variable q is in scope.
  if (Nested && V.is_string())
    return stringInitializer(V.get_ref<const std::string &>(), "std::string", RawType, Error);
  // Anything else is taken as C++ expression text; the compile check judges it.
  if (V.is_string()) {
    std::string_view S = trim(V.get_ref<const std::string &>());
    if (S.empty()) {
      Error = fmt::format("an empty value for type '{}'", RawType);
      return std::nullopt;
    }
    if (!isSingleInitializer(S, /*Braced=*/false)) {
      Error = fmt::format("'{}' is not a single C++ expression for type '{}' (unbalanced brackets, a ';' or a "
                          "comment)",
                          S, RawType);
      return std::nullopt;
    }
    return std::string(S);
  }
  if (V.is_number() || V.is_boolean())
    return V.dump();
  if (V.is_array()) {
    // A struct or another aggregate: its members in order. Their types are not known here, so
    // each element is what JSON says it is; the recorded value may still tell an enumerator.
    std::vector<std::string> Old = recordedParts(OldValue);
    std::string Out = "{";
    for (size_t I = 0; I < V.size(); ++I) {
      std::string ElemError;
      std::optional<std::string> E = convert(V[I], "", I < Old.size() ? Old[I] : "", true, ElemError);
      if (!E) {
        Error = fmt::format("element {} of the list: {}", I, ElemError);
        return std::nullopt;
      }
      Out += (I ? ", " : "") + *E;
    }
    return Out + "}";
  }
  if (V.is_object())
    Error = fmt::format("a JSON object is no value of type '{}': give its members as a list in declaration "
                        "order, or its C++ initializer as a string",
                        RawType.empty() ? "unknown" : RawType);
  else
    Error = fmt::format("cannot turn {} into a value of type '{}'", describe(V), RawType);
  return std::nullopt;
}

} // namespace

std::optional<std::string> toCppInitializer(const nlohmann::json &V, std::string_view RawType,
                                            std::string_view OldValue, std::string &Error) {
  return convert(V, RawType, OldValue, /*Nested=*/false, Error);
}

/// Whether P's recorded range is the inside of braces (`v = {1, 2}` records `1, 2`), read from
/// the bytes around it in its file: a '{' before it and a '}' after it, with only whitespace
/// between. `T v{1, 2}` records the braces themselves. nullopt when the file cannot be read or
/// the range is not in it.
static std::optional<bool> recordedInsideBraces(const Param &P) {
  if (P.File.empty())
    return std::nullopt;
  std::ifstream In(P.File, std::ios::binary);
  if (!In)
    return std::nullopt;
  std::ostringstream S;
  S << In.rdbuf();
  std::string Content = S.str();
  if (P.Begin > P.End || P.End > Content.size())
    return std::nullopt;
  size_t B = P.Begin, E = P.End;
  while (B > 0 && std::isspace(static_cast<unsigned char>(Content[B - 1])))
    --B;
  while (E < Content.size() && std::isspace(static_cast<unsigned char>(Content[E])))
    ++E;
  return B > 0 && Content[B - 1] == '{' && E < Content.size() && Content[E] == '}';
}

std::optional<std::string> toParamText(const nlohmann::json &V, const Param &P, std::string &Error) {
  if (P.Kind == "code") {
    if (!V.is_string()) {
      Error = fmt::format("the new code of '{}' must be a string holding the complete definition", P.Name);
      return std::nullopt;
    }
    std::string_view S = trim(V.get_ref<const std::string &>());
    // Models like to wrap code in a Markdown fence even inside JSON.
    if (startsWith(S, "```")) {
      size_t Nl = S.find('\n');
      size_t Close = S.rfind("```");
      if (Nl != std::string_view::npos && Close > Nl)
        S = trim(S.substr(Nl + 1, Close - Nl - 1));
    }
    if (S.empty()) {
      Error = fmt::format("the new code of '{}' is empty", P.Name);
      return std::nullopt;
    }
    return std::string(S);
  }
  // An enum variable's recorded value may be "Mode(0)" when the runtime had
  // no enumerator names; its source text ("Mode::Slow") still tells the enum.
  std::string_view Old = P.Value;
  std::string_view Text = trim(P.Text);
  if (isIdentifierPath(Text) && Text.find("::") != std::string_view::npos && !isIdentifierPath(trim(Old)))
    Old = Text;
  std::optional<std::string> R = toCppInitializer(V, P.Type, Old, Error);
  if (!R) {
    Error = fmt::format("'{}': {}", P.Name, Error);
    return R;
  }
  // A copy-list-initialised variable (`v = {1, 2}`) records only the text
  // inside its braces; the new text must fit there too.
  std::optional<bool> InBraces = recordedInsideBraces(P);
  if (!InBraces) {
    // The file cannot tell: guess from the recorded text of a type that takes a list.
    std::string Type = normalizeType(P.Type);
    Old = trim(P.Text);
    InBraces = !Old.empty() && Old.front() != '{' &&
               (!elementType(Type).empty() || pairOrTupleArgs(Type) || mapArgs(Type)) &&
               (std::isdigit(static_cast<unsigned char>(Old.front())) || Old.front() == '-' || Old.front() == '"' ||
                Old.front() == '\'' || Old.front() == '.');
  }
  if (*InBraces && R->size() >= 2 && R->front() == '{' && isSingleInitializer(*R, /*Braced=*/true))
    return R->substr(1, R->size() - 2);
  return R;
}

} // namespace traceopt
