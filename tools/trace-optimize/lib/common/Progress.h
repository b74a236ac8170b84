//===- Progress.h - The status line of long work ----------------*- C++ -*-===//
//
// `run` reports its progress on standard error. On a terminal, one status
// line (iteration, what is running, best score, tokens, elapsed time) is
// redrawn in place, every second while a build, a run or the LLM takes its
// time, below the lines the loop prints; those lines clear it first and it
// comes back after them. Elsewhere (a pipe, a file, a CI log) there is no
// status line, only the loop's plain lines, unchanged. Quiet leaves out the
// progress lines too; warnings, errors and results stay.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_PROGRESS_H
#define TRACEOPT_PROGRESS_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

namespace traceopt {

/// Whether standard error is a terminal that can redraw a line: isatty, and
/// TERM is not "dumb".
bool stderrIsLiveTerminal();

class ProgressLine {
public:
  /// \p Live: draw the status line (standard error is a terminal); \p Quiet:
  /// no progress at all. \p Out and \p Err are the streams the work writes
  /// to; out() and err() must be used instead while the status line lives.
  ProgressLine(std::ostream &Out, std::ostream &Err, bool Live, bool Quiet);
  /// Clears the status line.
  ~ProgressLine();
  ProgressLine(const ProgressLine &) = delete;
  ProgressLine &operator=(const ProgressLine &) = delete;

  std::ostream &out() { return *OutStream; }
  std::ostream &err() { return *ErrStream; }

  /// What the status line shows from now on.
  void iteration(unsigned Iter, unsigned Of);
  void phase(std::string What);
  void scores(std::optional<double> Best, uint64_t Tokens);

  /// A plain progress line (with its newline), left out when quiet.
  void line(const std::string &Text);

  /// Clears the status line for good, before the work's last words.
  void done();

private:
  /// The status line's text, \p Width columns at most; Lock held.
  std::string status(size_t Width) const;
  class Filter;
  friend class Filter;
  void clearLocked();
  void drawLocked();
  void ticker();

  std::ostream &RawErr;
  bool Live, Quiet;
  std::unique_ptr<Filter> OutBuf, ErrBuf;
  std::unique_ptr<std::ostream> OutStream, ErrStream;

  mutable std::mutex Lock;
  std::condition_variable Wake;
  bool Stop = false, Shown = false, Started = false;
  unsigned Iter = 0, Of = 0;
  std::string Phase;
  std::optional<double> Best;
  uint64_t Tokens = 0;
  std::chrono::steady_clock::time_point Start;
  std::thread Ticker;
};

} // namespace traceopt

#endif
