//===- SafeRead.cpp - Bounded reads of memory the program may not own -----===//
//
// A `char *` handed to a bundle is not known to point to a NUL-terminated
// string: it may be a cursor in a buffer without NUL, a one-past-end pointer,
// or point just before an unmapped page. The runtime reads such memory only
// on pages it knows to be readable, never past a poisoned byte under
// AddressSanitizer, and never more than the value limit, so recording cannot
// fault and costs what it records. The bounded renderers of strings live here
// too. docs/runtime.md ("Values as text") describes the rules.
//
//===----------------------------------------------------------------------===//

#include "SafeRead.h"

#include "Internal.h"

#include "trace/escape.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <link.h>
#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <pthread.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/// Defined only when the program is built with AddressSanitizer: the first
/// poisoned byte of [Beg, Beg + Size), or null.
extern "C" const void *__asan_region_is_poisoned(const void *Beg,
                                                 std::size_t Size)
    __attribute__((weak));

namespace __trace_rt {

namespace {

//===----------------------------------------------------------------------===//
// What is known about the process, gathered once
//===----------------------------------------------------------------------===//

struct Range {
  uintptr_t Lo, Hi;
};

constexpr unsigned MaxImageRanges = 512;

struct ProcessFacts {
  uintptr_t PageSize = 4096;
  unsigned PageShift = 12;
  /// Pages of the readable segments of the modules loaded when the facts
  /// were gathered (before main), sorted and merged. Start-up modules are
  /// never unloaded, so their pages stay readable.
  Range Image[MaxImageRanges];
  unsigned NumImage = 0;
  /// Where the program break started (start_brk); 0 if unknown.
  uintptr_t StartBrk = 0;
  /// The CPU has AVX2: findNul scans 64 bytes a step.
  bool Avx2 = false;
};

ProcessFacts Facts;
std::once_flag FactsOnce;
std::atomic<bool> FactsReady{false};
/// Set when the kernel refuses process_vm_readv (seccomp, ENOSYS): pages
/// outside the stable regions are then never read.
std::atomic<bool> ProbeUnavailable{false};

int addModule(dl_phdr_info *Info, std::size_t, void *) {
  const uintptr_t Mask = Facts.PageSize - 1;
  for (unsigned I = 0; I < Info->dlpi_phnum; ++I) {
    const ElfW(Phdr) &Ph = Info->dlpi_phdr[I];
    if (Ph.p_type != PT_LOAD || !(Ph.p_flags & PF_R) || Ph.p_memsz == 0)
      continue;
    if (Facts.NumImage == MaxImageRanges)
      return 1;
    const uintptr_t Lo = Info->dlpi_addr + Ph.p_vaddr;
    const uintptr_t Hi = Lo + Ph.p_memsz;
    Facts.Image[Facts.NumImage++] = {Lo & ~Mask, (Hi + Mask) & ~Mask};
  }
  return 0;
}

/// start_brk, field 47 of /proc/self/stat (Linux 3.5 and later).
uintptr_t readStartBrk() {
  int Fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (Fd < 0)
    return 0;
  char Buf[2048];
  ssize_t N = ::read(Fd, Buf, sizeof Buf - 1);
  ::close(Fd);
  if (N <= 0)
    return 0;
  Buf[N] = '\0';
  // The command name (field 2) may hold spaces and parentheses: count the
  // fields after the last ')'.
  const char *P = std::strrchr(Buf, ')');
  if (!P)
    return 0;
  ++P;
  for (unsigned Field = 3; *P; ++Field) {
    while (*P == ' ')
      ++P;
    if (Field == 47)
      return static_cast<uintptr_t>(std::strtoull(P, nullptr, 10));
    while (*P && *P != ' ')
      ++P;
  }
  return 0;
}

void gatherFacts() {
  long Page = ::sysconf(_SC_PAGESIZE);
  if (Page > 0 && (Page & (Page - 1)) == 0) {
    Facts.PageSize = static_cast<uintptr_t>(Page);
    Facts.PageShift = static_cast<unsigned>(__builtin_ctzl(Page));
  }
  dl_iterate_phdr(addModule, nullptr);
  std::sort(Facts.Image, Facts.Image + Facts.NumImage,
            [](const Range &A, const Range &B) { return A.Lo < B.Lo; });
  unsigned Out = 0;
  for (unsigned I = 0; I < Facts.NumImage; ++I) {
    if (Out && Facts.Image[I].Lo <= Facts.Image[Out - 1].Hi)
      Facts.Image[Out - 1].Hi =
          std::max(Facts.Image[Out - 1].Hi, Facts.Image[I].Hi);
    else
      Facts.Image[Out++] = Facts.Image[I];
  }
  Facts.NumImage = Out;
  Facts.StartBrk = readStartBrk();
#if defined(__x86_64__)
  __builtin_cpu_init();
  Facts.Avx2 = __builtin_cpu_supports("avx2");
#endif
  FactsReady.store(true, std::memory_order_release);
}

inline void ensureFacts() {
  if (__builtin_expect(!FactsReady.load(std::memory_order_acquire), 0))
    std::call_once(FactsOnce, gatherFacts);
}

/// Gathered before main: modules that a constructor dlopens later are not
/// taken for start-up modules.
struct EagerFacts {
  EagerFacts() { ensureFacts(); }
} TheEagerFacts;

bool inImage(uintptr_t A) {
  const Range *Begin = Facts.Image;
  const Range *End = Begin + Facts.NumImage;
  const Range *R = std::upper_bound(
      Begin, End, A, [](uintptr_t X, const Range &Y) { return X < Y.Lo; });
  return R != Begin && A < (R - 1)->Hi;
}

/// The main arena of glibc's malloc grows the break: [start_brk, brk) is
/// one mapping, read live (sbrk(0) returns glibc's cached break, no system
/// call), so a heap that shrank is seen at once.
bool inBrk(uintptr_t A) {
  if (!Facts.StartBrk || A < Facts.StartBrk)
    return false;
  void *Brk = ::sbrk(0);
  return Brk != reinterpret_cast<void *>(-1) &&
         A < reinterpret_cast<uintptr_t>(Brk);
}

//===----------------------------------------------------------------------===//
// What a thread knows about pages
//===----------------------------------------------------------------------===//

enum : uint8_t { Unknown = 0, Stable = 1, Readable = 2, Unreadable = 3 };

/// A page's state. Stable pages (the thread's own stack, start-up modules)
/// stay readable while the thread lives; probed pages are trusted for
/// ProbeValidMs only, because the program may unmap them meanwhile.
struct PageSlot {
  uintptr_t Page;
  uint32_t StampMs;
  uint8_t State;
};

constexpr unsigned CacheSlots = 64;
/// How long a probed page's state is trusted. A cursor walking a large
/// mapped buffer costs one probe per ProbePages pages per this interval.
constexpr uint32_t ProbeValidMs = 10;
/// Pages probed at once from the first one onwards.
constexpr unsigned ProbePages = 8;

/// Zero-initialised, no constructor or destructor: safe in any thread, at
/// any time, without registration.
struct ThreadPages {
  PageSlot Slots[CacheSlots];
  uintptr_t StackLo, StackHi;
  bool StackKnown;
  uint64_t Hits, Probes;
};

thread_local ThreadPages TP;

uint32_t nowMs() {
  // The coarse clock is read from the vDSO without a system call; its
  // resolution (a few ms) is enough for ProbeValidMs.
  timespec T;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &T);
  return static_cast<uint32_t>(static_cast<uint64_t>(T.tv_sec) * 1000u +
                               static_cast<uint64_t>(T.tv_nsec) / 1000000u);
}

void learnStack(ThreadPages &T) {
  T.StackKnown = true;
  pthread_attr_t Attr;
  if (pthread_getattr_np(pthread_self(), &Attr) != 0)
    return;
  void *Addr = nullptr;
  std::size_t Size = 0;
  if (pthread_attr_getstack(&Attr, &Addr, &Size) == 0 && Addr) {
    T.StackLo = reinterpret_cast<uintptr_t>(Addr);
    T.StackHi = T.StackLo + Size;
  }
  pthread_attr_destroy(&Attr);
}

/// Addresses between the current frame and the top of the thread's stack
/// are mapped (unless the thread runs on another stack: a signal stack, a
/// coroutine's; then nothing is assumed).
__attribute__((noinline)) bool inOwnStack(ThreadPages &T, uintptr_t A) {
  if (!T.StackKnown)
    learnStack(T);
  const uintptr_t Frame =
      reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (Frame < T.StackLo || Frame >= T.StackHi)
    return false;
  return A >= Frame && A < T.StackHi;
}

void remember(ThreadPages &T, uintptr_t Page, uint8_t State, uint32_t Now) {
  PageSlot &S = T.Slots[Page % CacheSlots];
  S.Page = Page;
  S.StampMs = Now;
  S.State = State;
}

/// Asks the kernel which of the pages from A's onwards are readable: it
/// copies one byte of each with process_vm_readv, which fails instead of
/// faulting (also for PROT_NONE pages and file pages past the end of the
/// file). The answer is remembered.
bool probe(ThreadPages &T, uintptr_t A) {
  if (ProbeUnavailable.load(std::memory_order_relaxed))
    return false;
  const uintptr_t Page = A >> Facts.PageShift;
  iovec Remote[ProbePages];
  unsigned N = 0;
  for (; N < ProbePages; ++N) {
    uintptr_t At = N == 0 ? A : (Page + N) << Facts.PageShift;
    if (N && (Page + N) >> (sizeof(uintptr_t) * 8 - Facts.PageShift))
      break; // Past the end of the address space.
    Remote[N] = {reinterpret_cast<void *>(At), 1};
  }
  char Bytes[ProbePages];
  iovec Local = {Bytes, N};
  ++T.Probes;
  // getpid() each time: a forked child must not read its parent.
  ssize_t Got = ::process_vm_readv(::getpid(), &Local, 1, Remote, N, 0);
  const uint32_t Now = nowMs();
  if (Got < 0) {
    if (errno != EFAULT && errno != ENOMEM) {
      ProbeUnavailable.store(true, std::memory_order_relaxed);
      return false;
    }
    Got = 0;
  }
  for (unsigned I = 0; I < static_cast<unsigned>(Got); ++I)
    remember(T, Page + I, Readable, Now);
  if (static_cast<unsigned>(Got) < N)
    remember(T, Page + static_cast<unsigned>(Got), Unreadable, Now);
  return Got > 0;
}

/// Whether the page holding A may be read.
bool pageReadable(uintptr_t A) {
  ThreadPages &T = TP;
  const uintptr_t Page = A >> Facts.PageShift;
  PageSlot &S = T.Slots[Page % CacheSlots];
  if (S.Page == Page && S.State != Unknown) {
    if (S.State == Stable) {
      ++T.Hits;
      return true;
    }
    if (nowMs() - S.StampMs < ProbeValidMs) {
      ++T.Hits;
      return S.State == Readable;
    }
  }
  // The break first: a parser's cursors point into malloc's main arena,
  // and inBrk is two compares where inImage is a binary search. Brk pages
  // are not remembered: the break may shrink.
  if (inBrk(A))
    return true;
  if (inOwnStack(T, A) || inImage(A)) {
    remember(T, Page, Stable, 0);
    return true;
  }
  return probe(T, A);
}

/// The scans below read bytes on a page known to be readable; the bytes may
/// be poisoned for a sanitizer (the callers stop before those) or be
/// written by another thread meanwhile: neither is the program's access, so
/// these reads are not instrumented.
#if defined(__clang__)
#define TRACE_UNCHECKED                                                        \
  __attribute__((no_sanitize("address", "hwaddress", "memory", "thread")))
#else
#define TRACE_UNCHECKED                                                        \
  __attribute__((no_sanitize("address", "hwaddress", "thread")))
#endif

/// First NUL in [P, P + N), or null, 16 bytes a step.
TRACE_UNCHECKED const char *findNulBase(const char *P, std::size_t N) {
  std::size_t I = 0;
#if defined(__SSE2__)
  const __m128i Zero = _mm_setzero_si128();
  for (; I + 16 <= N; I += 16) {
    const __m128i B = _mm_loadu_si128(reinterpret_cast<const __m128i *>(P + I));
    if (int M = _mm_movemask_epi8(_mm_cmpeq_epi8(B, Zero)))
      return P + I + __builtin_ctz(static_cast<unsigned>(M));
  }
  if (I < N && N >= 16) {
    // The last 16 bytes, overlapping what was scanned.
    const __m128i B =
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(P + N - 16));
    int M = _mm_movemask_epi8(_mm_cmpeq_epi8(B, Zero));
    return M ? P + N - 16 + __builtin_ctz(static_cast<unsigned>(M)) : nullptr;
  }
#else
  constexpr uint64_t Ones = 0x0101010101010101ull;
  constexpr uint64_t Highs = 0x8080808080808080ull;
  for (; I + 8 <= N; I += 8) {
    uint64_t W;
    __builtin_memcpy(&W, P + I, 8);
    if ((W - Ones) & ~W & Highs)
      break;
  }
#endif
  for (; I < N; ++I)
    if (P[I] == '\0')
      return P + I;
  return nullptr;
}

#if defined(__x86_64__)
/// The same, 64 bytes a step: a cursor into a document (no NUL within the
/// value limit) is scanned over the whole limit at every call, the largest
/// single cost of recording a parser. Reads only [P, P + N), as findNulBase.
__attribute__((target("avx2"))) TRACE_UNCHECKED const char *
findNulAvx2(const char *P, std::size_t N) {
  const __m256i Zero = _mm256_setzero_si256();
  std::size_t I = 0;
  for (; I + 64 <= N; I += 64) {
    const __m256i A =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(P + I));
    const __m256i B =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(P + I + 32));
    if (_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(A, B), Zero)))
      break;
  }
  for (; I + 32 <= N; I += 32) {
    const __m256i A =
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(P + I));
    if (const unsigned M = static_cast<unsigned>(
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(A, Zero))))
      return P + I + __builtin_ctz(M);
  }
  return findNulBase(P + I, N - I);
}
#endif

TRACE_UNCHECKED const char *findNul(const char *P, std::size_t N) {
#if defined(__x86_64__)
  if (Facts.Avx2 && N >= 32)
    return findNulAvx2(P, N);
#endif
  return findNulBase(P, N);
}

/// How many bytes from A, at most N, lie on readable pages and are not
/// poisoned, stopping at the end of the page that holds A.
std::size_t readableSpan(uintptr_t A, std::size_t N, bool &Short) {
  Short = false;
  std::size_t Span = Facts.PageSize - (A & (Facts.PageSize - 1));
  if (Span > N)
    Span = N;
  if (!pageReadable(A)) {
    Short = true;
    return 0;
  }
  if (__asan_region_is_poisoned) {
    if (const void *Bad = __asan_region_is_poisoned(
            reinterpret_cast<const void *>(A), Span)) {
      Span = reinterpret_cast<uintptr_t>(Bad) - A;
      Short = true;
    }
  }
  return Span;
}

const char Ellipsis[] = "\xE2\x80\xA6";

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::size_t readablePrefix(const void *P, std::size_t N) noexcept {
  ensureFacts();
  const uintptr_t A = reinterpret_cast<uintptr_t>(P);
  std::size_t Done = 0;
  while (Done < N) {
    if (A + Done < A)
      break; // Wrapped around the address space.
    bool Short = false;
    Done += readableSpan(A + Done, N - Done, Short);
    if (Short)
      break;
  }
  return Done;
}

std::size_t safeCStringPrefix(const char *P, std::size_t Max,
                              bool &Terminated) noexcept {
  Terminated = false;
  if (!P)
    return 0;
  ensureFacts();
  // One byte more than Max tells a string of Max bytes from a longer one.
  const std::size_t Want = Max < SIZE_MAX ? Max + 1 : Max;
  const uintptr_t A = reinterpret_cast<uintptr_t>(P);
  std::size_t Done = 0;
  while (Done < Want) {
    const uintptr_t At = A + Done;
    if (At < A)
      break;
    bool Short = false;
    std::size_t Span = readableSpan(At, Want - Done, Short);
    if (const char *Nul = findNul(reinterpret_cast<const char *>(At), Span)) {
      Terminated = true;
      return Done +
             static_cast<std::size_t>(Nul - reinterpret_cast<const char *>(At));
    }
    Done += Span;
    if (Short)
      break;
  }
  return Done < Max ? Done : Max;
}

std::size_t outRoom(const Out &O) noexcept {
  return O.size() < O.Limit ? O.Limit - O.size() : 0;
}

std::size_t valueLimit() noexcept { return MaxValueLimit; }

std::size_t cursorPrefixLimit() noexcept {
  const std::size_t Max = MaxValueLimit / 4;
  return Max ? Max : 1;
}

std::size_t elementLimit() noexcept { return MaxElementsLimit; }

namespace {

/// Hands escaped text to an Out (trace/escape.hpp emits it in pieces).
struct ToOut {
  Out &O;
  void operator()(const char *P, std::size_t N) const { O.write(P, N); }
};

} // namespace

void outString(Out &O, const char *P, std::size_t N) noexcept {
  // Escaping more than the room left would make text that is not kept: the
  // rest is only counted (Out::write keeps nothing once full), so the
  // omitted size stays about right at a cost bounded by the limit.
  O.write("\"", 1);
  const std::size_t K = __trace_format::escapeC(
      P, N, ToOut{O}, __trace_format::EscapeStop::Reach, outRoom(O));
  if (K < N)
    O.write(P + K, N - K);
  O.write("\"", 1);
}

void outCString(Out &O, const char *P) noexcept {
  if (!P) {
    O.write("nullptr", 7);
    return;
  }
  const std::size_t Room = outRoom(O);
  std::size_t Budget = Room > 2 ? Room - 2 : 1;
  if (Budget > MaxValueLimit)
    Budget = MaxValueLimit;
  bool Terminated = false;
  const std::size_t N = safeCStringPrefix(P, Budget, Terminated);
  if (Terminated) {
    O.write("\"", 1);
    __trace_format::escapeC(P, N, ToOut{O});
    O.write("\"", 1);
    return;
  }
  if (N < Budget) {
    // The readable memory ends before a NUL: not a string the runtime may
    // read, so the pointer is shown as what it is.
    outPointer(O, P);
    return;
  }
  // Readable and longer than the room: the prefix that fits with the quotes
  // and the ellipsis, never splitting a UTF-8 sequence that goes on past
  // what was read. The length is not measured. Like a cut argument, it is a
  // cursor: a quarter of the limit is shown.
  std::size_t Want = Budget > 3 ? Budget - 3 : 0;
  if (Want > cursorPrefixLimit())
    Want = cursorPrefixLimit();
  O.write("\"", 1);
  __trace_format::escapeC(P, N, ToOut{O}, __trace_format::EscapeStop::Fit, Want,
                          /*More=*/true);
  O.write("\"", 1);
  O.write(Ellipsis, 3);
}

SafeReadStats safeReadStats() noexcept { return {TP.Hits, TP.Probes}; }

void resetSafeReadCache() noexcept {
  ThreadPages &T = TP;
  for (PageSlot &S : T.Slots)
    S = PageSlot{0, 0, Unknown};
  T.Hits = 0;
  T.Probes = 0;
}

} // namespace __trace_rt
