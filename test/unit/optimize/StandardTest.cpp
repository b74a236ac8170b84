//===- StandardTest.cpp - The C++ standard a compile command selects ------===//
#include "patch/Check.h"

#include <gtest/gtest.h>

using namespace traceopt;

namespace {

std::string described(std::vector<std::string> Args) { return languageStandard(Args).describe(); }

TEST(LanguageStandard, LastOptionWins) {
  EXPECT_EQ(described({"-triple", "x86_64", "-std=c++17", "-O2", "-std=c++20"}), "C++20");
  EXPECT_EQ(languageStandard({"-std=c++17", "--std=gnu++2b"}).Name, "gnu++2b");
  EXPECT_EQ(described({"-std=c++17", "--std=gnu++2b"}), "C++23 with GNU extensions");
  EXPECT_EQ(described({"--std", "c++14", "-x", "c++"}), "C++14");
  EXPECT_EQ(described({"-std", "gnu++11"}), "C++11 with GNU extensions");
}

TEST(LanguageStandard, AliasesAndClangCl) {
  EXPECT_EQ(described({"-std=c++1z"}), "C++17");
  EXPECT_EQ(described({"-std=c++2a"}), "C++20");
  EXPECT_EQ(described({"-std=c++2c"}), "C++26");
  EXPECT_EQ(described({"-std=c++98"}), "C++98");
  EXPECT_EQ(described({"/std:c++20"}), "C++20");
  // clang 19's driver turns /std:c++latest into -std=c++26.
  EXPECT_EQ(described({"/std:c++latest"}), "C++26");
}

TEST(LanguageStandard, NoneGivenIsClangsDefault) {
  LanguageStandard S = languageStandard({"-triple", "x86_64-pc-linux-gnu", "-O0", "foo.cpp"});
  EXPECT_FALSE(S.Given);
  EXPECT_EQ(S.Name, "gnu++17");
  EXPECT_EQ(S.describe(), "C++17 with GNU extensions");
  EXPECT_EQ(S.flag(), "-std=gnu++17");
}

TEST(LanguageStandard, NotCxxIsNamedAsGiven) {
  EXPECT_EQ(described({"-std=c17"}), "c17");
  EXPECT_EQ(described({"-std=nonsense"}), "nonsense");
}

} // namespace
