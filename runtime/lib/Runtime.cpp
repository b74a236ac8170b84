//===- Runtime.cpp - Start-up, threads, the trace file, the user API ------===//

#include "Internal.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <signal.h>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

namespace __trace_rt {

int RuntimeMode = 0;

//===----------------------------------------------------------------------===//
// Configuration
//===----------------------------------------------------------------------===//

std::string expandPath(std::string_view Pattern, long Pid) {
  std::string R;
  for (std::size_t I = 0; I < Pattern.size(); ++I) {
    char C = Pattern[I];
    if (C == '%' && I + 1 < Pattern.size()) {
      if (Pattern[I + 1] == 'p') {
        R += std::to_string(Pid);
        ++I;
        continue;
      }
      if (Pattern[I + 1] == '%') {
        R += '%';
        ++I;
        continue;
      }
    }
    R += C;
  }
  return R;
}

using GetEnvFn = const char *(*)(const char *);

/// An on/off option: `0`, `false`, `off` and `no` turn it off, anything
/// else on; unset keeps the default.
static void readSwitch(GetEnvFn GetEnv, const char *Name, bool &Value) {
  if (const char *E = GetEnv(Name)) {
    std::string_view V(E);
    Value = !(V == "0" || V == "false" || V == "off" || V == "no");
  }
}

/// A count option: a decimal number in [Min, Max]. Anything else is
/// reported on stderr, naming what was \p Expected, and the default stays.
template <class T>
static void readCount(GetEnvFn GetEnv, const char *Name,
                      unsigned long long Min, unsigned long long Max,
                      const char *Expected, T &Value) {
  const char *M = GetEnv(Name);
  if (!M || !*M)
    return;
  char *End = nullptr;
  errno = 0;
  unsigned long long V = std::strtoull(M, &End, 10);
  if (errno || *End || *M == '-' || V < Min || V > Max) {
    std::fprintf(stderr, "trace: ignoring %s='%s' (expected %s); using %llu\n",
                 Name, M, Expected, static_cast<unsigned long long>(Value));
    return;
  }
  Value = static_cast<T>(V);
}

Config configFromEnv(GetEnvFn GetEnv) {
  Config C;
  readSwitch(GetEnv, "TRACE_ENABLE", C.Enabled);
  if (const char *F = GetEnv("TRACE_FILE"); F && *F)
    C.Path = F;
  readCount(GetEnv, "TRACE_MAX_VALUE", 1, 64u << 20,
            "a byte count from 1 to 67108864", C.MaxValue);
  readCount(GetEnv, "TRACE_MAX_ELEMENTS", 1, 1u << 20,
            "an element count from 1 to 1048576", C.MaxElements);
  readSwitch(GetEnv, "TRACE_WRITER_THREAD", C.WriterThread);
  readSwitch(GetEnv, "TRACE_CRASH_FLUSH", C.CrashFlush);
  readSwitch(GetEnv, "TRACE_TIMESTAMPS", C.Timestamps);
  readCount(GetEnv, "TRACE_MAX_CALLS_PER_FUNCTION", 0, UINT32_MAX,
            "a call count from 0 (unlimited) to 4294967295",
            C.MaxCallsPerFunction);
  // A chunk must hold the largest record: two capped strings plus headers.
  C.ChunkBytes = std::max<std::size_t>(C.ChunkBytes, 2 * C.MaxValue + 1024);
  return C;
}

static Config &mutableConfig() {
  static Config *C = new Config();
  return *C;
}

const Config &config() { return mutableConfig(); }

std::size_t MaxValueLimit = DefaultMaxValue;
std::size_t MaxElementsLimit = DefaultMaxElements;

#if defined(__x86_64__) || defined(__i386__)
/// A TSC reading and CLOCK_MONOTONIC taken together: of a few tries, the
/// one whose TSC window around the clock read is the shortest.
static void clockPair(uint64_t &Tsc, uint64_t &Ns) {
  uint64_t Best = UINT64_MAX;
  for (int I = 0; I < 8; ++I) {
    uint64_t A = __builtin_ia32_rdtsc();
    uint64_t N = monotonicNs();
    uint64_t B = __builtin_ia32_rdtsc();
    if (B - A < Best) {
      Best = B - A;
      Tsc = A + (B - A) / 2;
      Ns = N;
    }
  }
}
#endif

void calibrateClock() noexcept {
  TheClock = ClockInfo();
#if defined(__x86_64__) || defined(__i386__)
  // 10 ms against CLOCK_MONOTONIC: the pairs' error, tens of ns, is a few
  // parts per million of the rate.
  uint64_t T0 = 0, N0 = 0, T1 = 0, N1 = 0;
  clockPair(T0, N0);
  timespec Nap{0, 10000000};
  while (nanosleep(&Nap, &Nap) == -1 && errno == EINTR) {
  }
  clockPair(T1, N1);
  if (T1 > T0 && N1 > N0 + 1000000) {
    TheClock.Source = __trace_format::ClockSource::Tsc;
    TheClock.Hz = static_cast<uint64_t>(
        static_cast<unsigned __int128>(T1 - T0) * 1000000000u / (N1 - N0));
    TheClock.Origin = T1;
    TheClock.Monotonic = N1;
    return;
  }
#endif
  TheClock.Origin = TheClock.Monotonic = monotonicNs();
}

/// With timestamps, a feedback says which thread gave it and when.
static void stampFeedback(FeedbackTarget &To) {
  if (!Timestamps)
    return;
  To.Timed = true;
  const uint64_t Now = clockTicks();
  To.Ticks = Now > TheClock.Origin ? Now - TheClock.Origin : 0;
  To.Thread = CurrentTS ? CurrentTS->Index : 0;
}

//===----------------------------------------------------------------------===//
// The process-wide state (never destroyed: used from atexit and TLS dtors)
//===----------------------------------------------------------------------===//

namespace {

struct PendingParam {
  const __ParamInfo *P;
  std::string Value;
  bool HasValue;
};

struct Runtime {
  /// Guards the writer, the file and the thread lists. Taken before QLock
  /// when both are needed.
  std::mutex Lock;
  Writer W;
  /// Nodes whose enter records were written (Chunk::SeqBegin/SeqEnd).
  uint64_t Written = 0;
  /// Full chunks on their way to the writer thread, oldest first; popped
  /// only by a holder of Lock, so every thread's chunks are rendered in
  /// the order they were filled.
  std::mutex QLock;
  std::condition_variable QReady; ///< A chunk was queued, or stop.
  std::condition_variable QRoom;  ///< A spare chunk came back.
  std::deque<Chunk *> Queue;
  std::vector<Chunk *> Spare;
  std::size_t ChunksOut = 0; ///< Chunks allocated for the queue.
  bool WriterRunning = false;
  /// The writer waits on QReady (else it polls, see writerMain): only then
  /// does a producer pay for waking it.
  bool WriterAsleep = false;
  bool WriterFailed = false;
  bool StopWriter = false;
  int Fd = -1;
  bool OpenFailed = false;
  bool Closed = false;
  std::vector<ThreadState *> Threads; ///< Threads alive (or not yet reaped).
  std::vector<ThreadState *> Free;    ///< States of exited threads, for reuse.
  uint64_t StartedByExited = 0;       ///< Nodes started by exited threads.
  std::vector<PendingParam> Params;
  std::vector<const __TuInfo *> Tus;
  std::size_t ParamsWritten = 0, TusWritten = 0;
  uint32_t NextThread = 1;
  long Pid = 0; ///< This process; a vfork child sees another getpid().
};

Runtime &rt() {
  static Runtime *R = new Runtime();
  return *R;
}

std::string programPath() {
  char Buf[4096];
  ssize_t N = ::readlink("/proc/self/exe", Buf, sizeof Buf - 1);
  return N > 0 ? std::string(Buf, static_cast<std::size_t>(N)) : std::string();
}

std::string utcNow() {
  std::time_t T = std::time(nullptr);
  std::tm Tm;
  gmtime_r(&T, &Tm);
  char Buf[32];
  std::strftime(Buf, sizeof Buf, "%Y-%m-%dT%H:%M:%SZ", &Tm);
  return Buf;
}

/// Opens the trace file on first output; caller holds the lock.
bool ensureOpen(Runtime &R) {
  if (R.Fd >= 0)
    return true;
  if (R.OpenFailed)
    return false;
  std::string Path = expandPath(config().Path, static_cast<long>(::getpid()));
  // An earlier trace (a regular file of ours, with no other name) is
  // replaced by a new file rather than truncated: ext4 writes back a file
  // truncated to zero when it is closed, so the traced process itself
  // started the disk write of its whole trace at exit (about 8% of its CPU
  // for a long run). Anything else (a link, a device, a pipe, another
  // user's file) is opened in place as before.
  struct stat St;
  if (::lstat(Path.c_str(), &St) == 0 && S_ISREG(St.st_mode) &&
      St.st_nlink == 1 && St.st_uid == ::geteuid())
    ::unlink(Path.c_str());
  R.Fd = ::open(Path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (R.Fd < 0) {
    R.OpenFailed = true;
    std::fprintf(stderr, "trace: cannot open trace file '%s': %s\n",
                 Path.c_str(), std::strerror(errno));
    return false;
  }
  R.W.header(static_cast<long>(::getpid()), programPath(), utcNow());
  return true;
}

/// Emits registrations not written yet; caller holds the lock.
void emitRegistrations(Runtime &R) {
  for (; R.TusWritten < R.Tus.size(); ++R.TusWritten)
    R.W.tu(*R.Tus[R.TusWritten]);
  for (; R.ParamsWritten < R.Params.size(); ++R.ParamsWritten) {
    PendingParam &P = R.Params[R.ParamsWritten];
    R.W.param(*P.P, P.HasValue ? &P.Value : nullptr);
  }
}

/// Writes \p N buffers in order, retrying partial writes; an error is
/// reported on stderr and ends the write.
void writeAll(int Fd, struct iovec *V, int N) {
  while (N) {
    ssize_t Done = ::writev(Fd, V, N);
    if (Done < 0) {
      if (errno == EINTR)
        continue;
      std::fprintf(stderr, "trace: write to trace file failed: %s\n",
                   std::strerror(errno));
      return;
    }
    auto Left = static_cast<std::size_t>(Done);
    while (N && Left >= V->iov_len) {
      Left -= V->iov_len;
      ++V;
      --N;
    }
    if (N) {
      V->iov_base = static_cast<char *>(V->iov_base) + Left;
      V->iov_len -= Left;
    }
  }
}

/// Writes the writer's text in one go (retrying partial writes), so
/// a crash leaves whole lines; caller holds the lock.
void drainText(Runtime &R) {
  if (R.W.Text.empty() || R.Closed)
    return;
  if (!ensureOpen(R)) {
    R.W.Text.clear();
    return;
  }
  struct iovec V = {R.W.Text.data(), R.W.Text.size()};
  writeAll(R.Fd, &V, 1);
  R.W.Text.clear();
}

/// The chunk's records are out (or dropped): it is empty again.
void chunkDone(Runtime &R, Chunk &C) {
  C.Used = 0;
  R.Written += C.SeqEnd - C.SeqBegin;
  C.SeqBegin = C.SeqEnd;
}

void consumeChunk(Runtime &R, Chunk &C) {
  emitRegistrations(R);
  if (C.Used)
    R.W.block(C.Thread, C.Data.get(), C.Used);
  chunkDone(R, C);
}

/// Writes the writer's text and then the chunk as a block with one
/// writev(), straight from the chunk: a queued chunk is not copied into
/// the text first (that copy was 5% of a long run's CPU).
void writeChunk(Runtime &R, Chunk &C) {
  emitRegistrations(R);
  if (!C.Used || R.Closed || !ensureOpen(R)) {
    consumeChunk(R, C);
    drainText(R);
    return;
  }
  char Head[1 + 2 * __trace_format::MaxVarint];
  const std::size_t HeadLen = R.W.blockHead(C.Thread, C.Used, Head);
  struct iovec V[3] = {{R.W.Text.data(), R.W.Text.size()},
                       {Head, HeadLen},
                       {C.Data.get(), C.Used}};
  writeAll(R.Fd, V, 3);
  R.W.Text.clear();
  chunkDone(R, C);
}

/// Writes the thread's current chunk (it stays the thread's); caller holds
/// the lock.
void consumeCurrent(Runtime &R, ThreadState &TS) {
  TS.Buffer->SeqEnd = __atomic_load_n(&TS.Seq, __ATOMIC_RELAXED);
  TS.syncUsed();
  consumeChunk(R, *TS.Buffer);
  TS.setBuffer(TS.Buffer);
}

/// Renders every queued chunk, oldest first; caller holds Lock.
void drainQueue(Runtime &R) {
  for (;;) {
    Chunk *C;
    {
      std::lock_guard<std::mutex> Q(R.QLock);
      if (R.Queue.empty())
        return;
      C = R.Queue.front();
      R.Queue.pop_front();
    }
    writeChunk(R, *C);
    {
      std::lock_guard<std::mutex> Q(R.QLock);
      R.Spare.push_back(C);
    }
    R.QRoom.notify_all();
  }
}

/// Renders the queue, then \p TS's current chunk; caller holds Lock.
void consumeThread(Runtime &R, ThreadState &TS) {
  drainQueue(R);
  consumeCurrent(R, TS);
}

/// Tears the thread's state down at thread exit: its records are written,
/// later calls on this thread (from other TLS destructors) are not recorded.
struct ThreadGuard {
  ThreadState *TS = nullptr;
  ~ThreadGuard();
};

thread_local ThreadGuard Guard;
__thread bool ThreadDone = false;

ThreadGuard::~ThreadGuard() {
  if (!TS)
    return;
  ThreadDone = true;
  CurrentTS = nullptr;
  CurrentHot = nullptr;
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  consumeThread(R, *TS);
  drainText(R);
  // Keep the memory (chunk, maps) for the next thread instead of growing
  // with every thread a program ever starts.
  R.StartedByExited += TS->Seq;
  if (CallLimit) {
    foldCounts(TS->Counts);
    TS->Counts.clear();
    for (HotThread::LimitSlot &L : TS->Limits)
      L = HotThread::LimitSlot();
  }
  R.Threads.erase(std::find(R.Threads.begin(), R.Threads.end(), TS));
  R.Free.push_back(TS);
}

void finalFlush() {
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  if (R.Closed)
    return;
  // Stop recording: records made after the end line would be lost anyway.
  __atomic_store_n(&RuntimeMode, 2, __ATOMIC_RELAXED);
  drainQueue(R);
  // Only this thread's buffer is stable; exited threads finished already.
  if (CurrentTS)
    consumeCurrent(R, *CurrentTS);
  emitRegistrations(R);
  uint64_t Started = R.StartedByExited;
  for (ThreadState *T : R.Threads)
    Started += __atomic_load_n(&T->Seq, __ATOMIC_RELAXED);
  // Threads still running are counted as far as they got.
  if (CallLimit)
    for (ThreadState *T : R.Threads)
      foldCounts(T->Counts);
  uint64_t Cut = R.W.cuts(__atomic_load_n(&CutSites, __ATOMIC_ACQUIRE));
  uint64_t Written = R.Written;
  R.W.end(Written, Started > Written ? Started - Written : 0, Cut,
          CallLimit != 0, __atomic_load_n(&LostEdges, __ATOMIC_RELAXED));
  drainText(R);
  R.Closed = true;
  if (R.Fd >= 0)
    ::close(R.Fd);
  R.Fd = -1;
  // The writer thread is not joined: it may be waiting for Lock, and the
  // process is ending. It finds the file closed and stops.
  {
    std::lock_guard<std::mutex> Q(R.QLock);
    R.StopWriter = true;
  }
  R.QReady.notify_all();
  R.QRoom.notify_all();
}

void prepareFork();
void parentAfterFork();
void childAfterFork();

/// Hands the calling thread's records and any pending registrations to the
/// writer. Called with R.Lock held.
void writeCallingThread(Runtime &R) {
  drainQueue(R);
  if (CurrentTS)
    consumeCurrent(R, *CurrentTS);
  emitRegistrations(R);
}

/// Writes what can still be written when the process ends abnormally (a
/// crash signal, _exit): the queue, the calling thread's records and
/// registrations. Best effort: it waits at most about 200 ms for the
/// runtime's lock, and writes no `end` record, so readers see the run
/// was cut short.
void lastWords() {
  Runtime &R = rt();
  if (__atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) != 1 ||
      R.Pid != static_cast<long>(::getpid()))
    return;
  bool Locked = false;
  for (int Try = 0; Try < 2000 && !(Locked = R.Lock.try_lock()); ++Try) {
    struct timespec Pause = {0, 100 * 1000};
    nanosleep(&Pause, nullptr);
  }
  if (!Locked)
    return;
  if (!R.Closed) {
    __atomic_store_n(&RuntimeMode, 2, __ATOMIC_RELAXED);
    writeCallingThread(R);
    drainText(R);
  }
  R.Lock.unlock();
}

std::terminate_handler PreviousTerminate = nullptr;

/// An uncaught exception still gives feedback: what it was and where it was
/// thrown, about the top-level call it escaped from (or the whole run).
void onTerminate() {
  static bool Entered = false;
  if (!Entered && __atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) == 1) {
    Entered = true;
    std::string Type, What;
    if (std::current_exception()) {
      bool HasWhat = describeCurrentException(Type, What);
      std::string Text = "uncaught exception " + Type;
      if (HasWhat)
        Text += ": " + What;
      FeedbackTarget To;
      stampFeedback(To);
      if (ThreadState *T = CurrentTS) {
        if (T->ThrowFile)
          Text += " (thrown at " + std::string(T->ThrowFile) + ":" +
                  std::to_string(T->ThrowLine) + ")";
        if (T->LastEscaped && T->LastEscaped == T->LastTop)
          To.Node = T->LastEscaped;
      }
      Runtime &R = rt();
      std::unique_lock<std::mutex> L(R.Lock, std::try_to_lock);
      if (L.owns_lock() && !R.Closed) {
        writeCallingThread(R);
        R.W.feedback(To, Text, nullptr, false, /*Uncaught=*/true);
        drainText(R);
      }
    }
  }
  if (PreviousTerminate)
    PreviousTerminate();
  std::abort();
}

constexpr int CrashSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void onCrash(int Sig) {
  lastWords();
  // SA_RESETHAND restored the default action: deliver the signal again
  // (it is blocked until this handler returns).
  ::raise(Sig);
}

/// Installs onCrash for the crash signals the program leaves at their
/// default action; a handler the program installs later replaces it.
void installCrashHandlers() {
  for (int Sig : CrashSignals) {
    struct sigaction Old;
    if (sigaction(Sig, nullptr, &Old) != 0 || Old.sa_handler != SIG_DFL ||
        (Old.sa_flags & SA_SIGINFO))
      continue;
    struct sigaction New = {};
    New.sa_handler = onCrash;
    sigemptyset(&New.sa_mask);
    New.sa_flags = SA_RESETHAND | SA_ONSTACK;
    sigaction(Sig, &New, nullptr);
  }
}

bool doInit() {
  Config C = configFromEnv([](const char *N) -> const char * {
    return std::getenv(N);
  });
  mutableConfig() = C;
  MaxValueLimit = C.MaxValue;
  MaxElementsLimit = C.MaxElements;
  CallLimit = C.MaxCallsPerFunction;
  // Before any id is published (see publishedId).
  Timestamps = C.Enabled && C.Timestamps;
  if (Timestamps)
    calibrateClock();
  if (!C.Enabled) {
    __atomic_store_n(&RuntimeMode, 2, __ATOMIC_RELEASE);
    return false;
  }
  std::atexit(finalFlush);
  pthread_atfork(prepareFork, parentAfterFork, childAfterFork);
  rt().Pid = static_cast<long>(::getpid());
  if (C.CrashFlush)
    installCrashHandlers();
  PreviousTerminate = std::set_terminate(onTerminate);
  __atomic_store_n(&RuntimeMode, 1, __ATOMIC_RELEASE);
  return true;
}

/// Initialise before main, so the mode is settled before threads start.
struct EagerInit {
  EagerInit() { initRuntime(); }
} TheEagerInit;

} // namespace

bool initRuntime() noexcept {
  static const bool Enabled = doInit();
  return Enabled;
}

__thread ThreadState *CurrentTS = nullptr;
__thread HotThread *CurrentHot = nullptr;

ThreadState *currentThreadSlow() noexcept {
  if (CurrentTS)
    return CurrentTS;
  if (ThreadDone || __atomic_load_n(&RuntimeMode, __ATOMIC_RELAXED) != 1)
    return nullptr;
  Runtime &R = rt();
  ThreadState *TS;
  {
    std::lock_guard<std::mutex> L(R.Lock);
    if (!R.Free.empty()) {
      TS = R.Free.back();
      R.Free.pop_back();
      TS->reuse(R.NextThread++);
    } else {
      TS = new ThreadState(R.NextThread, new Chunk(config().ChunkBytes));
      TS->Buffer->Thread = R.NextThread++;
    }
    R.Threads.push_back(TS);
  }
  CurrentTS = TS;
  CurrentHot = TS;
  Guard.TS = TS;
  return TS;
}

namespace {

/// While chunks keep coming the writer polls for them instead of sleeping
/// until it is woken: waking a sleeping thread costs the producer a futex
/// wake and, on a VM, an interrupt to the other core (10-20 us a chunk
/// there: 3-4 ns a call of a 21-byte record). A producer still wakes it
/// when two chunks wait (it produces faster than the poll), and so before
/// it would wait for room. The writer sleeps once nothing came for
/// IdlePolls polls; the next chunk wakes it.
constexpr auto PollInterval = std::chrono::microseconds(200);
constexpr unsigned IdlePolls = 50;

void *writerMain(void *) {
  Runtime &R = rt();
  std::unique_lock<std::mutex> Q(R.QLock);
  unsigned Idle = 0;
  auto Ready = [&] { return !R.Queue.empty() || R.StopWriter; };
  for (;;) {
    if (R.StopWriter)
      break;
    if (R.Queue.empty()) {
      if (Idle < IdlePolls) {
        ++Idle;
        R.QReady.wait_for(Q, PollInterval, Ready);
        continue;
      }
      R.WriterAsleep = true;
      R.QReady.wait(Q, Ready);
      R.WriterAsleep = false;
      continue;
    }
    Idle = 0;
    Q.unlock();
    {
      std::lock_guard<std::mutex> L(R.Lock);
      drainQueue(R);
    }
    Q.lock();
  }
  R.WriterRunning = false;
  Q.unlock();
  R.QRoom.notify_all();
  return nullptr;
}

/// Starts the writer thread on the first full chunk (programs that never
/// fill one never get a thread); caller holds QLock. False when it cannot
/// run: chunks are then rendered on the calling thread.
bool ensureWriter(Runtime &R) {
  if (R.StopWriter)
    return false;
  if (R.WriterRunning)
    return true;
  if (R.WriterFailed || !config().WriterThread)
    return false;
  // The writer must not take the program's signals.
  sigset_t All, Old;
  sigfillset(&All);
  pthread_sigmask(SIG_SETMASK, &All, &Old);
  pthread_attr_t Attr;
  pthread_attr_init(&Attr);
  pthread_attr_setdetachstate(&Attr, PTHREAD_CREATE_DETACHED);
  pthread_t Id;
  int Err = pthread_create(&Id, &Attr, writerMain, nullptr);
  pthread_attr_destroy(&Attr);
  pthread_sigmask(SIG_SETMASK, &Old, nullptr);
  if (Err) {
    R.WriterFailed = true;
    return false;
  }
  R.WriterRunning = true;
  return true;
}

/// After fork() the child has no writer thread and the queued chunks are
/// the parent's, which the parent writes; the locks were taken in
/// prepareFork so no other thread held them at the fork. With %p in
/// TRACE_FILE the child writes its own trace, else it stops recording.
void prepareFork() {
  Runtime &R = rt();
  R.Lock.lock();
  R.QLock.lock();
}

void parentAfterFork() {
  Runtime &R = rt();
  R.QLock.unlock();
  R.Lock.unlock();
}

void childAfterFork() {
  Runtime &R = rt();
  for (Chunk *C : R.Queue) {
    C->Used = 0;
    R.Spare.push_back(C);
  }
  R.Queue.clear();
  // A child of a multi-threaded process had better not start threads (only
  // async-signal-safe calls are sure to work there): it renders inline.
  R.WriterRunning = false;
  R.WriterFailed = true;
  R.Pid = static_cast<long>(::getpid());
  if (!R.Closed) {
    if (config().Path.find("%p") == std::string::npos) {
      // Both processes would append to one file: the child does not record.
      __atomic_store_n(&RuntimeMode, 2, __ATOMIC_RELAXED);
      R.Closed = true;
    } else {
      // The child writes a whole trace of its own: header, sites and
      // parameters again, then its calls. Records made before the fork are
      // the parent's.
      ThreadState *Self = CurrentTS;
      R.Threads.clear();
      R.StartedByExited = 0;
      uint32_t Index = 0, Seq = 0;
      if (Self) {
        Index = Self->Index;
        Seq = Self->Seq;
        Self->Buffer->Used = 0;
        Self->Buffer->SeqBegin = Self->Buffer->SeqEnd = Seq;
        Self->setBuffer(Self->Buffer);
        Self->LastTick = TheClock.Origin; // Times start again in a new file.
        R.Threads.push_back(Self);
        // Started counts nodes of this process: subtract those before.
        R.StartedByExited = 0 - static_cast<uint64_t>(Seq);
      }
      R.W.restart(Index, Seq);
      R.Written = 0;
      // Ids are given anew in the child's file.
      for (ThreadState *T : R.Free)
        for (auto &E : T->IdCache)
          E = ThreadState::IdCacheEntry();
      if (Self)
        for (auto &E : Self->IdCache)
          E = ThreadState::IdCacheEntry();
      R.ParamsWritten = R.TusWritten = 0;
    }
    if (R.Fd >= 0)
      ::close(R.Fd);
    R.Fd = -1;
    R.OpenFailed = false;
  }
  R.QLock.unlock();
  R.Lock.unlock();
}

} // namespace

void handOff(ThreadState &TS) noexcept {
  Runtime &R = rt();
  {
    std::unique_lock<std::mutex> Q(R.QLock);
    if (ensureWriter(R)) {
      // Queue the full chunk and carry on in a spare one. Memory stays
      // bounded: past MaxQueued chunks the caller waits for the writer.
      // 512 KiB: a fresh page costs about 10 us on first touch on a VM, so
      // a deeper queue (it was 4 MiB) mostly buys page faults while the
      // writer is behind; waiting for a spare chunk costs no CPU.
      std::size_t MaxQueued =
          std::max<std::size_t>(4, (512u << 10) / config().ChunkBytes);
      Chunk *Next = nullptr;
      if (R.Spare.empty() && R.ChunksOut >= MaxQueued) {
        R.QReady.notify_one(); // The writer may be between two polls.
        R.QRoom.wait(Q, [&] {
          return !R.Spare.empty() || !R.WriterRunning;
        });
      }
      if (!R.Spare.empty()) {
        Next = R.Spare.back();
        R.Spare.pop_back();
      } else if (R.WriterRunning) {
        Next = new (std::nothrow) Chunk(config().ChunkBytes);
        if (Next)
          ++R.ChunksOut;
      }
      if (Next) {
        uint32_t Seq = __atomic_load_n(&TS.Seq, __ATOMIC_RELAXED);
        TS.Buffer->SeqEnd = Seq;
        TS.syncUsed();
        R.Queue.push_back(TS.Buffer);
        Next->Used = 0;
        Next->Thread = TS.Index;
        Next->SeqBegin = Next->SeqEnd = Seq;
        TS.setBuffer(Next);
        const bool Wake = R.WriterAsleep || R.Queue.size() >= 2;
        Q.unlock();
        if (Wake)
          R.QReady.notify_one();
        return;
      }
    }
  }
  std::lock_guard<std::mutex> L(R.Lock);
  consumeThread(R, TS);
  drainText(R);
}

void registerParam(const __ParamInfo &P, const void *Var,
                   RenderFn Render) noexcept {
  if (!initRuntime())
    return;
  PendingParam PP{&P, std::string(), false};
  // A value parameter's object is a node of its own: arguments read from
  // it (or from copies of it) are connected to it.
  if (Var && P.Kind == 1)
    registerParamAddress(Var, P.Id);
  if (Var && Render) {
    Out O(MaxValueLimit);
    Render(O, Var, nullptr);
    std::size_t Omitted = O.finish();
    PP.Value = O.str();
    if (Omitted)
      PP.Value += truncationMarker(Omitted);
    PP.HasValue = true;
  }
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  R.Params.push_back(std::move(PP));
}

uint32_t registerSite(__Site &S) noexcept {
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  return R.W.siteId(S);
}

uint32_t registerType(TypeDesc &T) noexcept {
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  return R.W.typeId(T);
}

uint32_t registerId(IdTable Table, const void *Key) noexcept {
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  return R.W.internId(Table, Key);
}

void registerTu(const __TuInfo &T) noexcept {
  if (!initRuntime())
    return;
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  R.Tus.push_back(&T);
}

//===----------------------------------------------------------------------===//
// User API (trace/trace.hpp)
//===----------------------------------------------------------------------===//

/// Writes a feedback line after everything this thread recorded so far, so
/// the node it names is already in the file.
static void writeFeedback(FeedbackTarget To, std::string_view Text,
                          const double *Score, bool Success) {
  stampFeedback(To);
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  if (R.Closed)
    return;
  writeCallingThread(R);
  R.W.feedback(To, Text, Score, Success);
  drainText(R);
}

/// What produced the object at \p Addr: the notes that `trace::feedback`'s
/// call site left (a temporary from a bundle or a helper, a member or an
/// element), else the object's binding.
static FeedbackTarget feedbackTarget(ThreadState &T, const void *Addr) {
  FeedbackTarget To;
  ValueProv P;
  bool Found = false;
  while (!T.Pending.empty() && T.Pending.top().Hash == __FeedbackHash) {
    PendingEntry E = T.Pending.top();
    T.Pending.pop();
    if (Found)
      continue;
    if (E.Kind == PendingKind::Result) {
      P.From = E.Node;
      Found = true;
    } else if (E.Kind == PendingKind::ExpectLast) {
      if (static_cast<uint32_t>(T.Returns) != E.Stamp && T.LastRet) {
        P.From = T.LastRet;
        Found = true;
      }
    } else if (E.Kind == PendingKind::Note) {
      P = lookupObject(T, E.Addr);
      Found = P.From || P.Derived;
    } else if (E.Kind == PendingKind::NotePart) {
      P = partsOf(T, E.Addr);
      Found = P.Derived != nullptr;
    }
  }
  if (!Found)
    P = lookupObject(T, Addr);
  if (isNode(P.From & ~WildMark)) {
    To.Node = P.From & ~WildMark;
    return To;
  }
  if (P.Derived) {
    for (unsigned I = 0; I < P.Derived->Count; ++I) {
      uint64_t N = P.Derived->at(I);
      if (isNode(N))
        To.Derived.push_back(N);
    }
    To.DerivedOmitted = P.Derived->Omitted;
    if (!To.Derived.empty())
      return To;
  }
  if (isCutTag(P.From)) {
    __Site *S = tagSite(P.From);
    To.Unattributed = std::string("produced by a call of ") + S->Name +
                      " that the call limit did not record";
    return To;
  }
  To.Unattributed = "not produced by a recorded call";
  return To;
}

void feedbackFor(const void *Addr, const char *Text, std::size_t Len,
                 double Score, bool HasScore) noexcept {
  if (!initRuntime())
    return;
  ThreadState *T = currentThread();
  FeedbackTarget To;
  if (T)
    To = feedbackTarget(*T, Addr);
  else
    To.Unattributed = "not produced by a recorded call";
  writeFeedback(To, std::string_view(Text, Len), HasScore ? &Score : nullptr,
                false);
}

/// Feedback about the whole run: node 0, never the latest call.
void feedbackLatest(const char *Text, std::size_t Len, double Score,
                    bool HasScore) noexcept {
  if (!initRuntime())
    return;
  writeFeedback(FeedbackTarget(), std::string_view(Text, Len),
                HasScore ? &Score : nullptr, false);
}

void successLatest(const char *Text, std::size_t Len) noexcept {
  if (!initRuntime())
    return;
  writeFeedback(FeedbackTarget(), std::string_view(Text, Len), nullptr, true);
}

void flushAll() noexcept {
  if (!initRuntime())
    return;
  Runtime &R = rt();
  std::lock_guard<std::mutex> L(R.Lock);
  if (R.Closed)
    return;
  writeCallingThread(R);
  drainText(R);
}

/// Called by the runtime's _exit.
void lastWordsOnExit() noexcept {
  if (config().CrashFlush)
    lastWords();
}

} // namespace __trace_rt

/// _exit and _Exit skip atexit handlers, so the runtime's own definitions
/// write what was recorded first (lastWords), then end the process as the C
/// library's do. The program's calls bind to these: libtrace_rt.a comes
/// before the C library on the link line.
extern "C" void _exit(int Status) {
  __trace_rt::lastWordsOnExit();
  for (;;)
    ::syscall(SYS_exit_group, Status);
}

extern "C" void _Exit(int Status) { _exit(Status); }
