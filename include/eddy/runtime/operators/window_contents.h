// What a window operator keeps per key and window, in the keyed state backend (namespace = the
// window), and how a firing window hands it to the window function:
//  - IncrementalContents: one accumulator of an AggregateFunction (reduce and aggregate), so a
//    window costs one value however many elements it has;
//  - BufferedContents: every element with its timestamp (process functions, evictors).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/aggregate_function.h"
#include "eddy/state/keyed_state_backend.h"
#include "eddy/state/state_descriptor.h"
#include "eddy/windowing/timestamped_value.h"

namespace eddy::runtime {

// Folds elements with a reduce function: the accumulator is the reduced value, once there is one.
template <class T, class F>
class ReduceAggregate final : public AggregateFunction<T, std::optional<T>, T> {
 public:
  explicit ReduceAggregate(F reduce) : reduce_(std::move(reduce)) {}
  std::optional<T> create_accumulator() override { return std::nullopt; }
  std::optional<T> add(const T& value, std::optional<T> acc) override {
    if (!acc) return value;
    return reduce_(static_cast<const T&>(*acc), value);
  }
  T get_result(const std::optional<T>& acc) override { return *acc; }
  std::optional<T> merge(std::optional<T> a, const std::optional<T>& b) override {
    if (!a) return b;
    if (!b) return a;
    return reduce_(static_cast<const T&>(*a), static_cast<const T&>(*b));
  }

 private:
  F reduce_;
};

template <class In, class Acc, class R, class W>
class IncrementalContents {
 public:
  using Result = R;
  explicit IncrementalContents(std::shared_ptr<AggregateFunction<In, Acc, R>> function)
      : function_(std::move(function)) {}

  void open(KeyedStateBackend& backend) {
    state_ = &backend.template get_partitioned_state<W>(
        AggregatingStateDescriptor<In, Acc, R>("window-contents", function_));
  }
  void set_window(const W& window) { state_->set_current_namespace(window); }
  void add(const In& element, int64_t) { state_->add(element); }
  void clear() { state_->clear(); }
  void merge(const W& target, const std::vector<W>& sources) {
    state_->merge_namespaces(target, sources);
  }
  // Calls emit(result) if the current window has contents.
  template <class Emit>
  void fire(const W&, int64_t, Emit&& emit) {
    if (std::optional<R> result = state_->get()) emit(std::move(*result));
  }

 private:
  std::shared_ptr<AggregateFunction<In, Acc, R>> function_;
  typename state::StateTypes<W, AggregatingStateDescriptor<In, Acc, R>>::Internal* state_ = nullptr;
};

// Evicts elements of a firing window before and/or after the window function (Flink's Evictor).
template <class In, class W>
struct EvictorFunctions {
  using Evict = std::function<void(std::vector<TimestampedValue<In>>&, const W&, int64_t)>;
  Evict before;
  Evict after;
};

template <class In, class W>
class BufferedContents {
 public:
  using Result = std::vector<In>;
  explicit BufferedContents(std::optional<EvictorFunctions<In, W>> evictor = std::nullopt)
      : evictor_(std::move(evictor)) {}

  void open(KeyedStateBackend& backend) {
    state_ = &backend.template get_partitioned_state<W>(
        ListStateDescriptor<TimestampedValue<In>>("window-contents"));
  }
  void set_window(const W& window) { state_->set_current_namespace(window); }
  void add(const In& element, int64_t timestamp) {
    state_->add(TimestampedValue<In>(element, timestamp));
  }
  void clear() { state_->clear(); }
  void merge(const W& target, const std::vector<W>& sources) {
    state_->merge_namespaces(target, sources);
  }
  template <class Emit>
  void fire(const W& window, int64_t watermark, Emit&& emit) {
    std::vector<TimestampedValue<In>> elements = state_->get();
    if (elements.empty()) return;
    if (!evictor_) {
      emit(values_of(elements));
      return;
    }
    // As Flink's evicting operator: evict, apply, evict, and keep what remains.
    evictor_->before(elements, window, watermark);
    emit(values_of(elements));
    evictor_->after(elements, window, watermark);
    state_->update(std::move(elements));
  }

 private:
  static std::vector<In> values_of(const std::vector<TimestampedValue<In>>& elements) {
    std::vector<In> values;
    values.reserve(elements.size());
    for (const auto& e : elements) values.push_back(e.value);
    return values;
  }

  std::optional<EvictorFunctions<In, W>> evictor_;
  typename state::StateTypes<W, ListStateDescriptor<TimestampedValue<In>>>::Internal* state_ =
      nullptr;
};

}  // namespace eddy::runtime
