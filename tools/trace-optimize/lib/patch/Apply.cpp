//===- Apply.cpp - verify, patch, back up and undo source edits -----------===//
#include "patch/Apply.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace traceopt {

using nlohmann::json;

uint64_t fnv1a64(std::string_view Bytes) {
  uint64_t H = 0xcbf29ce484222325ull;
  for (unsigned char C : Bytes) {
    H ^= C;
    H *= 0x100000001b3ull;
  }
  return H;
}

std::string formatHash(uint64_t Hash) { return fmt::format("fnv1a64:{:016x}", Hash); }

std::string displayPath(const std::string &Path) {
  char Buf[4096];
  if (Path.empty() || Path[0] != '/' || !::getcwd(Buf, sizeof(Buf)))
    return Path;
  std::string Cwd = Buf;
  if (Cwd != "/" && Path.size() > Cwd.size() + 1 && Path.compare(0, Cwd.size(), Cwd) == 0 && Path[Cwd.size()] == '/')
    return Path.substr(Cwd.size() + 1);
  return Path;
}

bool readFile(const std::string &Path, std::string &Content, std::string &Error) {
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    Error = Path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  std::ostringstream S;
  S << In.rdbuf();
  Content = S.str();
  return true;
}

bool makeDirs(const std::string &Path, std::string &Error) {
  std::string Cur;
  size_t Pos = 0;
  while (Pos <= Path.size()) {
    size_t Next = Path.find('/', Pos);
    if (Next == std::string::npos)
      Next = Path.size();
    Cur = Path.substr(0, Next);
    Pos = Next + 1;
    if (Cur.empty())
      continue;
    if (::mkdir(Cur.c_str(), 0755) != 0 && errno != EEXIST) {
      Error = Cur + ": cannot create directory: " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool writeFileAtomic(const std::string &Path, const std::string &Content, std::string &Error, int Mode) {
  struct stat St;
  if (Mode < 0)
    Mode = ::stat(Path.c_str(), &St) == 0 ? int(St.st_mode & 07777) : 0644;
  std::string Temp = Path + ".trace-optimize.tmp." + std::to_string(::getpid());
  int Fd = ::open(Temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (Fd < 0) {
    Error = Temp + ": cannot create: " + std::strerror(errno);
    return false;
  }
  auto Fail = [&](const std::string &What) {
    Error = Temp + ": " + What + ": " + std::strerror(errno);
    ::close(Fd);
    ::unlink(Temp.c_str());
    return false;
  };
  size_t Done = 0;
  while (Done < Content.size()) {
    ssize_t N = ::write(Fd, Content.data() + Done, Content.size() - Done);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      return Fail("write failed");
    }
    Done += size_t(N);
  }
  if (::fchmod(Fd, mode_t(Mode)) != 0)
    return Fail("cannot set the mode");
  if (::fsync(Fd) != 0)
    return Fail("fsync failed");
  if (::close(Fd) != 0) {
    Error = Temp + ": close failed: " + std::strerror(errno);
    ::unlink(Temp.c_str());
    return false;
  }
  if (::rename(Temp.c_str(), Path.c_str()) != 0) {
    Error = Path + ": cannot replace: " + std::strerror(errno);
    ::unlink(Temp.c_str());
    return false;
  }
  // Make the rename itself durable.
  std::string Dir = Path.find('/') == std::string::npos ? "." : Path.substr(0, Path.rfind('/'));
  if (Dir.empty())
    Dir = "/";
  int DirFd = ::open(Dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (DirFd >= 0) {
    ::fsync(DirFd);
    ::close(DirFd);
  }
  return true;
}

std::optional<std::string> staleRange(const std::string &Content, const Edit &E) {
  std::string Where = fmt::format("{}:{}", E.File, E.Line);
  if (E.Begin > E.End || E.End > Content.size())
    return fmt::format("{}: source changed since the trace was recorded: the range [{}, {}) of {} is beyond the "
                       "end of the file ({} bytes)",
                       Where, E.Begin, E.End, E.ParamId, Content.size());
  std::string Found = formatHash(fnv1a64(std::string_view(Content).substr(E.Begin, E.End - E.Begin)));
  if (Found != E.Hash)
    return fmt::format("{}: source changed since the trace was recorded: the text of {} hashes to {}, the trace "
                       "recorded {}; rebuild and run the program again to record a fresh trace",
                       Where, E.ParamId, Found, E.Hash);
  return std::nullopt;
}

std::optional<PatchSet> planPatches(const std::vector<Edit> &Edits, std::string &Error) {
  std::map<std::string, std::vector<Edit>> ByFile;
  for (const Edit &E : Edits)
    ByFile[E.File].push_back(E);
  PatchSet Result;
  for (auto &[File, FileEdits] : ByFile) {
    FilePatch P;
    P.File = File;
    if (!readFile(File, P.Original, Error))
      return std::nullopt;
    // By (Begin, End): an insertion at an offset sorts before a replacement starting there, so the
    // plan does not depend on the order the suggestions came in.
    std::sort(FileEdits.begin(), FileEdits.end(), [](const Edit &A, const Edit &B) {
      return A.Begin != B.Begin ? A.Begin < B.Begin : A.End < B.End;
    });
    for (size_t I = 0; I < FileEdits.size(); ++I) {
      const Edit &E = FileEdits[I];
      if (std::optional<std::string> Stale = staleRange(P.Original, E)) {
        Error = std::move(*Stale);
        return std::nullopt;
      }
      if (I && FileEdits[I - 1].End > E.Begin) {
        Error = fmt::format("{}:{}: the edits of {} and {} overlap", File, E.Line, FileEdits[I - 1].ParamId,
                            E.ParamId);
        return std::nullopt;
      }
    }
    // From the end backwards: earlier offsets stay valid while later text changes.
    P.Patched = P.Original;
    for (auto It = FileEdits.rbegin(); It != FileEdits.rend(); ++It)
      P.Patched.replace(It->Begin, It->End - It->Begin, It->NewText);
    int64_t Shift = 0;
    for (const Edit &E : FileEdits) {
      uint64_t NewBegin = uint64_t(int64_t(E.Begin) + Shift);
      P.NewRanges.push_back({NewBegin, NewBegin + E.NewText.size()});
      Shift += int64_t(E.NewText.size()) - int64_t(E.End - E.Begin);
    }
    P.Edits = std::move(FileEdits);
    if (P.Patched != P.Original)
      Result.Files.push_back(std::move(P));
  }
  return Result;
}

static std::vector<std::string> splitLines(const std::string &S) {
  std::vector<std::string> Lines;
  size_t Pos = 0;
  while (Pos < S.size()) {
    size_t Nl = S.find('\n', Pos);
    if (Nl == std::string::npos) {
      Lines.push_back(S.substr(Pos));
      break;
    }
    Lines.push_back(S.substr(Pos, Nl - Pos + 1));
    Pos = Nl + 1;
  }
  return Lines;
}

std::string unifiedDiff(const std::string &Path, const std::string &Old, const std::string &New, unsigned Context) {
  if (Old == New)
    return "";
  std::vector<std::string> A = splitLines(Old), B = splitLines(New);
  // Trim the common prefix and suffix; the edits are local, so the middle is small.
  size_t Pre = 0;
  while (Pre < A.size() && Pre < B.size() && A[Pre] == B[Pre])
    ++Pre;
  size_t Suf = 0;
  while (Suf < A.size() - Pre && Suf < B.size() - Pre && A[A.size() - 1 - Suf] == B[B.size() - 1 - Suf])
    ++Suf;
  size_t N = A.size() - Pre - Suf, M = B.size() - Pre - Suf;
  // Ops over the whole files: ' ' keep, '-' delete, '+' insert, with line indices.
  struct Op {
    char Kind;
    size_t AI, BI;
  };
  std::vector<Op> Ops;
  for (size_t I = 0; I < Pre; ++I)
    Ops.push_back({' ', I, I});
  if (N * M <= 4000000) {
    std::vector<std::vector<uint32_t>> L(N + 1, std::vector<uint32_t>(M + 1, 0));
    for (size_t I = N; I-- > 0;)
      for (size_t J = M; J-- > 0;)
        L[I][J] = A[Pre + I] == B[Pre + J] ? L[I + 1][J + 1] + 1 : std::max(L[I + 1][J], L[I][J + 1]);
    size_t I = 0, J = 0;
    while (I < N || J < M) {
      if (I < N && J < M && A[Pre + I] == B[Pre + J]) {
        Ops.push_back({' ', Pre + I++, Pre + J++});
      } else if (I < N && (J == M || L[I + 1][J] >= L[I][J + 1])) {
        // Deletions first, as diff(1) prints them.
        Ops.push_back({'-', Pre + I++, Pre + J});
      } else {
        Ops.push_back({'+', Pre + I, Pre + J++});
      }
    }
  } else {
    for (size_t I = 0; I < N; ++I)
      Ops.push_back({'-', Pre + I, Pre});
    for (size_t J = 0; J < M; ++J)
      Ops.push_back({'+', Pre + N, Pre + J});
  }
  for (size_t I = 0; I < Suf; ++I)
    Ops.push_back({' ', A.size() - Suf + I, B.size() - Suf + I});

  std::string Shown = displayPath(Path);
  // Absolute paths keep their leading '/' out of the a/ b/ prefixes.
  if (!Shown.empty() && Shown[0] == '/')
    Shown.erase(0, 1);
  std::string Out = fmt::format("--- a/{}\n+++ b/{}\n", Shown, Shown);
  auto LineText = [&](const Op &O) {
    std::string T = O.Kind == '+' ? B[O.BI] : A[O.AI];
    if (T.empty() || T.back() != '\n')
      T += "\n\\ No newline at end of file\n";
    return std::string(1, O.Kind) + T;
  };
  size_t K = 0;
  while (K < Ops.size()) {
    while (K < Ops.size() && Ops[K].Kind == ' ')
      ++K;
    if (K == Ops.size())
      break;
    size_t Start = K >= Context ? K - Context : 0;
    size_t End = K;
    // Extend the hunk while changes are within 2 * Context lines of each other.
    while (true) {
      while (End < Ops.size() && Ops[End].Kind != ' ')
        ++End;
      size_t Gap = End;
      while (Gap < Ops.size() && Ops[Gap].Kind == ' ' && Gap - End < 2 * Context + 1)
        ++Gap;
      if (Gap < Ops.size() && Ops[Gap].Kind != ' ') {
        End = Gap;
        continue;
      }
      End = std::min(Ops.size(), End + Context);
      break;
    }
    size_t ACount = 0, BCount = 0;
    for (size_t I = Start; I < End; ++I) {
      ACount += Ops[I].Kind != '+';
      BCount += Ops[I].Kind != '-';
    }
    size_t AStart = Ops[Start].AI + (ACount ? 1 : 0), BStart = Ops[Start].BI + (BCount ? 1 : 0);
    Out += fmt::format("@@ -{},{} +{},{} @@\n", AStart, ACount, BStart, BCount);
    for (size_t I = Start; I < End; ++I)
      Out += LineText(Ops[I]);
    K = End;
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// Backups
//===----------------------------------------------------------------------===//

static std::string stepDir(const std::string &WorkDir, unsigned Step) {
  return WorkDir + "/backups/" + std::to_string(Step);
}

static std::optional<json> readManifest(const std::string &WorkDir, unsigned Step, std::string &Error) {
  std::string Path = stepDir(WorkDir, Step) + "/manifest.json";
  std::string Text;
  if (!readFile(Path, Text, Error))
    return std::nullopt;
  json J = json::parse(Text, nullptr, false);
  if (J.is_discarded() || !J.is_object() || !J.contains("files")) {
    Error = Path + ": not a valid backup manifest";
    return std::nullopt;
  }
  return J;
}

static std::vector<unsigned> listSteps(const std::string &WorkDir) {
  std::vector<unsigned> Steps;
  for (unsigned S = 1;; ++S) {
    struct stat St;
    if (::stat((stepDir(WorkDir, S) + "/manifest.json").c_str(), &St) != 0)
      break;
    Steps.push_back(S);
  }
  return Steps;
}

std::vector<unsigned> BackupStore::appliedSteps() const {
  std::vector<unsigned> Result;
  std::string Err;
  for (unsigned S : listSteps(WorkDir))
    if (auto M = readManifest(WorkDir, S, Err); M && !M->value("undone", false))
      Result.push_back(S);
  return Result;
}

std::optional<unsigned> BackupStore::commit(const PatchSet &P, const std::string &Description, std::string &Error) {
  unsigned Step = unsigned(listSteps(WorkDir).size()) + 1;
  std::string Dir = stepDir(WorkDir, Step);
  if (!makeDirs(Dir, Error))
    return std::nullopt;
  json Files = json::array();
  std::vector<int> Modes;
  for (size_t I = 0; I < P.Files.size(); ++I) {
    const FilePatch &F = P.Files[I];
    struct stat St;
    int Mode = ::stat(F.File.c_str(), &St) == 0 ? int(St.st_mode & 07777) : 0644;
    Modes.push_back(Mode);
    std::string Backup = std::to_string(I) + ".orig";
    if (!writeFileAtomic(Dir + "/" + Backup, F.Original, Error, 0600))
      return std::nullopt;
    json Params = json::array();
    for (const Edit &E : F.Edits)
      Params.push_back(E.ParamId);
    Files.push_back({{"path", F.File},
                     {"backup", Backup},
                     {"mode", Mode},
                     {"before", formatHash(fnv1a64(F.Original))},
                     {"after", formatHash(fnv1a64(F.Patched))},
                     {"params", std::move(Params)}});
  }
  std::time_t Now = std::time(nullptr);
  json Manifest = {{"step", Step}, {"time", int64_t(Now)}, {"description", Description},
                   {"files", std::move(Files)}, {"undone", false}};
  // The manifest is written last: a step without one was never applied.
  std::string ManifestText = Manifest.dump(2) + "\n";
  // All or nothing: put back the first Count files, already written.
  auto RestoreWritten = [&](size_t Count) {
    for (size_t J = 0; J < Count; ++J) {
      std::string RestoreErr;
      if (!writeFileAtomic(P.Files[J].File, P.Files[J].Original, RestoreErr, Modes[J]))
        Error += "; also failed to restore " + P.Files[J].File + " (its original is in " + Dir + "): " + RestoreErr;
    }
  };
  for (size_t I = 0; I < P.Files.size(); ++I) {
    if (writeFileAtomic(P.Files[I].File, P.Files[I].Patched, Error, Modes[I]))
      continue;
    RestoreWritten(I);
    return std::nullopt;
  }
  // Without its manifest the step could not be undone, so it must not stay applied either.
  if (!writeFileAtomic(Dir + "/manifest.json", ManifestText, Error, 0644)) {
    Error += "; the sources were restored";
    RestoreWritten(P.Files.size());
    return std::nullopt;
  }
  return Step;
}

bool BackupStore::undo(bool Force, bool DryRun, std::string &Report, std::string &Error) {
  std::vector<unsigned> Applied = appliedSteps();
  if (Applied.empty()) {
    Error = "nothing to undo: no applied step in " + WorkDir + "/backups";
    return false;
  }
  unsigned Step = Applied.back();
  auto M = readManifest(WorkDir, Step, Error);
  if (!M)
    return false;
  std::string Dir = stepDir(WorkDir, Step);
  std::vector<std::pair<std::string, std::string>> Restores;
  std::vector<int> Modes;
  for (const json &F : (*M)["files"]) {
    std::string Path = F.value("path", ""), Current;
    std::string Original;
    if (!readFile(Dir + "/" + F.value("backup", ""), Original, Error))
      return false;
    bool Exists = readFile(Path, Current, Error);
    if (!Force && (!Exists || formatHash(fnv1a64(Current)) != F.value("after", ""))) {
      Error = Path + ": changed since step " + std::to_string(Step) +
              " was applied; undo would discard those changes (use --force to restore anyway)";
      return false;
    }
    Report += fmt::format("{} {}\n", DryRun ? "would restore" : "restored", displayPath(Path));
    if (DryRun && Exists)
      Report += unifiedDiff(Path, Current, Original);
    Restores.push_back({Path, Original});
    Modes.push_back(F.value("mode", 0644));
  }
  if (DryRun)
    return true;
  for (size_t I = 0; I < Restores.size(); ++I)
    if (!writeFileAtomic(Restores[I].first, Restores[I].second, Error, Modes[I]))
      return false;
  (*M)["undone"] = true;
  if (!writeFileAtomic(Dir + "/manifest.json", M->dump(2) + "\n", Error, 0644))
    return false;
  Report = fmt::format("undid step {} ({})\n", Step, M->value("description", "")) + Report;
  return true;
}

bool BackupStore::restoreBefore(unsigned First, std::string &Error) {
  std::vector<unsigned> Applied = appliedSteps();
  for (auto It = Applied.rbegin(); It != Applied.rend() && *It >= First; ++It) {
    std::string Report;
    if (!undo(/*Force=*/true, /*DryRun=*/false, Report, Error))
      return false;
  }
  return true;
}

} // namespace traceopt
