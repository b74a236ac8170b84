//===- search/RunDb.cpp - The run database of a search --------------------===//
#include "search/RunDb.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace traceopt::search {

namespace {

/// A prepared statement, finalised on every path.
class Stmt {
public:
  Stmt(sqlite3 *Db, const char *Sql) { sqlite3_prepare_v2(Db, Sql, -1, &S, nullptr); }
  ~Stmt() { sqlite3_finalize(S); }
  explicit operator bool() const { return S != nullptr; }
  void text(int I, const std::string &V) { sqlite3_bind_text(S, I, V.data(), int(V.size()), SQLITE_TRANSIENT); }
  void integer(int I, long long V) { sqlite3_bind_int64(S, I, V); }
  void real(int I, double V) { sqlite3_bind_double(S, I, V); }
  void null(int I) { sqlite3_bind_null(S, I); }
  int step() { return sqlite3_step(S); }
  std::string columnText(int I) {
    const unsigned char *T = sqlite3_column_text(S, I);
    return T ? std::string(reinterpret_cast<const char *>(T), size_t(sqlite3_column_bytes(S, I))) : "";
  }
  long long columnInt(int I) { return sqlite3_column_int64(S, I); }
  double columnReal(int I) { return sqlite3_column_double(S, I); }
  bool isNull(int I) { return sqlite3_column_type(S, I) == SQLITE_NULL; }

private:
  sqlite3_stmt *S = nullptr;
};

const char *const Schema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
  id INTEGER PRIMARY KEY, parent INTEGER, generation INTEGER NOT NULL, island INTEGER NOT NULL,
  status TEXT NOT NULL, same_as INTEGER, key TEXT NOT NULL, texts TEXT NOT NULL, diff TEXT NOT NULL,
  score REAL, success INTEGER NOT NULL, exit_status INTEGER NOT NULL, trace_path TEXT NOT NULL,
  note TEXT NOT NULL, tokens INTEGER NOT NULL, cost REAL NOT NULL, llm_seconds REAL NOT NULL,
  build_seconds REAL NOT NULL, run_seconds REAL NOT NULL);
CREATE TABLE IF NOT EXISTS replies (
  seq INTEGER NOT NULL, idx INTEGER NOT NULL, ok INTEGER NOT NULL, content TEXT NOT NULL,
  error TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  seconds REAL NOT NULL, PRIMARY KEY (seq, idx));
CREATE TABLE IF NOT EXISTS jobs (
  candidate INTEGER PRIMARY KEY, executor TEXT NOT NULL, job TEXT NOT NULL, state TEXT NOT NULL);
)sql";

} // namespace

std::unique_ptr<RunDb> RunDb::open(const std::string &Path, std::string &Error) {
  sqlite3 *Db = nullptr;
  if (sqlite3_open_v2(Path.c_str(), &Db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    Error = "cannot open the run database " + Path + ": " + (Db ? sqlite3_errmsg(Db) : "out of memory");
    sqlite3_close(Db);
    return nullptr;
  }
  std::unique_ptr<RunDb> R(new RunDb(Db, Path));
  // Every row is its own transaction; WAL keeps a SIGKILL from losing a committed one.
  sqlite3_busy_timeout(Db, 5000);
  if (!R->exec("PRAGMA journal_mode=WAL;", Error) || !R->exec(Schema, Error))
    return nullptr;
  return R;
}

RunDb::~RunDb() { sqlite3_close(Db); }

std::string RunDb::lastError() const { return Path + ": " + sqlite3_errmsg(Db); }

bool RunDb::exec(const char *Sql, std::string &Error) {
  char *Msg = nullptr;
  if (sqlite3_exec(Db, Sql, nullptr, nullptr, &Msg) == SQLITE_OK)
    return true;
  Error = Path + ": " + (Msg ? Msg : "error");
  sqlite3_free(Msg);
  return false;
}

bool RunDb::setMeta(const std::string &Key, const std::string &Value, std::string &Error) {
  Stmt S(Db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
  S.text(1, Key);
  S.text(2, Value);
  if (S && S.step() == SQLITE_DONE)
    return true;
  Error = lastError();
  return false;
}

std::optional<std::string> RunDb::meta(const std::string &Key) {
  Stmt S(Db, "SELECT value FROM meta WHERE key = ?1");
  S.text(1, Key);
  if (S && S.step() == SQLITE_ROW)
    return S.columnText(0);
  return std::nullopt;
}

bool RunDb::putCandidate(const Candidate &C, std::string &Error) {
  Stmt S(Db, "INSERT OR REPLACE INTO candidates VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
             "?14, ?15, ?16, ?17, ?18, ?19)");
  S.integer(1, C.Id);
  C.Parent ? S.integer(2, *C.Parent) : S.null(2);
  S.integer(3, C.Generation);
  S.integer(4, C.Island);
  S.text(5, statusName(C.Status));
  C.SameAs ? S.integer(6, *C.SameAs) : S.null(6);
  S.text(7, C.Key);
  S.text(8, nlohmann::json(C.Texts).dump());
  S.text(9, C.Diff);
  C.Score ? S.real(10, *C.Score) : S.null(10);
  S.integer(11, C.Success);
  S.integer(12, C.ExitStatus);
  S.text(13, C.TracePath);
  S.text(14, C.Note);
  S.integer(15, (long long)C.Tokens);
  S.real(16, C.Cost);
  S.real(17, C.LlmSeconds);
  S.real(18, C.BuildSeconds);
  S.real(19, C.RunSeconds);
  if (S && S.step() == SQLITE_DONE)
    return true;
  Error = lastError();
  return false;
}

std::map<unsigned, Candidate> RunDb::candidates(std::string &Error) {
  std::map<unsigned, Candidate> Out;
  Stmt S(Db, "SELECT id, parent, generation, island, status, same_as, key, texts, diff, score, success, "
             "exit_status, trace_path, note, tokens, cost, llm_seconds, build_seconds, run_seconds FROM candidates "
             "ORDER BY id");
  if (!S) {
    Error = lastError();
    return Out;
  }
  while (S.step() == SQLITE_ROW) {
    Candidate C;
    C.Id = unsigned(S.columnInt(0));
    if (!S.isNull(1))
      C.Parent = unsigned(S.columnInt(1));
    C.Generation = unsigned(S.columnInt(2));
    C.Island = unsigned(S.columnInt(3));
    C.Status = parseStatus(S.columnText(4)).value_or(CandidateStatus::Proposed);
    if (!S.isNull(5))
      C.SameAs = unsigned(S.columnInt(5));
    C.Key = S.columnText(6);
    nlohmann::json J = nlohmann::json::parse(S.columnText(7), nullptr, false);
    if (J.is_object())
      for (auto It = J.begin(); It != J.end(); ++It)
        if (It.value().is_string())
          C.Texts[It.key()] = It.value().get<std::string>();
    C.Diff = S.columnText(8);
    if (!S.isNull(9))
      C.Score = S.columnReal(9);
    C.Success = S.columnInt(10) != 0;
    C.ExitStatus = int(S.columnInt(11));
    C.TracePath = S.columnText(12);
    C.Note = S.columnText(13);
    C.Tokens = uint64_t(S.columnInt(14));
    C.Cost = S.columnReal(15);
    C.LlmSeconds = S.columnReal(16);
    C.BuildSeconds = S.columnReal(17);
    C.RunSeconds = S.columnReal(18);
    Out[C.Id] = std::move(C);
  }
  return Out;
}

bool RunDb::putJob(unsigned Candidate, const std::string &Executor, const std::string &Job, const std::string &State,
                   std::string &Error) {
  Stmt S(Db, "INSERT OR REPLACE INTO jobs (candidate, executor, job, state) VALUES (?1, ?2, ?3, ?4)");
  S.integer(1, Candidate);
  S.text(2, Executor);
  S.text(3, Job);
  S.text(4, State);
  if (S && S.step() == SQLITE_DONE)
    return true;
  Error = lastError();
  return false;
}

std::vector<std::pair<unsigned, std::string>> RunDb::jobsIn(const std::string &Executor, const std::string &State,
                                                            std::string &Error) {
  std::vector<std::pair<unsigned, std::string>> Out;
  Stmt S(Db, "SELECT candidate, job FROM jobs WHERE executor = ?1 AND state = ?2 ORDER BY candidate");
  S.text(1, Executor);
  S.text(2, State);
  if (!S) {
    Error = lastError();
    return Out;
  }
  while (S.step() == SQLITE_ROW)
    Out.emplace_back(unsigned(S.columnInt(0)), S.columnText(1));
  return Out;
}

bool RunDb::putReplies(unsigned Seq, const std::vector<LlmReply> &Replies, std::string &Error) {
  if (!exec("BEGIN", Error))
    return false;
  for (size_t I = 0; I < Replies.size(); ++I) {
    const LlmReply &R = Replies[I];
    Stmt S(Db, "INSERT OR REPLACE INTO replies VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    S.integer(1, Seq);
    S.integer(2, (long long)I);
    S.integer(3, R.Ok);
    S.text(4, R.Content);
    S.text(5, R.Error);
    S.integer(6, (long long)R.PromptTokens);
    S.integer(7, (long long)R.CompletionTokens);
    S.real(8, R.Seconds);
    if (!S || S.step() != SQLITE_DONE) {
      Error = lastError();
      std::string Ignored;
      exec("ROLLBACK", Ignored);
      return false;
    }
  }
  return exec("COMMIT", Error);
}

std::optional<std::vector<LlmReply>> RunDb::replies(unsigned Seq) {
  Stmt S(Db, "SELECT ok, content, error, prompt_tokens, completion_tokens, seconds FROM replies WHERE seq = ?1 "
             "ORDER BY idx");
  S.integer(1, Seq);
  std::vector<LlmReply> Out;
  while (S && S.step() == SQLITE_ROW) {
    LlmReply R;
    R.Ok = S.columnInt(0) != 0;
    R.Content = S.columnText(1);
    R.Error = S.columnText(2);
    R.PromptTokens = uint64_t(S.columnInt(3));
    R.CompletionTokens = uint64_t(S.columnInt(4));
    R.Seconds = S.columnReal(5);
    Out.push_back(std::move(R));
  }
  if (Out.empty())
    return std::nullopt;
  return Out;
}

} // namespace traceopt::search
