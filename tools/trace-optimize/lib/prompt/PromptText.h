//===- PromptText.h - Every word the prompt says ----------------*- C++ -*-===//
//
// Edit the wording here; Prompt.cpp only arranges it. Placeholders use fmt
// syntax ({} in order, or named). docs/prompt.md explains each part and the
// FileCheck tests in test/optimize/prompt/ pin the parts they rely on.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_PROMPTTEXT_H
#define TRACEOPT_PROMPTTEXT_H

namespace traceopt::text {

/// The system message: what the sections mean and how to answer.
inline constexpr const char *System = R"(You improve a C++ program by changing its trainable parameters. The program was run and every call of its instrumented functions was recorded as a graph: which values went into each call and which value came out. You see the part of that graph through which the trainable parameters influence the values that received feedback, written as a problem in these sections:

#Instruction: the task.
#Code: the recorded calls, one per line, each after the calls that produced its inputs. `clamp0 = clamp(x=x0, hi=hi0, __code=__code0)` means: clamp was called with its parameter x holding the value named x0 and hi holding hi0; its result is named clamp0; its definition is the trainable variable __code0. `gain=gain0` stands for a trainable global variable the call read; `scale(x=gain0)` means the argument x is the trainable variable gain0 itself. `// calls f0, g0` lists calls made inside the function whose results fed into its result.
#Documentation: what each called function is documented to do, with its C++ signature.
#Variables: the trainable parameters you may change, with their current values. `(code) __code0: <definition>` is a complete C++ function definition; `(double) gain0=0.5` is a variable of type double and its value.
#Constraints: rules every new value must satisfy.
#Inputs: values that came from outside the graph; you cannot change them.
#Others: intermediate values computed along the way.
#Outputs: the values the feedback is about. A call that threw shows the exception, and the source line that threw when it is known, marked with `<---`.
#Feedback: what the program's checks said about the outputs; a line that starts with "About the whole run" is about every output.

Think about what the feedback means, which variables cause it, and how to change them. Then answer with exactly one JSON object, in this form:
{
  "reasoning": "<your reasoning>",
  "suggestion": {
    "<variable name>": <new value>
  }
}
Use the names from #Variables as keys. For a (code) variable the new value is a JSON string holding the complete new definition: the same function with the same name, parameters, return type, specifiers (inline, static, constexpr, ...), qualifiers and attributes, and a new body that compiles as the C++ standard #Constraints names for its file. The definitions are shown without their [[trace::trainable]] attribute, which is put back when the code is applied; you need not write it. A new definition may use only what its file already declares and includes (#Constraints lists the file's #include lines): a suggestion may not add #include directives, macros or helper functions outside the function. For any other variable give a value of its C++ type: a number, true or false, a string, or a list for a container. Leave out the variables you keep; if none should change, give an empty "suggestion".)";

/// First section of the user message.
inline constexpr const char *Instruction =
    "Change the values of the variables in #Variables so that the outputs improve according to #Feedback.";

inline constexpr const char *HeadInstruction = "#Instruction";
inline constexpr const char *HeadCode = "#Code";
inline constexpr const char *HeadDocumentation = "#Documentation";
inline constexpr const char *HeadVariables = "#Variables";
inline constexpr const char *HeadConstraints = "#Constraints";
inline constexpr const char *HeadInputs = "#Inputs";
inline constexpr const char *HeadOthers = "#Others";
inline constexpr const char *HeadOutputs = "#Outputs";
inline constexpr const char *HeadFeedback = "#Feedback";
inline constexpr const char *HeadHistory = "#History";

/// Before the earlier attempts (memory), which precede the current problem.
inline constexpr const char *HistoryIntro =
    "Earlier attempts at this problem, oldest first: the variables as they were then and the feedback they got.";
/// {0}: attempt number.
inline constexpr const char *HistoryAttempt = "Attempt {0}:";
inline constexpr const char *HistoryVariables = "Variables:";
inline constexpr const char *HistoryFeedback = "Feedback:";
/// Between the history and the current problem.
inline constexpr const char *CurrentProblem = "The current problem:";

/// A code line's list of calls made inside it. {0}: comma-separated names.
inline constexpr const char *CallsInside = "  // calls {0}";
/// A line that stands for calls left out to fit the token budget. {0}: count.
inline constexpr const char *ElidedCalls = "... ({0} calls left out to keep the prompt short) ...";
/// The same in #Inputs, #Others and #Outputs, where the left-out calls'
/// values would be. {0}: values left out of that section, {1}: calls.
inline constexpr const char *ElidedValues = "... ({0} values of the {1} calls left out to keep the prompt short) ...";
/// Separates the calls of different runs in #Code. {0}: run number (1-based).
inline constexpr const char *RunSeparator = "// run {0}";

/// The rule on what a code suggestion may add, as one phrase: the prompt
/// states it and the checker enforces it (and quotes it when it rejects a
/// suggestion), so the two cannot drift apart. The system message above says
/// the same in its own words.
inline constexpr const char *SuggestionScopeRule =
    "a suggestion may not add #include directives, macros or helper functions outside the function";
/// The rule as a constraint of one code variable. {0}: name, {1}: SuggestionScopeRule.
inline constexpr const char *ScopeConstraint = "{0}: {1}.";
/// What the file holding a code variable includes. {0}: name, {1}: file
/// name, {2}: the included headers, comma-separated (`<cmath>, "util.h"`).
inline constexpr const char *FileIncludes = "{0}: its file {1} includes {2}.";
/// The same for a file without #include lines. {0}: name, {1}: file name.
inline constexpr const char *FileIncludesNothing = "{0}: its file {1} has no #include lines.";

/// The C++ standard a code variable's file is compiled with, which is also the standard the
/// check of a new definition compiles it as. {0}: name, {1}: file name, {2}: the standard with
/// where it comes from (StandardGiven or StandardDefault), {3}: the standard alone ("C++20").
inline constexpr const char *FileStandard =
    "{0}: its file {1} is compiled as {2}; a new definition must compile as {3}.";
/// The same for a header that translation units built with different standards may include.
/// {0}: name, {1}: file name, {2}: StandardOfUnits entries joined with " and ".
inline constexpr const char *HeaderStandards =
    "{0}: its file {1} is compiled in those of the program's translation units that include it, which are "
    "built as {2}; a new definition must compile as each of them.";
/// One standard of a header's translation units. {0}: the standard with its origin, {1}: the
/// units' file names, comma-separated.
inline constexpr const char *StandardOfUnits = "{0} for {1}";
/// {0}: the standard ("C++20 with GNU extensions"), {1}: the option that selects it ("-std=gnu++20").
inline constexpr const char *StandardGiven = "{0} ({1})";
/// {0}: the standard the check assumes when no compile command of the file is known.
inline constexpr const char *StandardAssumed =
    "{0} (assumed: no compile command of the file is recorded in the trace or found in a compile_commands.json)";
/// {0}: the standard clang 19 uses when the build names none.
inline constexpr const char *StandardDefault = "{0} (clang's default: the build names no -std)";

/// Constraint every code variable gets. {0}: name, {1}: signature.
inline constexpr const char *KeepSignature =
    "{0}: keep the function's name and signature exactly: `{1}`; the body may change freely.";
/// Constraint every value variable gets. {0}: name, {1}: C++ type.
inline constexpr const char *KeepType = "{0}: must be a valid value of type {1}.";
/// The user's own constraint ([[trace::trainable("...")]]). {0}: name, {1}: text.
inline constexpr const char *UserConstraint = "{0}: {1}";

/// An argument whose value changed between its producer and this call.
/// {0}: the producer's name.
inline constexpr const char *ModifiedFrom = " (the value of {0}, modified before this call)";
/// An argument built from parts of other calls' results (`derived`). {0}:
/// the producers, DerivedNamed / DerivedNamedAndMore / DerivedUnnamed.
inline constexpr const char *DerivedFrom = " (built from {0})";
/// {0}: comma-separated names of producers shown in the prompt.
inline constexpr const char *DerivedNamed = "{0}";
/// {0}: names as above, {1}: how many producers are not shown (outside the
/// problem, or beyond the runtime's bound on the list).
inline constexpr const char *DerivedNamedAndMore = "{0} and {1} more";
/// {0}: how many producers (more than one), none of them shown.
inline constexpr const char *DerivedUnnamed = "{0} values not shown here";
/// The same for one producer.
inline constexpr const char *DerivedUnnamedOne = "1 value not shown here";

/// Values that are not plain results.
inline constexpr const char *VoidResult = "(void)";
/// {0}: exception type, {1}: what().
inline constexpr const char *ExceptionResult = "(exception {0}) {1}";
/// The line after an exception result naming where it was thrown: the
/// source line with a marker. {0}: file name, {1}: line number, {2}: the
/// line's text, {3}: exception type, {4}: what().
inline constexpr const char *ThrowLine = "  {0}:{1}: {2}   <--- ({3}) {4}";
/// The same when the source file cannot be read. {0}: file name, {1}: line.
inline constexpr const char *ThrowPlace = "  (thrown at {0}:{1})";
inline constexpr const char *NoResult = "(no result: the call did not finish)";

/// The middle of a long value. {0}: number of characters left out.
inline constexpr const char *ValueCut = "...[{0} chars left out]...";

/// Parts of a #Feedback line.
inline constexpr const char *FeedbackRun = "[run {0}] ";
/// Feedback about the whole run (`trace::feedback(text)`, `trace::success()`),
/// never about one call. {0}: its text.
inline constexpr const char *RunFeedback = "About the whole run: {0}";
/// Feedback on a value no recorded call produced. {0}: the runtime's reason
/// ("not produced by a recorded call"), {1}: the text.
inline constexpr const char *UnattributedFeedback = "Feedback on a value {0}: {1}";
/// Feedback on a value built from parts of several calls' results (the
/// runtime's `derived` list), e.g. a vector filled by push_back(f(i)). {0}:
/// the producers, DerivedNamed / DerivedNamedAndMore / DerivedUnnamed;
/// {1}: the text.
inline constexpr const char *DerivedFeedback = "On the value built from {0}: {1}";
/// {0}: the score, at most 6 significant digits (0.6, not 0.59999999999999998).
inline constexpr const char *FeedbackScore = " (score {0:.6g})";
inline constexpr const char *FeedbackSuccess = " (success)";
inline constexpr const char *NoFeedback = "(no feedback was recorded)";
inline constexpr const char *NoneLine = "(none)";

} // namespace traceopt::text

#endif
