// Backpressure: a sink that does not consume stops the source after a bounded number of records
// (the credits of the channels), instead of letting buffers grow.
#include <gtest/gtest.h>

#include <thread>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using testing::CountingSource;
using testing::Latch;

TEST(BackpressureTest, BlockedSinkBoundsWhatTheSourceEmits) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  CountingSource source;
  auto emitted = source.emitted;
  auto release = std::make_shared<Latch>();
  auto first = std::make_shared<Latch>();
  env.add_source(source)
      .map([](int64_t x) { return x; })
      .rebalance()
      .add_sink([release, first](int64_t v) {
        if (v == 0) {
          first->open();
          release->wait();  // the sink stalls on its first record
        }
      })
      .set_parallelism(1);
  JobClient client = env.execute_async("stalled sink");
  first->wait();
  // Whatever the scheduling, the source can run ahead of the stalled sink by at most the
  // channel's credits (4 buffers) plus the buffer being filled and the one being processed.
  const int64_t bound = 6 * static_cast<int64_t>(runtime::default_buffer_records<int64_t>());
  for (int i = 0; i < 20; ++i) {
    EXPECT_LE(emitted->load(), bound);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(emitted->load(), bound);
  release->open();
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
}

TEST(BackpressureTest, SlowConsumerStillReceivesEverythingInOrderPerChannel) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto out = env.from_sequence(1, 200000)
                 .rebalance()
                 .map([](int64_t x) {
                   volatile int64_t spin = 0;
                   for (int i = 0; i < 20; ++i) spin = spin + i;
                   return x;
                 })
                 .execute_and_collect()
                 .to_vector();
  ASSERT_EQ(out.size(), 200000u);
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], static_cast<int64_t>(i + 1));
}

}  // namespace
}  // namespace eddy
