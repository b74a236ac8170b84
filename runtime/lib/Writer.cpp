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

uint32_t Writer::siteId(Site &S) {
  if (S.Id)
    return S.Id;
  // Several Site objects can describe one function (a static function in a
  // header, one copy per TU): the same key and signature share one id.
  std::string Key = std::string(S.Key ? S.Key : "") + '\0' +
                    (S.Pretty ? S.Pretty : "");
  auto It = SiteIds.find(Key);
  if (It != SiteIds.end()) {
    S.Id = It->second;
    return S.Id;
  }
  uint32_t Id = static_cast<uint32_t>(SiteIds.size() + 1);
  SiteIds.emplace(std::move(Key), Id);
  S.Id = Id;
  SiteInfo Info;
  const char *P = S.ParamNames;
  for (unsigned I = 0; P && I < S.NumParams; ++I) {
    std::size_t N = std::strlen(P);
    // Kept escaped (without quotes): every argument line reuses it.
    std::string J;
    appendJsonString(J, std::string_view(P, N));
    Info.ParamNames.push_back(J.substr(1, J.size() - 2));
    P += N + 1;
  }

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
  for (std::size_t I = 0; I < Info.ParamNames.size(); ++I) {
    if (I)
      L += ',';
    L += '"';
    L += Info.ParamNames[I];
    L += '"';
  }
  L += "],\"doc\":";
  appendJsonString(L, S.Doc ? S.Doc : "");
  L += ",\"param\":";
  appendNullableString(L, S.ParamId);
  L += "}\n";
  Sites.push_back(std::move(Info));
  return Id;
}

Writer::OpenCall *Writer::openCall(uint32_t Thread) {
  if (Thread >= Open.size())
    Open.resize(Thread + 1);
  return &Open[Thread];
}

uint64_t Writer::valueText(const ValueRec &V, const char *Data) {
  switch (V.Form) {
  case ValueForm::Bytes: {
    // Deferred scalars: render now from the captured bytes (copied to an
    // aligned buffer; the record only guarantees 8-byte alignment).
    alignas(16) char Copy[16];
    std::memcpy(Copy, Data, std::min<std::size_t>(V.DataLen, sizeof Copy));
    Render.reset(MaxValue);
    const EnumInfo *E = V.K == Slot::Global
                            ? nullptr
                            : static_cast<const EnumInfo *>(V.Extra);
    V.Type->Render(Render, Copy, E);
    return Render.finish();
  }
  case ValueForm::String:
    Render.reset(SIZE_MAX);
    outChar(Render, '"');
    appendCEscaped(Render, Data, V.DataLen);
    outChar(Render, '"');
    return V.Omitted;
  case ValueForm::Text:
    Render.reset(SIZE_MAX);
    Render.write(Data, V.DataLen);
    return V.Omitted;
  }
  return 0;
}

const std::string &Writer::typeJson(const ValueRec &V) {
  auto It = TypeCache.find(V.Type);
  if (It != TypeCache.end())
    return It->second;
  std::string J;
  appendJsonString(J, prettyTypeName(std::string_view(V.Type->Name.Ptr,
                                                      V.Type->Name.Len)));
  return TypeCache.emplace(V.Type, std::move(J)).first->second;
}

void Writer::valueJson(std::string &J, const ValueRec &V, const char *Data,
                       const std::string *Name, bool Braces) {
  uint64_t Omitted = valueText(V, Data);
  std::string &Value = Render.Buf;
  if (Braces)
    J += '{';
  if (Name) {
    J += "\"name\":\"";
    J += *Name; // Escaped when the site was registered.
    if (V.Sub) {
      J += '[';
      appendUInt(J, V.Sub - 1);
      J += ']';
    }
    J += "\",";
  }
  if (V.K == Slot::Global) {
    J += "\"param\":";
    appendNullableString(J, static_cast<const char *>(V.Extra));
    J += ',';
  }
  J += "\"type\":";
  J += typeJson(V);
  // Only a producer's output and an argument naming a producer are compared.
  uint64_t Hash = 0;
  if (V.From)
    Hash = fnv1a(Value) ^ Omitted;
  if (Omitted)
    Value += truncationMarker(Omitted);
  J += ",\"value\":";
  appendJsonString(J, Value);
  if (Omitted) {
    J += ",\"truncated\":";
    appendUInt(J, Omitted);
  }
  if (V.From && V.K != Slot::Ret) {
    J += ",\"from\":";
    appendUInt(J, V.From);
    const CachedOutput &C = Outputs[V.From % CacheSize];
    if (C.Node == V.From && C.Hash != Hash)
      J += ",\"modified\":true";
  }
  if (V.K == Slot::Ret) {
    CachedOutput &C = Outputs[V.From % CacheSize];
    C.Node = V.From;
    C.Hash = Hash;
  }
  if (Braces)
    J += '}';
}

void Writer::finishThread(uint32_t Thread) {
  if (Thread >= Open.size() || !Open[Thread].Active)
    return;
  OpenCall &C = Open[Thread];
  C.Active = false;
  auto ByPos = [](const ArgText &A, const ArgText &B) {
    return A.Index != B.Index ? A.Index < B.Index : A.Sub < B.Sub;
  };
  std::sort(C.Args.begin(), C.Args.begin() + C.NumArgs, ByPos);
  std::string &L = Text;
  L += "{\"k\":\"call\",\"node\":";
  appendUInt(L, C.Node);
  L += ",\"site\":";
  appendUInt(L, C.SiteId);
  L += ",\"parent\":";
  appendUInt(L, C.Parent);
  L += ",\"thread\":";
  appendUInt(L, Thread);
  L += ",\"args\":[";
  for (std::size_t I = 0; I < C.NumArgs; ++I) {
    if (I)
      L += ',';
    L += C.Args[I].Json;
  }
  L += ']';
  if (!C.This.empty()) {
    L += ",\"this\":";
    L += C.This;
  }
  if (C.NumGlobals) {
    L += ",\"globals\":[";
    for (std::size_t I = 0; I < C.NumGlobals; ++I) {
      if (I)
        L += ',';
      L += C.Globals[I].Json;
    }
    L += ']';
  }
  L += "}\n";
  ++CallsWritten;
}

void Writer::finishAll() {
  for (uint32_t T = 0; T < Open.size(); ++T)
    finishThread(T);
}

void Writer::consume(uint32_t Thread, const char *Data, std::size_t Size) {
  const char *P = Data;
  const char *E = Data + Size;
  OpenCall &C = *openCall(Thread);
  while (P + sizeof(RecHeader) <= E) {
    const auto *H = reinterpret_cast<const RecHeader *>(P);
    if (H->Size < sizeof(RecHeader) || P + H->Size > E)
      break;
    switch (H->Kind) {
    case RecKind::Enter: {
      finishThread(Thread);
      const auto *R = reinterpret_cast<const EnterRec *>(P);
      C.Active = true;
      C.Node = R->Node;
      C.Parent = R->Parent;
      C.SiteId = siteId(*R->S);
      C.NumArgs = C.NumGlobals = 0;
      C.This.clear();
      break;
    }
    case RecKind::Value: {
      const auto *R = reinterpret_cast<const ValueRec *>(P);
      const char *D = reinterpret_cast<const char *>(R + 1);
      if (R->K == Slot::Ret) {
        finishThread(Thread);
        Text += "{\"k\":\"ret\",\"node\":";
        appendUInt(Text, R->From);
        Text += ',';
        valueJson(Text, *R, D, nullptr, false);
        Text += "}\n";
        break;
      }
      // Argument records directly follow their call's entry record.
      if (!C.Active)
        break;
      if (R->K == Slot::Self) {
        C.This.clear();
        valueJson(C.This, *R, D, nullptr, true);
        break;
      }
      bool IsArg = R->K == Slot::Arg;
      std::vector<ArgText> &List = IsArg ? C.Args : C.Globals;
      std::size_t &Count = IsArg ? C.NumArgs : C.NumGlobals;
      if (Count == List.size())
        List.emplace_back();
      ArgText &A = List[Count++];
      A.Index = R->Index;
      A.Sub = R->Sub;
      A.Json.clear();
      const std::string *Name = nullptr;
      static const std::string Unnamed;
      if (IsArg) {
        const SiteInfo &S = Sites[C.SiteId - 1];
        Name = R->Index < S.ParamNames.size() ? &S.ParamNames[R->Index]
                                              : &Unnamed;
      }
      valueJson(A.Json, *R, D, Name, true);
      break;
    }
    case RecKind::Void:
    case RecKind::NotCaptured: {
      finishThread(Thread);
      const auto *R = reinterpret_cast<const NodeRec *>(P);
      Text += "{\"k\":\"ret\",\"node\":";
      appendUInt(Text, R->Node);
      if (H->Kind == RecKind::NotCaptured)
        Text += ",\"value\":\"<not captured>\"";
      Text += "}\n";
      break;
    }
    case RecKind::Exception: {
      finishThread(Thread);
      const auto *R = reinterpret_cast<const ExceptionRec *>(P);
      const char *D = reinterpret_cast<const char *>(R + 1);
      Text += "{\"k\":\"ret\",\"node\":";
      appendUInt(Text, R->Node);
      Text += ",\"exception\":{\"type\":";
      appendJsonString(Text, std::string_view(D, R->TypeLen));
      if (R->WhatLen != UINT32_MAX) {
        Text += ",\"what\":";
        appendJsonString(Text, std::string_view(D + R->TypeLen, R->WhatLen));
      }
      Text += "}}\n";
      break;
    }
    }
    P += H->Size;
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

void Writer::feedback(uint64_t Node, std::string_view Msg, const double *Score,
                      bool Success) {
  std::string &L = Text;
  L += "{\"k\":\"feedback\",\"node\":";
  appendUInt(L, Node);
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

void Writer::end(uint64_t Dropped, uint64_t Cut, bool HasLimit) {
  Text += "{\"k\":\"end\",\"nodes\":";
  appendUInt(Text, CallsWritten);
  Text += ",\"dropped\":";
  appendUInt(Text, Dropped);
  if (HasLimit) {
    Text += ",\"cut\":";
    appendUInt(Text, Cut);
  }
  Text += "}\n";
}

} // namespace __trace_rt
