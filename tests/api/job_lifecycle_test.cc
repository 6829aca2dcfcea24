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

// `throw 42` or `throw std::string(...)` names the operator that threw, with the value.
TEST(JobLifecycleTest, NonStandardExceptionsNameTheChainedOperatorAndTheValue) {
  for (int kind = 0; kind < 2; ++kind) {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(1);
    env.from_collection({1, 2, 3})
        .map([](int x) { return x; })
        .name("first")
        .map([kind](int x) -> int {
          if (x == 2 && kind == 0) throw 42;
          if (x == 2) throw std::string("a plain string");
          return x;
        })
        .name("second")
        .add_sink([](int) {});
    try {
      env.execute();
      FAIL();
    } catch (const JobExecutionException& e) {
      const std::string expected = kind == 0
                                       ? "Operator 'second' (subtask 1/1) failed: an exception of "
                                         "type int: 42"
                                       : "Operator 'second' (subtask 1/1) failed: an exception of "
                                         "type std::__cxx11::basic_string";
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      if (kind == 1) {
        EXPECT_NE(std::string(e.what()).find(": a plain string"), std::string::npos) << e.what();
      }
    }
  }
}

// A cancel that arrives while the chain is being opened reaches no operator that is not open
// yet (a source's cancel() may use what its open() set up), and the source never runs.
TEST(JobLifecycleTest, CancelWhileTheChainOpensRunsNothingAndCallsNoUnopenedCancel) {
  struct State {
    Latch map_opening, release;
    std::atomic<bool> source_ran{false};
  };
  auto state = std::make_shared<State>();
  struct NeedsOpen : SourceFunction<int64_t>, CheckpointedFunction {
    std::shared_ptr<State> state;
    std::shared_ptr<std::atomic<bool>> running;  // made in initialize_state
    void initialize_state(FunctionInitializationContext&) override {
      running = std::make_shared<std::atomic<bool>>(true);
    }
    void snapshot_state(FunctionSnapshotContext&) override {}
    void run(SourceContext<int64_t>&) override {
      state->source_ran = true;
      while (*running) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    void cancel() override { *running = false; }  // crashes if called before initialize_state
  };
  struct BlockingOpen : RichFunction {
    std::shared_ptr<State> state;
    void open(RuntimeContext&) override {
      state->map_opening.open();
      state->release.wait();
    }
    int64_t operator()(const int64_t& v) const { return v; }
  };
  NeedsOpen source;
  source.state = state;
  BlockingOpen map;
  map.state = state;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);  // one chain: source -> map -> sink
  env.add_source(source).map(map).add_sink([](const int64_t&) {});
  JobClient client = env.execute_async("cancelled while opening");
  state->map_opening.wait();  // the chained map opens first (tail first), the source not yet
  client.cancel();
  state->release.open();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  EXPECT_EQ(client.get_job_status(), JobStatus::kCanceled);
  EXPECT_FALSE(state->source_ran.load());
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
