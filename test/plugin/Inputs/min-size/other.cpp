// The second TU of min-size.cpp: CHECK_POSITIVE expands to statements here.
#define CHECKED
#include "sizes.h"

int otherUnit(int X) { return five(X) + six(X) + down(X); }
