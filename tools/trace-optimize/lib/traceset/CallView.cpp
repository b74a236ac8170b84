//===- CallView.cpp - The values of a call, decoded when asked for --------===//
#include "traceset/LazyFile.h"
#include "traceset/TraceSet.h"

#include "trace/BinaryTrace.h"
#include "trace/TraceText.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace traceopt {

uint64_t TraceSet::id(size_t I) const {
  if (!CallOf.empty() && CallOf[I] != NoIndex)
    return Calls[CallOf[I]].Id;
  const LazyFile &F = *Lazy[instance(I)];
  return F.idAt(I - F.FirstNode);
}

unsigned TraceSet::instance(size_t I) const {
  if (!CallOf.empty() && CallOf[I] != NoIndex)
    return Calls[CallOf[I]].Instance;
  // A lazy node: files are read one after the other, each into a range of
  // nodes.
  auto It = std::upper_bound(InstanceBegin.begin(), InstanceBegin.end(), uint32_t(I));
  return unsigned(It - InstanceBegin.begin()) - 1;
}

/// What a CallView owns of a decoded call: the texts its views point into.
struct CallView::Owned {
  std::string Text;
  std::vector<Arg> Args;
  std::vector<ArgExtra> Extras; ///< ArgIndex: the value's position.
  std::vector<DerivedRef> Derived;
};

CallView::CallView() = default;
CallView::CallView(CallView &&) noexcept = default;
CallView &CallView::operator=(CallView &&) noexcept = default;
CallView::~CallView() = default;

const ArgExtra *CallView::extra(size_t Pos) const {
  if (!Own)
    return Set && Values && Values[Pos].HasExtra ? Set->extra(FirstArg + Pos) : nullptr;
  for (const ArgExtra &E : Own->Extras)
    if (E.ArgIndex == Pos)
      return &E;
  return nullptr;
}

ArgRange<const DerivedRef> CallView::derived(const ArgExtra &E) const {
  if (!Own)
    return Set->derived(E);
  return {Own->Derived.data() + E.FirstDerived, E.NumDerived};
}

namespace {

/// Builds a CallView from a call decoded again (BinaryTraceReader::decodeCall
/// and decodeRet): each field as FileReader::BinaryEvents would have kept it
/// when the whole trace was read (and as the JSON export shows it), the
/// data-flow facts from the first pass.
class DecodeEvents final : public BinHandler {
public:
  DecodeEvents(CallView::Owned &O, CallResult &Result) : O(O), Result(Result) {}

  bool call(const BinCall &C) override {
    auto Add = [&](const BinValue &V, std::string_view Name) {
      Arg &A = O.Args.emplace_back();
      Pending.push_back({text(Name), text(V.Type), text(V.Text)});
      (void)A;
    };
    for (size_t I = 0; I < C.NumArgs; ++I)
      Add(C.Args[I], C.Args[I].Name);
    if (C.This)
      Add(*C.This, std::string_view());
    for (size_t I = 0; I < C.NumGlobals; ++I)
      Add(C.Globals[I], C.Globals[I].HasParam ? C.Globals[I].Param : std::string_view());
    NumArgs = uint32_t(C.NumArgs);
    HasThis = C.This != nullptr;
    NumGlobals = uint32_t(C.NumGlobals);
    return true;
  }

  bool ret(const BinRet &R) override {
    switch (R.Kind) {
    case RetKind::Value:
      RetParts = {text(R.Value->Type), text(R.Value->Text), true, true};
      break;
    case RetKind::Void:
      RetParts = {{}, {}, false, false};
      break;
    case RetKind::NotCaptured:
      RetParts = {{}, text("<not captured>"), false, true};
      break;
    case RetKind::Unfinished:
      RetParts = {{}, text("<not finished>"), false, true};
      break;
    case RetKind::Exception:
      // The JSON reader gives every exception a `what`, empty when absent.
      RetParts = {text(R.ExcType), text(R.What), true, true};
      Threw = true;
      break;
    }
    return true;
  }

  /// Turns the positions into views once the text no longer grows.
  void finish() {
    auto View = [&](std::pair<size_t, size_t> P) { return std::string_view(O.Text.data() + P.first, P.second); };
    for (size_t I = 0; I < O.Args.size(); ++I) {
      O.Args[I].Name = View(Pending[I][0]);
      O.Args[I].Type = View(Pending[I][1]);
      O.Args[I].Value = View(Pending[I][2]);
    }
    if (Threw)
      Result.setException(View(RetParts.Type), View(RetParts.Value));
    else if (RetParts.HasValue)
      Result.setReturn(RetParts.HasType ? std::optional<std::string_view>(View(RetParts.Type)) : std::nullopt,
                       View(RetParts.Value));
  }

  uint32_t NumArgs = 0, NumGlobals = 0;
  bool HasThis = false;

private:
  /// Appends \p S cleaned as the export would: bytes that are not UTF-8
  /// become U+FFFD. Returns where it is.
  std::pair<size_t, size_t> text(std::string_view S) {
    size_t Begin = O.Text.size();
    O.Text += cleanUtf8(S, Scratch);
    return {Begin, O.Text.size() - Begin};
  }

  struct Parts {
    std::pair<size_t, size_t> Type, Value;
    bool HasType = false, HasValue = false;
  };
  CallView::Owned &O;
  CallResult &Result;
  std::vector<std::array<std::pair<size_t, size_t>, 3>> Pending;
  Parts RetParts;
  bool Threw = false;
  std::string Scratch;
};

} // namespace

CallView TraceSet::call(size_t I) const {
  CallView V;
  const Node &N = Nodes[I];
  if (!N.lazy()) {
    const CallValues &C = Calls[CallOf[I]];
    V.Set = this;
    V.FirstArg = C.FirstArg;
    V.Values = Args.data() + C.FirstArg;
    V.NumArgs = C.NumArgs;
    V.HasThis = C.HasThis;
    V.NumGlobals = C.NumGlobals;
    static_cast<CallResult &>(V) = C;
    return V;
  }
  V.Own = std::make_unique<CallView::Owned>();
  LazyFile &F = *Lazy[instance(I)];
  size_t K = I - F.FirstNode;
  uint32_t Count = UINT32_MAX;
  auto It = std::lower_bound(F.Counts.begin(), F.Counts.end(), uint32_t(K),
                             [](const std::pair<uint32_t, uint32_t> &P, uint32_t X) { return P.first < X; });
  if (It != F.Counts.end() && It->first == K)
    Count = It->second;
  DecodeEvents D(*V.Own, V);
  uint64_t Id = F.idAt(K), RetAt = F.retAt(K, N.finished());
  if (!F.Reader->decodeCall(F.callAt(K), Id, parentId(I), Count, D, V.Error) ||
      (RetAt && !F.Reader->decodeRet(RetAt, Id, D, V.Error))) {
    V.Own->Args.clear();
    return V;
  }
  D.finish();
  V.Values = V.Own->Args.data();
  V.NumArgs = D.NumArgs;
  V.HasThis = D.HasThis;
  V.NumGlobals = D.NumGlobals;
  // From, modified and the extras as the first pass found them: a wildcard
  // `from` holds only if the value renders as its producer's output.
  for (const Fact &Fa : facts(I)) {
    if (Fa.Pos >= V.Own->Args.size())
      continue;
    Arg &A = V.Own->Args[Fa.Pos];
    A.From = Fa.FromIndex != NoIndex ? id(Fa.FromIndex) : 0;
    A.FromIndex = Fa.FromIndex;
    A.Modified = Fa.Modified;
    std::string_view Param = param(Fa);
    bool FromParam = !Param.empty() && Fa.What != Fact::Global;
    auto Parts = derived(Fa);
    if (!FromParam && Parts.empty() && !derivedOmitted(Fa))
      continue;
    ArgExtra &E = V.Own->Extras.emplace_back();
    E.ArgIndex = Fa.Pos;
    E.FromParam = FromParam ? Param : std::string_view();
    E.DerivedOmitted = derivedOmitted(Fa);
    E.FirstDerived = uint32_t(V.Own->Derived.size());
    E.NumDerived = uint32_t(Parts.size());
    for (const DerivedRef &R : derived(Fa))
      V.Own->Derived.push_back(R);
    A.HasExtra = true;
  }
  return V;
}

} // namespace traceopt
