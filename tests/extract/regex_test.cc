// The PCRE2 wrapper: whole-text matches (a pattern compiled anchored at both
// ends), groups, and match data reused per thread across patterns with
// different numbers of groups.
#include "fields/regex.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace pactum::extract::fields {
namespace {

TEST(RegexTest, FullMatchIsTheWholeTextOnly) {
  const Regex re(R"(([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}))");
  Match m;
  ASSERT_TRUE(re.FullMatch("12.03.2026", &m));
  EXPECT_EQ(m.str(1), "12");
  EXPECT_EQ(m.str(3), "2026");
  EXPECT_FALSE(re.FullMatch("am 12.03.2026"));
  EXPECT_FALSE(re.FullMatch("12.03.2026 in Kassel"));
  // Search is not anchored, before or after a FullMatch.
  ASSERT_TRUE(re.Search("am 12.03.2026 in Kassel", &m));
  EXPECT_EQ(m.position(0), 3u);
  // Alternatives are anchored as a whole: "(?:a|ab)" must take "ab".
  EXPECT_TRUE(Regex("a|ab").FullMatch("ab"));
  EXPECT_FALSE(Regex("a|ab").FullMatch("abc"));
}

TEST(RegexTest, GroupsThatDidNotTakePartAreUnsetWhateverRanBefore) {
  const Regex many("(a)(b)?(c)?(d)?(e)?(f)?(g)?(h)?(i)?(j)?(k)?(l)?(m)?(n)?(o)?(p)?(q)?(r)?(s)?(t)?");
  const Regex few("(x)(y)?");
  Match m;
  ASSERT_TRUE(many.Search("abcdefghijklmnopqrst", &m));
  EXPECT_EQ(m.str(20), "t");
  ASSERT_TRUE(few.Search("x", &m));
  EXPECT_TRUE(m.matched(1));
  EXPECT_FALSE(m.matched(2));
  EXPECT_FALSE(m.matched(3));  // no such group: not left over from the pattern before
  EXPECT_EQ(m.str(2), "");
  ASSERT_TRUE(many.Search("a", &m));
  EXPECT_FALSE(m.matched(20));
}

TEST(RegexTest, ThreadsShareOnePattern) {
  const Regex re(R"((\p{Lu}\p{Ll}+), den ([0-9]{1,2})\.)", Regex::kIgnoreCase);
  std::vector<std::thread> threads;
  std::vector<int> hits(4, 0);
  for (size_t t = 0; t < hits.size(); ++t) {
    threads.emplace_back([&re, &hits, t] {
      for (int k = 0; k < 500; ++k) {
        const std::string text = "Kassel, den " + std::to_string(1 + (k + static_cast<int>(t)) % 28) + ".";
        Match m;
        if (re.FullMatch(text, &m) && m.str(1) == "Kassel") ++hits[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int h : hits) EXPECT_EQ(h, 500);
}

}  // namespace
}  // namespace pactum::extract::fields
