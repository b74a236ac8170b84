//===- NodeIdMap.cpp - Node id to node index, per instance ----------------===//
#include "traceset/TraceSet.h"

#include <algorithm>

namespace traceopt {

/// Ids are (thread << 32) | sequence: mix the bits so that consecutive
/// sequences of several threads spread over the table.
static size_t mixId(uint64_t Id) {
  Id ^= Id >> 33;
  Id *= 0xff51afd7ed558ccdull;
  Id ^= Id >> 33;
  return size_t(Id);
}

void NodeIdMap::reserve(size_t N) {
  if (!Hashed) {
    Reserved = N;
    return;
  }
  size_t Want = 16;
  while (Want < N + N / 2 + 1)
    Want *= 2;
  if (Want > Slots.size())
    grow(Want);
}

void NodeIdMap::grow(size_t MinSlots) {
  LargeVector<Slot> Old = std::move(Slots);
  Slots = LargeVector<Slot>(MinSlots, Slot{0, 0});
  Count = 0;
  for (const Slot &S : Old)
    if (S.Id)
      insertSlot(S.Id, S.Index);
}

void NodeIdMap::toSlots() {
  Hashed = true;
  std::vector<Run> Old = std::move(Runs);
  Runs.clear();
  Sorted.clear();
  reserve(std::max(Reserved, Count + 1));
  Count = 0;
  for (const Run &R : Old)
    for (uint32_t K = 0; K < R.Count; ++K)
      insertSlot(R.FirstId + K, R.FirstIndex + K);
}

size_t NodeIdMap::findRun(uint64_t Id) const {
  // The run found last, then the last one: a reader looks up the calls of
  // the thread it is reading.
  if (LastFound < Runs.size()) {
    const Run &R = Runs[LastFound];
    if (Id - R.FirstId < R.Count)
      return LastFound;
  }
  if (!Runs.empty() && Id - Runs.back().FirstId < Runs.back().Count)
    return LastFound = Runs.size() - 1;
  auto It = std::upper_bound(Sorted.begin(), Sorted.end(), Id,
                             [&](uint64_t X, uint32_t R) { return X < Runs[R].FirstId; });
  if (It == Sorted.begin())
    return npos;
  const Run &R = Runs[*std::prev(It)];
  if (Id - R.FirstId >= R.Count)
    return npos;
  return LastFound = *std::prev(It);
}

bool NodeIdMap::insert(uint64_t Id, size_t Index) {
  if (Id == 0)
    return false;
  if (Hashed)
    return insertSlot(Id, Index);
  if (!Runs.empty()) {
    Run &R = Runs.back();
    if (Id == R.FirstId + R.Count && Index == size_t(R.FirstIndex) + R.Count && Id < Limit && R.Count < UINT32_MAX) {
      ++R.Count;
      ++Count;
      return true;
    }
  }
  if (findRun(Id) != npos)
    return false;
  // Sparse ids make a run per id: hash them instead.
  if (Runs.size() >= 1024 && Runs.size() * 8 > Count) {
    toSlots();
    return insertSlot(Id, Index);
  }
  Runs.push_back({Id, uint32_t(Index), 1});
  auto It = std::upper_bound(Sorted.begin(), Sorted.end(), Id,
                             [&](uint64_t X, uint32_t R) { return X < Runs[R].FirstId; });
  It = Sorted.insert(It, uint32_t(Runs.size() - 1));
  ++It;
  Limit = It == Sorted.end() ? ~uint64_t(0) : Runs[*It].FirstId;
  ++Count;
  return true;
}

bool NodeIdMap::insertSlot(uint64_t Id, size_t Index) {
  if ((Count + 1) * 3 > Slots.size() * 2)
    grow(Slots.empty() ? 16 : Slots.size() * 2);
  size_t Mask = Slots.size() - 1;
  for (size_t I = mixId(Id) & Mask;; I = (I + 1) & Mask) {
    if (Slots[I].Id == Id)
      return false;
    if (Slots[I].Id == 0) {
      Slots[I] = {Id, uint32_t(Index)};
      ++Count;
      return true;
    }
  }
}

void NodeIdMap::prefetch(uint64_t Id) const {
  if (Hashed && !Slots.empty())
    __builtin_prefetch(&Slots[mixId(Id) & (Slots.size() - 1)], 1);
}

size_t NodeIdMap::find(uint64_t Id) const {
  if (Id == 0)
    return npos;
  if (!Hashed) {
    size_t R = findRun(Id);
    return R == npos ? npos : size_t(Runs[R].FirstIndex) + (Id - Runs[R].FirstId);
  }
  if (Slots.empty())
    return npos;
  size_t Mask = Slots.size() - 1;
  for (size_t I = mixId(Id) & Mask;; I = (I + 1) & Mask) {
    if (Slots[I].Id == Id)
      return Slots[I].Index;
    if (Slots[I].Id == 0)
      return npos;
  }
}

} // namespace traceopt
