//===- BenchFuncs.h - Functions under measurement -------------------------===//
//
// BenchFuncs.cpp is compiled twice into the same benchmark binaries: once
// without the plugin (namespace plain) and once with it (namespace traced),
// with the same flags, so every figure compares the two builds side by side
// in one process.
//
//===----------------------------------------------------------------------===//

#ifndef TRACE_BENCH_BENCHFUNCS_H
#define TRACE_BENCH_BENCHFUNCS_H

#include <cstddef>
#include <string>

namespace plain {
int add(int a, int b);
std::size_t measure(const std::string &s);
const char *nextToken(const char *p);
int chain(int n);
int chainVar(int n);
} // namespace plain

namespace traced {
int add(int a, int b);
std::size_t measure(const std::string &s);
const char *nextToken(const char *p);
int chain(int n);
int chainVar(int n);
} // namespace traced

#endif // TRACE_BENCH_BENCHFUNCS_H
