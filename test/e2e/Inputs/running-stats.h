// A class template and a function declared here, used by exact-sites.cpp and
// exact-sites-other.cpp.
#pragma once

template <class T> struct RunningStats {
  T Sum{};
  /// Adds one sample to the sum.
  [[trace::bundle]] T add(const T &X);
};

template <class T> T RunningStats<T>::add(const T &X) { return Sum += X; }

/// Counts the samples of a run.
[[trace::bundle]] int sampleCount(int Runs);

int otherUnit(int Runs);
