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
      : KeyedReduceOperator::FunctionOperator(std::move(fn)),
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

  void open(RuntimeContext& ctx) override {
    max_parallelism_ = ctx.get_max_number_of_parallel_subtasks();
    if (const OperatorRestore* restore = ctx.get_restore()) {
      if constexpr (Serializable<K> && Serializable<T>) {
        auto [first, last] = key_group_range_of(ctx);
        read_by_key_group(*restore, kValuesName, first, last, [&](DataInputView& in) {
          K key = TypeSerializer<K>::deserialize(in);
          values_.insert_or_assign(std::move(key), TypeSerializer<T>::deserialize(in));
        });
      }
    }
    KeyedReduceOperator::FunctionOperator::open(ctx);
  }

  // The rolling values live in a hash map, not the state backend (one lookup per record); a
  // checkpoint writes them by key group.
  void snapshot_state(StateSnapshotContext& ctx) override {
    if (!values_.empty() && ctx.takes_state()) {
      if constexpr (Serializable<K> && Serializable<T>) {
        ctx.write_by_key_group(
            kValuesName, max_parallelism_, values_,
            [](const auto& entry) -> const K& { return entry.first; },
            [](const auto& entry, DataOutputView& out) {
              TypeSerializer<K>::serialize(entry.first, out);
              TypeSerializer<T>::serialize(entry.second, out);
            });
      } else {
        throw StateException("cannot checkpoint the rolling values of " + this->description() +
                             ": key type " + type_name<K>() + " or value type " + type_name<T>() +
                             " has no TypeSerializer");
      }
    }
    KeyedReduceOperator::FunctionOperator::snapshot_state(ctx);
  }

 private:
  static constexpr const char* kValuesName = "rolling-values";

  KeySelector key_selector_;
  Output<T>* out_;
  std::unordered_map<K, T, KeyHasher> values_;
  int max_parallelism_ = 0;
};

template <class K, class In, class Out, class KeySelector, class F>
class KeyedProcessOperator final
    : public UdfOperator<In, F, KeyedProcessOperator<K, In, Out, KeySelector, F>> {
 public:
  KeyedProcessOperator(F fn, KeySelector key_selector, const OperatorOutputs& outputs)
      : KeyedProcessOperator::FunctionOperator(std::move(fn)),
        key_selector_(std::move(key_selector)),
        function_(outputs, *this, this->fn_) {}

  void open(RuntimeContext& ctx) override {
    function_.open(ctx);
    KeyedProcessOperator::FunctionOperator::open(ctx);
  }

  void process_element(In&& record) {
    K key = key_selector_(static_cast<const In&>(record));
    function_.set_current_key(key);
    this->fn_.process_element(record, function_.context(), function_.collector());
  }

  void snapshot_state(StateSnapshotContext& ctx) override {
    function_.snapshot(ctx);
    KeyedProcessOperator::FunctionOperator::snapshot_state(ctx);
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
