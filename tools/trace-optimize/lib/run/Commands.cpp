//===- Commands.cpp - Running the build and the program; their scores -----===//
#include "run/Loop.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace traceopt {

using Clock = std::chrono::steady_clock;

static double since(Clock::time_point Start) {
  return std::chrono::duration<double>(Clock::now() - Start).count();
}

extern "C" char **environ;

CommandResult runShell(const std::string &Cmd, const std::vector<std::pair<std::string, std::string>> &Env,
                       double Timeout, const ShellOptions &Opts) {
  CommandResult R;
  Clock::time_point Start = Clock::now();
  // The environment is made before fork: with other threads running, the child may not
  // allocate. The program and its build need no API key; code the LLM wrote must not see it.
  std::vector<std::string> EnvText;
  for (char **E = environ; *E; ++E) {
    std::string_view V(*E);
    std::string_view Name = V.substr(0, V.find('='));
    if (Name == "OPENAI_API_KEY" ||
        std::any_of(Env.begin(), Env.end(), [&](const auto &KV) { return KV.first == Name; }))
      continue;
    EnvText.emplace_back(V);
  }
  for (const auto &[K, V] : Env)
    EnvText.push_back(K + "=" + V);
  std::vector<char *> EnvPtrs;
  for (std::string &E : EnvText)
    EnvPtrs.push_back(E.data());
  EnvPtrs.push_back(nullptr);
  int Pipe[2];
  if (::pipe2(Pipe, O_CLOEXEC) != 0) {
    R.Output = std::string("cannot create a pipe: ") + std::strerror(errno);
    return R;
  }
  pid_t Pid = ::fork();
  if (Pid < 0) {
    R.Output = std::string("cannot fork: ") + std::strerror(errno);
    ::close(Pipe[0]);
    ::close(Pipe[1]);
    return R;
  }
  if (Pid == 0) {
    ::setpgid(0, 0);
    ::dup2(Pipe[1], 1);
    ::dup2(Pipe[1], 2);
    if (!Opts.Dir.empty() && ::chdir(Opts.Dir.c_str()) != 0)
      ::_exit(127);
    if (Opts.MemoryBytes) {
      struct rlimit Limit = {rlim_t(Opts.MemoryBytes), rlim_t(Opts.MemoryBytes)};
      ::setrlimit(RLIMIT_AS, &Limit);
    }
    ::execle("/bin/sh", "sh", "-c", Cmd.c_str(), static_cast<char *>(nullptr), EnvPtrs.data());
    ::_exit(127);
  }
  ::setpgid(Pid, Pid);
  ::close(Pipe[1]);
  char Buf[65536];
  while (true) {
    double Left = Timeout - since(Start);
    if (Left <= 0) {
      R.TimedOut = true;
      ::kill(-Pid, SIGKILL);
      break;
    }
    struct pollfd P = {Pipe[0], POLLIN, 0};
    int N = ::poll(&P, 1, int(std::min(Left, 1.0) * 1000) + 1);
    if (N < 0 && errno != EINTR)
      break;
    if (N <= 0)
      continue;
    ssize_t Got = ::read(Pipe[0], Buf, sizeof(Buf));
    if (Got < 0 && errno == EINTR)
      continue;
    if (Got <= 0)
      break;
    R.Output.append(Buf, size_t(Got));
    // Keep memory bounded for chatty programs: only the tail is ever shown.
    if (R.Output.size() > (8u << 20))
      R.Output.erase(0, R.Output.size() - (4u << 20));
  }
  ::close(Pipe[0]);
  int Status = 0;
  while (::waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(Status))
    R.Status = WEXITSTATUS(Status);
  else if (WIFSIGNALED(Status))
    R.Status = 128 + WTERMSIG(Status);
  R.Seconds = since(Start);
  return R;
}

std::optional<double> traceScore(const TraceSet &T) {
  double Sum = 0;
  unsigned N = 0;
  for (const Feedback &F : T.Feedbacks)
    if (F.Score) {
      Sum += *F.Score;
      ++N;
    }
  if (!N)
    return std::nullopt;
  return Sum / N;
}

bool traceSuccess(const TraceSet &T) {
  for (const Feedback &F : T.Feedbacks)
    if (F.Success)
      return true;
  return false;
}

} // namespace traceopt
