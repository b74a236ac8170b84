//===- LargeMemory.cpp - Memory for arrays that grow with the trace -------===//
#include "traceset/TraceSet.h"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <new>
#include <vector>
#include <sys/mman.h>

namespace traceopt {

namespace {

constexpr size_t HugePage = size_t(2) << 20;

size_t roundToHugePages(size_t Bytes) { return (Bytes + HugePage - 1) & ~(HugePage - 1); }

/// Recycled large blocks freed recently, kept for the next recycled
/// allocation. A backward pass builds its graph afresh each time; without
/// reuse, every pass at a million nodes has the kernel zero about 40 MB of
/// new pages, which makes the per-node time grow with the trace although
/// the work is linear. Bounded, so that little stays resident for nothing.
class BlockCache {
public:
  static constexpr size_t Limit = size_t(128) << 20;

  /// A cached block of exactly \p Size bytes, or null. Only exact sizes:
  /// a structure built again asks for the same sizes, and cutting a larger
  /// block down would leave the request it was freed by without one.
  void *take(size_t Size) {
    std::lock_guard<std::mutex> Guard(Lock);
    for (size_t I = 0; I < Blocks.size(); ++I)
      if (Blocks[I].second == Size) {
        void *Block = Blocks[I].first;
        Blocks.erase(Blocks.begin() + std::ptrdiff_t(I));
        Total -= Size;
        return Block;
      }
    return nullptr;
  }

  /// Keeps \p Block if there is room; false if the caller must unmap it.
  bool put(void *Block, size_t Size) {
    std::lock_guard<std::mutex> Guard(Lock);
    if (Total + Size > Limit)
      return false;
    Blocks.push_back({Block, Size});
    Total += Size;
    return true;
  }

private:
  std::mutex Lock;
  std::vector<std::pair<void *, size_t>> Blocks;
  size_t Total = 0;
};

/// Never destroyed: arrays in static storage may be freed after it would be.
BlockCache &blockCache() {
  static BlockCache *Cache = new BlockCache;
  return *Cache;
}

} // namespace

void *allocateLarge(size_t Bytes, bool Recycle) {
  if (Bytes < 2 * HugePage)
    return ::operator new(Bytes);
  size_t Size = roundToHugePages(Bytes);
  if (Recycle)
    if (void *Block = blockCache().take(Size))
      return Block;
  // Map one huge page more than needed and cut the ends off, so that the
  // array starts on a huge-page boundary.
  void *Map = ::mmap(nullptr, Size + HugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (Map == MAP_FAILED)
    throw std::bad_alloc();
  uintptr_t Raw = reinterpret_cast<uintptr_t>(Map);
  uintptr_t Aligned = (Raw + HugePage - 1) & ~uintptr_t(HugePage - 1);
  if (Aligned > Raw)
    ::munmap(Map, Aligned - Raw);
  if (size_t Tail = Raw + Size + HugePage - (Aligned + Size))
    ::munmap(reinterpret_cast<void *>(Aligned + Size), Tail);
  ::madvise(reinterpret_cast<void *>(Aligned), Size, MADV_HUGEPAGE);
  return reinterpret_cast<void *>(Aligned);
}

void deallocateLarge(void *P, size_t Bytes, bool Recycle) {
  if (Bytes < 2 * HugePage) {
    ::operator delete(P);
    return;
  }
  size_t Size = roundToHugePages(Bytes);
  if (!Recycle || !blockCache().put(P, Size))
    ::munmap(P, Size);
}

} // namespace traceopt
