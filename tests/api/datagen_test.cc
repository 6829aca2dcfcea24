// DataGeneratorSource: exact bounded output across parallel subtasks, rate limits, unbounded runs.
#include <gtest/gtest.h>

#include <chrono>

#include "api/test_jobs.h"

namespace eddy {
namespace {

TEST(DataGeneratorTest, BoundedCountSplitAcrossSubtasksWithoutGapsOrDuplicates) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(3);
  auto out = env.from_source(DataGeneratorSource<std::string>(
                                 [](int64_t i) { return "e" + std::to_string(i); }, 1000),
                             "gen")
                 .execute_and_collect()
                 .to_vector();
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) expected.push_back("e" + std::to_string(i));
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

TEST(DataGeneratorTest, RateLimitNeverEmitsEarly) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  // 40 records at 100 records/s: the last one is due 0.39 s after the start at the earliest.
  auto start = std::chrono::steady_clock::now();
  auto out =
      env.from_source(DataGeneratorSource<int64_t>([](int64_t i) { return i; }, 40, 100), "gen")
          .execute_and_collect()
          .to_vector();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.size(), 40u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(380));
}

TEST(DataGeneratorTest, UnboundedRunsUntilTheCollectLimit) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out = env.from_source(DataGeneratorSource<int64_t>([](int64_t i) { return i * i; },
                                                          DataGeneratorSource<int64_t>::kUnbounded),
                             "squares")
                 .execute_and_collect(100);
  EXPECT_EQ(out.size(), 100u);
}

TEST(DataGeneratorTest, InvalidArgumentsAreRejected) {
  EXPECT_THROW(DataGeneratorSource<int>([](int64_t) { return 0; }, -5), InvalidProgramException);
  EXPECT_THROW(DataGeneratorSource<int>([](int64_t) { return 0; }, 5, -1), InvalidProgramException);
}

}  // namespace
}  // namespace eddy
