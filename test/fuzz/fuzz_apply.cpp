//===- fuzz_apply.cpp - libFuzzer target for the suggestion applier -------===//
//
// Fuzzes the pure part of trace-optimize's applier: planPatches (hash-checked
// range replacement, edits of two files, applied from the end backwards) and
// unifiedDiff. An independent model of the rules decides whether a plan must
// succeed, and what the patched text and the new ranges must be.
//
//===----------------------------------------------------------------------===//

#include "patch/Apply.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace traceopt;

static std::string Dir;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  const char *Tmp = std::getenv("TMPDIR");
  std::string Templ = std::string(Tmp && *Tmp ? Tmp : "/tmp") + "/trace-fuzz-apply-XXXXXX";
  std::vector<char> Buf(Templ.begin(), Templ.end());
  Buf.push_back('\0');
  if (!mkdtemp(Buf.data()))
    std::abort();
  Dir = Buf.data();
  return 0;
}

static void check(bool Cond, const char *What) {
  if (!Cond) {
    std::fprintf(stderr, "fuzz_apply: invariant broken: %s\n", What);
    std::abort();
  }
}

static void checkDiff(const std::string &Old, const std::string &New) {
  std::string D = unifiedDiff("f.cpp", Old, New);
  check(D.empty() == (Old == New), "unifiedDiff is empty exactly when the texts are equal");
  size_t Pos = 0;
  while (Pos < D.size()) {
    size_t Eol = D.find('\n', Pos);
    std::string Line = D.substr(Pos, Eol == std::string::npos ? std::string::npos : Eol - Pos);
    check(Line.empty() || Line[0] == ' ' || Line[0] == '+' || Line[0] == '-' || Line[0] == '@' ||
              Line[0] == '\\',
          "every diff line starts with ' ', '+', '-', '@' or '\\'");
    if (Eol == std::string::npos)
      break;
    Pos = Eol + 1;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  FuzzedDataProvider In(Data, Size);
  std::string Content[2] = {In.ConsumeRandomLengthString(2048), In.ConsumeRandomLengthString(2048)};
  std::string Path[2] = {Dir + "/a.cpp", Dir + "/b.cpp"};
  for (int F = 0; F < 2; ++F) {
    std::ofstream Out(Path[F], std::ios::binary | std::ios::trunc);
    Out << Content[F];
  }

  struct Model {
    Edit E;
    size_t Index;
    int File;
  };
  std::vector<Edit> Edits;
  std::vector<Model> Models;
  unsigned N = In.ConsumeIntegralInRange<unsigned>(0, 6);
  for (unsigned I = 0; I < N; ++I) {
    int F = In.ConsumeBool() ? 1 : 0;
    uint64_t Len = Content[F].size();
    Edit E;
    E.ParamId = "code:f" + std::to_string(I);
    E.File = Path[F];
    E.Line = I + 1;
    E.Begin = In.ConsumeIntegralInRange<uint64_t>(0, Len + 2);
    E.End = In.ConsumeIntegralInRange<uint64_t>(0, Len + 2);
    if (In.ConsumeIntegralInRange<int>(0, 3) != 0 && E.Begin <= E.End && E.End <= Len)
      E.Hash = formatHash(fnv1a64(std::string_view(Content[F]).substr(E.Begin, E.End - E.Begin)));
    else
      E.Hash = In.ConsumeRandomLengthString(24);
    E.NewText = In.ConsumeRandomLengthString(64);
    E.IsCode = In.ConsumeBool();
    Edits.push_back(E);
    Models.push_back({E, I, F});
  }

  // The model: per file, edits by Begin; each range inside the file, hashing to its recorded
  // value, and not overlapping the previous one.
  bool Ok = true;
  std::string Expected[2] = {Content[0], Content[1]};
  bool Ambiguous[2] = {false, false};
  for (int F = 0; F < 2; ++F) {
    std::vector<Model> Mine;
    for (const Model &M : Models)
      if (M.File == F)
        Mine.push_back(M);
    // An insertion at the start of a replaced range goes before it, whatever the order given.
    std::stable_sort(Mine.begin(), Mine.end(), [](const Model &A, const Model &B) {
      return A.E.Begin != B.E.Begin ? A.E.Begin < B.E.Begin : A.E.End < B.E.End;
    });
    std::string Out;
    uint64_t Pos = 0;
    for (size_t I = 0; I < Mine.size(); ++I) {
      const Edit &E = Mine[I].E;
      if (E.Begin > E.End || E.End > Content[F].size() ||
          formatHash(fnv1a64(std::string_view(Content[F]).substr(E.Begin, E.End - E.Begin))) != E.Hash ||
          (I && Mine[I - 1].E.End > E.Begin)) {
        Ok = false;
        break;
      }
      if (I && Mine[I - 1].E.Begin == E.Begin)
        Ambiguous[F] = true; // two insertions at one offset: either order is a valid plan
      Out += Content[F].substr(Pos, E.Begin - Pos);
      Out += E.NewText;
      Pos = E.End;
    }
    if (!Ok)
      break;
    Out += Content[F].substr(Pos);
    Expected[F] = Out;
  }

  std::string Error;
  std::optional<PatchSet> Plan = planPatches(Edits, Error);
  check(Plan.has_value() == Ok, "planPatches succeeds exactly when every edit is valid");
  if (!Plan) {
    check(!Error.empty(), "a refused plan says why");
  } else {
    for (const FilePatch &P : Plan->Files) {
      int F = P.File == Path[1] ? 1 : 0;
      check(P.File == Path[F], "a patch names one of the edited files");
      check(P.Original == Content[F], "the original text is the file's content");
      check(P.Patched != P.Original, "only changed files are listed");
      check(P.NewRanges.size() == P.Edits.size(), "one new range per edit");
      if (!Ambiguous[F])
        check(P.Patched == Expected[F], "the patched text is the model's");
      for (size_t I = 0; I < P.Edits.size(); ++I) {
        auto [B, E] = P.NewRanges[I];
        check(B <= E && E <= P.Patched.size(), "new ranges lie inside the patched text");
        check(P.Patched.compare(B, E - B, P.Edits[I].NewText) == 0,
              "each new range holds its edit's new text");
      }
      checkDiff(P.Original, P.Patched);
    }
    for (int F = 0; F < 2; ++F) {
      bool Listed = false;
      for (const FilePatch &P : Plan->Files)
        Listed |= P.File == Path[F];
      check(Listed == (Expected[F] != Content[F]), "every changed file is listed");
    }
  }
  checkDiff(Content[0], Content[1]);
  return 0;
}
