// The built-in triggers, with Flink's names and behaviour. Each is a small value
// (EventTimeTrigger::create(), CountTrigger::of(3), PurgingTrigger::of(...)) that the window
// operator binds to its element and window types with bind<T, W>(); user triggers derive from
// Trigger<T, W> directly.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "eddy/core/time.h"
#include "eddy/state/state_descriptor.h"
#include "eddy/windowing/trigger.h"

namespace eddy {

template <class T, class W, class X>
std::shared_ptr<const Trigger<T, W>> bind_trigger(const X& trigger);

namespace trigger_detail {

inline ReducingStateDescriptor<int64_t> sum_state(const char* name) {
  return ReducingStateDescriptor<int64_t>(name,
                                          [](const int64_t& a, const int64_t& b) { return a + b; });
}
inline ReducingStateDescriptor<int64_t> min_state(const char* name) {
  return ReducingStateDescriptor<int64_t>(
      name, [](const int64_t& a, const int64_t& b) { return std::min(a, b); });
}

}  // namespace trigger_detail

// Fires once the watermark passes the window's end (and again for each late element within the
// allowed lateness). The default trigger of event-time windows.
class EventTimeTrigger {
 public:
  static EventTimeTrigger create() { return {}; }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    TriggerResult on_element(const T&, int64_t, const W& window,
                             TriggerContext<W>& ctx) const override {
      if (window.max_timestamp() <= ctx.get_current_watermark()) return TriggerResult::FIRE;
      ctx.register_event_time_timer(window.max_timestamp());
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_event_time(int64_t time, const W& window, TriggerContext<W>&) const override {
      return time == window.max_timestamp() ? TriggerResult::FIRE : TriggerResult::CONTINUE;
    }
    TriggerResult on_processing_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    bool can_merge() const override { return true; }
    void on_merge(const W& window, OnMergeContext<W>& ctx) const override {
      // A merged window whose end the watermark passed already has fired or is late.
      if (window.max_timestamp() > ctx.get_current_watermark()) {
        ctx.register_event_time_timer(window.max_timestamp());
      }
    }
    void clear(const W& window, TriggerContext<W>& ctx) const override {
      ctx.delete_event_time_timer(window.max_timestamp());
    }
    std::string to_string() const override { return "EventTimeTrigger()"; }
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>();
  }
};

// Fires when the job's clock reaches the window's end. The default of processing-time windows.
class ProcessingTimeTrigger {
 public:
  static ProcessingTimeTrigger create() { return {}; }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    TriggerResult on_element(const T&, int64_t, const W& window,
                             TriggerContext<W>& ctx) const override {
      ctx.register_processing_time_timer(window.max_timestamp());
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_event_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_processing_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::FIRE;
    }
    bool can_merge() const override { return true; }
    void on_merge(const W& window, OnMergeContext<W>& ctx) const override {
      if (window.max_timestamp() > ctx.get_current_processing_time()) {
        ctx.register_processing_time_timer(window.max_timestamp());
      }
    }
    void clear(const W& window, TriggerContext<W>& ctx) const override {
      ctx.delete_processing_time_timer(window.max_timestamp());
    }
    std::string to_string() const override { return "ProcessingTimeTrigger()"; }
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>();
  }
};

// Fires every `max_count` elements of a window (the count restarts after each firing).
class CountTrigger {
 public:
  static CountTrigger of(int64_t max_count) { return CountTrigger(max_count); }
  int64_t get_max_count() const { return max_count_; }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    explicit Bound(int64_t max_count) : max_count_(max_count) {}
    TriggerResult on_element(const T&, int64_t, const W&, TriggerContext<W>& ctx) const override {
      auto& count = ctx.get_partitioned_state(trigger_detail::sum_state("count"));
      count.add(1);
      if (count.get().value() < max_count_) return TriggerResult::CONTINUE;
      count.clear();
      return TriggerResult::FIRE;
    }
    TriggerResult on_event_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_processing_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    bool can_merge() const override { return true; }
    void on_merge(const W&, OnMergeContext<W>& ctx) const override {
      ctx.merge_partitioned_state(trigger_detail::sum_state("count"));
    }
    void clear(const W&, TriggerContext<W>& ctx) const override {
      ctx.get_partitioned_state(trigger_detail::sum_state("count")).clear();
    }
    std::string to_string() const override {
      return "CountTrigger(" + std::to_string(max_count_) + ")";
    }

   private:
    int64_t max_count_;
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>(max_count_);
  }

 private:
  explicit CountTrigger(int64_t max_count) : max_count_(max_count) {
    if (max_count <= 0) throw std::invalid_argument("CountTrigger count must be positive");
  }
  int64_t max_count_;
};

// Fires repeatedly, every `interval` of event time, and once more at the window's end.
class ContinuousEventTimeTrigger {
 public:
  static ContinuousEventTimeTrigger of(Time interval) {
    return ContinuousEventTimeTrigger(interval.to_milliseconds());
  }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    explicit Bound(int64_t interval) : interval_(interval) {}
    TriggerResult on_element(const T&, int64_t timestamp, const W& window,
                             TriggerContext<W>& ctx) const override {
      if (window.max_timestamp() <= ctx.get_current_watermark()) return TriggerResult::FIRE;
      ctx.register_event_time_timer(window.max_timestamp());
      auto& fire_time = ctx.get_partitioned_state(trigger_detail::min_state("fire-time"));
      if (!fire_time.get()) {
        const int64_t start = timestamp - (timestamp % interval_);
        fire_time.add(start + interval_);
        ctx.register_event_time_timer(start + interval_);
      }
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_event_time(int64_t time, const W& window,
                                TriggerContext<W>& ctx) const override {
      if (time == window.max_timestamp()) return TriggerResult::FIRE;
      auto& fire_time = ctx.get_partitioned_state(trigger_detail::min_state("fire-time"));
      if (fire_time.get() != std::optional<int64_t>(time)) return TriggerResult::CONTINUE;
      fire_time.clear();
      fire_time.add(time + interval_);
      ctx.register_event_time_timer(time + interval_);
      return TriggerResult::FIRE;
    }
    TriggerResult on_processing_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    bool can_merge() const override { return true; }
    void on_merge(const W&, OnMergeContext<W>& ctx) const override {
      ctx.merge_partitioned_state(trigger_detail::min_state("fire-time"));
      auto next = ctx.get_partitioned_state(trigger_detail::min_state("fire-time")).get();
      if (next) ctx.register_event_time_timer(*next);
    }
    void clear(const W&, TriggerContext<W>& ctx) const override {
      auto& fire_time = ctx.get_partitioned_state(trigger_detail::min_state("fire-time"));
      if (auto next = fire_time.get()) ctx.delete_event_time_timer(*next);
      fire_time.clear();
    }
    std::string to_string() const override {
      return "ContinuousEventTimeTrigger(" + std::to_string(interval_) + ")";
    }

   private:
    int64_t interval_;
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>(interval_);
  }

 private:
  explicit ContinuousEventTimeTrigger(int64_t interval) : interval_(interval) {
    if (interval <= 0)
      throw std::invalid_argument("ContinuousEventTimeTrigger interval must be positive");
  }
  int64_t interval_;
};

// Fires repeatedly, every `interval` of processing time, aligned to multiples of the interval.
class ContinuousProcessingTimeTrigger {
 public:
  static ContinuousProcessingTimeTrigger of(Time interval) {
    return ContinuousProcessingTimeTrigger(interval.to_milliseconds());
  }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    explicit Bound(int64_t interval) : interval_(interval) {}
    TriggerResult on_element(const T&, int64_t, const W&, TriggerContext<W>& ctx) const override {
      auto& fire_time = ctx.get_partitioned_state(trigger_detail::min_state("fire-time"));
      if (!fire_time.get()) {
        const int64_t now = ctx.get_current_processing_time();
        const int64_t next = now - (now % interval_) + interval_;
        fire_time.add(next);
        ctx.register_processing_time_timer(next);
      }
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_event_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_processing_time(int64_t time, const W&,
                                     TriggerContext<W>& ctx) const override {
      auto& fire_time = ctx.get_partitioned_state(trigger_detail::min_state("fire-time"));
      if (fire_time.get() != std::optional<int64_t>(time)) return TriggerResult::CONTINUE;
      fire_time.clear();
      fire_time.add(time + interval_);
      ctx.register_processing_time_timer(time + interval_);
      return TriggerResult::FIRE;
    }
    bool can_merge() const override { return true; }
    void on_merge(const W&, OnMergeContext<W>& ctx) const override {
      ctx.merge_partitioned_state(trigger_detail::min_state("fire-time"));
      auto next = ctx.get_partitioned_state(trigger_detail::min_state("fire-time")).get();
      if (next) ctx.register_processing_time_timer(*next);
    }
    void clear(const W&, TriggerContext<W>& ctx) const override {
      auto& fire_time = ctx.get_partitioned_state(trigger_detail::min_state("fire-time"));
      if (auto next = fire_time.get()) ctx.delete_processing_time_timer(*next);
      fire_time.clear();
    }
    std::string to_string() const override {
      return "ContinuousProcessingTimeTrigger(" + std::to_string(interval_) + ")";
    }

   private:
    int64_t interval_;
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>(interval_);
  }

 private:
  explicit ContinuousProcessingTimeTrigger(int64_t interval) : interval_(interval) {
    if (interval <= 0) {
      throw std::invalid_argument("ContinuousProcessingTimeTrigger interval must be positive");
    }
  }
  int64_t interval_;
};

// Never fires: the default of GlobalWindows, which only fire through a trigger the user sets.
class NeverTrigger {
 public:
  static NeverTrigger create() { return {}; }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    TriggerResult on_element(const T&, int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_event_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    TriggerResult on_processing_time(int64_t, const W&, TriggerContext<W>&) const override {
      return TriggerResult::CONTINUE;
    }
    bool can_merge() const override { return true; }
    void clear(const W&, TriggerContext<W>&) const override {}
    std::string to_string() const override { return "NeverTrigger()"; }
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>();
  }
};

// Turns every FIRE of the inner trigger into FIRE_AND_PURGE: a window's contents are emitted
// once and then discarded.
template <class Inner>
class PurgingTrigger {
 public:
  static PurgingTrigger of(Inner inner) { return PurgingTrigger(std::move(inner)); }

  template <class T, class W>
  class Bound final : public Trigger<T, W> {
   public:
    explicit Bound(std::shared_ptr<const Trigger<T, W>> inner) : inner_(std::move(inner)) {}
    TriggerResult on_element(const T& e, int64_t ts, const W& w,
                             TriggerContext<W>& ctx) const override {
      return purging(inner_->on_element(e, ts, w, ctx));
    }
    TriggerResult on_event_time(int64_t t, const W& w, TriggerContext<W>& ctx) const override {
      return purging(inner_->on_event_time(t, w, ctx));
    }
    TriggerResult on_processing_time(int64_t t, const W& w, TriggerContext<W>& ctx) const override {
      return purging(inner_->on_processing_time(t, w, ctx));
    }
    bool can_merge() const override { return inner_->can_merge(); }
    void on_merge(const W& w, OnMergeContext<W>& ctx) const override { inner_->on_merge(w, ctx); }
    void clear(const W& w, TriggerContext<W>& ctx) const override { inner_->clear(w, ctx); }
    std::string to_string() const override { return "PurgingTrigger(" + inner_->to_string() + ")"; }

   private:
    static TriggerResult purging(TriggerResult r) {
      return is_fire(r) ? TriggerResult::FIRE_AND_PURGE : r;
    }
    std::shared_ptr<const Trigger<T, W>> inner_;
  };
  template <class T, class W>
  std::shared_ptr<const Trigger<T, W>> bind() const {
    return std::make_shared<Bound<T, W>>(bind_trigger<T, W>(inner_));
  }

 private:
  explicit PurgingTrigger(Inner inner) : inner_(std::move(inner)) {}
  Inner inner_;
};

// A trigger for elements T in windows W: a built-in trigger value, or a user Trigger<T, W>.
template <class T, class W, class X>
std::shared_ptr<const Trigger<T, W>> bind_trigger(const X& trigger) {
  if constexpr (std::is_base_of_v<Trigger<T, W>, X>) {
    return std::make_shared<X>(trigger);
  } else {
    return trigger.template bind<T, W>();
  }
}

}  // namespace eddy
