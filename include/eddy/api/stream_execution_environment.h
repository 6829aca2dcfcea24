// StreamExecutionEnvironment: where a job starts. It creates sources, holds the job's
// configuration, and runs the recorded job on the embedded mini-cluster.
//
// The environment is a cheap handle: copies share one job under construction.
// get_execution_environment() returns a fresh one on every call.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "eddy/api/data_stream.h"
#include "eddy/api/job_client.h"
#include "eddy/core/configuration.h"
#include "eddy/runtime/operators/source_operators.h"

namespace eddy {

class StreamExecutionEnvironment {
 public:
  static StreamExecutionEnvironment get_execution_environment();
  // An environment with `config` applied (see configure()).
  static StreamExecutionEnvironment get_execution_environment(const Configuration& config);
  // Applies the keys of `config` that Eddy knows (Flink's names): parallelism.default,
  // pipeline.max-parallelism, execution.buffer-timeout.interval / .enabled,
  // pipeline.auto-watermark-interval, pipeline.operator-chaining.enabled, restart-strategy.*,
  // execution.checkpointing.*, state.checkpoints.*, state.backend.type, state.backend.incremental,
  // state.backend.rocksdb.* and
  // execution.savepoint.path / .ignore-unclaimed-state.
  // Keys that Eddy does not read are logged as warnings (see docs/configuration.md) and
  // otherwise ignored. Throws ConfigurationException naming the key and its file for a bad value.
  StreamExecutionEnvironment& configure(const Configuration& config);

  // Default parallelism of every operator (initially the number of CPU cores), in [1, 32768].
  StreamExecutionEnvironment& set_parallelism(int parallelism);
  int get_parallelism() const { return state_->parallelism; }
  // Upper bound for rescaling keyed state; the number of key groups (default 128).
  StreamExecutionEnvironment& set_max_parallelism(int max_parallelism);
  int get_max_parallelism() const { return state_->max_parallelism; }
  // How long a partly filled network buffer may wait, in ms: 0 sends every record at once,
  // -1 sends only full buffers. Default 100.
  StreamExecutionEnvironment& set_buffer_timeout(int64_t timeout_ms);
  int64_t get_buffer_timeout() const { return state_->buffer_timeout_ms; }
  // How often periodic watermark generators emit, in ms (default 200; 0 disables).
  StreamExecutionEnvironment& set_auto_watermark_interval(int64_t interval_ms);
  int64_t get_auto_watermark_interval() const { return state_->auto_watermark_interval_ms; }
  // Where processing time comes from (default: the system clock). Tests pass a ManualClock to
  // fire processing-time timers and windows exactly when they move it.
  StreamExecutionEnvironment& set_processing_time_clock(std::shared_ptr<const Clock> clock) {
    state_->clock = std::move(clock);
    return *this;
  }
  StreamExecutionEnvironment& disable_operator_chaining();
  bool is_chaining_enabled() const { return state_->chaining_enabled; }

  // What happens when a task fails: RestartStrategies::no_restart() (the default),
  // fixed_delay_restart, failure_rate_restart or exponential_delay_restart. A restarted job runs
  // all its tasks again from the start.
  StreamExecutionEnvironment& set_restart_strategy(RestartStrategyConfiguration strategy) {
    state_->restart_strategy = strategy;
    state_->restart_strategy_set = true;
    return *this;
  }

  // Takes a checkpoint every `interval_ms` (see docs/checkpoints.md). Without a restart strategy
  // of its own, a checkpointed job restarts after failures (fixed delay of 1 s, no limit) from
  // its latest completed checkpoint.
  StreamExecutionEnvironment& enable_checkpointing(
      int64_t interval_ms, CheckpointingMode mode = CheckpointingMode::kExactlyOnce);
  CheckpointConfig& get_checkpoint_config() { return state_->checkpoint; }

  // Where keyed state lives: HashMapStateBackend() (objects on the heap; the default) or
  // EmbeddedRocksDBStateBackend() (serialized in an embedded RocksDB on local disk, for state
  // larger than memory); EmbeddedRocksDBStateBackend(true) takes incremental checkpoints. The
  // memory settings (state.backend.rocksdb.* keys) are kept. See docs/state-backends.md.
  StreamExecutionEnvironment& set_state_backend(const HashMapStateBackend&) {
    state_->state_backend.set_kind(StateBackendType::kHashMap);
    return *this;
  }
  StreamExecutionEnvironment& set_state_backend(const EmbeddedRocksDBStateBackend& backend) {
    state_->state_backend.set_kind(StateBackendType::kRocksDb);
    state_->state_backend.incremental_checkpoints = backend.incremental;
    return *this;
  }
  // The backend with all its settings.
  StreamExecutionEnvironment& set_state_backend(StateBackendType backend) {
    state_->state_backend = std::move(backend);
    return *this;
  }
  StateBackendType get_state_backend() const { return state_->state_backend; }

  // The next execute() starts the job from a savepoint or retained checkpoint (see
  // docs/savepoints.md); its operators find their state by uid, at any parallelism.
  StreamExecutionEnvironment& set_savepoint_restore_settings(SavepointRestoreSettings settings) {
    state_->savepoint_restore = std::move(settings);
    return *this;
  }
  const CheckpointConfig& get_checkpoint_config() const { return state_->checkpoint; }
  const RestartStrategyConfiguration& get_restart_strategy() const {
    return state_->restart_strategy;
  }

  // ---- sources ----

  // Emits the elements in order, from one (non-parallel) subtask.
  template <class T>
  DataStream<T> from_collection(std::vector<T> elements) const {
    auto shared = std::make_shared<const std::vector<T>>(std::move(elements));
    return non_parallel_source<T>(
        "Source: Collection Source", [shared](const runtime::OperatorOutputs& o) {
          return std::make_unique<runtime::CollectionSourceOperator<T>>(shared, o.main_as<T>());
        });
  }
  template <class T>
  DataStream<T> from_collection(std::initializer_list<T> elements) const {
    return from_collection(std::vector<T>(elements));
  }
  template <class First, class... Rest>
  DataStream<std::decay_t<First>> from_elements(First first, Rest... rest) const {
    using T = std::decay_t<First>;
    return from_collection(std::vector<T>{T(std::move(first)), T(std::move(rest))...});
  }

  // Emits from..to (inclusive) as int64_t, split across parallel subtasks. Throws
  // InvalidProgramException if from > to.
  DataStream<int64_t> from_sequence(int64_t from, int64_t to) const;

  // Reads a text file line by line (one subtask; the file is read once). Defined by the
  // connectors library, part of eddy::eddy.
  DataStream<std::string> read_text_file(const std::string& path) const;
  // Reads lines from a TCP server until it closes the connection or the job is cancelled; an
  // unbounded, non-parallel source. max_retry: reconnect attempts after a lost connection
  // (-1: forever). Defined by the connectors library.
  DataStream<std::string> socket_text_stream(const std::string& host, int port,
                                             char delimiter = '\n', int max_retry = 0) const;

  // F derives from SourceFunction<T>. As in Flink, a SourceFunction runs as one subtask; a
  // ParallelSourceFunction runs with the default parallelism, each subtask a copy of F.
  template <class F>
  DataStream<typename F::OutputType> add_source(F source_function,
                                                const std::string& name = "Custom Source") const {
    using T = typename F::OutputType;
    static_assert(std::is_base_of_v<SourceFunction<T>, F>, "add_source takes a SourceFunction<T>");
    DataStream<T> stream =
        source<T>("Source: " + name, [source_function](const runtime::OperatorOutputs& o) {
          return std::make_unique<runtime::FunctionSourceOperator<T, F>>(source_function, o);
        });
    if constexpr (!std::is_base_of_v<ParallelSourceFunction<T>, F>) stream.set_parallelism(1);
    return stream;
  }

  // A source object of the connectors library (DataGeneratorSource, ...).
  template <class Source>
  auto from_source(const Source& source, const std::string& source_name) const {
    return source.create_stream(*this, source_name);
  }

  // ---- running ----

  // Runs the job recorded so far and waits for its end. Throws JobExecutionException if it
  // fails. Clears the recorded transformations, so the next job starts empty.
  JobExecutionResult execute(const std::string& job_name = "Eddy Streaming Job");
  // Submits the job and returns at once.
  JobClient execute_async(const std::string& job_name = "Eddy Streaming Job");
  // The job's stream graph as JSON, in the shape of Flink's execution plan.
  std::string get_execution_plan() const;

  // ---- building blocks for connectors ----

  template <class T, class Make>
  DataStream<T> source(std::string name, Make make) const {
    auto t =
        state_->make(graph::TransformationKind::kSource, std::move(name), {},
                     runtime::type_ops_of<T>(), runtime::make_operator_factory(std::move(make)));
    return DataStream<T>(state_, std::move(t));
  }
  template <class T, class Make>
  DataStream<T> non_parallel_source(std::string name, Make make) const {
    DataStream<T> stream = source<T>(std::move(name), std::move(make));
    stream.transformation()->parallelism_fixed_to_one = true;
    return stream;
  }

  const std::shared_ptr<api_detail::EnvironmentState>& state() const { return state_; }

 private:
  StreamExecutionEnvironment();
  std::shared_ptr<api_detail::EnvironmentState> state_;
};

}  // namespace eddy
