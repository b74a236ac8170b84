//===- MappedFile.cpp - The bytes of a trace file while it is read --------===//
#include "MappedFile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace traceopt {

MappedFile::~MappedFile() {
  if (Map)
    ::munmap(Map, MapSize);
}

/// Pages mapped ahead of the reader, and the page size.
static constexpr size_t Window = size_t(4) << 20, PageSize = 4096;

/// Maps the pages of [Begin, End) of the mapping at \p Map now: one call
/// instead of a fault per page (or a few) while the reader goes on.
static void populateRange(void *Map, size_t Begin, size_t End) {
#ifdef MADV_POPULATE_READ
  if (End > Begin)
    ::madvise(static_cast<char *>(Map) + Begin, End - Begin, MADV_POPULATE_READ);
#else
  (void)Map, (void)Begin, (void)End;
#endif
}

void MappedFile::release(size_t Offset) {
  if (!Map)
    return;
  Offset = std::min(Offset, MapSize) & ~(PageSize - 1);
  if (Offset > Released) {
    ::madvise(static_cast<char *>(Map) + Released, Offset - Released, MADV_DONTNEED);
    Released = Offset;
  }
  populateRange(Map, Offset, std::min(MapSize, Offset + Window));
}

void MappedFile::populate() {
  if (Map)
    populateRange(Map, 0, MapSize);
}

bool MappedFile::open(const std::string &Path, std::string &Error, bool Whole) {
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd < 0) {
    Error = "cannot open trace file '" + Path + "': " + std::strerror(errno);
    return false;
  }
  struct stat St;
  if (::fstat(Fd, &St) == 0 && S_ISREG(St.st_mode) && St.st_size > 0) {
    // MAP_POPULATE: a trace is read once from start to end, so faulting the
    // pages in one call is cheaper than one fault per page while parsing.
    void *P = ::mmap(nullptr, size_t(St.st_size), PROT_READ, MAP_PRIVATE | (Whole ? MAP_POPULATE : 0), Fd, 0);
    if (P != MAP_FAILED) {
      ::madvise(P, size_t(St.st_size), MADV_SEQUENTIAL);
      Map = P;
      MapSize = size_t(St.st_size);
      if (!Whole)
        populateRange(Map, 0, std::min(MapSize, Window));
      ::close(Fd);
      return true;
    }
  }
  char Buf[1 << 16];
  while (true) {
    ssize_t N = ::read(Fd, Buf, sizeof(Buf));
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0) {
      Error = "cannot read trace file '" + Path + "': " + std::strerror(errno);
      ::close(Fd);
      return false;
    }
    if (N == 0)
      break;
    Copy.append(Buf, size_t(N));
  }
  ::close(Fd);
  return true;
}

} // namespace traceopt
