//===- Writer.cpp - The binary trace's metadata records and blocks --------===//
//
// Runs under the runtime's lock, off the hot path. Thread records arrive
// already encoded in full chunks (Record.cpp); the writer frames each chunk
// as a block and writes the records that name what those records refer to:
// sites, types, enum tables and strings, each once, before their first use.
// Nothing is rendered to text here beyond what a metadata record holds.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <cstring>
#include <map>

/// Defined, weak, by each translation unit that instruments a coroutine (the
/// plugin appends the definition): such a program may write Op::Coro
/// records, which only readers of version 4 know.
extern "C" __attribute__((weak)) const char __trace_rt_coroutines;

namespace __trace_rt {

namespace tf = __trace_format;

namespace {

void putVarint(std::string &D, uint64_t V) {
  char Buf[tf::MaxVarint];
  D.append(Buf, static_cast<std::size_t>(tf::putVarint(Buf, V) - Buf));
}

void putStr(std::string &D, std::string_view S) {
  putVarint(D, S.size());
  D.append(S.data(), S.size());
}

void putStr(std::string &D, const char *S) {
  putStr(D, std::string_view(S ? S : ""));
}

/// An optional string: 0 for null, else its length + 1 and its bytes.
void putOStr(std::string &D, const char *S) {
  if (!S) {
    D += '\0';
    return;
  }
  std::size_t N = std::strlen(S);
  putVarint(D, N + 1);
  D.append(S, N);
}

void putOStr(std::string &D, const std::string *S) {
  if (!S) {
    D += '\0';
    return;
  }
  putVarint(D, S->size() + 1);
  D += *S;
}

} // namespace

std::string &Writer::begin() {
  Scratch.clear();
  return Scratch;
}

void Writer::record(tf::Kind K) {
  Text += static_cast<char>(K);
  putVarint(Text, Scratch.size());
  Text += Scratch;
}

uint32_t Writer::siteId(__Site &S) {
  if (uint32_t Id = __atomic_load_n(&S.Id, __ATOMIC_ACQUIRE))
    return plainId(Id);
  std::string Key = std::string(S.Key ? S.Key : "") + '\0' +
                    (S.Pretty ? S.Pretty : "");
  Named.push_back(&S);
  auto It = SiteIds.find(Key);
  if (It != SiteIds.end()) {
    __atomic_store_n(&S.Id, publishedId(It->second), __ATOMIC_RELEASE);
    return It->second;
  }
  uint32_t Id = static_cast<uint32_t>(SiteIds.size() + 1);
  SiteIds.emplace(std::move(Key), Id);
  std::string &R = begin();
  putVarint(R, Id);
  putOStr(R, S.Key);
  putOStr(R, S.Name);
  putOStr(R, S.Pretty);
  putOStr(R, S.File);
  putVarint(R, S.Line);
  putVarint(R, S.ParamNames ? S.NumParams : 0);
  const char *P = S.ParamNames;
  for (unsigned I = 0; P && I < S.NumParams; ++I) {
    std::size_t N = std::strlen(P);
    putStr(R, std::string_view(P, N));
    P += N + 1;
  }
  putStr(R, S.Doc);
  putOStr(R, S.ParamId);
  record(tf::Kind::Site);
  __atomic_store_n(&S.Id, publishedId(Id), __ATOMIC_RELEASE);
  return Id;
}

uint32_t Writer::typeId(TypeDesc &T) {
  if (uint32_t Id = __atomic_load_n(&T.Id, __ATOMIC_ACQUIRE))
    return plainId(Id);
  uint32_t Id = NextType++;
  Typed.push_back(&T);
  std::string_view Raw(T.Name.Ptr, T.Name.Len);
  std::string &R = begin();
  putVarint(R, Id);
  R += static_cast<char>(T.Kind);
  putVarint(R, T.Size);
  putStr(R, prettyTypeName(Raw));
  if (T.Kind == tf::TypeKind::Fixed) {
    std::string Fixed(Raw);
    Fixed += "{...}";
    putStr(R, Fixed);
  }
  record(tf::Kind::Type);
  __atomic_store_n(&T.Id, publishedId(Id), __ATOMIC_RELEASE);
  return Id;
}

uint32_t Writer::internId(IdTable Table, const void *Key) {
  auto &Map = Ids[static_cast<unsigned>(Table)];
  auto It = Map.find(Key);
  if (It != Map.end())
    return It->second;
  uint32_t Id = static_cast<uint32_t>(Map.size() + 1);
  Map.emplace(Key, Id);
  std::string &R = begin();
  putVarint(R, Id);
  if (Table == IdTable::String) {
    putStr(R, static_cast<const char *>(Key));
    record(tf::Kind::String);
    return Id;
  }
  const __EnumInfo &E = *static_cast<const __EnumInfo *>(Key);
  putOStr(R, E.TypeName);
  putVarint(R, E.Count);
  for (unsigned I = 0; I < E.Count; ++I) {
    putVarint(R, tf::zigzag(E.Values[I]));
    putStr(R, E.Names[I]);
  }
  record(tf::Kind::Enum);
  return Id;
}

std::size_t Writer::blockHead(uint32_t Thread, std::size_t Size,
                              char *Out) const {
  char Id[tf::MaxVarint];
  const auto IdLen = static_cast<std::size_t>(tf::putVarint(Id, Thread) - Id);
  char *P = Out;
  *P++ = static_cast<char>(tf::Kind::Block);
  P = tf::putVarint(P, IdLen + Size);
  std::memcpy(P, Id, IdLen);
  return static_cast<std::size_t>(P + IdLen - Out);
}

void Writer::block(uint32_t Thread, const char *Data, std::size_t Size) {
  char Head[1 + 2 * tf::MaxVarint];
  Text.append(Head, blockHead(Thread, Size, Head));
  Text.append(Data, Size);
}

void Writer::restart(uint32_t Thread, uint32_t Seq) {
  for (__Site *S : Named)
    __atomic_store_n(&S->Id, 0u, __ATOMIC_RELAXED);
  for (TypeDesc *T : Typed)
    __atomic_store_n(&T->Id, 0u, __ATOMIC_RELAXED);
  Named.clear();
  Typed.clear();
  NextType = 1;
  SiteIds.clear();
  Ids[0].clear();
  Ids[1].clear();
  ParamsSeen.clear();
  Text.clear();
  if (!Thread)
    return;
  std::string &R = begin();
  putVarint(R, Thread);
  putVarint(R, Seq);
  record(tf::Kind::ThreadStart);
}

void Writer::header(long Pid, std::string_view Program,
                    std::string_view Time) {
  std::string Saved;
  Saved.swap(Text);
  Text.append(tf::Magic, tf::MagicSize);
  putVarint(Text, &__trace_rt_coroutines != nullptr ? tf::CoroutineVersion
                  : Timestamps                      ? tf::TimedVersion
                                                    : tf::Version);
  std::string &R = begin();
  putVarint(R, static_cast<uint64_t>(Pid));
  putStr(R, Program);
  putStr(R, Time);
  record(tf::Kind::Header);
  if (Timestamps) {
    std::string &C = begin();
    C += static_cast<char>(TheClock.Source);
    putVarint(C, TheClock.Hz);
    putVarint(C, TheClock.Origin);
    putVarint(C, TheClock.Monotonic);
    record(tf::Kind::Clock);
  }
  Text += Saved;
}

void Writer::param(const __ParamInfo &P, const std::string *Value) {
  // The same header parameter may be registered by several TUs.
  if (!P.Id || !ParamsSeen.insert(P.Id).second)
    return;
  bool IsValue = P.Kind != 0;
  std::string &R = begin();
  putStr(R, P.Id);
  R += static_cast<char>(IsValue ? 1 : 0);
  putOStr(R, P.Name);
  putOStr(R, IsValue ? P.Type : nullptr);
  putOStr(R, IsValue ? Value : nullptr);
  putOStr(R, P.File);
  putVarint(R, P.Line);
  putVarint(R, P.Begin);
  putVarint(R, P.End);
  putOStr(R, P.Hash);
  putOStr(R, P.Text);
  putOStr(R, IsValue ? nullptr : P.Signature);
  putOStr(R, P.Constraint);
  record(tf::Kind::Param);
}

void Writer::tu(const __TuInfo &T) {
  std::string &R = begin();
  putOStr(R, T.File);
  putOStr(R, T.Directory);
  std::vector<std::string_view> Args;
  for (const char *A = T.Args; A && *A; A += Args.back().size() + 1)
    Args.emplace_back(A);
  putVarint(R, Args.size());
  for (std::string_view A : Args)
    putStr(R, A);
  record(tf::Kind::Tu);
}

void Writer::feedback(const FeedbackTarget &To, std::string_view Msg,
                      const double *Score, bool Success, bool Uncaught) {
  std::string &R = begin();
  putVarint(R, To.Node);
  putVarint(R, To.Derived.size());
  for (uint64_t N : To.Derived)
    putVarint(R, N);
  putVarint(R, To.DerivedOmitted);
  putOStr(R, To.Unattributed.empty() ? nullptr : &To.Unattributed);
  putStr(R, Msg);
  uint8_t Flags =
      (Score ? tf::FeedbackScore : 0) | (Success ? tf::FeedbackSuccess : 0) |
      (Uncaught ? tf::FeedbackUncaught : 0) | (To.Timed ? tf::FeedbackTime : 0);
  R += static_cast<char>(Flags);
  if (Score) {
    char B[8];
    std::memcpy(B, Score, 8); // Little-endian hosts only (see format.hpp).
    R.append(B, 8);
  }
  if (To.Timed) {
    putVarint(R, To.Thread);
    putVarint(R, To.Ticks);
  }
  record(tf::Kind::Feedback);
}

uint64_t Writer::cuts(__Site *List) {
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> ById;
  for (__Site *S = List; S; S = S->NextCut) {
    auto &E = ById[siteId(*S)];
    E.first += __atomic_load_n(&S->Calls, __ATOMIC_RELAXED);
    E.second += __atomic_load_n(&S->Recorded, __ATOMIC_RELAXED);
  }
  uint64_t Cut = 0;
  for (const auto &[Id, E] : ById) {
    std::string &R = begin();
    putVarint(R, Id);
    putVarint(R, E.first);
    putVarint(R, E.second);
    record(tf::Kind::Cut);
    Cut += E.first - E.second;
  }
  return Cut;
}

void Writer::end(uint64_t Nodes, uint64_t Dropped, uint64_t Cut,
                 bool HasLimit, uint64_t Lost) {
  std::string &R = begin();
  putVarint(R, Nodes);
  putVarint(R, Dropped);
  R += static_cast<char>(HasLimit ? tf::EndHasLimit : 0);
  putVarint(R, Cut);
  putVarint(R, Lost);
  record(tf::Kind::End);
}

} // namespace __trace_rt
