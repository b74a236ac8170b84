//===- Progress.cpp - The status line of long work ------------------------===//
#include "common/Progress.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <streambuf>
#include <sys/ioctl.h>
#include <unistd.h>

namespace traceopt {

bool stderrIsLiveTerminal() {
  if (!::isatty(STDERR_FILENO))
    return false;
  const char *Term = std::getenv("TERM");
  return !Term || std::strcmp(Term, "dumb") != 0;
}

/// Passes text on to a stream's buffer; on a live terminal it takes the
/// status line away before the text and draws it again after each line.
class ProgressLine::Filter : public std::streambuf {
public:
  Filter(ProgressLine &P, std::streambuf *To) : P(P), To(To) {}

protected:
  int_type overflow(int_type C) override {
    if (traits_type::eq_int_type(C, traits_type::eof()))
      return traits_type::not_eof(C);
    char Ch = traits_type::to_char_type(C);
    return xsputn(&Ch, 1) == 1 ? C : traits_type::eof();
  }

  std::streamsize xsputn(const char *S, std::streamsize N) override {
    std::lock_guard<std::mutex> G(P.Lock);
    if (!P.Live)
      return To->sputn(S, N);
    P.clearLocked();
    std::streamsize Done = To->sputn(S, N);
    To->pubsync();
    // A partial line stays as it is until its end comes.
    if (N > 0 && S[N - 1] == '\n')
      P.drawLocked();
    return Done;
  }

  int sync() override { return To->pubsync(); }

private:
  ProgressLine &P;
  std::streambuf *To;
};

ProgressLine::ProgressLine(std::ostream &Out, std::ostream &Err, bool Live, bool Quiet)
    : RawErr(Err), Live(Live && !Quiet), Quiet(Quiet), Start(std::chrono::steady_clock::now()) {
  OutBuf = std::make_unique<Filter>(*this, Out.rdbuf());
  ErrBuf = std::make_unique<Filter>(*this, Err.rdbuf());
  OutStream = std::make_unique<std::ostream>(OutBuf.get());
  ErrStream = std::make_unique<std::ostream>(ErrBuf.get());
  if (this->Live)
    Ticker = std::thread([this] { ticker(); });
}

ProgressLine::~ProgressLine() {
  done();
  OutStream->flush();
  ErrStream->flush();
}

void ProgressLine::done() {
  {
    std::lock_guard<std::mutex> G(Lock);
    Stop = true;
    clearLocked();
  }
  Wake.notify_all();
  if (Ticker.joinable())
    Ticker.join();
}

void ProgressLine::ticker() {
  std::unique_lock<std::mutex> G(Lock);
  while (!Stop) {
    Wake.wait_for(G, std::chrono::seconds(1));
    if (!Stop && Started)
      drawLocked();
  }
}

void ProgressLine::iteration(unsigned I, unsigned Total) {
  std::lock_guard<std::mutex> G(Lock);
  Iter = I;
  Of = Total;
  Phase.clear();
  Started = true;
  if (Live)
    drawLocked();
}

void ProgressLine::phase(std::string What) {
  std::lock_guard<std::mutex> G(Lock);
  Phase = std::move(What);
  Started = true;
  if (Live)
    drawLocked();
}

void ProgressLine::scores(std::optional<double> B, uint64_t T) {
  std::lock_guard<std::mutex> G(Lock);
  Best = B;
  Tokens = T;
  if (Live && Started)
    drawLocked();
}

void ProgressLine::line(const std::string &Text) {
  if (Quiet)
    return;
  *ErrStream << Text;
  ErrStream->flush();
}

std::string ProgressLine::status(size_t Width) const {
  double Seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - Start).count();
  std::string S = fmt::format("iteration {}/{}", Iter, Of);
  if (!Phase.empty())
    S += ": " + Phase;
  S += fmt::format(" | best score {}", Best ? fmt::format("{:.3g}", *Best) : "n/a");
  S += fmt::format(" | tokens {} | {:.0f} s", Tokens, Seconds);
  // The line must not wrap: a carriage return goes back to the start of
  // the last screen line only.
  if (S.size() > Width)
    S.resize(Width);
  return S;
}

void ProgressLine::clearLocked() {
  if (!Shown)
    return;
  RawErr.rdbuf()->sputn("\r\033[K", 4);
  RawErr.rdbuf()->pubsync();
  Shown = false;
}

void ProgressLine::drawLocked() {
  if (!Live || Stop || !Started)
    return;
  size_t Width = 80;
  struct winsize W;
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &W) == 0 && W.ws_col > 1)
    Width = W.ws_col;
  std::string Text = "\r\033[K" + status(Width - 1);
  RawErr.rdbuf()->sputn(Text.data(), std::streamsize(Text.size()));
  RawErr.rdbuf()->pubsync();
  Shown = true;
}

} // namespace traceopt
