// EDDY_DCHECK: fires with file:line, condition and message in builds with checks on (Debug and
// sanitizer builds), and costs nothing — its condition is not even evaluated — in the others.
#include "eddy/core/dcheck.h"

#include <gtest/gtest.h>

#include <thread>

namespace eddy {
namespace {

class DcheckTest : public testing::Test {
 protected:
  // Forks and re-executes the test binary: safe with threads (and with ThreadSanitizer).
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(DcheckTest, ABrokenInvariantAbortsNamingItsPlaceConditionAndMessage) {
  if (!kDcheckEnabled) GTEST_SKIP() << "EDDY_DCHECK is off in this build";
  const int answer = 41;
  EXPECT_DEATH(EDDY_DCHECK(answer == 42, "the answer is 42"),
               "dcheck_test\\.cc:[0-9]+: EDDY_DCHECK\\(answer == 42\\) failed: the answer is 42");
}

TEST_F(DcheckTest, AKeptInvariantGoesOnAndIsEvaluatedOnceWhenChecksAreOn) {
  int evaluations = 0;
  EDDY_DCHECK(++evaluations > 0, "counting");
  EXPECT_EQ(evaluations, kDcheckEnabled ? 1 : 0);
}

TEST_F(DcheckTest, ThreadOwnerBelongsToTheFirstThreadThatClaimsIt) {
  if (!kDcheckEnabled) GTEST_SKIP() << "ThreadOwner tracks nothing in this build";
  ThreadOwner owner;
  bool other_claimed = true;
  std::thread([&] { other_claimed = owner.claim(); }).join();
  EXPECT_TRUE(other_claimed);  // the first claim
  EXPECT_FALSE(owner.claim());
  owner.release();
  EXPECT_TRUE(owner.claim());
  EXPECT_TRUE(owner.claim());
  ThreadOwner copy(owner);  // a new object: nobody's yet
  std::thread([&] { other_claimed = copy.claim(); }).join();
  EXPECT_TRUE(other_claimed);
}

}  // namespace
}  // namespace eddy
