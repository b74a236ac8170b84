//===- Writer.cpp - Drained records to JSON lines -------------------------===//
//
// Runs under the runtime's lock, off the hot path: renders deferred values,
// assembles one `call` line per node from its entry and value records, and
// marks arguments whose text differs from their producer's output.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cstring>

namespace __trace_rt {

static void appendUInt(std::string &Dst, uint64_t V) { Dst += std::to_string(V); }

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
  const char *P = S.ParamNames;
  for (unsigned I = 0; P && I < S.NumParams; ++I) {
    if (I)
      L += ',';
    std::size_t N = std::strlen(P);
    appendJsonString(L, std::string_view(P, N));
    P += N + 1;
  }
  L += "],\"doc\":";
  appendJsonString(L, S.Doc ? S.Doc : "");
  L += ",\"param\":";
  appendNullableString(L, S.ParamId);
  L += "}\n";
  return Id;
}

std::string Writer::valueText(const ValueRec &V, const char *Data,
                              uint64_t &Omitted) {
  switch (V.Form) {
  case ValueForm::Bytes: {
    // Deferred scalars: render now from the captured bytes. 16-byte aligned
    // copy, since the record only guarantees 8.
    alignas(16) char Copy[16];
    std::memcpy(Copy, Data, std::min<std::size_t>(V.DataLen, sizeof Copy));
    Render.reset(MaxValue);
    V.Render(Render, Copy, V.Enum);
    Omitted = Render.finish();
    return Render.Buf;
  }
  case ValueForm::String: {
    Render.reset(SIZE_MAX);
    outChar(Render, '"');
    appendCEscaped(Render, Data, V.DataLen);
    outChar(Render, '"');
    Omitted = V.Omitted;
    return Render.Buf;
  }
  case ValueForm::Text:
    Omitted = V.Omitted;
    return std::string(Data, V.DataLen);
  }
  return std::string();
}

/// Remembers the hash of a node's output; a later argument from that node
/// whose text hashes differently was modified in between.
std::string Writer::valueJson(const ValueRec &V, const char *Data,
                              bool WithName, const Site *S) {
  uint64_t Omitted = 0;
  std::string Value = valueText(V, Data, Omitted);
  std::string J = "{";
  if (WithName) {
    std::string Name;
    const char *P = S ? S->ParamNames : nullptr;
    for (unsigned I = 0; P && S && I < S->NumParams; ++I) {
      std::size_t N = std::strlen(P);
      if (I == V.Index) {
        Name.assign(P, N);
        break;
      }
      P += N + 1;
    }
    if (V.Sub)
      Name += "[" + std::to_string(V.Sub - 1) + "]";
    J += "\"name\":";
    appendJsonString(J, Name);
    J += ',';
  }
  if (V.K == Slot::Global) {
    J += "\"param\":";
    appendNullableString(J, V.ParamId);
    J += ',';
  }
  J += "\"type\":";
  appendJsonString(J, prettyTypeName(std::string_view(V.TypePtr, V.TypeLen)));
  J += ",\"value\":";
  uint64_t Hash = fnv1a(Value) ^ Omitted;
  if (Omitted)
    Value += truncationMarker(Omitted);
  appendJsonString(J, Value);
  if (Omitted) {
    J += ",\"truncated\":";
    appendUInt(J, Omitted);
  }
  if (V.From) {
    J += ",\"from\":";
    appendUInt(J, V.From);
    const CachedOutput &C = Outputs[V.From % CacheSize];
    if (C.Node == V.From && C.Hash != Hash)
      J += ",\"modified\":true";
  }
  if (V.K == Slot::Ret) {
    CachedOutput &C = Outputs[V.Node % CacheSize];
    C.Node = V.Node;
    C.Hash = Hash;
  }
  J += '}';
  return J;
}

void Writer::finishThread(uint32_t Thread) {
  auto It = Open.find(Thread);
  if (It == Open.end())
    return;
  OpenCall &C = It->second;
  auto ByPos = [](const ArgText &A, const ArgText &B) {
    return A.Index != B.Index ? A.Index < B.Index : A.Sub < B.Sub;
  };
  std::sort(C.Args.begin(), C.Args.end(), ByPos);
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
  for (std::size_t I = 0; I < C.Args.size(); ++I) {
    if (I)
      L += ',';
    L += C.Args[I].Json;
  }
  L += ']';
  if (!C.This.empty()) {
    L += ",\"this\":";
    L += C.This;
  }
  if (!C.Globals.empty()) {
    L += ",\"globals\":[";
    for (std::size_t I = 0; I < C.Globals.size(); ++I) {
      if (I)
        L += ',';
      L += C.Globals[I].Json;
    }
    L += ']';
  }
  L += "}\n";
  ++CallsWritten;
  Open.erase(It);
}

void Writer::finishAll() {
  std::vector<uint32_t> Threads;
  for (auto &KV : Open)
    Threads.push_back(KV.first);
  std::sort(Threads.begin(), Threads.end());
  for (uint32_t T : Threads)
    finishThread(T);
}

void Writer::consume(uint32_t Thread, const char *Data, std::size_t Size) {
  const char *P = Data;
  const char *E = Data + Size;
  while (P + sizeof(RecHeader) <= E) {
    const auto *H = reinterpret_cast<const RecHeader *>(P);
    if (H->Size < sizeof(RecHeader) || P + H->Size > E)
      break;
    switch (H->Kind) {
    case RecKind::Enter: {
      finishThread(Thread);
      const auto *R = reinterpret_cast<const EnterRec *>(P);
      OpenCall &C = Open[Thread];
      C.Node = R->Node;
      C.Parent = R->Parent;
      C.SiteId = siteId(*R->S);
      NodeSites[R->Node] = R->S;
      break;
    }
    case RecKind::Value: {
      const auto *R = reinterpret_cast<const ValueRec *>(P);
      const char *D = reinterpret_cast<const char *>(R + 1);
      auto It = Open.find(Thread);
      bool ForOpenCall = R->K != Slot::Ret && It != Open.end() &&
                         It->second.Node == R->Node;
      if (!ForOpenCall) {
        finishThread(Thread);
        if (R->K != Slot::Ret)
          break; // Arguments of a call already written (cannot happen).
        Text += "{\"k\":\"ret\",\"node\":";
        appendUInt(Text, R->Node);
        std::string V = valueJson(*R, D, false, nullptr);
        // valueJson yields {"type":..,"value":..[,"truncated":N]}; splice it.
        Text += ',';
        Text.append(V, 1, std::string::npos);
        Text += '\n';
        NodeSites.erase(R->Node);
        break;
      }
      auto SIt = NodeSites.find(R->Node);
      const Site *S = SIt == NodeSites.end() ? nullptr : SIt->second;
      OpenCall &C = It->second;
      if (R->K == Slot::Arg)
        C.Args.push_back({R->Index, R->Sub, valueJson(*R, D, true, S)});
      else if (R->K == Slot::Self)
        C.This = valueJson(*R, D, false, S);
      else
        C.Globals.push_back({R->Index, 0, valueJson(*R, D, false, S)});
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
      NodeSites.erase(R->Node);
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
      NodeSites.erase(R->Node);
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

void Writer::end(uint64_t Dropped) {
  Text += "{\"k\":\"end\",\"nodes\":";
  appendUInt(Text, CallsWritten);
  Text += ",\"dropped\":";
  appendUInt(Text, Dropped);
  Text += "}\n";
}

} // namespace __trace_rt
