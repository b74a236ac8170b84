// A project header with no annotation, included by two translation units
// compiled with -fplugin-arg-trace-all.
#ifndef ALL_HEADERS_PROJECT_H
#define ALL_HEADERS_PROJECT_H
#include "vendor/vendor.h"

inline int scale(int X) { return 3 * X; }

struct Counter {
  int Total = 0;
  int add(int X) {
    Total += X;
    return Total;
  }
  int get() const { return Total; }
};

template <class T> T twice(T X) { return X + X; }

template <class T> struct Box {
  T V;
  T open() const { return V; }
};

// One copy per TU; both copies have the same key.
static int hidden(int X) { return X - 1; }
namespace {
int unnamed(int X) { return X * 5; }
} // namespace

// Defined in other.cpp: only that TU sees the definition.
int sideA(int X);
inline int viaOther(int X) { return sideA(X) + scale(X); }

int otherUnit(int X);
#endif
