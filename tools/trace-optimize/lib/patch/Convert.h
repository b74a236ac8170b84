//===- Convert.h - Suggested values to C++ source text ----------*- C++ -*-===//
//
// The LLM answers with JSON values; a value parameter needs a C++ initializer
// of the variable's type. Conversions are checked: an out-of-range integer, a
// word for a bool, a list for a scalar are errors that name the cause.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_CONVERT_H
#define TRACEOPT_CONVERT_H

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

struct Param;

/// Converts \p V to an initializer of C++ type \p Type. \p OldValue (the
/// recorded value, may be empty) tells an enum "Color::Red" apart.
/// Returns nullopt and sets \p Error on mismatch.
std::optional<std::string> toCppInitializer(const nlohmann::json &V, std::string_view Type,
                                            std::string_view OldValue, std::string &Error);

/// The new source text for parameter \p P: code is taken as the definition
/// text; a value is converted with toCppInitializer.
std::optional<std::string> toParamText(const nlohmann::json &V, const Param &P, std::string &Error);

/// A C++ string literal holding \p S.
std::string cppStringLiteral(std::string_view S);

} // namespace traceopt

#endif
