//===- Writer.cpp - Drained records to JSON lines -------------------------===//
//
// Runs under the runtime's lock, off the hot path: renders deferred values,
// assembles one `call` line per node from its entry and value records, and
// marks arguments whose text differs from their producer's output.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>

namespace __trace_rt {

static void appendUInt(std::string &Dst, uint64_t V) {
  char Buf[24];
  auto R = std::to_chars(Buf, Buf + sizeof Buf, V);
  Dst.append(Buf, static_cast<std::size_t>(R.ptr - Buf));
}

static void appendNullableString(std::string &Dst, const char *S) {
  if (S)
    appendJsonString(Dst, S);
  else
    Dst += "null";
}

void Writer::NodeText::set(uint64_t N) {
  Node = N;
  auto R = std::to_chars(Digits, Digits + sizeof Digits, N);
  Len = static_cast<uint32_t>(R.ptr - Digits);
}

void Writer::NodeText::next() {
  ++Node;
  for (uint32_t I = Len; I-- > 0;) {
    if (Digits[I] != '9') {
      ++Digits[I];
      return;
    }
    Digits[I] = '0';
  }
  set(Node); // One more digit.
}

uint32_t Writer::siteId(Site &S) {
  if (S.Id)
    return S.Id;
  // Several Site objects can describe one function (a static function in a
  // header, one copy per TU): the same key and signature share one id.
  std::string Key = std::string(S.Key ? S.Key : "") + '\0' +
                    (S.Pretty ? S.Pretty : "");
  Named.push_back(&S);
  auto It = SiteIds.find(Key);
  if (It != SiteIds.end()) {
    S.Id = It->second;
    return S.Id;
  }
  uint32_t Id = static_cast<uint32_t>(SiteIds.size() + 1);
  SiteIds.emplace(std::move(Key), Id);
  S.Id = Id;
  SiteInfo Info;
  std::vector<std::string> Names;
  const char *P = S.ParamNames;
  for (unsigned I = 0; P && I < S.NumParams; ++I) {
    std::size_t N = std::strlen(P);
    std::string J;
    appendJsonString(J, std::string_view(P, N));
    Names.push_back(J);
    // Every argument of this site starts with its name, escaped once here.
    Info.ArgPrefix.push_back("{\"name\":" + J);
    P += N + 1;
  }
  Info.Prefix = ",\"site\":";
  appendUInt(Info.Prefix, Id);
  Info.Prefix += ",\"parent\":";

  std::string &L = Text;
  L += "{\"k\":\"site\",\"site\":";
  appendUInt(L, Id);
  L += ",\"key\":";
  appendNullableString(L, S.Key);
  L += ",\"name\":";
  appendNullableString(L, S.Name);
  L += ",\"signature\":";
  appendNullableString(L, S.Pretty);
  L += ",\"file\":";
  appendNullableString(L, S.File);
  L += ",\"line\":";
  appendUInt(L, S.Line);
  L += ",\"params\":[";
  for (std::size_t I = 0; I < Names.size(); ++I) {
    if (I)
      L += ',';
    L += Names[I];
  }
  L += "],\"doc\":";
  appendJsonString(L, S.Doc ? S.Doc : "");
  L += ",\"param\":";
  appendNullableString(L, S.ParamId);
  L += "}\n";
  Sites.push_back(std::move(Info));
  return Id;
}

Writer::ThreadText &Writer::thread(uint32_t Thread) {
  if (Thread == LastThread)
    return *LastText;
  // Elements of an unordered_map keep their address until erased.
  LastText = &Threads[Thread];
  LastThread = Thread;
  return *LastText;
}

const std::string &Writer::typeJson(const TypeDesc *Type) {
  CachedType &Front =
      TypeFront[(reinterpret_cast<uintptr_t>(Type) >> 4) & (TypeSlots - 1)];
  if (Front.Type == Type)
    return *Front.Json;
  auto It = TypeCache.find(Type);
  if (It == TypeCache.end()) {
    std::string J = ",\"type\":";
    appendJsonString(J, prettyTypeName(std::string_view(Type->Name.Ptr,
                                                        Type->Name.Len)));
    J += ",\"value\":";
    It = TypeCache.emplace(Type, std::move(J)).first;
  }
  Front.Type = Type;
  Front.Json = &It->second;
  return It->second;
}

template <class T> static void appendNumber(std::string &J, const char *Data) {
  T X;
  std::memcpy(&X, Data, sizeof X);
  char Buf[48];
  Buf[0] = '"';
  auto R = std::to_chars(Buf + 1, Buf + sizeof Buf - 1, X);
  *R.ptr = '"';
  J.append(Buf, static_cast<std::size_t>(R.ptr + 1 - Buf));
}

bool Writer::fastScalar(std::string &J, const ValueView &V) {
  // Same text as their renderers give; the longest is 26 bytes, within any
  // useful value limit.
  if (MaxValue < 32)
    return false;
  RenderFn F = V.Type->Render;
  if (F == &renderErased<int>)
    appendNumber<int>(J, V.Data);
  else if (F == &renderErased<long>)
    appendNumber<long>(J, V.Data);
  else if (F == &renderErased<unsigned long>)
    appendNumber<unsigned long>(J, V.Data);
  else if (F == &renderErased<unsigned>)
    appendNumber<unsigned>(J, V.Data);
  else if (F == &renderErased<long long>)
    appendNumber<long long>(J, V.Data);
  else if (F == &renderErased<unsigned long long>)
    appendNumber<unsigned long long>(J, V.Data);
  else if (F == &renderErased<double>)
    appendNumber<double>(J, V.Data);
  else if (F == &renderErased<float>)
    appendNumber<float>(J, V.Data);
  else if (F == &renderErased<bool>)
    J += V.Data[0] ? "\"true\"" : "\"false\"";
  else
    return false;
  return true;
}

uint64_t Writer::valueString(std::string &J, const ValueView &V,
                             bool WantHash) {
  std::size_t Begin = J.size();
  uint64_t Omitted = V.Omitted;
  switch (V.Form) {
  case ValueForm::Bytes: {
    if (!V.Extra && fastScalar(J, V))
      break;
    // Deferred scalars: render now from the captured bytes (copied to an
    // aligned buffer; the record only guarantees 8-byte alignment).
    alignas(16) char Copy[16];
    std::memcpy(Copy, V.Data, std::min<std::size_t>(V.DataLen, sizeof Copy));
    Render.reset(MaxValue);
    const EnumInfo *E = V.K == Slot::Global
                            ? nullptr
                            : static_cast<const EnumInfo *>(V.Extra);
    V.Type->Render(Render, Copy, E);
    Omitted = Render.finish();
    if (Omitted)
      Render.Buf += truncationMarker(Omitted);
    appendJsonString(J, Render.Buf);
    break;
  }
  case ValueForm::String:
    appendQuotedJson(J, V.Data, V.DataLen,
                     Omitted ? truncationMarker(Omitted) : std::string());
    break;
  case ValueForm::Text:
    if (!Omitted) {
      appendJsonString(J, std::string_view(V.Data, V.DataLen));
      break;
    }
    Render.reset(SIZE_MAX);
    Render.write(V.Data, V.DataLen);
    Render.Buf += truncationMarker(Omitted);
    appendJsonString(J, Render.Buf);
    break;
  }
  if (Omitted) {
    J += ",\"truncated\":";
    appendUInt(J, Omitted);
  }
  // The JSON text stands for the value: equal values give equal text.
  return WantHash ? hashText(std::string_view(J).substr(Begin)) : 0;
}

/// The cache slot of a node's output. Node ids of different threads share
/// their low bits (thread << 32 | seq), so they are mixed first.
static std::size_t outputSlot(uint64_t Node) {
  return static_cast<std::size_t>((Node * 0x9E3779B97F4A7C15ull) >> 52);
}

void Writer::valueFields(std::string &J, const ValueView &V,
                         uint64_t RetNode) {
  J += typeJson(V.Type);
  // Only a producer's output and an argument naming a producer are compared.
  uint64_t Hash = valueString(J, V, V.From || RetNode);
  if (V.From) {
    uint64_t From = V.From & ~WildMark;
    const CachedOutput &C = Outputs[outputSlot(From)];
    bool Known = C.Node == From;
    if (!(V.From & WildMark)) {
      J += ",\"from\":";
      appendUInt(J, From);
      if (Known && C.Hash != Hash)
        J += ",\"modified\":true";
    } else if (Known && C.Hash == Hash) {
      // A wildcard note holds only when the value is the producer's output.
      J += ",\"from\":";
      appendUInt(J, From);
    }
  }
  const char *Param = V.Param;
  if (V.DerivedCount) {
    // Parts may name trainable variables (a container filled from one) or
    // calls the call limit did not record; only nodes are edges here.
    std::size_t Mark = J.size();
    J += ",\"derived\":[";
    bool First = true;
    for (uint32_t I = 0; I < V.DerivedCount; ++I) {
      uint64_t N;
      std::memcpy(&N, V.Derived + 8 * I, 8);
      if (isParamTag(N) && !Param)
        Param = tagParam(N);
      if (!isNode(N))
        continue;
      if (!First)
        J += ',';
      First = false;
      appendUInt(J, N);
    }
    J += ']';
    if (First)
      J.resize(Mark);
    if (V.DerivedOmitted) {
      J += ",\"derived_omitted\":";
      appendUInt(J, V.DerivedOmitted);
    }
  }
  if (Param) {
    J += ",\"from_param\":";
    appendJsonString(J, Param);
  }
  if (RetNode) {
    CachedOutput &C = Outputs[outputSlot(RetNode)];
    C.Node = RetNode;
    C.Hash = Hash;
  }
}

void Writer::finish(uint32_t Thread, ThreadText &T) {
  if (!T.Active)
    return;
  T.Active = false;
  std::string &L = Text;
  L += "{\"k\":\"call\",\"node\":";
  L += T.Node.text();
  L += Sites[T.SiteId - 1].Prefix;
  L += T.Parent.text();
  if (T.ThreadPrefix.empty()) {
    T.ThreadPrefix = ",\"thread\":";
    appendUInt(T.ThreadPrefix, Thread);
    T.ThreadPrefix += ",\"args\":[";
  }
  L += T.ThreadPrefix;
  if (T.InOrder) {
    L += T.Args;
  } else {
    // Arguments arrive in parameter order from the plugin's code; other
    // orders (hand-written captures) are sorted here.
    std::sort(T.Spans.begin(), T.Spans.end(),
                     [](const ArgSpan &A, const ArgSpan &B) {
                       return A.Index != B.Index ? A.Index < B.Index
                                                 : A.Sub < B.Sub;
                     });
    for (std::size_t I = 0; I < T.Spans.size(); ++I) {
      if (I)
        L += ',';
      L.append(T.Args, T.Spans[I].Begin, T.Spans[I].End - T.Spans[I].Begin);
    }
  }
  L += ']';
  if (!T.This.empty()) {
    L += ",\"this\":";
    L += T.This;
  }
  if (!T.Globals.empty()) {
    L += ",\"globals\":[";
    L += T.Globals;
    L += ']';
  }
  L += "}\n";
  ++CallsWritten;
}

void Writer::finishThread(uint32_t Thread) {
  auto It = Threads.find(Thread);
  if (It != Threads.end())
    finish(Thread, It->second);
}

void Writer::endThread(uint32_t Thread) {
  auto It = Threads.find(Thread);
  if (It == Threads.end())
    return;
  finish(Thread, It->second);
  Threads.erase(It);
  if (LastThread == Thread) {
    LastThread = UINT32_MAX;
    LastText = nullptr;
  }
}

void Writer::restart(uint32_t Thread, uint32_t Seq) {
  for (Site *S : Named)
    S->Id = 0;
  Named.clear();
  SiteIds.clear();
  Sites.clear();
  ParamsSeen.clear();
  Threads.clear();
  LastThread = UINT32_MAX;
  LastText = nullptr;
  std::fill(Outputs.begin(), Outputs.end(), CachedOutput());
  Text.clear();
  CallsWritten = 0;
  Threads[Thread].Seq = Seq;
}

void Writer::finishAll() {
  for (auto &[Index, T] : Threads)
    finish(Index, T);
}

void Writer::retLine(const NodeText &Node, const ValueView *V, RecKind K,
                     std::string_view ExcType,
                     const std::string_view *ExcWhat,
                     const ThrowSite *Where) {
  std::string &L = Text;
  L += "{\"k\":\"ret\",\"node\":";
  L += Node.text();
  switch (K) {
  case RecKind::NotCaptured:
    L += ",\"value\":\"<not captured>\"";
    break;
  case RecKind::Exception:
    L += ",\"exception\":{\"type\":";
    appendJsonString(L, ExcType);
    if (ExcWhat) {
      L += ",\"what\":";
      appendJsonString(L, *ExcWhat);
    }
    if (Where) {
      L += ",\"file\":";
      appendJsonString(L, Where->File);
      L += ",\"line\":";
      appendUInt(L, Where->Line);
    }
    L += '}';
    break;
  default:
    if (V)
      valueFields(L, *V, Node.Node);
    break;
  }
  L += "}\n";
}

void Writer::consume(uint32_t Thread, const char *Data, std::size_t Size) {
  ThreadText &T = thread(Thread);
  std::size_t Off = 0;
  ValueView V;
  while (Off < Size) {
    const char *P = Data + Off;
    std::size_t N = decodeRecord(P, Size - Off, V);
    if (!N)
      break;
    Off += N;
    uint64_t W;
    std::memcpy(&W, P, 8);
    RecKind K = recKind(W);
    switch (K) {
    case RecKind::Enter:
    case RecKind::EnterWide: {
      finish(Thread, T);
      Site *S;
      if (K == RecKind::Enter) {
        S = tagPointer<Site>(W);
      } else {
        uint64_t X;
        std::memcpy(&X, P + 8, 8);
        S = reinterpret_cast<Site *>(static_cast<uintptr_t>(X));
      }
      T.Active = true;
      uint64_t Node = (static_cast<uint64_t>(Thread) << 32) | ++T.Seq;
      if (T.Node.Node + 1 == Node)
        T.Node.next();
      else
        T.Node.set(Node);
      if (T.Open.empty())
        T.Parent.set(0);
      else
        T.Parent = T.Open.back();
      T.Open.push_back(T.Node);
      T.SiteId = siteId(*S);
      T.Args.clear();
      T.Spans.clear();
      T.Globals.clear();
      T.This.clear();
      T.InOrder = true;
      break;
    }
    case RecKind::Scalar:
    case RecKind::Value: {
      if (V.K == Slot::Ret) {
        finish(Thread, T);
        if (T.Open.empty())
          break;
        NodeText Node = T.Open.back();
        T.Open.pop_back();
        retLine(Node, &V, K);
        break;
      }
      // Argument records directly follow their call's entry record.
      if (!T.Active)
        break;
      if (V.K == Slot::Self) {
        T.This = "{";
        std::size_t At = T.This.size();
        valueFields(T.This, V, 0);
        T.This.erase(At, 1); // The leading comma of "type".
        T.This += '}';
        break;
      }
      if (V.K == Slot::Global) {
        if (!T.Globals.empty())
          T.Globals += ',';
        T.Globals += "{\"param\":";
        appendNullableString(T.Globals, static_cast<const char *>(V.Extra));
        valueFields(T.Globals, V, 0);
        T.Globals += '}';
        break;
      }
      if (!T.Spans.empty()) {
        const ArgSpan &Prev = T.Spans.back();
        if (Prev.Index > V.Index || (Prev.Index == V.Index && Prev.Sub > V.Sub))
          T.InOrder = false;
        T.Args += ',';
      }
      ArgSpan Span{V.Index, V.Sub, T.Args.size(), 0};
      const SiteInfo &SI = Sites[T.SiteId - 1];
      if (V.Index < SI.ArgPrefix.size()) {
        T.Args += SI.ArgPrefix[V.Index];
        if (V.Sub) {
          // A pack element: "name[i]".
          T.Args.pop_back();
          T.Args += '[';
          appendUInt(T.Args, V.Sub - 1);
          T.Args += "]\"";
        }
      } else {
        T.Args += "{\"name\":\"";
        if (V.Sub) {
          T.Args += '[';
          appendUInt(T.Args, V.Sub - 1);
          T.Args += ']';
        }
        T.Args += '"';
      }
      valueFields(T.Args, V, 0);
      T.Args += '}';
      Span.End = T.Args.size();
      T.Spans.push_back(Span);
      break;
    }
    case RecKind::Void:
    case RecKind::NotCaptured:
    case RecKind::Exception: {
      finish(Thread, T);
      if (T.Open.empty())
        break;
      NodeText Node = T.Open.back();
      T.Open.pop_back();
      if (K != RecKind::Exception) {
        retLine(Node, nullptr, K);
        break;
      }
      uint64_t Lens;
      std::memcpy(&Lens, P + 8, 8);
      std::size_t TypeLen = Lens & 0xFFFFFFFFu;
      bool HasWhere = (W >> 5) & 1;
      std::size_t Head = HasWhere ? 32 : 16;
      std::string_view Type(P + Head, TypeLen);
      std::string_view What(P + Head + TypeLen, Lens >> 32);
      bool HasWhat = (W >> 4) & 1;
      ThrowSite Where;
      if (HasWhere) {
        uint64_t File, Line;
        std::memcpy(&File, P + 16, 8);
        std::memcpy(&Line, P + 24, 8);
        Where.File = reinterpret_cast<const char *>(static_cast<uintptr_t>(File));
        Where.Line = static_cast<unsigned>(Line);
      }
      retLine(Node, nullptr, K, Type, HasWhat ? &What : nullptr,
              HasWhere ? &Where : nullptr);
      break;
    }
    }
  }
}

void Writer::header(long Pid, std::string_view Program, std::string_view Time) {
  Text += "{\"k\":\"header\",\"format\":\"trace-cpp\",\"version\":1,\"pid\":";
  Text += std::to_string(Pid);
  Text += ",\"program\":";
  appendJsonString(Text, Program);
  Text += ",\"time\":";
  appendJsonString(Text, Time);
  Text += "}\n";
}

void Writer::param(const ParamInfo &P, const std::string *Value) {
  // The same header parameter may be registered by several TUs.
  if (!P.Id || !ParamsSeen.insert(P.Id).second)
    return;
  std::string &L = Text;
  L += "{\"k\":\"param\",\"id\":";
  appendJsonString(L, P.Id);
  L += ",\"kind\":";
  L += P.Kind == 0 ? "\"code\"" : "\"value\"";
  L += ",\"name\":";
  appendNullableString(L, P.Name);
  if (P.Kind != 0) {
    L += ",\"type\":";
    appendNullableString(L, P.Type);
    L += ",\"value\":";
    if (Value)
      appendJsonString(L, *Value);
    else
      L += "null";
  }
  L += ",\"file\":";
  appendNullableString(L, P.File);
  L += ",\"line\":";
  appendUInt(L, P.Line);
  L += ",\"begin\":";
  appendUInt(L, P.Begin);
  L += ",\"end\":";
  appendUInt(L, P.End);
  L += ",\"hash\":";
  appendNullableString(L, P.Hash);
  L += ",\"text\":";
  appendNullableString(L, P.Text);
  if (P.Kind == 0) {
    L += ",\"signature\":";
    appendNullableString(L, P.Signature);
  }
  L += ",\"constraint\":";
  appendNullableString(L, P.Constraint);
  L += "}\n";
}

void Writer::tu(const TuInfo &T) {
  std::string &L = Text;
  L += "{\"k\":\"tu\",\"file\":";
  appendNullableString(L, T.File);
  L += ",\"directory\":";
  appendNullableString(L, T.Directory);
  L += ",\"args\":[";
  const char *A = T.Args;
  bool First = true;
  while (A && *A) {
    if (!First)
      L += ',';
    First = false;
    std::size_t N = std::strlen(A);
    appendJsonString(L, std::string_view(A, N));
    A += N + 1;
  }
  L += "]}\n";
}

void Writer::feedback(const FeedbackTarget &To, std::string_view Msg,
                      const double *Score, bool Success, bool Uncaught) {
  std::string &L = Text;
  L += "{\"k\":\"feedback\",\"node\":";
  appendUInt(L, To.Node);
  if (!To.Derived.empty()) {
    L += ",\"derived\":[";
    for (std::size_t I = 0; I < To.Derived.size(); ++I) {
      if (I)
        L += ',';
      appendUInt(L, To.Derived[I]);
    }
    L += ']';
    if (To.DerivedOmitted) {
      L += ",\"derived_omitted\":";
      appendUInt(L, To.DerivedOmitted);
    }
  }
  if (!To.Unattributed.empty()) {
    L += ",\"unattributed\":";
    appendJsonString(L, To.Unattributed);
  }
  L += ",\"text\":";
  appendJsonString(L, Msg);
  if (Score) {
    Render.reset(SIZE_MAX);
    outDouble(Render, *Score);
    L += ",\"score\":";
    // JSON has no inf/nan; such a score is written as null.
    bool Finite = *Score == *Score && *Score - *Score == 0;
    L += Finite ? Render.Buf : std::string("null");
  }
  if (Success)
    L += ",\"success\":true";
  if (Uncaught)
    L += ",\"uncaught\":true";
  L += "}\n";
}

uint64_t Writer::cuts(Site *List, uint64_t Limit) {
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> ById;
  for (Site *S = List; S; S = S->NextCut) {
    uint64_t Calls = __atomic_load_n(&S->Calls, __ATOMIC_RELAXED);
    auto &E = ById[siteId(*S)];
    E.first += Calls;
    E.second += Calls < Limit ? Calls : Limit;
  }
  uint64_t Cut = 0;
  for (const auto &[Id, E] : ById) {
    Text += "{\"k\":\"cut\",\"site\":";
    appendUInt(Text, Id);
    Text += ",\"calls\":";
    appendUInt(Text, E.first);
    Text += ",\"recorded\":";
    appendUInt(Text, E.second);
    Text += "}\n";
    Cut += E.first - E.second;
  }
  return Cut;
}

void Writer::end(uint64_t Dropped, uint64_t Cut, bool HasLimit,
                 uint64_t Lost) {
  Text += "{\"k\":\"end\",\"nodes\":";
  appendUInt(Text, CallsWritten);
  Text += ",\"dropped\":";
  appendUInt(Text, Dropped);
  if (HasLimit) {
    Text += ",\"cut\":";
    appendUInt(Text, Cut);
  }
  if (Lost) {
    Text += ",\"lost\":";
    appendUInt(Text, Lost);
  }
  Text += "}\n";
}

} // namespace __trace_rt
