//===- MappedFile.h - The bytes of a trace file while it is read -*- C++ -*-===//
//
// Part of trace_read, the reading side of the trace format that needs
// neither LLVM nor fmt, so that small tools and fuzz targets can link it.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEREAD_MAPPEDFILE_H
#define TRACEREAD_MAPPEDFILE_H

#include <cstddef>
#include <string>
#include <string_view>

namespace traceopt {

/// A file's bytes: mapped when it is a regular file (no copy; pages come
/// from the page cache), read into memory otherwise (pipes, /dev/stdin).
/// The bytes stay valid until the object is destroyed.
class MappedFile {
public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  /// Opens \p Path; false with \p Error naming the file and the cause.
  /// With \p Whole, every page is mapped at once (a file read once from
  /// start to end and dropped); otherwise pages are mapped a window ahead
  /// of release().
  bool open(const std::string &Path, std::string &Error, bool Whole = true);

  /// The reader is at byte \p Offset: the pages before it leave the
  /// process (the page cache keeps them; touching one maps it again), and
  /// the next window is mapped. Keeps the resident size of a long read
  /// bounded.
  void release(size_t Offset);
  /// Maps every page now (a file that will be read whole).
  void populate();

  std::string_view bytes() const {
    return Map ? std::string_view(static_cast<const char *>(Map), MapSize) : std::string_view(Copy);
  }

private:
  void *Map = nullptr;
  size_t MapSize = 0;
  size_t Released = 0;
  std::string Copy;
};

} // namespace traceopt

#endif
