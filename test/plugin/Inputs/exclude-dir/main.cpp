// No annotation of its own; includes an annotated third-party header.
#include "vendor/annotated.h"

int main() { return vendorTwice(1) == 2 ? 0 : 1; }
