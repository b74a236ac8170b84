//===- AbiCheck.cpp - The runtime's half of the link-time ABI check -------===//
//
// Its own archive member: only instrumented objects bring it in (through
// __trace_rt_abi_check, whatever their version), so a program that links the
// runtime without instrumented code (the unit tests) does not need it. With
// an object of another version, the link reports both this member's missing
// __trace_plugin_abi_v<this version> and the object's missing
// __trace_rt_abi_v<its version>. See trace/abi.hpp.
//
//===----------------------------------------------------------------------===//

#include "trace/abi.hpp"

extern "C" const char __TRACE_PLUGIN_ABI;
extern "C" const char __TRACE_RT_ABI = 0;
extern "C" const char __trace_rt_abi_check = 0;

__TRACE_ABI_KEEP static const char *const TraceAbiObjectsOfThisVersion =
    &__TRACE_PLUGIN_ABI;
