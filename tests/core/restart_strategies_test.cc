// Restart decisions of each strategy, on explicit failure times.
#include "eddy/core/restart_strategies.h"

#include <gtest/gtest.h>

namespace eddy {
namespace {

TEST(RestartStrategiesTest, NoRestartNeverRestarts) {
  RestartBackoff backoff(RestartStrategies::no_restart());
  backoff.notify_failure(0);
  EXPECT_FALSE(backoff.can_restart());
}

TEST(RestartStrategiesTest, FixedDelayRestartsTheGivenNumberOfTimes) {
  RestartBackoff backoff(RestartStrategies::fixed_delay_restart(2, 250));
  backoff.notify_failure(0);
  EXPECT_TRUE(backoff.can_restart());
  EXPECT_EQ(backoff.backoff_ms(), 250);
  backoff.notify_failure(1000);
  EXPECT_TRUE(backoff.can_restart());
  backoff.notify_failure(2000);
  EXPECT_FALSE(backoff.can_restart());
}

TEST(RestartStrategiesTest, FailureRateCountsOnlyFailuresWithinTheInterval) {
  RestartBackoff backoff(RestartStrategies::failure_rate_restart(2, 100, 5));
  backoff.notify_failure(0);
  backoff.notify_failure(10);
  EXPECT_TRUE(backoff.can_restart());
  EXPECT_EQ(backoff.backoff_ms(), 5);
  backoff.notify_failure(150);  // the failure at 0 is out of the interval (150 - 0 >= 100)
  EXPECT_TRUE(backoff.can_restart());
  backoff.notify_failure(160);  // 10 is out of the interval too: 150 and 160 remain
  EXPECT_TRUE(backoff.can_restart());
  backoff.notify_failure(170);  // 150, 160, 170: three within the interval
  EXPECT_FALSE(backoff.can_restart());
}

TEST(RestartStrategiesTest, ExponentialDelayGrowsToTheMaximumAndResetsAfterAQuietPeriod) {
  RestartBackoff backoff(RestartStrategies::exponential_delay_restart(10, 35, 2.0, 1000, 0.0));
  std::vector<int64_t> waits;
  int64_t now = 0;
  for (int i = 0; i < 4; ++i) {
    backoff.notify_failure(now += 50);
    EXPECT_TRUE(backoff.can_restart());
    waits.push_back(backoff.backoff_ms());
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{10, 20, 35, 35}));
  backoff.notify_failure(now += 1000);  // ran 1 s without failing: back to the initial wait
  EXPECT_EQ(backoff.backoff_ms(), 10);
}

TEST(RestartStrategiesTest, JitterStaysWithinItsFactor) {
  RestartBackoff backoff(RestartStrategies::exponential_delay_restart(100, 100, 1.0, 1000, 0.2));
  bool varied = false;
  for (int i = 0; i < 50; ++i) {
    backoff.notify_failure(i);
    EXPECT_GE(backoff.backoff_ms(), 80);
    EXPECT_LE(backoff.backoff_ms(), 120);
    varied = varied || backoff.backoff_ms() != 100;
  }
  EXPECT_TRUE(varied);
}

TEST(RestartStrategiesTest, InvalidParametersAreRejectedWithTheReason) {
  try {
    RestartStrategies::fixed_delay_restart(-1, 0);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Invalid restart strategy: restart attempts must be >= 0, got -1");
  }
  EXPECT_THROW(RestartStrategies::failure_rate_restart(0, 100, 0), std::invalid_argument);
  EXPECT_THROW(RestartStrategies::exponential_delay_restart(10, 5, 2.0, 100, 0.1),
               std::invalid_argument);
  EXPECT_THROW(RestartStrategies::exponential_delay_restart(10, 50, 0.5, 100, 0.1),
               std::invalid_argument);
  EXPECT_THROW(RestartStrategies::exponential_delay_restart(10, 50, 2.0, 100, 1.5),
               std::invalid_argument);
  EXPECT_EQ(RestartStrategies::fixed_delay_restart(3, 10'000).describe(),
            "FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=3, "
            "backoffTimeMS=10000)");
}

}  // namespace
}  // namespace eddy
