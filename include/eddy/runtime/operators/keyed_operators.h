// Operators on a keyed stream. Their input arrives hash-partitioned, so every key is seen by
// exactly one subtask.
#pragma once

#include <unordered_map>
#include <utility>

#include "eddy/core/key_hash.h"
#include "eddy/runtime/operators/keyed_function_runtime.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy::runtime {

// Rolling reduce: emits the new aggregate of the record's key after every record.
template <class T, class K, class KeySelector, class F>
class KeyedReduceOperator final
    : public UdfOperator<T, F, KeyedReduceOperator<T, K, KeySelector, F>> {
 public:
  KeyedReduceOperator(F fn, KeySelector key_selector, Output<T>* out)
      : KeyedReduceOperator::UdfOperator(std::move(fn)),
        key_selector_(std::move(key_selector)),
        out_(out) {}

  void process_element(T&& record) {
    K key = key_selector_(static_cast<const T&>(record));
    auto it = values_.find(key);
    if (it == values_.end()) {
      it = values_.emplace(std::move(key), std::move(record)).first;
    } else {
      it->second = this->fn_(static_cast<const T&>(it->second), static_cast<const T&>(record));
    }
    out_->collect(static_cast<const T&>(it->second));
  }

 private:
  KeySelector key_selector_;
  Output<T>* out_;
  std::unordered_map<K, T, KeyHasher> values_;
};

template <class K, class In, class Out, class KeySelector, class F>
class KeyedProcessOperator final
    : public UdfOperator<In, F, KeyedProcessOperator<K, In, Out, KeySelector, F>> {
 public:
  KeyedProcessOperator(F fn, KeySelector key_selector, const OperatorOutputs& outputs)
      : KeyedProcessOperator::UdfOperator(std::move(fn)),
        key_selector_(std::move(key_selector)),
        function_(outputs, *this, this->fn_) {}

  void open(RuntimeContext& ctx) override {
    function_.open(ctx);
    KeyedProcessOperator::UdfOperator::open(ctx);
  }

  void process_element(In&& record) {
    K key = key_selector_(static_cast<const In&>(record));
    function_.set_current_key(key);
    this->fn_.process_element(record, function_.context(), function_.collector());
  }

  // Due timers fire before the watermark moves on, so their output precedes it.
  void process_watermark(int64_t watermark) override {
    function_.fire_event_time_timers(watermark);
    StreamOperator::process_watermark(watermark);
  }

 private:
  KeySelector key_selector_;
  KeyedFunctionRuntime<K, Out, F> function_;
};

}  // namespace eddy::runtime
