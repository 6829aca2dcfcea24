// Stateless record-at-a-time operators: map, flat_map, filter and process.
#pragma once

#include <type_traits>
#include <utility>

#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy::runtime {

template <class In, class Out, class F>
class MapOperator final : public UdfOperator<In, F, MapOperator<In, Out, F>> {
 public:
  MapOperator(F fn, Output<Out>* out) : MapOperator::FunctionOperator(std::move(fn)), out_(out) {}
  void process_element(In&& record) { out_->push(Out(this->fn_(record))); }

 private:
  Output<Out>* out_;
};

// F is either f(const In&, Collector<Out>&) or f(const In&) -> a range of Out.
template <class In, class Out, class F>
class FlatMapOperator final : public UdfOperator<In, F, FlatMapOperator<In, Out, F>> {
 public:
  FlatMapOperator(F fn, Output<Out>* out)
      : FlatMapOperator::FunctionOperator(std::move(fn)), out_(out), collector_(out) {}
  void process_element(In&& record) {
    if constexpr (std::is_invocable_v<F&, In&, Collector<Out>&>) {
      this->fn_(record, collector_);
    } else {
      for (auto&& result : this->fn_(record)) out_->push(Out(std::move(result)));
    }
  }

 private:
  Output<Out>* out_;
  Collector<Out> collector_;
};

template <class T, class F>
class FilterOperator final : public UdfOperator<T, F, FilterOperator<T, F>> {
 public:
  FilterOperator(F fn, Output<T>* out)
      : FilterOperator::FunctionOperator(std::move(fn)), out_(out) {}
  void process_element(T&& record) {
    if (this->fn_(static_cast<const T&>(record))) out_->push(std::move(record));
  }

 private:
  Output<T>* out_;
};

template <class In, class Out, class F>
class ProcessOperator final : public UdfOperator<In, F, ProcessOperator<In, Out, F>> {
 public:
  ProcessOperator(F fn, const OperatorOutputs& outputs)
      : ProcessOperator::FunctionOperator(std::move(fn)),
        side_(outputs.side),
        collector_(outputs.main_as<Out>()),
        ctx_(&side_, outputs.record_context, this->current_watermark_ptr(),
             outputs.processing_time) {}
  void process_element(In&& record) { this->fn_.process_element(record, ctx_, collector_); }

 private:
  std::map<std::string, OutputBase*> side_;
  Collector<Out> collector_;
  typename F::Context ctx_;
};

}  // namespace eddy::runtime
