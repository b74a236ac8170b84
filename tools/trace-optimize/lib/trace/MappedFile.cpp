//===- MappedFile.cpp - The bytes of a trace file while it is read --------===//
#include "MappedFile.h"

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

bool MappedFile::open(const std::string &Path, std::string &Error) {
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd < 0) {
    Error = "cannot open trace file '" + Path + "': " + std::strerror(errno);
    return false;
  }
  struct stat St;
  if (::fstat(Fd, &St) == 0 && S_ISREG(St.st_mode) && St.st_size > 0) {
    // MAP_POPULATE: a trace is read once from start to end, so faulting the
    // pages in one call is cheaper than one fault per page while parsing.
    void *P = ::mmap(nullptr, size_t(St.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, Fd, 0);
    if (P != MAP_FAILED) {
      ::madvise(P, size_t(St.st_size), MADV_SEQUENTIAL);
      Map = P;
      MapSize = size_t(St.st_size);
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
