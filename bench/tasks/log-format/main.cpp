// Text workflow: log lines come from a trainable format string and must have
// the shape a log collector parses. Each line is checked part by part; the
// score is the share of checks that pass.
#include <trace/trace.hpp>

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

/// The format of a log line. Placeholders: {level} (e.g. warn), {LEVEL} (e.g.
/// WARN), {time} (HH:MM:SS), {module} and {msg}.
[[trace::trainable]] std::string LogFormat = "{msg}";

static std::string fill(std::string Text, const std::string &Key,
                        const std::string &Value) {
  for (size_t At = Text.find(Key); At != std::string::npos;
       At = Text.find(Key, At + Value.size()))
    Text.replace(At, Key.size(), Value);
  return Text;
}

/// Formats one log line.
[[trace::bundle]] std::string format_line(const std::string &level,
                                          const std::string &time,
                                          const std::string &module,
                                          const std::string &msg) {
  std::string Upper = level;
  for (char &C : Upper)
    C = char(std::toupper((unsigned char)C));
  std::string Line = fill(LogFormat, "{LEVEL}", Upper);
  Line = fill(Line, "{level}", level);
  Line = fill(Line, "{time}", time);
  Line = fill(Line, "{module}", module);
  return fill(Line, "{msg}", msg);
}

int main() {
  struct Event {
    std::string Level, Time, Module, Msg;
  };
  const std::vector<Event> Events = {
      {"info", "08:00:01", "net", "listening on port 8080"},
      {"warn", "08:15:42", "disk", "90% full"},
      {"error", "09:03:07", "db", "connection lost"},
  };
  int Passed = 0, Total = 0;
  for (const Event &E : Events) {
    std::string Got = format_line(E.Level, E.Time, E.Module, E.Msg);
    std::string Upper = E.Level;
    for (char &C : Upper)
      C = char(std::toupper((unsigned char)C));
    std::string Tail = E.Module + ": " + E.Msg;
    std::vector<std::string> Problems;
    auto Check = [&](bool Ok, const std::string &Problem) {
      ++Total;
      Passed += Ok;
      if (!Ok)
        Problems.push_back(Problem);
    };
    Check(Got.rfind(Upper + " ", 0) == 0,
          "it does not start with the level in capitals and a space (\"" +
              Upper + " \")");
    Check(Got.find("[" + E.Time + "]") != std::string::npos,
          "it does not hold the time in brackets ([" + E.Time + "])");
    Check(Got.size() >= Tail.size() &&
              Got.compare(Got.size() - Tail.size(), Tail.size(), Tail) == 0,
          "it does not end with \"<module>: <message>\" (\"" + Tail + "\")");
    Check(Got.find("  ") == std::string::npos, "it has two spaces in a row");
    Check(Got.find_first_of("{}") == std::string::npos,
          "it still holds a placeholder or a brace");
    std::string Text = "\"" + Got + "\": ";
    for (size_t I = 0; I < Problems.size(); ++I)
      Text += (I ? "; " : "") + Problems[I];
    trace::feedback(Got, Problems.empty() ? "correct" : "wrong: " + Text);
  }
  std::printf("%d of %d checks pass\n", Passed, Total);
  trace::feedback(std::to_string(Passed) + " of " + std::to_string(Total) +
                      " checks pass",
                  double(Passed) / Total);
  if (Passed == Total)
    trace::success("every line has the collector's shape");
  return Passed == Total ? 0 : 1;
}
