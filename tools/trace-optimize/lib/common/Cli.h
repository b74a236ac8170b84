//===- Cli.h - command-line parsing for trace-optimize subcommands -------===//
#ifndef TRACEOPT_CLI_H
#define TRACEOPT_CLI_H

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace traceopt {

/// A small getopt_long-like parser: "--name value", "--name=value", "-x value", flags, and
/// repeatable options. Errors name the option and point at --help.
class ArgParser {
public:
  ArgParser(std::string Command, std::string Usage, std::string Description)
      : Command(std::move(Command)), Usage(std::move(Usage)), Description(std::move(Description)) {}

  void flag(const std::string &Name, const std::string &Help, const std::string &Short = "");
  void option(const std::string &Name, const std::string &Meta, const std::string &Help, bool Repeatable = false,
              const std::string &Short = "");
  /// Free text appended to --help (examples, environment).
  void epilog(const std::string &Text) { Epilog = Text; }

  /// Parses Args; false with Error set on bad input. "--help"/"-h" sets helpRequested().
  bool parse(const std::vector<std::string> &Args, std::string &Error);

  bool helpRequested() const { return Help; }
  bool has(const std::string &Name) const { return Values.count(Name) != 0; }
  std::string get(const std::string &Name, const std::string &Default = "") const;
  std::vector<std::string> all(const std::string &Name) const;
  const std::vector<std::string> &positional() const { return Positional; }

  /// Typed accessors; false with Error naming the option when the value is not a number in range.
  bool getDouble(const std::string &Name, double &Out, std::string &Error, double Min, double Max) const;
  bool getUnsigned(const std::string &Name, unsigned long long &Out, std::string &Error) const;

  std::string help() const;
  const std::string &command() const { return Command; }

private:
  struct Spec {
    std::string Name, Short, Meta, Help;
    bool TakesValue = false, Repeatable = false;
  };
  const Spec *find(const std::string &Name) const;

  std::string Command, Usage, Description, Epilog;
  std::vector<Spec> Specs;
  std::map<std::string, std::vector<std::string>> Values;
  std::vector<std::string> Positional;
  bool Help = false;
};

} // namespace traceopt

#endif
