//===- LazyFile.h - A binary trace kept for its values ----------*- C++ -*-===//
//
// Private to traceset/: the loader fills it (LoadBinary.cpp), TraceSet::call
// decodes from it (CallView.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_TRACESET_LAZYFILE_H
#define TRACEOPT_TRACESET_LAZYFILE_H

#include "trace/BinaryTrace.h"
#include "trace/MappedFile.h"
#include "traceset/TraceSet.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace traceopt {

/// A binary trace whose values a TraceSet decodes when asked for.
struct LazyFile {
  std::string Name;
  MappedFile File;  ///< The bytes, mapped (loadTraces)...
  std::string Copy; ///< ...or copied (parseTraceText).
  std::string_view Bytes;
  bool Mapped = false;
  /// The reader of the first pass, kept for its tables (sites, types,
  /// strings, blocks): decodeCall and decodeRet use them.
  std::unique_ptr<BinaryTraceReader> Reader;
  uint32_t FirstNode = 0; ///< Index of the file's first node in TraceSet::Nodes.

  // Where each call's records are, by node index K - FirstNode, in about
  // 4 bytes a call: the kernel zeroes every byte kept per call, and these
  // are most of what a call costs besides its Node.

  /// The enter record of call K is CallBase[K >> BaseShift] for the first
  /// call of a group, else CallDelta[K] bytes after the previous call's
  /// (FarDelta: see FarCalls). Offsets grow with K, and a call of a usual
  /// trace takes tens of bytes, so 16 bits nearly always hold the step.
  static constexpr unsigned BaseShift = 6;
  static constexpr uint16_t FarDelta = 0xFFFF;
  std::vector<uint64_t> CallBase;
  LargeVector<uint16_t> CallDelta;
  /// (K, offset) of the calls whose step is FarDelta, by K.
  std::vector<std::pair<uint32_t, uint64_t>> FarCalls;
  uint64_t LastCall = 0;

  uint64_t callAt(size_t K) const {
    // While reading, most lookups are of the call read last (a result that
    // closes it, an argument that it produced).
    if (K + 1 == CallDelta.size())
      return LastCall;
    size_t First = K & ~((size_t(1) << BaseShift) - 1);
    uint64_t At = CallBase[K >> BaseShift];
    for (size_t J = First + 1; J <= K; ++J) {
      uint16_t D = CallDelta[J];
      if (D != FarDelta) {
        At += D;
        continue;
      }
      At = std::lower_bound(FarCalls.begin(), FarCalls.end(), uint32_t(J),
                            [](const std::pair<uint32_t, uint64_t> &P, uint32_t X) { return P.first < X; })
               ->second;
    }
    return At;
  }
  void addCall(uint64_t At) {
    size_t K = CallDelta.size();
    if (!(K & ((size_t(1) << BaseShift) - 1))) {
      CallBase.push_back(At);
      CallDelta.push_back(0);
    } else if (At - LastCall < FarDelta) {
      CallDelta.push_back(uint16_t(At - LastCall));
    } else {
      CallDelta.push_back(FarDelta);
      FarCalls.push_back({uint32_t(K), At});
    }
    LastCall = At;
  }

  /// By K: how far after the enter record the record that ended the call
  /// is; 0: none, FarDelta: in FarRets (a call with many calls inside),
  /// AfterValues: in FarRets, or else the record after the call's values.
  /// A call past the end has no entry, like AfterValues. A leaf call
  /// (BinHandler::leafCall) needs none, and while the other calls are few
  /// (calls cut by the end of their block) they are kept in FarRets: a
  /// trace of leaf calls keeps no array.
  static constexpr uint16_t AfterValues = FarDelta - 1;
  LargeVector<uint16_t> RetDelta;
  std::unordered_map<uint32_t, uint64_t> FarRets;

  /// Where call K, \p Finished or not, ended; 0 if unknown.
  uint64_t retAt(size_t K, bool Finished) const {
    if (!Finished)
      return 0;
    uint16_t D = K < RetDelta.size() ? RetDelta[K] : AfterValues;
    if (D != FarDelta && D != AfterValues)
      return D ? callAt(K) + D : 0;
    if (!FarRets.empty())
      if (auto It = FarRets.find(uint32_t(K)); It != FarRets.end())
        return It->second;
    return D == AfterValues ? Reader->leafResultAt(callAt(K)) : 0;
  }
  /// Call K ended at \p At; a leaf call needs no entry.
  void setRetAt(size_t K, uint64_t At, uint64_t CallAt) {
    if (RetDelta.size() <= K) {
      if ((FarRets.size() + 1) * 16 <= K) {
        FarRets[uint32_t(K)] = At;
        return;
      }
      RetDelta.resize(K + 1, AfterValues);
    }
    uint64_t D = At - CallAt;
    if (D && D < AfterValues) {
      RetDelta[K] = uint16_t(D);
      return;
    }
    RetDelta[K] = FarDelta;
    FarRets[uint32_t(K)] = At;
  }

  /// Node ids by K: (first K, its id) of each run of consecutive ids, by K.
  std::vector<std::pair<uint32_t, uint64_t>> IdRuns;
  uint64_t idAt(size_t K) const {
    auto It = std::upper_bound(IdRuns.begin(), IdRuns.end(), uint32_t(K),
                               [](uint32_t X, const std::pair<uint32_t, uint64_t> &P) { return X < P.first; });
    --It;
    return It->second + (K - It->first);
  }
  void addId(size_t K, uint64_t Id) {
    if (IdRuns.empty() || IdRuns.back().second + (K - IdRuns.back().first) != Id)
      IdRuns.push_back({uint32_t(K), Id});
  }
  /// Irregular calls (BinCall::Irregular): (node index - FirstNode, number
  /// of values), by node.
  std::vector<std::pair<uint32_t, uint32_t>> Counts;
};

} // namespace traceopt

#endif
