// The second translation unit of all-headers.cpp.
#include "project.h"

int sideA(int X) { return X + 10; }

int otherUnit(int X) {
  Counter C;
  C.add(X);
  Box<int> B{X};
  return scale(X) + C.get() + twice(X) + B.open() + hidden(X) + unnamed(X) +
         viaOther(X) +
         vendorMul(X) + vendorNeg(X);
}
