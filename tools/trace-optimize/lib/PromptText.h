//===- PromptText.h - Every word the prompt says ----------------*- C++ -*-===//
//
// Edit the wording here; Prompt.cpp only arranges it. See docs/prompt.md.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_PROMPTTEXT_H
#define TRACEOPT_PROMPTTEXT_H

namespace traceopt::text {
} // namespace traceopt::text

#endif
