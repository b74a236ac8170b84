// The second TU including shared.h; it has no annotation of its own.
#include "shared.h"
int other(int N) { return lib::biggest(N, 2) + lib::callsJoin(N); }
