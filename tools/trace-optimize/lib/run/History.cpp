//===- History.cpp - what an optimization evaluated and did, for reports --===//
#include "run/History.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sys/stat.h>

namespace traceopt {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

uint64_t HistoryStep::tokens() const {
  uint64_t N = 0;
  for (const HistoryAttempt &A : Attempts)
    N += A.PromptTokens + A.CompletionTokens;
  return N;
}

const HistoryCandidate *History::findCandidate(const std::string &Id) const {
  for (const HistoryCandidate &C : Candidates)
    if (C.Id == Id)
      return &C;
  return nullptr;
}

const HistoryRun *History::findRun(const std::string &Id) const {
  for (const HistoryRun &R : Runs)
    if (R.Id == Id)
      return &R;
  return nullptr;
}

std::string historyPath(const std::string &WorkDir) { return WorkDir + "/history.jsonl"; }

static ojson idOrNull(const std::string &Id) { return Id.empty() ? ojson(nullptr) : ojson(Id); }

static ojson numberOrNull(const std::optional<double> &V) { return V ? ojson(*V) : ojson(nullptr); }

HistoryWriter::HistoryWriter(const std::string &WorkDir, HistoryRun Run) : Path(historyPath(WorkDir)) {
  // Runs are numbered in the file; a line that is not a run record (or is damaged) does not
  // count, so a damaged file never stops the loop.
  unsigned Runs = 0;
  std::ifstream In(Path, std::ios::binary);
  for (std::string Line; std::getline(In, Line);)
    if (Line.rfind(R"({"k":"run",)", 0) == 0)
      ++Runs;
  RunId = std::to_string(Runs + 1);
  std::time_t Now = std::time(nullptr);
  std::tm Tm{};
  gmtime_r(&Now, &Tm);
  char Time[32];
  std::strftime(Time, sizeof(Time), "%Y-%m-%dT%H:%M:%SZ", &Tm);
  ojson J = {{"k", "run"},
             {"run", RunId},
             {"time", Time},
             {"llm", Run.Llm},
             {"build", Run.BuildCmd},
             {"command", Run.RunCmd},
             {"iterations", Run.Iterations},
             {"target", numberOrNull(Run.Target)}};
  append(J.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

std::string HistoryWriter::candidateId(unsigned Iter) const { return fmt::format("{}.{}", RunId, Iter); }

void HistoryWriter::candidate(const HistoryCandidate &C) {
  ojson Params = ojson::array();
  for (const auto &[Id, Text] : C.Params)
    Params.push_back({{"id", Id}, {"text", Text}});
  ojson J = {{"k", "candidate"},
             {"run", RunId},
             {"id", C.Id},
             {"parent", idOrNull(C.Parent)},
             {"iteration", C.Iteration},
             {"score", numberOrNull(C.Score)},
             {"success", C.Success},
             {"trace", C.Trace},
             {"params", std::move(Params)}};
  append(J.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

void HistoryWriter::step(const HistoryStep &S) {
  ojson Attempts = ojson::array();
  for (const HistoryAttempt &A : S.Attempts) {
    ojson JA = {{"outcome", A.Outcome},
                {"prompt_tokens", A.PromptTokens},
                {"completion_tokens", A.CompletionTokens},
                {"seconds", A.Seconds},
                {"request", A.Request},
                {"reply", A.Reply}};
    if (!A.Problem.empty())
      JA["problem"] = A.Problem;
    if (A.Cost)
      JA["cost"] = *A.Cost;
    Attempts.push_back(std::move(JA));
  }
  ojson J = {{"k", "step"},
             {"run", RunId},
             {"iteration", S.Iteration},
             {"parent", idOrNull(S.Parent)},
             {"child", idOrNull(S.Child)},
             {"status", S.Status},
             {"backup_step", S.BackupStep ? ojson(*S.BackupStep) : ojson(nullptr)},
             {"tokens", S.tokens()}};
  if (!S.Error.empty())
    J["error"] = S.Error;
  J["diff"] = S.Diff;
  J["system"] = S.System;
  J["user"] = S.User;
  J["attempts"] = std::move(Attempts);
  append(J.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

void HistoryWriter::end(const HistoryRun &Run) {
  ojson J = {{"k", "end"},
             {"run", RunId},
             {"reason", Run.StopReason},
             {"final", idOrNull(Run.Final)},
             {"restored", Run.Restored},
             {"rolled_back", Run.RolledBack}};
  append(J.dump(-1, ' ', false, ojson::error_handler_t::replace));
}

void HistoryWriter::append(const std::string &Line) {
  // One line per record, appended and flushed at once: a loop killed midway leaves every
  // record written before it whole.
  std::ofstream Out(Path, std::ios::app | std::ios::binary);
  Out << Line << '\n';
  Out.flush();
  if (!Out && Error.empty())
    Error = fmt::format("{}: cannot append to the run's history: {}", Path, std::strerror(errno));
}

namespace {

/// Reads the fields of one record, naming the file, line and field in errors.
class RecordReader {
public:
  RecordReader(const json &J, std::string Where) : J(J), Where(std::move(Where)) {}

  /// An id: a string or an integer (a database's row id); absent or null is empty.
  bool id(const char *Key, std::string &Out) {
    auto It = J.find(Key);
    if (It == J.end() || It->is_null())
      return true;
    if (It->is_string())
      Out = It->get<std::string>();
    else if (It->is_number_integer() || It->is_number_unsigned())
      Out = It->dump();
    else
      return bad(Key, "a string or an integer");
    return true;
  }
  bool text(const char *Key, std::string &Out) {
    auto It = J.find(Key);
    if (It == J.end() || It->is_null())
      return true;
    if (!It->is_string())
      return bad(Key, "a string");
    Out = It->get<std::string>();
    return true;
  }
  bool number(const char *Key, std::optional<double> &Out) {
    auto It = J.find(Key);
    if (It == J.end() || It->is_null())
      return true;
    if (!It->is_number())
      return bad(Key, "a number or null");
    Out = It->get<double>();
    return true;
  }
  template <class T> bool count(const char *Key, T &Out) {
    auto It = J.find(Key);
    if (It == J.end() || It->is_null())
      return true;
    if (!It->is_number_unsigned() && !(It->is_number_integer() && It->get<int64_t>() >= 0))
      return bad(Key, "a non-negative integer");
    Out = It->get<T>();
    return true;
  }
  bool flag(const char *Key, bool &Out) {
    auto It = J.find(Key);
    if (It == J.end() || It->is_null())
      return true;
    if (!It->is_boolean())
      return bad(Key, "true or false");
    Out = It->get<bool>();
    return true;
  }
  bool required(const char *Key, std::string &Out) {
    if (!id(Key, Out))
      return false;
    if (!Out.empty())
      return true;
    Problem = fmt::format("{}: a {} record without \"{}\"", Where, J.value("k", ""), Key);
    return false;
  }
  bool bad(const char *Key, const char *Expected) {
    Problem = fmt::format("{}: field \"{}\" of a {} record is not {}", Where, Key, J.value("k", ""), Expected);
    return false;
  }

  const json &J;
  std::string Where, Problem;
};

bool readCandidate(RecordReader &R, HistoryCandidate &C) {
  if (!R.required("id", C.Id) || !R.id("parent", C.Parent) || !R.id("run", C.Run) ||
      !R.count("iteration", C.Iteration) || !R.number("score", C.Score) || !R.flag("success", C.Success) ||
      !R.text("trace", C.Trace))
    return false;
  auto Params = R.J.find("params");
  if (Params == R.J.end() || Params->is_null())
    return true;
  if (!Params->is_array())
    return R.bad("params", "a list of {\"id\", \"text\"} objects");
  for (const json &P : *Params) {
    if (!P.is_object() || !P.contains("id") || !P["id"].is_string() || !P.contains("text") || !P["text"].is_string())
      return R.bad("params", "a list of {\"id\", \"text\"} objects");
    C.Params.push_back({P["id"].get<std::string>(), P["text"].get<std::string>()});
  }
  return true;
}

bool readStep(RecordReader &R, HistoryStep &S) {
  if (!R.required("parent", S.Parent) || !R.id("child", S.Child) || !R.id("run", S.Run) ||
      !R.count("iteration", S.Iteration) || !R.text("status", S.Status) || !R.text("system", S.System) ||
      !R.text("user", S.User) || !R.text("diff", S.Diff) || !R.text("error", S.Error) || !R.number("cost", S.Cost))
    return false;
  unsigned Backup = 0;
  if (R.J.contains("backup_step") && !R.J["backup_step"].is_null()) {
    if (!R.count("backup_step", Backup))
      return false;
    S.BackupStep = Backup;
  }
  auto Attempts = R.J.find("attempts");
  if (Attempts == R.J.end() || Attempts->is_null())
    return true;
  if (!Attempts->is_array())
    return R.bad("attempts", "a list");
  for (const json &JA : *Attempts) {
    if (!JA.is_object())
      return R.bad("attempts", "a list of objects");
    RecordReader A(JA, R.Where);
    HistoryAttempt &H = S.Attempts.emplace_back();
    if (!A.text("request", H.Request) || !A.text("reply", H.Reply) || !A.text("outcome", H.Outcome) ||
        !A.text("problem", H.Problem) || !A.count("prompt_tokens", H.PromptTokens) ||
        !A.count("completion_tokens", H.CompletionTokens) || !A.number("cost", H.Cost)) {
      R.Problem = A.Problem;
      return false;
    }
    std::optional<double> Seconds;
    if (!A.number("seconds", Seconds)) {
      R.Problem = A.Problem;
      return false;
    }
    H.Seconds = Seconds.value_or(0);
  }
  return true;
}

bool readRun(RecordReader &R, HistoryRun &Run) {
  return R.required("run", Run.Id) && R.text("time", Run.Time) && R.text("llm", Run.Llm) &&
         R.text("build", Run.BuildCmd) && R.text("command", Run.RunCmd) && R.count("iterations", Run.Iterations) &&
         R.number("target", Run.Target);
}

bool readEnd(RecordReader &R, History &H) {
  std::string Id;
  if (!R.required("run", Id))
    return false;
  HistoryRun *Run = nullptr;
  for (HistoryRun &K : H.Runs)
    if (K.Id == Id)
      Run = &K;
  if (!Run) {
    R.Problem = fmt::format("{}: an end record of run {}, which has no run record before it", R.Where, Id);
    return false;
  }
  Run->Ended = true;
  if (!R.text("reason", Run->StopReason) || !R.id("final", Run->Final) || !R.flag("restored", Run->Restored))
    return false;
  auto Back = R.J.find("rolled_back");
  if (Back == R.J.end() || Back->is_null())
    return true;
  if (!Back->is_array())
    return R.bad("rolled_back", "a list of candidate ids");
  for (const json &B : *Back) {
    if (!B.is_string() && !B.is_number_integer())
      return R.bad("rolled_back", "a list of candidate ids");
    Run->RolledBack.push_back(B.is_string() ? B.get<std::string>() : B.dump());
  }
  return true;
}

} // namespace

std::optional<History> readHistory(const std::string &WorkDir, std::string &Error) {
  struct stat St;
  if (::stat(WorkDir.c_str(), &St) != 0) {
    Error = fmt::format("{}: cannot read the work directory: {}", WorkDir, std::strerror(errno));
    return std::nullopt;
  }
  if (!S_ISDIR(St.st_mode)) {
    Error = fmt::format("{}: not a directory (give the work directory of 'trace-optimize run', e.g. "
                        ".trace-optimize)",
                        WorkDir);
    return std::nullopt;
  }
  History H;
  H.Path = historyPath(WorkDir);
  std::ifstream In(H.Path, std::ios::binary);
  if (!In) {
    int Errno = errno;
    Error = Errno == ENOENT
                ? fmt::format("{}: no such file: the work directory holds no run history ('trace-optimize run' "
                              "writes it)",
                              H.Path)
                : fmt::format("{}: cannot open the run history: {}", H.Path, std::strerror(Errno));
    return std::nullopt;
  }
  unsigned LineNo = 0;
  for (std::string Line; std::getline(In, Line);) {
    ++LineNo;
    if (Line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    std::string Where = fmt::format("{}:{}", H.Path, LineNo);
    json J = json::parse(Line, nullptr, /*allow_exceptions=*/false);
    if (J.is_discarded() || !J.is_object() || !J.contains("k") || !J["k"].is_string()) {
      Error = Where + ": not a history record (a JSON object with a string field \"k\")";
      return std::nullopt;
    }
    RecordReader R(J, Where);
    std::string Kind = J["k"].get<std::string>();
    bool Ok = true;
    if (Kind == "run")
      Ok = readRun(R, H.Runs.emplace_back());
    else if (Kind == "candidate")
      Ok = readCandidate(R, H.Candidates.emplace_back());
    else if (Kind == "step")
      Ok = readStep(R, H.Steps.emplace_back());
    else if (Kind == "end")
      Ok = readEnd(R, H);
    // Other kinds are from a newer writer; what this reader knows is still shown.
    if (!Ok) {
      Error = R.Problem;
      return std::nullopt;
    }
  }
  if (In.bad()) {
    Error = fmt::format("{}: read error: {}", H.Path, std::strerror(errno));
    return std::nullopt;
  }
  return H;
}

} // namespace traceopt
