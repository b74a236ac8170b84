//===- Memory.cpp - Earlier steps kept for the prompt (--memory) ----------===//
#include "run/Loop.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <string>
#include <unistd.h>

namespace traceopt {

std::string memoryPath(const std::string &WorkDir) { return WorkDir + "/memory.jsonl"; }

std::optional<Memory> loadMemory(const std::string &WorkDir, std::string &Error) {
  Memory M;
  std::string Path = memoryPath(WorkDir), Text;
  if (::access(Path.c_str(), F_OK) != 0)
    return M;
  if (!readFile(Path, Text, Error))
    return std::nullopt;
  size_t Pos = 0;
  for (unsigned LineNo = 1; Pos < Text.size(); ++LineNo) {
    size_t Nl = Text.find('\n', Pos);
    std::string Line = Text.substr(Pos, Nl == std::string::npos ? std::string::npos : Nl - Pos);
    Pos = Nl == std::string::npos ? Text.size() : Nl + 1;
    if (Line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    nlohmann::json J = nlohmann::json::parse(Line, nullptr, false);
    if (J.is_discarded() || !J.is_object() || !J.contains("variables") || !J["variables"].is_string() ||
        !J.contains("feedback") || !J["feedback"].is_string()) {
      Error = fmt::format("{}:{}: not a memory entry (a JSON object with string fields \"variables\" and "
                          "\"feedback\"); remove the line or the file",
                          Path, LineNo);
      return std::nullopt;
    }
    M.Entries.push_back({J["variables"].get<std::string>(), J["feedback"].get<std::string>()});
  }
  return M;
}

bool appendMemory(const std::string &WorkDir, unsigned Step, const std::string &Variables,
                  const std::string &Feedback, std::string &Error) {
  std::string Path = memoryPath(WorkDir), Text;
  if (::access(Path.c_str(), F_OK) == 0 && !readFile(Path, Text, Error))
    return false;
  if (!Text.empty() && Text.back() != '\n')
    Text += '\n';
  nlohmann::json J = {{"step", Step}, {"variables", Variables}, {"feedback", Feedback}};
  Text += J.dump() + "\n";
  // Rewritten whole and atomically: a crash leaves the old memory, never half a line.
  return makeDirs(WorkDir, Error) && writeFileAtomic(Path, Text, Error, 0644);
}

} // namespace traceopt
