// Declarations with doc comments; the definitions are in doc-comments.cpp.
#pragma once

/// Scales a value by the gain.
[[trace::bundle]] double scale(double X);

/** Counts the words of a line. */
int countWords(const char *Line);

namespace text {
/// Joins two words.
[[trace::bundle]] int join(int A, int B);
} // namespace text
