// An annotation of its own, and an annotated third-party header.
#include "vendor/annotated.h"

[[trace::bundle]] int mine(int X) { return vendorTwice(X); }

int main() { return mine(1) == 2 ? 0 : 1; }
