// The base of operators with one input: the operator is itself the Output its predecessor in the
// chain (or the network dispatcher) pushes into.
#pragma once

#include <utility>

#include "eddy/api/functions.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class In>
class OneInputOperator : public StreamOperator, public Output<In> {
 public:
  OutputBase* input(int) override { return this; }
};

// Holds a user function and forwards the rich-function life cycle to it.
template <class In, class F>
class UdfOperator : public OneInputOperator<In> {
 public:
  explicit UdfOperator(F fn) : fn_(std::move(fn)) {}
  void open(RuntimeContext& ctx) override { function_detail::open_if_rich(fn_, ctx); }
  void close() override { function_detail::close_if_rich(fn_); }

 protected:
  F fn_;
};

}  // namespace eddy::runtime
