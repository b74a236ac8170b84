//===- StructuresTest.cpp - Pending stack, address map, configuration -----===//

#include "Internal.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

using namespace __trace_rt;

static PendingEntry note(uint64_t Hash, unsigned I) {
  return {Hash, nullptr, 0, I, PendingKind::Note};
}

TEST(PendingStack, PushPopTruncate) {
  PendingStack S;
  EXPECT_TRUE(S.empty());
  S.push(note(1, 0));
  S.push(note(2, 1));
  EXPECT_EQ(S.size(), 2u);
  EXPECT_EQ(S.top().Hash, 2u);
  S.pop();
  EXPECT_EQ(S.top().Hash, 1u);
  S.push(note(3, 0));
  S.push(note(4, 0));
  S.truncate(1);
  EXPECT_EQ(S.size(), 1u);
  EXPECT_EQ(S.top().Hash, 1u);
  S.truncate(5); // Never grows.
  EXPECT_EQ(S.size(), 1u);
}

TEST(PendingStack, DropsOldestWhenFull) {
  PendingStack S;
  for (unsigned I = 0; I < PendingStack::Capacity + 10; ++I)
    S.push(note(I, 0));
  // The newest Capacity entries remain.
  unsigned Seen = 0;
  uint64_t Expect = PendingStack::Capacity + 9;
  while (!S.empty()) {
    EXPECT_EQ(S.top().Hash, Expect--);
    S.pop();
    ++Seen;
  }
  EXPECT_EQ(Seen, PendingStack::Capacity);
  // A size remembered before the drops still truncates sensibly.
  for (unsigned I = 0; I < PendingStack::Capacity + 10; ++I)
    S.push(note(I, 0));
  S.truncate(3);
  EXPECT_TRUE(S.empty());
  S.push(note(99, 0));
  EXPECT_EQ(S.top().Hash, 99u);
}

TEST(AddressMap, InsertFindErase) {
  AddressMap M;
  int A, B;
  EXPECT_EQ(M.find(&A), 0u);
  EXPECT_TRUE(M.insert(&A, 10));
  EXPECT_TRUE(M.insert(&B, 20));
  EXPECT_EQ(M.find(&A), 10u);
  EXPECT_EQ(M.find(&B), 20u);
  // Erase only if still bound to the same node (a later Binding wins).
  EXPECT_TRUE(M.insert(&A, 11));
  M.erase(&A, 10);
  EXPECT_EQ(M.find(&A), 11u);
  M.erase(&A, 11);
  EXPECT_EQ(M.find(&A), 0u);
  EXPECT_EQ(M.size(), 1u);
}

TEST(AddressMap, MatchesReferenceUnderChurn) {
  auto M = std::make_unique<AddressMap>();
  std::map<uintptr_t, uint64_t> Ref;
  std::mt19937_64 Rng(42);
  for (int Step = 0; Step < 200000; ++Step) {
    // Addresses 8 apart, like stack slots, from a small range: collisions.
    uintptr_t A = 0x7f0000001000 + 8 * (Rng() % 1500);
    const void *P = reinterpret_cast<const void *>(A);
    if (Rng() % 2) {
      uint64_t N = Rng() % 1000 + 1;
      if (M->insert(P, N))
        Ref[A] = N;
      else
        ASSERT_GE(M->size(), AddressMap::Capacity * 3 / 4);
    } else {
      auto It = Ref.find(A);
      uint64_t N = It == Ref.end() ? 1 : It->second;
      M->erase(P, N);
      if (It != Ref.end())
        Ref.erase(It);
    }
    if (Step % 997 == 0) {
      for (auto &[Addr, Node] : Ref)
        ASSERT_EQ(M->find(reinterpret_cast<const void *>(Addr)), Node);
      ASSERT_EQ(M->size(), Ref.size());
    }
  }
}

TEST(Config, ExpandsPid) {
  EXPECT_EQ(expandPath("trace-%p.jsonl", 4242), "trace-4242.jsonl");
  EXPECT_EQ(expandPath("/tmp/%p/%p", 7), "/tmp/7/7");
  EXPECT_EQ(expandPath("100%%-%p", 1), "100%-1");
  EXPECT_EQ(expandPath("plain%", 1), "plain%");
  EXPECT_EQ(expandPath("a%xb", 1), "a%xb");
}

static std::map<std::string, std::string> FakeEnv;
static const char *fakeGetEnv(const char *Name) {
  auto It = FakeEnv.find(Name);
  return It == FakeEnv.end() ? nullptr : It->second.c_str();
}

TEST(Config, ReadsEnvironment) {
  FakeEnv.clear();
  Config D = configFromEnv(fakeGetEnv);
  EXPECT_TRUE(D.Enabled);
  EXPECT_EQ(D.Path, "trace.jsonl");
  EXPECT_EQ(D.MaxValue, 4096u);

  FakeEnv = {{"TRACE_ENABLE", "0"}, {"TRACE_FILE", "x-%p.jsonl"},
             {"TRACE_MAX_VALUE", "100"}};
  Config C = configFromEnv(fakeGetEnv);
  EXPECT_FALSE(C.Enabled);
  EXPECT_EQ(C.Path, "x-%p.jsonl");
  EXPECT_EQ(C.MaxValue, 100u);

  FakeEnv = {{"TRACE_ENABLE", "1"}, {"TRACE_MAX_VALUE", "lots"}};
  testing::internal::CaptureStderr();
  Config Bad = configFromEnv(fakeGetEnv);
  std::string Err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(Bad.Enabled);
  EXPECT_EQ(Bad.MaxValue, 4096u);
  EXPECT_NE(Err.find("TRACE_MAX_VALUE='lots'"), std::string::npos) << Err;

  FakeEnv = {{"TRACE_MAX_CALLS_PER_FUNCTION", "3"}};
  EXPECT_EQ(configFromEnv(fakeGetEnv).MaxCallsPerFunction, 3u);
  EXPECT_EQ(D.MaxCallsPerFunction, 0u);
  for (const char *V : {"-1", "3x", "99999999999"}) {
    FakeEnv = {{"TRACE_MAX_CALLS_PER_FUNCTION", V}};
    testing::internal::CaptureStderr();
    Config BadLimit = configFromEnv(fakeGetEnv);
    Err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(BadLimit.MaxCallsPerFunction, 0u) << V;
    EXPECT_NE(Err.find("ignoring TRACE_MAX_CALLS_PER_FUNCTION='" +
                       std::string(V) + "'"),
              std::string::npos)
        << Err;
  }

  FakeEnv = {{"TRACE_MAX_VALUE", "1000000"}};
  Config Big = configFromEnv(fakeGetEnv);
  EXPECT_GE(Big.ChunkBytes, 2 * Big.MaxValue);
}
