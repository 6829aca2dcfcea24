// Operators over two connected streams. Each input gets its own Output adapter; the operator
// sees records of both inputs on one thread, in arrival order.
#pragma once

#include <algorithm>
#include <utility>

#include "eddy/api/functions.h"
#include "eddy/core/key_hash.h"
#include "eddy/runtime/operators/function_operator.h"
#include "eddy/runtime/operators/keyed_function_runtime.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class In1, class In2, class F>
class TwoInputOperator : public FunctionOperator<StreamOperator, F> {
 public:
  explicit TwoInputOperator(F fn)
      : FunctionOperator<StreamOperator, F>(std::move(fn)), first_(this), second_(this) {}
  OutputBase* input(int index) override {
    return index == 1 ? static_cast<OutputBase*>(&first_) : &second_;
  }

 protected:
  virtual void process_element1(In1&& record) = 0;
  virtual void process_element2(In2&& record) = 0;

  // The operator's event time is the minimum of its active inputs' watermarks; an idle input
  // (kIdleWatermark) does not hold it back, and when both are idle the operator is idle too.
  void on_input_watermark(int index, int64_t watermark) {
    const bool was_idle = idle1_ && idle2_;
    bool& idle = index == 1 ? idle1_ : idle2_;
    if (watermark == kIdleWatermark) {
      idle = true;
    } else {
      idle = false;
      (index == 1 ? watermark1_ : watermark2_) = watermark;
    }
    if (idle1_ && idle2_) {
      if (!was_idle) this->advance_watermark(kIdleWatermark);
      return;
    }
    const int64_t combined =
        idle1_ ? watermark2_ : (idle2_ ? watermark1_ : std::min(watermark1_, watermark2_));
    if (combined > this->current_watermark() || was_idle) {
      this->advance_watermark(std::max(combined, this->current_watermark()));
    }
  }

 private:
  template <class In, int Index>
  class Input final : public Output<In> {
   public:
    explicit Input(TwoInputOperator* op) : op_(op) {}
    void push(In&& record) override {
      op_->guarded([&] {
        if constexpr (Index == 1) {
          op_->process_element1(std::move(record));
        } else {
          op_->process_element2(std::move(record));
        }
      });
    }
    void emit_watermark(int64_t watermark) override {
      op_->guarded([&] { op_->on_input_watermark(Index, watermark); });
    }

   private:
    TwoInputOperator* op_;
  };
  Input<In1, 1> first_;
  Input<In2, 2> second_;
  int64_t watermark1_ = kMinWatermark;
  int64_t watermark2_ = kMinWatermark;
  bool idle1_ = false;
  bool idle2_ = false;
};

template <class In1, class In2, class Out, class F>
class CoMapOperator final : public TwoInputOperator<In1, In2, F> {
 public:
  CoMapOperator(F fn, Output<Out>* out) : TwoInputOperator<In1, In2, F>(std::move(fn)), out_(out) {}

 protected:
  void process_element1(In1&& r) override { out_->push(Out(this->fn_.map1(r))); }
  void process_element2(In2&& r) override { out_->push(Out(this->fn_.map2(r))); }

 private:
  Output<Out>* out_;
};

template <class In1, class In2, class Out, class F>
class CoFlatMapOperator final : public TwoInputOperator<In1, In2, F> {
 public:
  CoFlatMapOperator(F fn, Output<Out>* out)
      : TwoInputOperator<In1, In2, F>(std::move(fn)), collector_(out) {}

 protected:
  void process_element1(In1&& r) override { this->fn_.flat_map1(r, collector_); }
  void process_element2(In2&& r) override { this->fn_.flat_map2(r, collector_); }

 private:
  Collector<Out> collector_;
};

template <class In1, class In2, class Out, class F>
class CoProcessOperator final : public TwoInputOperator<In1, In2, F> {
 public:
  CoProcessOperator(F fn, const OperatorOutputs& outputs)
      : TwoInputOperator<In1, In2, F>(std::move(fn)),
        side_(outputs.side),
        collector_(outputs.main_as<Out>()),
        ctx_(&side_, outputs.record_context, this->current_watermark_ptr(),
             outputs.processing_time) {}

 protected:
  void process_element1(In1&& r) override { this->fn_.process_element1(r, ctx_, collector_); }
  void process_element2(In2&& r) override { this->fn_.process_element2(r, ctx_, collector_); }

 private:
  std::map<std::string, OutputBase*> side_;
  Collector<Out> collector_;
  typename F::Context ctx_;
};

// Both inputs are keyed with keys of one type K; records of equal keys meet in one subtask.
template <class K, class In1, class In2, class Out, class KS1, class KS2, class F>
class KeyedCoProcessOperator final : public TwoInputOperator<In1, In2, F> {
 public:
  KeyedCoProcessOperator(F fn, KS1 key1, KS2 key2, const OperatorOutputs& outputs)
      : TwoInputOperator<In1, In2, F>(std::move(fn)),
        key1_(std::move(key1)),
        key2_(std::move(key2)),
        function_(outputs, *this, this->fn_) {}

  void open(RuntimeContext& ctx) override {
    function_.open(ctx);
    TwoInputOperator<In1, In2, F>::open(ctx);
  }

  void snapshot_state(StateSnapshotContext& ctx) override {
    function_.snapshot(ctx);
    KeyedCoProcessOperator::FunctionOperator::snapshot_state(ctx);
  }

  // Due timers fire before the watermark moves on, so their output precedes it.
  void process_watermark(int64_t watermark) override {
    function_.fire_event_time_timers(watermark);
    StreamOperator::process_watermark(watermark);
  }

 protected:
  void process_element1(In1&& r) override {
    K key = key1_(static_cast<const In1&>(r));
    function_.set_current_key(key);
    this->fn_.process_element1(r, function_.context(), function_.collector());
  }
  void process_element2(In2&& r) override {
    K key = key2_(static_cast<const In2&>(r));
    function_.set_current_key(key);
    this->fn_.process_element2(r, function_.context(), function_.collector());
  }

 private:
  KS1 key1_;
  KS2 key2_;
  KeyedFunctionRuntime<K, Out, F> function_;
};

}  // namespace eddy::runtime
