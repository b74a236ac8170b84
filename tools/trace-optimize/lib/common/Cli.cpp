//===- Cli.cpp - command-line parsing for trace-optimize subcommands -----===//
#include "common/Cli.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace traceopt {

void ArgParser::flag(const std::string &Name, const std::string &HelpText, const std::string &Short) {
  Specs.push_back({Name, Short, "", HelpText, false, false});
}

void ArgParser::option(const std::string &Name, const std::string &Meta, const std::string &HelpText, bool Repeatable,
                       const std::string &Short) {
  Specs.push_back({Name, Short, Meta, HelpText, true, Repeatable});
}

const ArgParser::Spec *ArgParser::find(const std::string &Name) const {
  for (const Spec &S : Specs)
    if (S.Name == Name || (!S.Short.empty() && S.Short == Name))
      return &S;
  return nullptr;
}

bool ArgParser::parse(const std::vector<std::string> &Args, std::string &Error) {
  std::string HelpHint = fmt::format(" (see '{} --help')", Command);
  for (size_t I = 0; I < Args.size(); ++I) {
    const std::string &A = Args[I];
    if (A == "--help" || A == "-h") {
      Help = true;
      continue;
    }
    if (A == "--") {
      Positional.insert(Positional.end(), Args.begin() + I + 1, Args.end());
      break;
    }
    if (A.size() < 2 || A[0] != '-') {
      Positional.push_back(A);
      continue;
    }
    std::string Name = A, Value;
    bool HasValue = false;
    if (A.rfind("--", 0) == 0) {
      if (size_t Eq = A.find('='); Eq != std::string::npos) {
        Name = A.substr(0, Eq);
        Value = A.substr(Eq + 1);
        HasValue = true;
      }
    }
    const Spec *S = find(Name);
    if (!S) {
      Error = fmt::format("{}: unknown option '{}'{}", Command, Name, HelpHint);
      return false;
    }
    if (!S->TakesValue) {
      if (HasValue) {
        Error = fmt::format("{}: option '{}' takes no value{}", Command, S->Name, HelpHint);
        return false;
      }
      Values[S->Name].push_back("1");
      continue;
    }
    if (!HasValue) {
      if (I + 1 >= Args.size()) {
        Error = fmt::format("{}: option '{}' needs a value ({}){}", Command, S->Name, S->Meta, HelpHint);
        return false;
      }
      Value = Args[++I];
    }
    if (!S->Repeatable && Values.count(S->Name)) {
      Error = fmt::format("{}: option '{}' given twice{}", Command, S->Name, HelpHint);
      return false;
    }
    Values[S->Name].push_back(Value);
  }
  return true;
}

std::string ArgParser::get(const std::string &Name, const std::string &Default) const {
  auto It = Values.find(Name);
  return It == Values.end() || It->second.empty() ? Default : It->second.back();
}

std::vector<std::string> ArgParser::all(const std::string &Name) const {
  auto It = Values.find(Name);
  return It == Values.end() ? std::vector<std::string>{} : It->second;
}

bool ArgParser::getDouble(const std::string &Name, double &Out, std::string &Error, double Min, double Max) const {
  if (!has(Name))
    return true;
  std::string V = get(Name);
  char *End = nullptr;
  errno = 0;
  double D = std::strtod(V.c_str(), &End);
  if (V.empty() || *End || errno || !std::isfinite(D) || D < Min || D > Max) {
    Error = fmt::format("{}: {} expects a number between {} and {}, got '{}'", Command, Name, Min, Max, V);
    return false;
  }
  Out = D;
  return true;
}

bool ArgParser::getUnsigned(const std::string &Name, unsigned long long &Out, std::string &Error) const {
  if (!has(Name))
    return true;
  std::string V = get(Name);
  char *End = nullptr;
  errno = 0;
  unsigned long long N = std::strtoull(V.c_str(), &End, 10);
  if (V.empty() || V[0] == '-' || *End || errno) {
    Error = fmt::format("{}: {} expects a non-negative integer, got '{}'", Command, Name, V);
    return false;
  }
  Out = N;
  return true;
}

std::string ArgParser::help() const {
  std::string Out = fmt::format("usage: {}\n\n{}\n\noptions:\n", Usage, Description);
  for (const Spec &S : Specs) {
    std::string Left = S.Short.empty() ? "  " + S.Name : "  " + S.Short + ", " + S.Name;
    if (S.TakesValue)
      Left += " " + S.Meta;
    if (Left.size() < 28)
      Out += fmt::format("{:<28}{}\n", Left, S.Help);
    else
      Out += fmt::format("{}\n{:<28}{}\n", Left, "", S.Help);
  }
  Out += fmt::format("{:<28}{}\n", "  -h, --help", "show this help");
  if (!Epilog.empty())
    Out += "\n" + Epilog;
  return Out;
}

} // namespace traceopt
