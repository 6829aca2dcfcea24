// The interval join of two keyed streams (Flink's KeyedStream.intervalJoin): a left record l and
// a right record r of equal keys join when
//     l.ts + lower <= r.ts <= l.ts + upper
// (either bound may be made exclusive). Event time only. A ProcessJoinFunction sees every
// joined pair; what it emits carries the larger of the two timestamps.
//
//   orders.key_by(order_key)
//       .interval_join(shipments.key_by(shipment_key))
//       .between(Time::milliseconds(-2000), Time::milliseconds(1000))
//       .process(MyProcessJoinFunction());
//
// How it runs (as Flink's IntervalJoinOperator): each side is buffered in keyed MapState,
// timestamp -> records with that timestamp. A record joins the other side's buffered records in
// range, then stays in its own buffer until the watermark passes the last time a record of the
// other side could still join it; an event-time timer of its key then removes its bucket. A record
// whose timestamp is below the operator's watermark is late: it joins nothing and is dropped
// (counted in the "numLateRecordsDropped" accumulator), or goes to a late-data side output.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/api/data_stream.h"
#include "eddy/api/functions.h"
#include "eddy/core/exceptions.h"
#include "eddy/core/serializer.h"
#include "eddy/core/time.h"
#include "eddy/runtime/operators/two_input_operators.h"
#include "eddy/state/state_descriptor.h"

namespace eddy {

namespace interval_join_detail {
template <class K, class L, class R, class Out, class F>
class IntervalJoinFunction;
}  // namespace interval_join_detail

// What ProcessJoinFunction::process_element() sees besides the pair. Valid during that call only.
class ProcessJoinContext {
 public:
  int64_t get_left_timestamp() const { return left_timestamp_; }
  int64_t get_right_timestamp() const { return right_timestamp_; }
  // The timestamp of the joined pair, max(left, right): records emitted for it carry it.
  int64_t get_timestamp() const { return std::max(left_timestamp_, right_timestamp_); }

  // Emits to a side output, with the pair's timestamp.
  template <class X>
  void output(const OutputTag<X>& tag, X value) {
    base_->output(tag, std::move(value));
  }

 private:
  template <class K, class L, class R, class Out, class F>
  friend class interval_join_detail::IntervalJoinFunction;
  ProcessJoinContext() = default;

  ProcessContextBase* base_ = nullptr;
  int64_t left_timestamp_ = 0;
  int64_t right_timestamp_ = 0;
};

// The function of an interval join, called once per joined pair. It may use keyed state: the
// current key is the pair's.
template <class In1, class In2, class Out>
class ProcessJoinFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  using Context = ProcessJoinContext;
  virtual void process_element(const In1& left, const In2& right, Context& ctx,
                               Collector<Out>& out) = 0;
};

namespace interval_join_detail {

// One buffered record. `has_been_joined` is kept for outer joins; like Flink's operator, the
// inner join never reads or sets it.
template <class T>
struct BufferEntry {
  T element;
  bool has_been_joined = false;
};

// Timestamp -> the records of one side with that timestamp, for the current key.
template <class T>
using Buffer = MapState<int64_t, std::vector<BufferEntry<T>>>;

// Inclusive bounds (exclusive ones moved inward by one millisecond) and late-data outputs.
template <class L, class R>
struct JoinSpec {
  int64_t lower = 0;
  int64_t upper = 0;
  std::optional<OutputTag<L>> left_late_data;
  std::optional<OutputTag<R>> right_late_data;
};

// The keyed context of the join: a keyed process context that may also set the timestamp of
// what the user function emits.
template <class K>
class JoinKeyedContext : public KeyedContext<K> {
 public:
  JoinKeyedContext(const std::map<std::string, runtime::OutputBase*>* side_outputs,
                   runtime::RecordContext* record_context, const int64_t* current_watermark,
                   runtime::ProcessingTimeService* service, runtime::KeyedTimers<K>* timers)
      : KeyedContext<K>(side_outputs, record_context, current_watermark, service, timers),
        record_context_(record_context) {}
  runtime::RecordContext& record_context() { return *record_context_; }

 private:
  runtime::RecordContext* record_context_;
};

// The join as a keyed co-process function, run by runtime::KeyedCoProcessOperator: buffers, joins
// and cleans up through keyed state and event-time timers like any keyed function.
//
// Cleanup timers: a left record at ts can still join right records up to ts + upper; a right
// record at ts left records up to ts - lower (its bounds are the left's mirrored: [-upper,
// -lower]). Its cleanup time is that limit, or ts itself when the limit is below ts. Both maps
// from timestamp to cleanup time are strictly increasing, so a timer at t names one bucket per
// side. Flink keeps the two sides' timers in separate namespaces; here a key has one timer per
// time, which removes both buckets: a record in the other bucket has the same cleanup time t, so
// Flink removes it at the same watermark.
template <class K, class L, class R, class Out, class F>
class IntervalJoinFunction : public RichFunction {
 public:
  using KeyType = K;
  using Input1Type = L;
  using Input2Type = R;
  using OutputType = Out;
  using Context = JoinKeyedContext<K>;
  using OnTimerContext = OnTimerContextOf<JoinKeyedContext<K>>;

  IntervalJoinFunction(F fn, JoinSpec<L, R> spec) : fn_(std::move(fn)), spec_(std::move(spec)) {}

  void open(RuntimeContext& ctx) override {
    task_ = ctx.get_task_name_with_subtasks();
    left_buffer_ = &ctx.get_map_state(
        MapStateDescriptor<int64_t, std::vector<BufferEntry<L>>>("interval-join-left-buffer"));
    right_buffer_ = &ctx.get_map_state(
        MapStateDescriptor<int64_t, std::vector<BufferEntry<R>>>("interval-join-right-buffer"));
    late_records_dropped_ = &ctx.get_long_counter("numLateRecordsDropped");
    function_detail::open_if_rich(fn_, ctx);
  }
  void close() override { fn_.close(); }

  void process_element1(const L& value, Context& ctx, Collector<Out>& out) {
    const int64_t ts = timestamp_of(ctx, "left");
    if (is_late(ts, ctx)) {
      drop_late(spec_.left_late_data, value, ctx);
      return;
    }
    add_to_buffer(*left_buffer_, value, ts);
    for_each_in_range(
        *right_buffer_, ts, spec_.lower, spec_.upper,
        [&](const R& right, int64_t right_ts) { collect(value, right, ts, right_ts, ctx, out); });
    ctx.timer_service().register_event_time_timer(spec_.upper > 0 ? ts + spec_.upper : ts);
  }

  void process_element2(const R& value, Context& ctx, Collector<Out>& out) {
    const int64_t ts = timestamp_of(ctx, "right");
    if (is_late(ts, ctx)) {
      drop_late(spec_.right_late_data, value, ctx);
      return;
    }
    add_to_buffer(*right_buffer_, value, ts);
    for_each_in_range(
        *left_buffer_, ts, -spec_.upper, -spec_.lower,
        [&](const L& left, int64_t left_ts) { collect(left, value, left_ts, ts, ctx, out); });
    ctx.timer_service().register_event_time_timer(-spec_.lower > 0 ? ts - spec_.lower : ts);
  }

  void on_timer(int64_t time, OnTimerContext&, Collector<Out>&) {
    left_buffer_->remove(spec_.upper <= 0 ? time : time - spec_.upper);
    right_buffer_->remove(spec_.lower <= 0 ? time + spec_.lower : time);
  }

 private:
  int64_t timestamp_of(const Context& ctx, const char* side) const {
    const std::optional<int64_t> ts = ctx.timestamp();
    if (!ts) {
      throw EddyException("Interval Join (" + task_ + "): a " + std::string(side) +
                          " record has no timestamp. Interval joins run in event time only: "
                          "give both inputs timestamps with assign_timestamps_and_watermarks()");
    }
    return *ts;
  }

  static bool is_late(int64_t ts, Context& ctx) {
    return ts < ctx.timer_service().current_watermark();
  }

  template <class T>
  void drop_late(const std::optional<OutputTag<T>>& tag, const T& value, Context& ctx) {
    if (tag) {
      ctx.output(*tag, value);
    } else {
      late_records_dropped_->add(1);
    }
  }

  template <class T>
  static void add_to_buffer(Buffer<T>& buffer, const T& value, int64_t ts) {
    std::vector<BufferEntry<T>> bucket = buffer.get(ts).value_or(std::vector<BufferEntry<T>>{});
    bucket.push_back(BufferEntry<T>{value, false});
    buffer.put(ts, std::move(bucket));
  }

  // Calls fn(record, its timestamp) for every record of `buffer` whose timestamp lies in
  // [ts + lower, ts + upper].
  template <class T, class Fn>
  static void for_each_in_range(Buffer<T>& buffer, int64_t ts, int64_t lower, int64_t upper,
                                Fn&& fn) {
    for (int64_t bucket_ts : buffer.keys()) {
      if (bucket_ts < ts + lower || bucket_ts > ts + upper) continue;
      const std::optional<std::vector<BufferEntry<T>>> bucket = buffer.get(bucket_ts);
      for (const BufferEntry<T>& entry : *bucket) fn(entry.element, bucket_ts);
    }
  }

  void collect(const L& left, const R& right, int64_t left_ts, int64_t right_ts, Context& ctx,
               Collector<Out>& out) {
    runtime::RecordContext& record = ctx.record_context();
    const int64_t record_ts = record.timestamp;
    join_context_.base_ = &ctx;
    join_context_.left_timestamp_ = left_ts;
    join_context_.right_timestamp_ = right_ts;
    record.timestamp = join_context_.get_timestamp();
    fn_.process_element(left, right, join_context_, out);
    record.timestamp = record_ts;
  }

  F fn_;
  JoinSpec<L, R> spec_;
  std::string task_;
  Buffer<L>* left_buffer_ = nullptr;
  Buffer<R>* right_buffer_ = nullptr;
  LongCounter* late_records_dropped_ = nullptr;
  ProcessJoinContext join_context_;
};

}  // namespace interval_join_detail

// An interval join with its bounds, waiting for its function.
template <class L, class R, class K>
class IntervalJoined {
 public:
  IntervalJoined(KeyedStream<L, K> left, KeyedStream<R, K> right, int64_t lower, int64_t upper)
      : left_(std::move(left)), right_(std::move(right)), lower_(lower), upper_(upper) {}

  // r.ts > l.ts + lower instead of >=.
  IntervalJoined lower_bound_exclusive() const {
    IntervalJoined copy = *this;
    copy.lower_inclusive_ = false;
    return copy;
  }
  // r.ts < l.ts + upper instead of <=.
  IntervalJoined upper_bound_exclusive() const {
    IntervalJoined copy = *this;
    copy.upper_inclusive_ = false;
    return copy;
  }
  // Late left (right) records go to `tag`, with their own timestamps, instead of being dropped
  // and counted.
  IntervalJoined side_output_left_late_data(const OutputTag<L>& tag) const {
    IntervalJoined copy = *this;
    copy.left_late_data_ = tag;
    return copy;
  }
  IntervalJoined side_output_right_late_data(const OutputTag<R>& tag) const {
    IntervalJoined copy = *this;
    copy.right_late_data_ = tag;
    return copy;
  }

  // F derives from ProcessJoinFunction<L, R, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<ProcessJoinFunction<L, R, Out>, F>,
                  "process() on an interval join takes a ProcessJoinFunction<Left, Right, Out>");
    using Join = interval_join_detail::IntervalJoinFunction<K, L, R, Out, F>;
    interval_join_detail::JoinSpec<L, R> spec{lower_inclusive_ ? lower_ : lower_ + 1,
                                              upper_inclusive_ ? upper_ : upper_ - 1,
                                              left_late_data_, right_late_data_};
    Join join(std::move(fn), std::move(spec));
    auto key1 = left_.get_key_selector();
    auto key2 = right_.get_key_selector();
    using Operator =
        runtime::KeyedCoProcessOperator<K, L, R, Out, decltype(key1), decltype(key2), Join>;
    const auto& env = left_.environment_state();
    auto t = env->make(
        graph::TransformationKind::kTwoInput, "Interval Join",
        {left_.transformation(), right_.transformation()}, runtime::type_ops_of<Out>(),
        runtime::make_operator_factory([join, key1, key2](const runtime::OperatorOutputs& o) {
          return std::make_unique<Operator>(join, key1, key2, o);
        }));
    return DataStream<Out>(env, std::move(t));
  }

 private:
  KeyedStream<L, K> left_;
  KeyedStream<R, K> right_;
  int64_t lower_;
  int64_t upper_;
  bool lower_inclusive_ = true;
  bool upper_inclusive_ = true;
  std::optional<OutputTag<L>> left_late_data_;
  std::optional<OutputTag<R>> right_late_data_;
};

// left.interval_join(right): both keyed with keys of one type K.
template <class L, class R, class K>
class IntervalJoin {
 public:
  IntervalJoin(KeyedStream<L, K> left, KeyedStream<R, K> right)
      : left_(std::move(left)), right_(std::move(right)) {
    static_assert(Serializable<K>,
                  "interval_join buffers records in keyed state, which needs a serializable key "
                  "type (see eddy/core/serializer.h)");
  }

  // Joins l and r when l.ts + lower <= r.ts <= l.ts + upper. Throws InvalidProgramException if
  // lower > upper.
  IntervalJoined<L, R, K> between(Time lower, Time upper) const {
    const int64_t low = lower.to_milliseconds();
    const int64_t high = upper.to_milliseconds();
    if (low > high) {
      throw InvalidProgramException("interval_join: the lower bound (" + std::to_string(low) +
                                    " ms) must not exceed the upper bound (" +
                                    std::to_string(high) + " ms)");
    }
    return IntervalJoined<L, R, K>(left_, right_, low, high);
  }

 private:
  KeyedStream<L, K> left_;
  KeyedStream<R, K> right_;
};

}  // namespace eddy
