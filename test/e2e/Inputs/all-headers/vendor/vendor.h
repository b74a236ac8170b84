// A third-party header, in a folder given to -fplugin-arg-trace-exclude-dir.
#ifndef ALL_HEADERS_VENDOR_H
#define ALL_HEADERS_VENDOR_H
inline int vendorMul(int X) { return 7 * X; }
template <class T> T vendorNeg(T X) { return -X; }
#endif
