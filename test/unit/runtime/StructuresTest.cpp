//===- StructuresTest.cpp - Pending stack, address map, configuration -----===//

#include "Internal.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

using namespace __trace_rt;

static PendingEntry note(uint64_t Hash, unsigned I) {
  return {Hash, nullptr, 0, I, PendingKind::Note, 0};
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

TEST(PendingStack, GrowsForDeepRecursion) {
  PendingStack S;
  // Deep nesting (f(f(f(...))) 10,000 levels) keeps every note.
  for (unsigned I = 0; I < 10000; ++I)
    ASSERT_TRUE(S.push(note(I, 0)));
  EXPECT_EQ(S.size(), 10000u);
  uint64_t Expect = 9999;
  while (!S.empty()) {
    ASSERT_EQ(S.top().Hash, Expect--);
    S.pop();
  }
  S.push(note(99, 0));
  EXPECT_EQ(S.top().Hash, 99u);
}

TEST(AddressMap, SetFindErase) {
  AddressMap M;
  int A, B;
  EXPECT_EQ(M.find(&A), nullptr);
  EXPECT_TRUE(M.set(&A, 10));
  EXPECT_TRUE(M.set(&B, 20));
  EXPECT_EQ(M.find(&A)->Prov, 10u);
  EXPECT_EQ(M.find(&B)->Prov, 20u);
  // A later store replaces the producer.
  EXPECT_TRUE(M.set(&A, 11));
  EXPECT_EQ(M.find(&A)->Prov, 11u);
  M.erase(&A);
  EXPECT_EQ(M.find(&A), nullptr);
  EXPECT_EQ(M.size(), 1u);
}

TEST(AddressMap, GrowsPastAThousandLiveBindings) {
  // The fixed 1,024-slot table dropped bindings beyond 768 live ones.
  auto M = std::make_unique<AddressMap>();
  std::vector<int> Objects(20000);
  for (std::size_t I = 0; I < Objects.size(); ++I)
    ASSERT_TRUE(M->set(&Objects[I], I + 1));
  for (std::size_t I = 0; I < Objects.size(); ++I)
    ASSERT_EQ(M->find(&Objects[I])->Prov, I + 1);
  EXPECT_EQ(M->size(), Objects.size());
}

TEST(AddressMap, MatchesReferenceUnderChurn) {
  auto M = std::make_unique<AddressMap>();
  std::map<uintptr_t, uint64_t> Ref;
  std::mt19937_64 Rng(42);
  for (int Step = 0; Step < 200000; ++Step) {
    // Addresses 8 apart, like stack slots, from a small range: collisions.
    uintptr_t A = 0x7f0000001000 + 8 * (Rng() % 3000);
    const void *P = reinterpret_cast<const void *>(A);
    if (Rng() % 2) {
      uint64_t N = Rng() % 1000 + 1;
      ASSERT_TRUE(M->set(P, N));
      Ref[A] = N;
    } else {
      M->erase(P);
      Ref.erase(A);
    }
    if (Step % 997 == 0) {
      for (auto &[Addr, Node] : Ref)
        ASSERT_EQ(M->find(reinterpret_cast<const void *>(Addr))->Prov, Node);
      ASSERT_EQ(M->size(), Ref.size());
    }
  }
}

TEST(Parts, KeepsTheMostRecentAndCountsTheRest) {
  Parts P;
  for (uint64_t I = 1; I <= Parts::Max + 5; ++I)
    P.add(I);
  P.add(Parts::Max + 5); // The same producer again is one edge.
  EXPECT_EQ(P.Count, Parts::Max);
  EXPECT_EQ(P.Omitted, 5u);
  std::vector<uint64_t> Seen;
  for (unsigned I = 0; I < P.Count; ++I)
    Seen.push_back(P.Items[(P.Next + I) % Parts::Max]);
  EXPECT_EQ(Seen.front(), 6u);
  EXPECT_EQ(Seen.back(), Parts::Max + 5);
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
  EXPECT_EQ(D.Path, "trace.bin");
  EXPECT_EQ(D.MaxValue, 256u);
  EXPECT_EQ(D.MaxElements, 16u);

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
  EXPECT_EQ(Bad.MaxValue, 256u);
  EXPECT_NE(Err.find("TRACE_MAX_VALUE='lots'"), std::string::npos) << Err;

  FakeEnv = {{"TRACE_MAX_ELEMENTS", "3"}};
  EXPECT_EQ(configFromEnv(fakeGetEnv).MaxElements, 3u);
  for (const char *V : {"0", "-1", "3x", "99999999"}) {
    FakeEnv = {{"TRACE_MAX_ELEMENTS", V}};
    testing::internal::CaptureStderr();
    Config BadElements = configFromEnv(fakeGetEnv);
    Err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(BadElements.MaxElements, 16u) << V;
    EXPECT_NE(Err.find("ignoring TRACE_MAX_ELEMENTS='" + std::string(V) + "'"),
              std::string::npos)
        << Err;
  }

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
