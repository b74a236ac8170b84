//===- NoPluginApi.cpp - trace.hpp compiles to no-ops without the plugin --===//

#undef __TRACE_PLUGIN__
#include "trace/trace.hpp"

#include <gtest/gtest.h>

#include <string>

TEST(NoPlugin, ApiIsInlineNoOps) {
  std::string V = "x";
  trace::feedback(V, "text");
  trace::feedback(V, "text", 0.5);
  trace::feedback("text");
  trace::feedback("text", 1.0);
  trace::success();
  trace::success("ok");
  trace::flush();
  SUCCEED();
}
