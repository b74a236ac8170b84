// A project header whose functions are measured by -fplugin-arg-trace-min-size
// (default 6): no loop, no recursion and fewer than 6 statements written in
// the file means left alone under 'all'.
#ifndef MIN_SIZE_SIZES_H
#define MIN_SIZE_SIZES_H

// Expands to a statement in one TU and to nothing in the other: a statement a
// macro makes is not counted, so both TUs judge the header alike.
#ifdef CHECKED
#define CHECK_POSITIVE(X)                                                      \
  do {                                                                         \
    if ((X) < 0)                                                               \
      return -1;                                                               \
    if ((X) > 1000)                                                            \
      return -2;                                                               \
  } while (0)
#else
#define CHECK_POSITIVE(X) (void)0
#endif

inline int one(int X) { return X + 1; }

struct Store {
  int V = 0;
  int get() const { return V; }
  void set(int X) { V = X; }
};

// Five statements (if, return, if, return, return): left alone.
inline int five(int X) {
  CHECK_POSITIVE(X);
  if (X > 10)
    return 1;
  if (X > 5)
    return 2;
  return 3;
}

// Six statements (a declaration, two ifs, the expression each one runs, a
// return): instrumented.
inline int six(int X) {
  int R = 0;
  if (X > 10)
    R = one(R);
  if (X > 5)
    R += 2;
  return R;
}

// A loop, however short: instrumented.
inline int loop(int X) {
  while (X > 3)
    X /= 2;
  return X;
}

// A call of itself: instrumented.
inline int recurse(int X) { return X > 0 ? recurse(X - 1) : 0; }

// A template: measured on its pattern.
template <class T> T small(T X) { return X; }
// A template calling itself through a dependent call: instrumented.
template <class T> T down(T X) { return X > 0 ? down(X - 1) : X; }

// Annotated: never bounded.
[[trace::bundle]] inline int marked(int X) { return X * 2; }
#endif
