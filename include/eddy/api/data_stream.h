// DataStream<T>: a stream of T as the job author sees it. Every call records a transformation
// and returns a new stream; nothing runs until the environment's execute().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "eddy/api/callable_traits.h"
#include "eddy/api/collect_iterator.h"
#include "eddy/api/data_stream_sink.h"
#include "eddy/api/functions.h"
#include "eddy/api/stream_handle.h"
#include "eddy/core/type_name.h"
#include "eddy/runtime/operators/basic_operators.h"
#include "eddy/runtime/operators/collect_sink_operator.h"
#include "eddy/runtime/operators/field_aggregation.h"
#include "eddy/runtime/operators/keyed_operators.h"
#include "eddy/runtime/operators/sink_operators.h"
#include "eddy/runtime/operators/timestamps_and_watermarks_operator.h"
#include "eddy/runtime/operators/two_input_operators.h"

namespace eddy {

template <class T, class K, class Assigner>
class WindowedStream;
class GlobalWindows;

template <class T, class K>
class KeyedStream;
template <class T1, class T2>
class ConnectedStreams;
template <class T>
class BroadcastStream;
template <class T1, class T2>
class BroadcastConnectedStream;
template <class L, class R>
class JoinedStreams;
template <class L, class R>
class CoGroupedStreams;

namespace api_detail {
// Submits the environment's recorded transformations as one job (defined in the api library).
JobClient execute_async(const std::shared_ptr<EnvironmentState>& env, const std::string& job_name);
}  // namespace api_detail

template <class T>
class DataStream : public api_detail::StreamHandle<DataStream<T>> {
  using Base = api_detail::StreamHandle<DataStream<T>>;
  using Kind = graph::TransformationKind;

 public:
  using ElementType = T;
  using Base::Base;

  // ---- record-at-a-time transformations ----

  // fn(const T&) -> Out
  template <class F>
  auto map(F fn) const {
    using Out = std::remove_cvref_t<std::invoke_result_t<F&, T&>>;
    return one_input<Out>("Map", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::MapOperator<T, Out, F>>(fn, o.main_as<Out>());
    });
  }

  // fn(const T&, Collector<Out>&), or fn(const T&) returning a range of Out.
  template <class F>
  auto flat_map(F fn) const {
    return flat_map<typename api_detail::flat_map_output<F, T>::type>(std::move(fn));
  }
  template <class Out, class F>
  DataStream<Out> flat_map(F fn) const {
    return one_input<Out>("Flat Map", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::FlatMapOperator<T, Out, F>>(fn, o.main_as<Out>());
    });
  }

  // Keeps the records for which fn(const T&) is true.
  template <class F>
  DataStream<T> filter(F fn) const {
    return one_input<T>("Filter", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::FilterOperator<T, F>>(fn, o.main_as<T>());
    });
  }

  // F derives from ProcessFunction<T, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    static_assert(std::is_base_of_v<ProcessFunction<T, typename F::OutputType>, F>,
                  "process() on a DataStream takes a ProcessFunction<In, Out> over this stream");
    using Out = typename F::OutputType;
    return one_input<Out>("Process", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::ProcessOperator<T, Out, F>>(fn, o);
    });
  }

  // Gives records event timestamps and generates watermarks (see watermark_strategy.h).
  DataStream<T> assign_timestamps_and_watermarks(const WatermarkStrategy<T>& strategy) const {
    return one_input<T>("Timestamps/Watermarks", [strategy](const runtime::OperatorOutputs&) {
      return std::make_unique<runtime::TimestampsAndWatermarksOperator<T>>(strategy);
    });
  }

  // ---- keying, combining, side outputs ----

  // Partitions the stream by key_selector(const T&); records of one key meet in one subtask.
  template <class F>
  auto key_by(F key_selector) const {
    using K = std::remove_cvref_t<std::invoke_result_t<F&, const T&>>;
    std::function<K(const T&)> selector = key_selector;
    runtime::PartitionerSpec spec;
    spec.kind = runtime::PartitionKind::kHash;
    spec.selector_factory = std::make_shared<runtime::LambdaSelectorFactory<
        std::function<std::unique_ptr<runtime::ChannelSelectorBase>()>>>([selector] {
      return std::unique_ptr<runtime::ChannelSelectorBase>(
          new runtime::KeyGroupSelector<T, std::function<K(const T&)>>(selector));
    });
    return KeyedStream<T, K>(this->env_, partitioned(std::move(spec)), std::move(selector));
  }

  // Windows over the whole stream, evaluated by one subtask (Flink's windowAll).
  template <class Assigner>
  WindowedStream<T, int, Assigner> window_all(Assigner assigner) const;
  WindowedStream<T, int, GlobalWindows> count_window_all(int64_t size) const;
  WindowedStream<T, int, GlobalWindows> count_window_all(int64_t size, int64_t slide) const;

  // Merges streams of the same type (a C++ type error otherwise).
  template <class... Streams>
  DataStream<T> union_(const Streams&... others) const {
    static_assert((std::is_same_v<typename Streams::ElementType, T> && ...),
                  "union_ needs streams of one element type; map them to a common type first");
    auto t = this->env_->make(Kind::kUnion, "Union", {this->t_, others.transformation()...},
                              runtime::type_ops_of<T>());
    return DataStream<T>(this->env_, std::move(t));
  }

  template <class U>
  ConnectedStreams<T, U> connect(const DataStream<U>& other) const {
    return ConnectedStreams<T, U>(this->env_, this->t_, other.transformation());
  }

  // Window join and co-group with `other`: join(other).where(...).equal_to(...).window(...)
  // .apply(...). Defined in eddy/api/window_join.h.
  template <class U>
  JoinedStreams<T, U> join(const DataStream<U>& other) const;
  template <class U>
  CoGroupedStreams<T, U> co_group(const DataStream<U>& other) const;

  // Broadcast State Pattern: every record goes to every instance of the operator this stream is
  // connected to, which keeps one broadcast state per descriptor. Both are defined in
  // eddy/api/broadcast_stream.h, included by eddy/eddy.h.
  template <class UK, class UV, class... More>
  BroadcastStream<T> broadcast(const MapStateDescriptor<UK, UV>& descriptor,
                               const More&... more) const;
  template <class U>
  BroadcastConnectedStream<T, U> connect(const BroadcastStream<U>& broadcast_stream) const;

  // The records a process function emitted to `tag`.
  template <class X>
  DataStream<X> get_side_output(const OutputTag<X>& tag) const {
    auto t = this->env_->make(Kind::kSideOutput, "SideOutput(" + tag.get_id() + ")", {this->t_},
                              runtime::type_ops_of<X>());
    t->side_output_tag = tag.get_id();
    return DataStream<X>(this->env_, std::move(t));
  }

  // ---- partitioning ----

  DataStream<T> shuffle() const {
    return partitioned_stream({runtime::PartitionKind::kShuffle, {}});
  }
  DataStream<T> rebalance() const {
    return partitioned_stream({runtime::PartitionKind::kRebalance, {}});
  }
  DataStream<T> rescale() const {
    return partitioned_stream({runtime::PartitionKind::kRescale, {}});
  }
  DataStream<T> broadcast() const {
    return partitioned_stream({runtime::PartitionKind::kBroadcast, {}});
  }
  DataStream<T> global() const { return partitioned_stream({runtime::PartitionKind::kGlobal, {}}); }
  DataStream<T> forward() const {
    return partitioned_stream({runtime::PartitionKind::kForward, {}});
  }

  // partitioner(const Key&, int num_partitions) -> int, with Key = key_selector(const T&).
  template <class P, class KS>
  DataStream<T> partition_custom(P partitioner, KS key_selector) const {
    runtime::PartitionerSpec spec;
    spec.kind = runtime::PartitionKind::kCustom;
    spec.selector_factory = std::make_shared<runtime::LambdaSelectorFactory<
        std::function<std::unique_ptr<runtime::ChannelSelectorBase>()>>>(
        [partitioner, key_selector] {
          return std::unique_ptr<runtime::ChannelSelectorBase>(
              new runtime::CustomSelector<T, P, KS>(partitioner, key_selector));
        });
    return partitioned_stream(std::move(spec));
  }

  // ---- sinks ----

  // One line per record on stdout, prefixed "N> " when the sink runs in parallel.
  DataStreamSink print(const std::string& identifier = "") const {
    return print_sink(identifier, false);
  }
  DataStreamSink print_to_err(const std::string& identifier = "") const {
    return print_sink(identifier, true);
  }

  // F derives from SinkFunction<T>, or is a callable fn(const T&).
  template <class F>
  DataStreamSink add_sink(F sink_function) const {
    if constexpr (std::is_base_of_v<SinkFunction<T>, F>) {
      return sink("Sink: Unnamed", [sink_function](const runtime::OperatorOutputs&) {
        return std::make_unique<runtime::SinkFunctionOperator<T, F>>(sink_function);
      });
    } else {
      return sink("Sink: Unnamed", [sink_function](const runtime::OperatorOutputs&) {
        return std::make_unique<runtime::CallbackSinkOperator<T, F>>(sink_function);
      });
    }
  }

  // Writes each record's display form as a line of a text file at `path`; with parallelism > 1,
  // `path` becomes a directory holding one file per subtask (1, 2, ...). Defined in
  // eddy/connectors/file_sink.h, included by eddy/eddy.h.
  DataStreamSink write_as_text(const std::string& path) const;

  // A sink of the connectors library (FileSink, ...): anything with add_to(stream).
  template <class Sink>
  DataStreamSink sink_to(const Sink& sink) const {
    return sink.add_to(*this);
  }

  // Runs the job up to this stream (plus every other pending sink) and returns its records.
  // With checkpointing (and a serializable T) they are exactly once across restarts, each handed
  // out once a completed checkpoint holds it; without, a restart makes the iterator throw.
  CollectIterator<T> execute_and_collect(const std::string& job_name = "DataStream Collect") const {
    auto coordinator = std::make_shared<runtime::CollectCoordinator<T>>(runtime::new_collect_id());
    DataStreamSink collect =
        sink("Sink: Collect Stream Sink", [coordinator](const runtime::OperatorOutputs&) {
          return std::make_unique<runtime::CollectSinkOperator<T>>(coordinator);
        });
    collect.set_parallelism(1);
    std::string not_exactly_once;
    if (!this->env_->checkpoint.is_checkpointing_enabled()) {
      not_exactly_once = "without checkpointing";
    } else if constexpr (!Serializable<T>) {
      not_exactly_once = "and its result type '" + type_name<T>() +
                         "' cannot be checkpointed (it is not serializable)";
    }
    JobClient client = api_detail::execute_async(this->env_, job_name);
    client.add_completion_listener(
        [coordinator](JobStatus, std::exception_ptr) { coordinator->job_ended(); });
    return CollectIterator<T>(std::move(client), std::move(coordinator),
                              std::move(not_exactly_once));
  }
  // Collects at most `limit` records, then cancels the job: works for unbounded streams too.
  std::vector<T> execute_and_collect(const std::string& job_name, size_t limit) const {
    return execute_and_collect(job_name).to_vector(limit);
  }
  std::vector<T> execute_and_collect(size_t limit) const {
    return execute_and_collect("DataStream Collect", limit);
  }

  // ---- building blocks for the API and connectors ----

  template <class Out, class Make>
  DataStream<Out> one_input(std::string name, Make make) const {
    auto t =
        this->env_->make(Kind::kOneInput, std::move(name), {this->t_}, runtime::type_ops_of<Out>(),
                         runtime::make_operator_factory(std::move(make)));
    return DataStream<Out>(this->env_, std::move(t));
  }

  template <class Make>
  DataStreamSink sink(std::string name, Make make) const {
    auto t = this->env_->make(Kind::kSink, std::move(name), {this->t_}, runtime::type_ops_of<T>(),
                              runtime::make_operator_factory(std::move(make)));
    return DataStreamSink(this->env_, std::move(t));
  }

 protected:
  graph::TransformationPtr partitioned(runtime::PartitionerSpec spec) const {
    auto t = this->env_->make(Kind::kPartition, "Partition", {this->t_}, runtime::type_ops_of<T>());
    t->partitioner = std::move(spec);
    return t;
  }

 private:
  DataStream<T> partitioned_stream(runtime::PartitionerSpec spec) const {
    return DataStream<T>(this->env_, partitioned(std::move(spec)));
  }

  DataStreamSink print_sink(const std::string& identifier, bool to_stderr) const {
    return sink(to_stderr ? "Sink: Print to Std. Err" : "Sink: Print to Std. Out",
                [identifier, to_stderr](const runtime::OperatorOutputs&) {
                  return std::make_unique<runtime::PrintSinkOperator<T>>(identifier, to_stderr);
                });
  }
};

}  // namespace eddy

#include "eddy/api/connected_streams.h"
#include "eddy/api/keyed_stream.h"
#include "eddy/api/window_join.h"
#include "eddy/api/windowed_stream.h"
