// The second translation unit of exact-sites.cpp: it spells the
// instantiation RunningStats<int> differently, and its call-site note must
// still name the key (and hash) that the first TU's Site carries.
#include "running-stats.h"

using Count = int;

int otherUnit(int Runs) {
  Count Samples = sampleCount(Runs);
  RunningStats<Count> S;
  return S.add(Samples);
}
