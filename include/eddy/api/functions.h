// The interfaces user functions implement. A function object is copied once per parallel
// subtask, so it must be copyable; each copy is used by one thread only. A function that derives
// from RichFunction gets open(ctx) before its first record and close() after its last.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "eddy/api/checkpoint_lock.h"
#include "eddy/api/checkpointed_function.h"
#include "eddy/core/dcheck.h"
#include "eddy/runtime/keyed_timers.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/processing_time_service.h"
#include "eddy/runtime/record_context.h"
#include "eddy/runtime/runtime_context.h"

namespace eddy {

using runtime::Collector;
using runtime::LongCounter;
using runtime::RuntimeContext;

class Function {
 public:
  virtual ~Function() = default;
};

class RichFunction : public Function {
 public:
  virtual void open(RuntimeContext&) {}
  virtual void close() {}
};

// Names a side output and its element type. Two tags with the same id must have the same type.
template <class T>
class OutputTag {
 public:
  using ElementType = T;
  explicit OutputTag(std::string id) : id_(std::move(id)) {}
  const std::string& get_id() const { return id_; }

 private:
  std::string id_;
};

enum class TimeDomain { EVENT_TIME, PROCESSING_TIME };

// Time as a function sees it.
class TimerService {
 public:
  TimerService(const int64_t* current_watermark, runtime::ProcessingTimeService* processing_time)
      : current_watermark_(current_watermark), processing_time_(processing_time) {}
  // The job's processing time (the system clock unless the environment was given another) in
  // epoch milliseconds.
  int64_t current_processing_time() const { return processing_time_->current_processing_time(); }
  // The operator's event time: the last watermark it received (kMinWatermark before any).
  int64_t current_watermark() const { return *current_watermark_; }

 private:
  const int64_t* current_watermark_;
  runtime::ProcessingTimeService* processing_time_;
};

// The base of every process function's Context: the current record's timestamp, time, and side
// outputs.
class ProcessContextBase {
 public:
  ProcessContextBase(const std::map<std::string, runtime::OutputBase*>* side_outputs,
                     const runtime::RecordContext* record_context, const int64_t* current_watermark,
                     runtime::ProcessingTimeService* processing_time)
      : side_outputs_(side_outputs),
        record_context_(record_context),
        timers_(current_watermark, processing_time) {}

  // The event timestamp of the record being processed (or of the firing timer), if it has one.
  std::optional<int64_t> timestamp() const { return record_context_->optional_timestamp(); }
  const TimerService& timer_service() const { return timers_; }

  // Records for a side output that no stream consumes are dropped. They keep the timestamp of
  // the record being processed.
  template <class X>
  void output(const OutputTag<X>& tag, X value) {
    auto it = side_outputs_->find(tag.get_id());
    if (it != side_outputs_->end()) {
      static_cast<runtime::Output<X>*>(it->second)->push(std::move(value));
    }
  }

 private:
  const std::map<std::string, runtime::OutputBase*>* side_outputs_;
  const runtime::RecordContext* record_context_;
  TimerService timers_;
};

template <class In, class Out>
class ProcessFunction : public RichFunction {
 public:
  using InputType = In;
  using OutputType = Out;
  class Context : public ProcessContextBase {
   public:
    using ProcessContextBase::ProcessContextBase;
  };
  virtual void process_element(const In& value, Context& ctx, Collector<Out>& out) = 0;
};

// The timer service of keyed functions: timers belong to the current key. Registering the same
// (key, time, domain) twice gives one timer. Event-time timers fire when the watermark reaches
// them, processing-time timers when the clock does.
template <class K>
class KeyedTimerService : public TimerService {
 public:
  KeyedTimerService(const int64_t* current_watermark, runtime::ProcessingTimeService* service,
                    runtime::KeyedTimers<K>* timers, const K* const* current_key)
      : TimerService(current_watermark, service), timers_(timers), current_key_(current_key) {}
  void register_event_time_timer(int64_t time) {
    timers_->register_event_time_timer(**current_key_, time);
  }
  void delete_event_time_timer(int64_t time) {
    timers_->delete_event_time_timer(**current_key_, time);
  }
  void register_processing_time_timer(int64_t time) {
    timers_->register_processing_time_timer(**current_key_, time);
  }
  void delete_processing_time_timer(int64_t time) {
    timers_->delete_processing_time_timer(**current_key_, time);
  }

 private:
  runtime::KeyedTimers<K>* timers_;
  const K* const* current_key_;
};

// The context of keyed process functions: the current key and its timers.
template <class K>
class KeyedContext : public ProcessContextBase {
 public:
  KeyedContext(const std::map<std::string, runtime::OutputBase*>* side_outputs,
               const runtime::RecordContext* record_context, const int64_t* current_watermark,
               runtime::ProcessingTimeService* service, runtime::KeyedTimers<K>* timers)
      : ProcessContextBase(side_outputs, record_context, current_watermark, service),
        keyed_timers_(current_watermark, service, timers, &key_) {}
  const K& get_current_key() const { return *key_; }
  void set_current_key(const K* key) { key_ = key; }
  KeyedTimerService<K>& timer_service() { return keyed_timers_; }

 private:
  const K* key_ = nullptr;
  KeyedTimerService<K> keyed_timers_;
};

// The context of on_timer(): also tells which kind of timer fired.
template <class Context>
class OnTimerContextOf : public Context {
 public:
  using Context::Context;
  TimeDomain time_domain() const { return domain_; }
  void set_time_domain(TimeDomain domain) { domain_ = domain; }

 private:
  TimeDomain domain_ = TimeDomain::EVENT_TIME;
};

template <class K, class In, class Out>
class KeyedProcessFunction : public RichFunction {
 public:
  using KeyType = K;
  using InputType = In;
  using OutputType = Out;
  using Context = KeyedContext<K>;
  using OnTimerContext = OnTimerContextOf<KeyedContext<K>>;
  virtual void process_element(const In& value, Context& ctx, Collector<Out>& out) = 0;
  // A timer of the current key fired at `timestamp` (the output records carry it as their
  // timestamp).
  virtual void on_timer(int64_t /*timestamp*/, OnTimerContext&, Collector<Out>&) {}
};

template <class In1, class In2, class Out>
class CoMapFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  virtual Out map1(const In1& value) = 0;
  virtual Out map2(const In2& value) = 0;
};

template <class In1, class In2, class Out>
class CoFlatMapFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  virtual void flat_map1(const In1& value, Collector<Out>& out) = 0;
  virtual void flat_map2(const In2& value, Collector<Out>& out) = 0;
};

template <class In1, class In2, class Out>
class CoProcessFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  class Context : public ProcessContextBase {
   public:
    using ProcessContextBase::ProcessContextBase;
  };
  virtual void process_element1(const In1& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void process_element2(const In2& value, Context& ctx, Collector<Out>& out) = 0;
};

template <class K, class In1, class In2, class Out>
class KeyedCoProcessFunction : public RichFunction {
 public:
  using KeyType = K;
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  using Context = KeyedContext<K>;
  using OnTimerContext = OnTimerContextOf<KeyedContext<K>>;
  virtual void process_element1(const In1& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void process_element2(const In2& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void on_timer(int64_t /*timestamp*/, OnTimerContext&, Collector<Out>&) {}
};

// Emits a source's records. collect() may block: that is backpressure. A user source runs on a
// thread of its own while its task's thread serves timers and flushes; each emission holds the
// task's lock (Flink's checkpoint lock), so the chain still sees one thread at a time.
template <class T>
class SourceContext {
 public:
  SourceContext(runtime::Output<T>* output, runtime::RecordContext* record_context,
                CheckpointLock* lock)
      : output_(output), record_context_(record_context), lock_(lock) {}
  void collect(T&& record) {
    std::lock_guard guard(*lock_);
    if (!stopped_) output_->push(std::move(record));
  }
  void collect(const T& record) {
    std::lock_guard guard(*lock_);
    if (!stopped_) output_->collect(record);
  }
  // Emits a record with an event timestamp (epoch milliseconds).
  void collect_with_timestamp(T record, int64_t timestamp) {
    std::lock_guard guard(*lock_);
    if (stopped_) return;
    record_context_->timestamp = timestamp;
    output_->push(std::move(record));
    record_context_->timestamp = runtime::kNoTimestamp;
  }
  // Declares that no record with a timestamp below `watermark` will follow.
  void emit_watermark(int64_t watermark) {
    std::lock_guard guard(*lock_);
    if (!stopped_) output_->emit_watermark(watermark);
  }
  // The job stops with a savepoint: what the source emits from now on is dropped (it lies after
  // the savepoint, whose snapshot of the source's position was taken under the same lock).
  // REQUIRES: called holding the lock.
  void stop() {
    EDDY_DCHECK(lock_->held_by_current_thread(), "SourceContext::stop() holds the lock");
    stopped_ = true;
  }
  // The lock every emission holds; hold it to emit and change source state (an offset) as one
  // step. It is recursive, so collect() may be called while holding it.
  CheckpointLock& get_checkpoint_lock() { return *lock_; }

 private:
  runtime::Output<T>* output_;
  runtime::RecordContext* record_context_;
  CheckpointLock* lock_;
  bool stopped_ = false;  // GUARDED_BY(*lock_)
};

// A user source: run() emits until its input ends or cancel() is called from another thread.
// cancel() must make run() return soon; a flag read by run() is the usual way.
template <class T>
class SourceFunction : public RichFunction {
 public:
  using OutputType = T;
  virtual void run(SourceContext<T>& ctx) = 0;
  virtual void cancel() = 0;
};

// A source that may run as several subtasks (each a copy): run() can tell its share from
// RuntimeContext::get_index_of_this_subtask() in open().
template <class T>
class ParallelSourceFunction : public SourceFunction<T> {};

// A user sink, called once per record.
template <class T>
class SinkFunction : public RichFunction {
 public:
  using InputType = T;
  struct Context {
    std::optional<int64_t> timestamp;  // the record's event time, once it has one
  };
  virtual void invoke(const T& value, const Context& ctx) = 0;
};

namespace function_detail {

// Initializes a CheckpointedFunction's state (restored if the job restored from a checkpoint),
// then opens a RichFunction (Flink's order).
template <class F>
void open_if_rich(F& fn, RuntimeContext& ctx) {
  if constexpr (std::is_base_of_v<CheckpointedFunction, F>) {
    FunctionInitializationContext init(ctx, ctx.get_restored_checkpoint_id());
    fn.initialize_state(init);
  }
  if constexpr (std::is_base_of_v<RichFunction, F>) fn.open(ctx);
}

// Lets a CheckpointedFunction write its members into its states for checkpoint `ctx`.
template <class F>
void snapshot_if_checkpointed(F& fn, const runtime::StateSnapshotContext& ctx) {
  if constexpr (std::is_base_of_v<CheckpointedFunction, F>) {
    FunctionSnapshotContext snapshot(ctx.checkpoint_id(), ctx.checkpoint_timestamp());
    fn.snapshot_state(snapshot);
  }
}

template <class F>
void notify_complete_if_listener(F& fn, int64_t checkpoint_id) {
  if constexpr (std::is_base_of_v<CheckpointListener, F>)
    fn.notify_checkpoint_complete(checkpoint_id);
}

template <class F>
void notify_aborted_if_listener(F& fn, int64_t checkpoint_id) {
  if constexpr (std::is_base_of_v<CheckpointListener, F>)
    fn.notify_checkpoint_aborted(checkpoint_id);
}

template <class F>
void close_if_rich(F& fn) {
  if constexpr (std::is_base_of_v<RichFunction, F>) fn.close();
}

}  // namespace function_detail

}  // namespace eddy
