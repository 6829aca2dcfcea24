// execute_and_collect(): bounded results, limits on unbounded streams, and failures.
#include <gtest/gtest.h>

#include "api/test_jobs.h"

namespace eddy {
namespace {

TEST(CollectTest, RangeForOverResults) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  std::vector<int> seen;
  for (int v : env.from_collection({3, 1, 2}).execute_and_collect()) seen.push_back(v);
  EXPECT_EQ(seen, (std::vector<int>{3, 1, 2}));
}

TEST(CollectTest, LimitOnAnUnboundedStreamCancelsTheJob) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out = env.add_source(testing::CountingSource())
                 .map([](int64_t x) { return x * 2; })
                 .execute_and_collect(10);
  ASSERT_EQ(out.size(), 10u);
  for (int64_t v : out) EXPECT_EQ(v % 2, 0);
}

TEST(CollectTest, JobFailureSurfacesAfterTheRecordsBeforeIt) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto it = env.from_sequence(1, 10)
                .map([](int64_t x) -> int64_t {
                  if (x == 10) throw std::runtime_error("ten");
                  return x;
                })
                .execute_and_collect();
  std::vector<int64_t> got;
  try {
    while (it.has_next()) got.push_back(it.next());
    FAIL() << "expected the job's failure";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("ten"), std::string::npos);
  }
  EXPECT_LE(got.size(), 9u);
}

TEST(CollectTest, PendingSinksRunWithTheCollectJob) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto seen = std::make_shared<std::atomic<int>>(0);
  auto s = env.from_collection({1, 2, 3});
  s.add_sink([seen](int) { seen->fetch_add(1); });
  auto out = s.map([](int x) { return x + 1; }).execute_and_collect().to_vector();
  EXPECT_EQ(out, (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(seen->load(), 3);
}

}  // namespace
}  // namespace eddy
