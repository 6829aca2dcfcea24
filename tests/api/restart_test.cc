// Restart strategies on real jobs: a failing task restarts the whole job (all tasks run again
// from the start, RuntimeContext::get_attempt_number() counting the attempts) until the strategy
// gives up; the result is the last attempt's. Cancelling a RESTARTING job ends it at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "api/test_jobs.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

// Sums what it receives into the "records" accumulator; while its attempt number is below
// `failing_attempts`, throws at record 500. Notes the attempt of every subtask that opens.
struct FlakySink : SinkFunction<int64_t> {
  int failing_attempts = 0;
  std::shared_ptr<testing::SharedSink<int>> attempts = std::make_shared<testing::SharedSink<int>>();
  LongCounter* records = nullptr;
  int attempt = 0;
  void open(RuntimeContext& ctx) override {
    attempt = ctx.get_attempt_number();
    attempts->add(attempt);
    records = &ctx.get_long_counter("records");
  }
  void invoke(const int64_t& v, const Context&) override {
    if (v == 500 && attempt < failing_attempts) {
      throw std::runtime_error("flaky sink, attempt " + std::to_string(attempt));
    }
    records->add(v);
  }
};

JobClient run(FlakySink sink, RestartStrategyConfiguration strategy) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_restart_strategy(strategy);
  env.from_sequence(1, 1000).add_sink(sink);
  return env.execute_async("flaky");
}

std::string failure_of(JobClient& client) {
  try {
    client.get_job_execution_result();
  } catch (const JobExecutionException& e) {
    return e.what();
  }
  return "no failure";
}

TEST(RestartTest, FixedDelayRestartsUntilTheJobSucceeds) {
  FlakySink sink;
  sink.failing_attempts = 2;
  JobClient client = run(sink, RestartStrategies::fixed_delay_restart(2, 5));
  JobExecutionResult result = client.get_job_execution_result();
  EXPECT_EQ(client.get_job_status(), JobStatus::kFinished);
  EXPECT_EQ(sink.attempts->values(), (std::vector<int>{0, 1, 2}));
  // Only the successful attempt's accumulators count.
  EXPECT_EQ(result.get_accumulator_result("records"), 1000 * 1001 / 2);
}

TEST(RestartTest, AParallelJobRestartsAllItsTasksAndNetworkChannels) {
  FlakySink sink;
  sink.failing_attempts = 2;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2).set_restart_strategy(RestartStrategies::fixed_delay_restart(3, 0));
  env.from_sequence(1, 1000).key_by([](int64_t v) { return v % 7; }).add_sink(sink);
  JobExecutionResult result = env.execute("flaky, parallel");
  EXPECT_EQ(result.get_accumulator_result("records"), 1000 * 1001 / 2);
  // Each failed attempt opened at least the sink subtask that failed (the other one is cancelled,
  // and a task cancelled before it opened opens nothing); the last attempt opened both.
  const std::vector<int> opened = sink.attempts->values();
  EXPECT_GE(std::count(opened.begin(), opened.end(), 0), 1);
  EXPECT_GE(std::count(opened.begin(), opened.end(), 1), 1);
  EXPECT_EQ(std::count(opened.begin(), opened.end(), 2), 2);
  EXPECT_EQ(std::count_if(opened.begin(), opened.end(), [](int a) { return a > 2; }), 0);
}

TEST(RestartTest, FixedDelayGivesUpAfterItsAttempts) {
  FlakySink sink;
  sink.failing_attempts = 100;
  JobClient client = run(sink, RestartStrategies::fixed_delay_restart(2, 0));
  const std::string failure = failure_of(client);
  EXPECT_NE(failure.find("flaky sink, attempt 2"), std::string::npos) << failure;
  EXPECT_EQ(client.get_job_status(), JobStatus::kFailed);
  EXPECT_EQ(sink.attempts->values(), (std::vector<int>{0, 1, 2}));
}

TEST(RestartTest, WithoutARestartStrategyTheFirstFailureFailsTheJob) {
  FlakySink sink;
  sink.failing_attempts = 1;
  JobClient client = run(sink, RestartStrategies::no_restart());
  EXPECT_NE(failure_of(client).find("flaky sink, attempt 0"), std::string::npos);
  EXPECT_EQ(sink.attempts->values(), (std::vector<int>{0}));
}

TEST(RestartTest, FailureRateFailsTheJobWhenFailuresComeTooOften) {
  FlakySink sink;
  sink.failing_attempts = 100;
  JobClient client = run(sink, RestartStrategies::failure_rate_restart(2, 60'000, 0));
  EXPECT_NE(failure_of(client).find("flaky sink, attempt 2"), std::string::npos);
  EXPECT_EQ(sink.attempts->values(), (std::vector<int>{0, 1, 2}));
}

TEST(RestartTest, ExponentialDelayKeepsRestarting) {
  FlakySink sink;
  sink.failing_attempts = 3;
  JobClient client =
      run(sink, RestartStrategies::exponential_delay_restart(1, 4, 2.0, 60'000, 0.1));
  EXPECT_EQ(client.get_job_execution_result().get_accumulator_result("records"), 1000 * 1001 / 2);
  EXPECT_EQ(sink.attempts->values(), (std::vector<int>{0, 1, 2, 3}));
}

TEST(RestartTest, TheStrategyAndOtherSettingsComeFromFlinkConfigurationKeys) {
  const Configuration config = Configuration::from_yaml(R"(
parallelism.default: 3
restart-strategy:
  type: fixed-delay
  fixed-delay: {attempts: 2, delay: 1 ms}
)");
  auto env = StreamExecutionEnvironment::get_execution_environment(config);
  EXPECT_EQ(env.get_parallelism(), 3);
  EXPECT_EQ(env.get_restart_strategy().describe(),
            RestartStrategies::fixed_delay_restart(2, 1).describe());
  FlakySink sink;
  sink.failing_attempts = 2;
  env.set_parallelism(1).from_sequence(1, 1000).add_sink(sink);
  EXPECT_EQ(env.execute("configured").get_accumulator_result("records"), 1000 * 1001 / 2);

  try {
    env.configure(Configuration::from_yaml("parallelism.default: 0", "conf/config.yaml"));
    FAIL() << "expected ConfigurationException";
  } catch (const ConfigurationException& e) {
    EXPECT_NE(std::string(e.what()).find("Invalid value for key 'parallelism.default'"),
              std::string::npos)
        << e.what();
  }
}

TEST(RestartTest, CancellingARestartingJobEndsItWithoutWaitingForTheDelay) {
  FlakySink sink;
  sink.failing_attempts = 100;
  JobClient client = run(sink, RestartStrategies::fixed_delay_restart(5, 3'600'000));
  // After the first failure the job waits an hour to restart: it stays RESTARTING.
  while (client.get_job_status() != JobStatus::kRestarting) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  client.cancel();
  EXPECT_NE(failure_of(client).find("was cancelled"), std::string::npos);
  EXPECT_EQ(client.get_job_status(), JobStatus::kCanceled);
  EXPECT_EQ(sink.attempts->values(), (std::vector<int>{0}));
  EXPECT_STREQ(to_string(JobStatus::kRestarting), "RESTARTING");
}

// Without checkpointing every attempt starts from the beginning, however long it ran: no
// checkpoint is taken behind the job's back (a restarted job used to trigger them).
TEST(RestartTest, WithoutCheckpointingEveryAttemptStartsFromTheBeginning) {
  auto firsts = std::make_shared<testing::SharedSink<std::pair<int, int64_t>>>();
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_restart_strategy(RestartStrategies::fixed_delay_restart(2, 0));
  struct Slow : RichFunction {
    std::shared_ptr<testing::SharedSink<std::pair<int, int64_t>>> firsts;
    int attempt = 0;
    bool first = true;
    void open(RuntimeContext& ctx) override { attempt = ctx.get_attempt_number(); }
    int64_t operator()(const int64_t& v) {
      if (first) firsts->add({attempt, v});
      first = false;
      if (v % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (attempt < 2 && v == 3000) throw std::runtime_error("fails at 3000");
      return v;
    }
  };
  Slow slow;
  slow.firsts = firsts;
  env.from_sequence(0, 4000).map(slow).add_sink([](const int64_t&) {});
  env.execute("restarts without checkpoints");
  EXPECT_EQ(firsts->values(), (std::vector<std::pair<int, int64_t>>{{0, 0}, {1, 0}, {2, 0}}));
}

}  // namespace
}  // namespace eddy
