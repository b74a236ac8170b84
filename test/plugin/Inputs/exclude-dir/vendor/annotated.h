// A third-party header that happens to carry an annotation.
#ifndef EXCLUDE_DIR_ANNOTATED_H
#define EXCLUDE_DIR_ANNOTATED_H
[[trace::bundle]] inline int vendorTwice(int X) { return 2 * X; }
#endif
