// Operators of the Broadcast State Pattern (api/broadcast_functions.h). Input 1 is the
// non-broadcast stream (keyed or not), input 2 the broadcast stream, which reaches every subtask
// through a BROADCAST edge. Each subtask owns its broadcast states (BroadcastStates); only
// input 2 is given a writable view of them. As with every two-input operator, the records of
// the two inputs are seen in arrival order, which the operator does not control.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "eddy/api/broadcast_functions.h"
#include "eddy/runtime/operators/keyed_function_runtime.h"
#include "eddy/runtime/operators/two_input_operators.h"

namespace eddy::runtime {

using broadcast_detail::BroadcastStates;
using broadcast_detail::BroadcastStateSpecs;

template <class In1, class In2, class Out, class F>
class BroadcastProcessOperator final : public TwoInputOperator<In1, In2, F> {
 public:
  BroadcastProcessOperator(F fn, const BroadcastStateSpecs& specs, const OperatorOutputs& outputs)
      : TwoInputOperator<In1, In2, F>(std::move(fn)),
        states_(specs),
        side_(outputs.side),
        collector_(outputs.main_as<Out>()),
        read_only_context_(&side_, outputs.record_context, this->current_watermark_ptr(),
                           outputs.processing_time),
        context_(&side_, outputs.record_context, this->current_watermark_ptr(),
                 outputs.processing_time) {
    read_only_context_.attach_broadcast_states(&states_);
    context_.attach_broadcast_states(&states_);
  }

  void open(RuntimeContext& ctx) override {
    states_.open(ctx.get_operator_state_store());
    TwoInputOperator<In1, In2, F>::open(ctx);
  }

 protected:
  void process_element1(In1&& r) override {
    this->fn_.process_element(r, read_only_context_, collector_);
  }
  void process_element2(In2&& r) override {
    this->fn_.process_broadcast_element(r, context_, collector_);
  }

 private:
  BroadcastStates states_;
  std::map<std::string, OutputBase*> side_;
  Collector<Out> collector_;
  typename F::ReadOnlyContext read_only_context_;
  typename F::Context context_;
};

namespace broadcast_detail {

// What KeyedFunctionRuntime runs timers on: the keyed side's contexts of a
// KeyedBroadcastProcessFunction, and its on_timer.
template <class F>
class KeyedBroadcastTimerTarget {
 public:
  using Context = typename F::ReadOnlyContext;
  using OnTimerContext = typename F::OnTimerContext;

  KeyedBroadcastTimerTarget(F* fn, BroadcastStates* states) : fn_(fn), states_(states) {}

  void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<typename F::OutputType>& out) {
    // The runtime builds the timer context itself; attaching here reaches it without a hook.
    ctx.attach_broadcast_states(states_);
    fn_->on_timer(timestamp, ctx, out);
  }

 private:
  F* fn_;
  BroadcastStates* states_;
};

}  // namespace broadcast_detail

// Input 1 is keyed by `KS` (hash-partitioned upstream); keyed state and timers are those of
// KeyedFunctionRuntime, as in KeyedCoProcessOperator.
template <class K, class In1, class In2, class Out, class KS, class F>
class KeyedBroadcastProcessOperator final : public TwoInputOperator<In1, In2, F> {
 public:
  KeyedBroadcastProcessOperator(F fn, KS key_selector, const BroadcastStateSpecs& specs,
                                const OperatorOutputs& outputs)
      : TwoInputOperator<In1, In2, F>(std::move(fn)),
        key_selector_(std::move(key_selector)),
        states_(specs),
        timer_target_(&this->fn_, &states_),
        function_(outputs, *this, timer_target_),
        side_(outputs.side),
        broadcast_context_(&side_, outputs.record_context, this->current_watermark_ptr(),
                           outputs.processing_time) {
    function_.context().attach_broadcast_states(&states_);
    broadcast_context_.attach_broadcast_states(&states_);
  }

  void open(RuntimeContext& ctx) override {
    states_.open(ctx.get_operator_state_store());
    function_.open(ctx);
    broadcast_context_.attach_keyed_state(function_.state_backend(), [this](K key) -> const K& {
      return select_key_with_state(std::move(key));
    });
    TwoInputOperator<In1, In2, F>::open(ctx);
  }

  void snapshot_state(StateSnapshotContext& ctx) override {
    function_.snapshot(ctx);
    KeyedBroadcastProcessOperator::FunctionOperator::snapshot_state(ctx);
  }

  // Due timers fire before the watermark moves on, so their output precedes it.
  void process_watermark(int64_t watermark) override {
    function_.fire_event_time_timers(watermark);
    StreamOperator::process_watermark(watermark);
  }

 protected:
  void process_element1(In1&& r) override {
    select_key(key_selector_(static_cast<const In1&>(r)));
    this->fn_.process_element(r, function_.context(), function_.collector());
  }
  void process_element2(In2&& r) override {
    this->fn_.process_broadcast_element(r, broadcast_context_, function_.collector());
  }

 private:
  // Keeps the key in the operator, so the runtime's pointer to it stays valid between records.
  const K& select_key(K key) {
    current_key_.emplace(std::move(key));
    function_.set_current_key(*current_key_);
    return *current_key_;
  }

  // For apply_to_keyed_state, which reads state the function may never have asked the
  // RuntimeContext for: positions the backend whether or not the function uses keyed state.
  const K& select_key_with_state(K key) {
    const K& selected = select_key(std::move(key));
    if constexpr (Serializable<K>) {
      KeyedStateBackend* backend = function_.state_backend();
      if (backend != nullptr) set_current_key_of(*backend, selected);
    }
    return selected;
  }

  KS key_selector_;
  BroadcastStates states_;
  broadcast_detail::KeyedBroadcastTimerTarget<F> timer_target_;
  KeyedFunctionRuntime<K, Out, broadcast_detail::KeyedBroadcastTimerTarget<F>> function_;
  std::map<std::string, OutputBase*> side_;
  std::optional<K> current_key_;
  typename F::Context broadcast_context_;
};

}  // namespace eddy::runtime
