// A job's life: statuses, results, accumulators, failures that name the operator, and
// cancellation that never hangs.
#include <gtest/gtest.h>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using testing::CountingSource;
using testing::Latch;

TEST(JobLifecycleTest, BoundedJobFinishesWithAccumulators) {
  struct CountingSink : SinkFunction<int64_t> {
    LongCounter* counter = nullptr;
    void open(RuntimeContext& ctx) override { counter = &ctx.get_long_counter("records"); }
    void invoke(const int64_t& v, const Context&) override { counter->add(v); }
  };
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 1000).add_sink(CountingSink());
  JobClient client = env.execute_async("sum job");
  JobExecutionResult result = client.get_job_execution_result();
  EXPECT_EQ(client.get_job_status(), JobStatus::kFinished);
  EXPECT_EQ(result.get_accumulator_result("records"), 1000 * 1001 / 2);
  EXPECT_EQ(result.get_job_id().size(), 32u);
  EXPECT_EQ(result.get_job_id(), client.get_job_id());
  EXPECT_GE(result.get_net_runtime(), 0);
  EXPECT_THROW(result.get_accumulator_result("missing"), EddyException);
}

TEST(JobLifecycleTest, ExceptionInUserCodeNamesTheOperatorAndSubtask) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 100)
      .map([](int64_t x) -> int64_t {
        if (x == 42) throw std::runtime_error("bad record 42");
        return x;
      })
      .name("parse")
      .uid("parse-uid")
      .add_sink([](int64_t) {});
  try {
    env.execute("failing job");
    FAIL() << "expected JobExecutionException";
  } catch (const JobExecutionException& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Job 'failing job'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Operator 'parse' (uid: parse-uid, subtask "), std::string::npos) << msg;
    EXPECT_NE(msg.find("/2) failed: bad record 42"), std::string::npos) << msg;
  }
}

TEST(JobLifecycleTest, FailureDownstreamIsAttributedToThatOperatorNotItsChainPredecessor) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection({1, 2, 3})
      .map([](int x) { return x; })
      .name("first")
      .filter([](int x) -> bool {
        throw std::invalid_argument("filter broke on " + std::to_string(x));
      })
      .name("second")
      .add_sink([](int) {});
  try {
    env.execute();
    FAIL();
  } catch (const JobExecutionException& e) {
    EXPECT_NE(
        std::string(e.what()).find("Operator 'second' (subtask 1/1) failed: filter broke on 1"),
        std::string::npos)
        << e.what();
  }
}

TEST(JobLifecycleTest, FailureCancelsUnboundedSourcesInsteadOfHanging) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.add_source(CountingSource())
      .set_parallelism(2)
      .rebalance()
      .map([](int64_t x) -> int64_t {
        if (x == 5000) throw std::runtime_error("stop here");
        return x;
      })
      .add_sink([](int64_t) {});
  EXPECT_THROW(env.execute("unbounded failing"), JobExecutionException);
}

TEST(JobLifecycleTest, CancelStopsAnUnboundedJob) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto first_record = std::make_shared<Latch>();
  auto seen = std::make_shared<std::atomic<bool>>(false);
  env.add_source(CountingSource())
      .map([](int64_t x) { return x + 1; })
      .add_sink([first_record, seen](int64_t) {
        if (!seen->exchange(true)) first_record->open();
      });
  JobClient client = env.execute_async("endless");
  first_record->wait();
  EXPECT_EQ(client.get_job_status(), JobStatus::kRunning);
  client.cancel();
  try {
    client.get_job_execution_result();
    FAIL() << "a cancelled job has no result";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos) << e.what();
  }
  EXPECT_EQ(client.get_job_status(), JobStatus::kCanceled);
}

TEST(JobLifecycleTest, CancelReleasesASinkBlockedOnBackpressure) {
  // The collect sink blocks once its channel is full and nobody reads; cancel must free it.
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto stream = env.add_source(CountingSource());
  CollectIterator<int64_t> it = stream.execute_and_collect("never read");
  ASSERT_TRUE(it.has_next());
  JobClient client = it.get_job_client();
  it.close();  // cancels; the job must end
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  EXPECT_EQ(client.get_job_status(), JobStatus::kCanceled);
}

TEST(JobLifecycleTest, BufferTimeoutZeroAndMinusOneBothDeliverEverything) {
  for (int64_t timeout : {0, -1, 5}) {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).set_buffer_timeout(timeout);
    auto out = env.from_sequence(1, 5000)
                   .rebalance()
                   .map([](int64_t x) { return x; })
                   .execute_and_collect()
                   .to_vector();
    EXPECT_EQ(out.size(), 5000u) << "buffer timeout " << timeout;
  }
  auto env = StreamExecutionEnvironment::get_execution_environment();
  EXPECT_THROW(env.set_buffer_timeout(-2), InvalidProgramException);
}

TEST(JobLifecycleTest, EmptyCollectionFinishes) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out = env.from_collection(std::vector<int>{})
                 .map([](int x) { return x; })
                 .execute_and_collect()
                 .to_vector();
  EXPECT_TRUE(out.empty());
}

TEST(JobLifecycleTest, FailureInOpenNamesTheOperator) {
  struct BadOpen : ProcessFunction<int, int> {
    void open(RuntimeContext&) override { throw std::runtime_error("cannot connect"); }
    void process_element(const int& v, Context&, Collector<int>& out) override { out.collect(v); }
  };
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection({1}).process(BadOpen()).name("lookup").add_sink([](int) {});
  try {
    env.execute();
    FAIL();
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("Operator 'lookup' (subtask 1/1) failed: cannot connect"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace eddy

namespace eddy {
namespace {

TEST(JobLifecycleTest, FailureInASinkChainedToTheSourceNamesTheSink) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection({1, 2})
      .add_sink([](int) { throw std::runtime_error("disk full"); })
      .name("archive");
  try {
    env.execute();
    FAIL();
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("Operator 'archive' (subtask 1/1) failed: disk full"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace eddy
