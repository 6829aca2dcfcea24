// WindowedStream<T, K, Assigner>: a keyed stream cut into windows (keyed.window(assigner)), and
// AllWindowedStream for a whole stream (stream.window_all(assigner), one subtask). Configure
// trigger, evictor, allowed lateness and the late-data side output, then end with a window
// function: reduce, aggregate (each optionally followed by a process function that sees the
// pre-aggregated value), process, or the field shortcuts sum/min/max/min_by/max_by.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "eddy/api/data_stream.h"
#include "eddy/core/time.h"
#include "eddy/runtime/operators/sliced_window_operator.h"
#include "eddy/runtime/operators/window_contents.h"
#include "eddy/runtime/operators/window_emitters.h"
#include "eddy/runtime/operators/window_operator.h"
#include "eddy/windowing/evictor.h"
#include "eddy/windowing/global_windows.h"
#include "eddy/windowing/session_windows.h"
#include "eddy/windowing/sliding_windows.h"
#include "eddy/windowing/triggers.h"
#include "eddy/windowing/tumbling_windows.h"
#include "eddy/windowing/window_slices.h"

namespace eddy {
namespace window_detail {

// Folds a buffered window (kept whole because of an evictor) with an AggregateFunction, then
// hands the result on.
template <class AggF, class Next>
class FoldingEmitter {
 public:
  FoldingEmitter(AggF aggregate, Next next)
      : aggregate_(std::move(aggregate)), next_(std::move(next)) {}
  void open(RuntimeContext& ctx) { next_.open(ctx); }
  void close() { next_.close(); }
  template <class K, class W, class In, class Out>
  void operator()(const K& key, WindowContext<W>& ctx, std::vector<In>&& elements,
                  Collector<Out>& out) {
    auto acc = aggregate_.create_accumulator();
    for (const In& e : elements) acc = aggregate_.add(e, std::move(acc));
    next_(key, ctx, aggregate_.get_result(acc), out);
  }
  template <class W>
  void clear(WindowContext<W>& ctx) {
    next_.clear(ctx);
  }

 private:
  AggF aggregate_;
  Next next_;
};

// The slices of fixed-size time windows; nothing for other assigners.
template <class Assigner>
std::optional<WindowSlices> slices_of(const Assigner&) {
  return std::nullopt;
}
inline std::optional<WindowSlices> slices_of(const TumblingEventTimeWindows& a) {
  return WindowSlices::of(a.get_size(), a.get_size(), a.get_offset());
}
inline std::optional<WindowSlices> slices_of(const TumblingProcessingTimeWindows& a) {
  return WindowSlices::of(a.get_size(), a.get_size(), a.get_offset());
}
inline std::optional<WindowSlices> slices_of(const SlidingEventTimeWindows& a) {
  return WindowSlices::of(a.get_size(), a.get_slide(), a.get_offset());
}
inline std::optional<WindowSlices> slices_of(const SlidingProcessingTimeWindows& a) {
  return WindowSlices::of(a.get_size(), a.get_slide(), a.get_offset());
}

}  // namespace window_detail

template <class T, class K, class Assigner>
class WindowedStream {
 public:
  using W = typename Assigner::WindowType;

  WindowedStream(KeyedStream<T, K> input, Assigner assigner, bool all = false)
      : input_(std::move(input)), all_(all), spec_(std::move(assigner)) {
    switch (spec_.assigner.default_trigger()) {
      case DefaultTrigger::kEventTime:
        spec_.trigger = EventTimeTrigger::create().bind<T, W>();
        break;
      case DefaultTrigger::kProcessingTime:
        spec_.trigger = ProcessingTimeTrigger::create().bind<T, W>();
        break;
      case DefaultTrigger::kNever:
        spec_.trigger = NeverTrigger::create().bind<T, W>();
        break;
    }
  }

  // A built-in trigger (CountTrigger::of(3), PurgingTrigger::of(...)) or a Trigger<T, W>.
  template <class X>
  WindowedStream trigger(const X& trigger) const {
    WindowedStream copy = *this;
    copy.spec_.trigger = bind_trigger<T, W>(trigger);
    copy.default_trigger_ = false;
    if constexpr (Assigner::kIsMerging) {
      if (!copy.spec_.trigger->can_merge()) {
        throw std::invalid_argument(
            "A merging window assigner cannot be used with a trigger that "
            "does not support merging: " +
            copy.spec_.trigger->to_string());
      }
    }
    return copy;
  }
  // CountEvictor, TimeEvictor, DeltaEvictor: windows then keep all their elements.
  template <class E>
  WindowedStream evictor(const E& evictor) const {
    WindowedStream copy = *this;
    copy.evictor_ =
        runtime::EvictorFunctions<T, W>{[evictor](std::vector<TimestampedValue<T>>& e, const W& w,
                                                  int64_t wm) { evictor.evict_before(e, w, wm); },
                                        [evictor](std::vector<TimestampedValue<T>>& e, const W& w,
                                                  int64_t wm) { evictor.evict_after(e, w, wm); }};
    return copy;
  }
  // Keeps event-time windows (and fires them again for late elements) until the watermark passes
  // their end plus `lateness`.
  WindowedStream allowed_lateness(Time lateness) const {
    if (lateness.to_milliseconds() < 0) {
      throw std::invalid_argument("The allowed lateness cannot be negative");
    }
    WindowedStream copy = *this;
    copy.spec_.allowed_lateness = lateness.to_milliseconds();
    return copy;
  }
  // Elements too late for every window go to this side output instead of being dropped.
  WindowedStream side_output_late_data(const OutputTag<T>& tag) const {
    WindowedStream copy = *this;
    copy.spec_.late_data_tag = tag.get_id();
    return copy;
  }

  // fn(const T& accumulated, const T& value) -> T, incrementally per window.
  template <class F>
  DataStream<T> reduce(F fn) const {
    return incremental<T>("ReduceFunction", runtime::ReduceAggregate<T, F>(fn),
                          runtime::PassThroughEmitter{});
  }
  // reduce, then a process function over the reduced value.
  template <class F, class P>
  DataStream<typename P::OutputType> reduce(F fn, P process_fn) const {
    return incremental<typename P::OutputType>("ReduceFunction", runtime::ReduceAggregate<T, F>(fn),
                                               process_emitter(std::move(process_fn)));
  }
  // AggF derives from AggregateFunction<T, Acc, R>; emits R per window.
  template <class AggF>
  DataStream<typename AggF::OutputType> aggregate(AggF fn) const {
    return incremental<typename AggF::OutputType>("AggregateFunction", fn,
                                                  runtime::PassThroughEmitter{});
  }
  template <class AggF, class P>
  DataStream<typename P::OutputType> aggregate(AggF fn, P process_fn) const {
    return incremental<typename P::OutputType>("AggregateFunction", fn,
                                               process_emitter(std::move(process_fn)));
  }
  // P derives from ProcessWindowFunction<T, Out, K, W> (ProcessAllWindowFunction<T, Out, W> on
  // window_all): sees every element of the window.
  template <class P>
  DataStream<typename P::OutputType> process(P process_fn) const {
    return build<typename P::OutputType>("ProcessWindowFunction", buffered_contents(),
                                         process_emitter(std::move(process_fn)));
  }

  DataStream<T> sum(int position) const { return field(runtime::AggregationKind::kSum, position); }
  DataStream<T> min(int position) const { return field(runtime::AggregationKind::kMin, position); }
  DataStream<T> max(int position) const { return field(runtime::AggregationKind::kMax, position); }
  DataStream<T> min_by(int position) const {
    return field(runtime::AggregationKind::kMinBy, position);
  }
  DataStream<T> max_by(int position) const {
    return field(runtime::AggregationKind::kMaxBy, position);
  }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> sum(Member m)
  const { return reduce(runtime::member_reducer<T>(runtime::AggregationKind::kSum, m)); }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> min(Member m)
  const { return reduce(runtime::member_reducer<T>(runtime::AggregationKind::kMin, m)); }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> max(Member m)
  const { return reduce(runtime::member_reducer<T>(runtime::AggregationKind::kMax, m)); }

 private:
  template <class P>
  static auto process_emitter(P fn) {
    using In = typename P::InputType;
    using Out = typename P::OutputType;
    constexpr bool kAll = std::is_base_of_v<ProcessAllWindowFunction<In, Out, W>, P>;
    static_assert(kAll || std::is_base_of_v<ProcessWindowFunction<In, Out, K, W>, P>,
                  "expected a ProcessWindowFunction<In, Out, Key, Window> (keyed windows) or a "
                  "ProcessAllWindowFunction<In, Out, Window> (window_all)");
    return runtime::ProcessWindowEmitter<P, kAll>(std::move(fn));
  }

  DataStream<T> field(runtime::AggregationKind kind, int position) const {
    return reduce(runtime::field_reducer<T>(kind, position));
  }

  // Incremental unless an evictor needs the elements: then the window keeps them and the
  // aggregate runs over them when it fires. Tumbling and sliding windows with the default
  // trigger and no allowed lateness keep per-slice accumulators that overlapping windows share.
  // Each subtask gets its own copy of the function.
  template <class Out, class AggF, class Emitter>
  DataStream<Out> incremental(const char* function_name, AggF fn, Emitter emitter) const {
    using Acc = typename AggF::AccumulatorType;
    using R = typename AggF::OutputType;
    if (evictor_) {
      return build<Out>(function_name, buffered_contents(),
                        window_detail::FoldingEmitter<AggF, Emitter>(fn, std::move(emitter)));
    }
    if constexpr (std::is_same_v<W, TimeWindow> && !Assigner::kIsMerging) {
      std::optional<WindowSlices> slices = window_detail::slices_of(spec_.assigner);
      if (slices && default_trigger_ && spec_.allowed_lateness == 0) {
        return sliced<Out>(function_name, *slices, fn, std::move(emitter));
      }
    }
    return build<Out>(
        function_name,
        [fn] { return runtime::IncrementalContents<T, Acc, R, W>(std::make_shared<AggF>(fn)); },
        std::move(emitter));
  }

  auto buffered_contents() const {
    return [evictor = evictor_] { return runtime::BufferedContents<T, W>(evictor); };
  }

  template <class Out, class MakeContents, class Emitter>
  DataStream<Out> build(const char* function_name, MakeContents make_contents,
                        Emitter emitter) const {
    using Contents = std::invoke_result_t<MakeContents&>;
    using Operator = runtime::WindowOperator<K, T, Out, Assigner, Contents, Emitter>;
    auto spec = spec_;
    auto key_selector = input_.get_key_selector();
    DataStream<Out> out = input_.template one_input<Out>(
        operator_name(function_name),
        [spec, key_selector, make_contents, emitter](const runtime::OperatorOutputs& o) {
          return std::make_unique<Operator>(spec, key_selector, make_contents(), emitter, o);
        });
    if (all_) out.set_parallelism(1);
    return out;
  }

  template <class Out, class AggF, class Emitter>
  DataStream<Out> sliced(const char* function_name, WindowSlices slices, AggF fn,
                         Emitter emitter) const {
    using Operator =
        runtime::SlicedWindowOperator<K, T, Out, Assigner, typename AggF::AccumulatorType,
                                      typename AggF::OutputType, Emitter>;
    auto spec = spec_;
    auto key_selector = input_.get_key_selector();
    DataStream<Out> out = input_.template one_input<Out>(
        operator_name(function_name, " sliced"),
        [spec, slices, key_selector, fn, emitter](const runtime::OperatorOutputs& o) {
          return std::make_unique<Operator>(spec, slices, key_selector, std::make_shared<AggF>(fn),
                                            emitter, o);
        });
    if (all_) out.set_parallelism(1);
    return out;
  }

  std::string operator_name(const char* function_name, const char* variant = "") const {
    return std::string(all_ ? "All" : "") + "Window(" + spec_.assigner.to_string() + variant +
           ", " + spec_.trigger->to_string() + ", " + function_name + ")";
  }

  KeyedStream<T, K> input_;
  bool all_;
  bool default_trigger_ = true;
  runtime::WindowSpec<T, Assigner> spec_;
  std::optional<runtime::EvictorFunctions<T, W>> evictor_;
};

// A window over a whole stream (Flink's windowAll): every element goes to one subtask.
template <class T, class Assigner>
using AllWindowedStream = WindowedStream<T, int, Assigner>;

template <class T, class K>
template <class Assigner>
WindowedStream<T, K, Assigner> KeyedStream<T, K>::window(Assigner assigner) const {
  return WindowedStream<T, K, Assigner>(*this, std::move(assigner));
}

template <class T, class K>
WindowedStream<T, K, GlobalWindows> KeyedStream<T, K>::count_window(int64_t size) const {
  return window(GlobalWindows::create())
      .trigger(PurgingTrigger<CountTrigger>::of(CountTrigger::of(size)));
}

template <class T, class K>
WindowedStream<T, K, GlobalWindows> KeyedStream<T, K>::count_window(int64_t size,
                                                                    int64_t slide) const {
  return window(GlobalWindows::create())
      .evictor(CountEvictor::of(size))
      .trigger(CountTrigger::of(slide));
}

template <class T>
template <class Assigner>
WindowedStream<T, int, Assigner> DataStream<T>::window_all(Assigner assigner) const {
  KeyedStream<T, int> all = key_by([](const T&) { return 0; });
  return WindowedStream<T, int, Assigner>(std::move(all), std::move(assigner), /*all=*/true);
}

template <class T>
WindowedStream<T, int, GlobalWindows> DataStream<T>::count_window_all(int64_t size) const {
  return window_all(GlobalWindows::create())
      .trigger(PurgingTrigger<CountTrigger>::of(CountTrigger::of(size)));
}

template <class T>
WindowedStream<T, int, GlobalWindows> DataStream<T>::count_window_all(int64_t size,
                                                                      int64_t slide) const {
  return window_all(GlobalWindows::create())
      .evictor(CountEvictor::of(size))
      .trigger(CountTrigger::of(slide));
}

}  // namespace eddy
