#include "eddy/api/stream_execution_environment.h"

#include <limits>
#include <thread>

#include "cluster/mini_cluster.h"
#include "eddy/core/config_options.h"
#include "eddy/core/logging.h"
#include "graph/job_graph.h"
#include "graph/stream_graph.h"

namespace eddy {
namespace {

graph::StreamGraph build_stream_graph(api_detail::EnvironmentState& env,
                                      const std::string& job_name) {
  if (env.transformations.empty()) {
    throw InvalidProgramException(
        "No operators defined in streaming topology. Cannot execute. (Add a sink such as print(), "
        "or use execute_and_collect().)");
  }
  graph::StreamGraphConfig config;
  config.job_name = job_name;
  config.default_parallelism = env.parallelism;
  config.default_max_parallelism = env.max_parallelism;
  config.chaining_enabled = env.chaining_enabled;
  config.buffer_timeout_ms = env.buffer_timeout_ms;
  config.auto_watermark_interval_ms = env.auto_watermark_interval_ms;
  config.clock = env.clock;
  config.restart_strategy = env.restart_strategy;
  config.checkpoint = env.checkpoint;
  config.state_backend = env.state_backend;
  config.savepoint_restore = env.savepoint_restore;
  config.task_cancellation_timeout_ms = env.task_cancellation_timeout_ms;
  // Flink's default once checkpointing is on: restart (almost) forever, one second apart.
  if (env.checkpoint.is_checkpointing_enabled() && !env.restart_strategy_set) {
    config.restart_strategy =
        RestartStrategies::fixed_delay_restart(std::numeric_limits<int>::max(), 1000);
  }
  return graph::generate_stream_graph(env.transformations, config);
}

}  // namespace

namespace api_detail {

JobClient execute_async(const std::shared_ptr<EnvironmentState>& env, const std::string& job_name) {
  graph::StreamGraph stream_graph = build_stream_graph(*env, job_name);
  env->transformations.clear();
  return JobClient(
      cluster::MiniCluster::embedded().submit_job(graph::build_job_graph(std::move(stream_graph))));
}

}  // namespace api_detail

StreamExecutionEnvironment::StreamExecutionEnvironment()
    : state_(std::make_shared<api_detail::EnvironmentState>()) {
  state_->parallelism = std::max(1u, std::thread::hardware_concurrency());
}

StreamExecutionEnvironment StreamExecutionEnvironment::get_execution_environment() {
  return StreamExecutionEnvironment();
}

StreamExecutionEnvironment StreamExecutionEnvironment::get_execution_environment(
    const Configuration& config) {
  StreamExecutionEnvironment env;
  env.configure(config);
  return env;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::configure(const Configuration& config) {
  // Setter errors name the setting, not the key: say which key carried the value.
  auto apply = [&](const char* key, auto&& set) {
    if (!config.contains(key)) return;
    try {
      set();
    } catch (const InvalidProgramException& e) {
      throw config.invalid_value(key, e.what());
    }
  };
  // The log level first, so that log.level also governs the warnings about unread keys.
  configure_logging(config);
  warn_about_ignored_config_keys(config);
  apply("parallelism.default",
        [&] { set_parallelism(config.get_integer("parallelism.default", 1)); });
  apply("pipeline.max-parallelism",
        [&] { set_max_parallelism(config.get_integer("pipeline.max-parallelism", -1)); });
  apply("execution.buffer-timeout.interval", [&] {
    set_buffer_timeout(config.get_duration_ms("execution.buffer-timeout.interval", 100));
  });
  apply("execution.buffer-timeout.enabled", [&] {
    if (!config.get_boolean("execution.buffer-timeout.enabled", true)) set_buffer_timeout(-1);
  });
  apply("pipeline.auto-watermark-interval", [&] {
    set_auto_watermark_interval(config.get_duration_ms("pipeline.auto-watermark-interval", 200));
  });
  apply("task.cancellation.timeout", [&] {
    const int64_t timeout = config.get_duration_ms("task.cancellation.timeout", 180'000);
    if (timeout < 0) throw InvalidProgramException("the timeout must not be negative");
    state_->task_cancellation_timeout_ms = timeout;
  });
  apply("pipeline.operator-chaining.enabled", [&] {
    state_->chaining_enabled = config.get_boolean("pipeline.operator-chaining.enabled", true);
  });
  if (auto strategy = RestartStrategies::from_configuration(config)) {
    set_restart_strategy(*strategy);
  }
  state_->checkpoint.configure(config);
  state_->state_backend.configure(config);
  // Flink's older and newer names of the restore settings.
  for (const char* prefix : {"execution.savepoint.", "execution.state-recovery."}) {
    const std::string p = prefix;
    if (auto path = config.get_string(p + "path")) state_->savepoint_restore.path = *path;
    if (config.contains(p + "ignore-unclaimed-state")) {
      state_->savepoint_restore.allow_non_restored_state =
          config.get_boolean(p + "ignore-unclaimed-state", false);
    }
  }
  return *this;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::enable_checkpointing(
    int64_t interval_ms, CheckpointingMode mode) {
  state_->checkpoint.set_checkpoint_interval(interval_ms).set_checkpointing_mode(mode);
  return *this;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::set_parallelism(int parallelism) {
  // No operator may run wider than the highest max parallelism (the number of key groups).
  if (parallelism < 1 || parallelism > kUpperBoundMaxParallelism) {
    throw InvalidProgramException("the parallelism must be in [1, " +
                                  std::to_string(kUpperBoundMaxParallelism) + "], not " +
                                  std::to_string(parallelism));
  }
  state_->parallelism = parallelism;
  return *this;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::set_max_parallelism(int max_parallelism) {
  if (max_parallelism < 1 || max_parallelism > kUpperBoundMaxParallelism) {
    throw InvalidProgramException("the max parallelism must be in [1, " +
                                  std::to_string(kUpperBoundMaxParallelism) + "], not " +
                                  std::to_string(max_parallelism));
  }
  state_->max_parallelism = max_parallelism;
  return *this;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::set_buffer_timeout(int64_t timeout_ms) {
  if (timeout_ms < -1) {
    throw InvalidProgramException("the buffer timeout must be -1, 0 or positive, not " +
                                  std::to_string(timeout_ms));
  }
  state_->buffer_timeout_ms = timeout_ms;
  return *this;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::set_auto_watermark_interval(
    int64_t interval_ms) {
  if (interval_ms < 0) {
    throw InvalidProgramException("the auto-watermark interval must be >= 0 ms, not " +
                                  std::to_string(interval_ms));
  }
  state_->auto_watermark_interval_ms = interval_ms;
  return *this;
}

StreamExecutionEnvironment& StreamExecutionEnvironment::disable_operator_chaining() {
  state_->chaining_enabled = false;
  return *this;
}

DataStream<int64_t> StreamExecutionEnvironment::from_sequence(int64_t from, int64_t to) const {
  if (from > to) {
    throw InvalidProgramException("from_sequence(" + std::to_string(from) + ", " +
                                  std::to_string(to) +
                                  "): the start of the sequence must not be greater than its end");
  }
  return source<int64_t>("Source: Sequence Source", [from, to](const runtime::OperatorOutputs& o) {
    return std::make_unique<runtime::SequenceSourceOperator>(from, to, o.main_as<int64_t>());
  });
}

JobExecutionResult StreamExecutionEnvironment::execute(const std::string& job_name) {
  return execute_async(job_name).get_job_execution_result();
}

JobClient StreamExecutionEnvironment::execute_async(const std::string& job_name) {
  return api_detail::execute_async(state_, job_name);
}

std::string StreamExecutionEnvironment::get_execution_plan() const {
  return build_stream_graph(*state_, "Eddy Streaming Job").to_execution_plan_json();
}

}  // namespace eddy
