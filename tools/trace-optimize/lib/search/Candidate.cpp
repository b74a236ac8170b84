//===- search/Candidate.cpp - One program of a search ---------------------===//
#include "search/Candidate.h"
#include "patch/Apply.h"
#include "patch/Lex.h"

namespace traceopt::search {

const char *statusName(CandidateStatus S) {
  switch (S) {
  case CandidateStatus::Proposed:
    return "proposed";
  case CandidateStatus::Evaluated:
    return "evaluated";
  case CandidateStatus::BuildFailed:
    return "build-failed";
  case CandidateStatus::Dropped:
    return "dropped";
  case CandidateStatus::Duplicate:
    return "duplicate";
  case CandidateStatus::Failed:
    return "failed";
  }
  return "proposed";
}

std::optional<CandidateStatus> parseStatus(const std::string &Name) {
  for (CandidateStatus S : {CandidateStatus::Proposed, CandidateStatus::Evaluated, CandidateStatus::BuildFailed,
                            CandidateStatus::Dropped, CandidateStatus::Duplicate, CandidateStatus::Failed})
    if (Name == statusName(S))
      return S;
  return std::nullopt;
}

std::string normaliseCode(const std::string &Text) {
  // The lexer hides comments; directives are kept as written (whitespace collapsed).
  Lexed L = lexText(Text);
  std::string Out;
  for (const std::string &D : L.Directives)
    Out += D + "\n";
  for (const LexTok &T : L.Toks) {
    if (!Out.empty() && Out.back() != '\n')
      Out += ' ';
    Out += spelling(Text, T);
  }
  return Out;
}

std::string normalisedKey(const std::map<std::string, std::string> &Texts) {
  std::string All;
  for (const auto &[Id, Text] : Texts)
    All += Id + '\0' + normaliseCode(Text) + '\0';
  return formatHash(fnv1a64(All));
}

static int rank(const Candidate &C) {
  if (!C.evaluated())
    return 0;
  return C.Success ? 2 : 1;
}

bool better(const Candidate &A, const Candidate &B) {
  if (rank(A) != rank(B))
    return rank(A) > rank(B);
  if (A.Score.has_value() != B.Score.has_value())
    return A.Score.has_value();
  if (A.Score && *A.Score != *B.Score)
    return *A.Score > *B.Score;
  return A.ExitStatus == 0 && B.ExitStatus != 0;
}

} // namespace traceopt::search
