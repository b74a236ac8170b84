//===- CheckReply.cpp - Checking an LLM reply before it is applied --------===//
#include "run/Loop.h"
#include "llm/Reply.h"
#include "patch/Check.h"
#include "prompt/PromptText.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

/// The answer format of the system message: its JSON template, from the line "{" to the line
/// "}". Taken from the system message itself, so that a repair asks for exactly what the
/// first request asked for, whatever the wording there becomes.
std::string answerFormat() {
  std::string_view System = text::System;
  size_t Open = System.find("\n{\n");
  size_t Close = Open == std::string_view::npos ? Open : System.find("\n}", Open + 2);
  if (Close == std::string_view::npos)
    return "{\n  \"reasoning\": \"<your reasoning>\",\n  \"suggestion\": {\n    \"<variable name>\": <new value>\n  }\n}";
  return std::string(System.substr(Open + 1, Close + 2 - (Open + 1)));
}

/// The message that sends a rejected suggestion back to the LLM.
std::string repairMessage(const std::string &Problem) {
  return "Your suggestion was not applied, because:\n\n" + Problem +
         "\nAnswer again with exactly one JSON object in the form the first message asked for:\n" + answerFormat() +
         "\nwith a corrected suggestion. Keep every function's name, parameter types, return type, qualifiers, "
         "specifiers and attributes exactly as they are, and give complete, compilable C++ for each variable you "
         "change.";
}

/// The edit that replaces parameter Prm's recorded text with NewText.
Edit editFor(const Param &Prm, std::string NewText) {
  Edit E;
  E.ParamId = Prm.Id;
  E.File = Prm.File;
  E.Line = Prm.Line;
  E.Begin = Prm.Begin;
  E.End = Prm.End;
  E.Hash = Prm.Hash;
  E.NewText = std::move(NewText);
  E.IsCode = Prm.Kind == "code";
  return E;
}

/// Checks, before anything is sent, that every parameter of the prompt still has its recorded
/// text in its file, so that a stale trace costs no request. Returns each parameter's text by id.
std::optional<std::map<std::string, std::string>> readRecordedTexts(const TraceSet &T, const Prompt &P,
                                                                    std::string &Error) {
  std::map<std::string, std::string> Files, Texts;
  for (const auto &[Name, Id] : P.NameToParamId) {
    const Param *Prm = T.findParam(Id);
    if (!Prm) {
      Error = fmt::format("the prompt names parameter '{}', which the trace does not hold", Id);
      return std::nullopt;
    }
    auto It = Files.find(Prm->File);
    if (It == Files.end()) {
      std::string Content;
      if (!readFile(Prm->File, Content, Error)) {
        Error = fmt::format("{}:{}: the source of {} cannot be read ({}); nothing was sent", Prm->File, Prm->Line,
                            Prm->Id, Error);
        return std::nullopt;
      }
      It = Files.emplace(Prm->File, std::move(Content)).first;
    }
    Edit E = editFor(*Prm, "");
    if (std::optional<std::string> Stale = staleRange(It->second, E)) {
      Error = *Stale + "; nothing was sent";
      return std::nullopt;
    }
    Texts[Id] = It->second.substr(E.Begin, E.End - E.Begin);
  }
  return Texts;
}

std::vector<TuArgs> tuArgsOf(const TraceSet &T) {
  std::vector<TuArgs> Tus;
  for (const TuInfo &Tu : T.Tus)
    Tus.push_back({Tu.File, Tu.Directory, Tu.Args});
  return Tus;
}

CheckedReply checkReply(const std::string &Content, const TraceSet &T, const Prompt &P,
                        const std::map<std::string, std::string> &Recorded, const std::vector<TuArgs> &Tus,
                        const std::string &CompileCommandsDir, std::ostream &Err) {
  CheckedReply R;
  auto Fatal = [&](std::string Why) {
    R.Outcome = CheckedReply::Fatal;
    R.Problem = std::move(Why);
    return R;
  };
  std::string Problem;
  ParsedReply Parsed = parseReply(Content, P, T);
  if (Parsed.Suggestions.empty()) {
    if (Parsed.Errors.empty()) {
      R.Outcome = CheckedReply::NoChange;
      return R;
    }
    Problem = "The reply could not be used:\n";
    for (const std::string &E : Parsed.Errors)
      Problem += "- " + E + "\n";
  } else {
    for (const std::string &E : Parsed.Errors)
      Err << "trace-optimize: warning: part of the reply was ignored: " << E << "\n";
    // What a suggestion may contain is decided from its text first; a refused one goes
    // back for repair without a clang run.
    for (const Suggestion &S : Parsed.Suggestions) {
      const Param *Prm = S.ParamIndex < T.Params.size() ? &T.Params[S.ParamIndex] : T.findParam(S.ParamId);
      auto Text = Recorded.find(S.ParamId);
      if (!Prm || Text == Recorded.end())
        return Fatal("the reply names an unknown parameter '" + S.ParamId + "'");
      std::string Refused;
      std::optional<std::string> NewText =
          prepareSuggestion(Prm->Id, Prm->Kind == "code", Text->second, S.NewText, Refused);
      if (!NewText) {
        Problem += Refused;
        continue;
      }
      R.Edits.push_back(editFor(*Prm, std::move(*NewText)));
    }
  }
  if (!Problem.empty()) {
    R.Outcome = CheckedReply::Repair;
    R.Problem = std::move(Problem);
    return R;
  }
  std::string PlanErr;
  std::optional<PatchSet> Plan = planPatches(R.Edits, PlanErr);
  if (!Plan)
    return Fatal(PlanErr);
  if (Plan->empty()) {
    R.Outcome = CheckedReply::NoChange;
    return R;
  }
  // The units that include a patched file, each once, for the link check.
  std::vector<CompileCommand> Units;
  bool CompileErrors = false;
  for (const FilePatch &F : Plan->Files) {
    // A header's function must compile in every unit that includes it, each with its own
    // standard, macros and earlier declarations.
    CheckOutcome C = checkPatchInUnits(F, findCompileCommands(F.File, Tus, CompileCommandsDir));
    for (const std::string &N : C.Notes)
      Err << "trace-optimize: note: " << N << "\n";
    if (!C.Ok)
      Problem += C.Problems;
    CompileErrors |= C.CompileErrors;
    for (CompileCommand &U : C.Units)
      if (std::none_of(Units.begin(), Units.end(), [&](const CompileCommand &K) { return K.MainFile == U.MainFile; }))
        Units.push_back(std::move(U));
  }
  // Units that each compile may still not link together. The link runs also when another
  // check refused the reply, so that the repair request says what the build would.
  if (!CompileErrors) {
    LinkOutcome L = checkLink(*Plan, Units);
    for (const std::string &N : L.Notes)
      Err << "trace-optimize: note: " << N << "\n";
    if (!L.Ok)
      Problem += L.Problem;
  }
  if (!Problem.empty()) {
    R.Outcome = CheckedReply::Repair;
    R.Problem = std::move(Problem);
    return R;
  }
  R.Outcome = CheckedReply::Usable;
  R.Plan = std::move(*Plan);
  return R;
}

} // namespace traceopt
