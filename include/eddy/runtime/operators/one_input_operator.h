// The base of operators with one input: the operator is itself the Output its predecessor in the
// chain (or the network dispatcher) pushes into. Derived (CRTP) implements
// `void process_element(In&& record)`.
#pragma once

#include <utility>

#include "eddy/api/functions.h"
#include "eddy/runtime/operators/function_operator.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class In, class Derived>
class OneInputOperator : public StreamOperator, public Output<In> {
 public:
  OutputBase* input(int) override { return this; }
  // Every record reaches Derived::process_element here, so a failure in any operator is reported
  // as that operator's; the dispatch is static, so this costs no second virtual call.
  void push(In&& record) final {
    this->guarded([&] { static_cast<Derived*>(this)->process_element(std::move(record)); });
  }
  void emit_watermark(int64_t watermark) final {
    this->guarded([&] { this->advance_watermark(watermark); });
  }
};

// A one-input operator around a user function.
template <class In, class F, class Derived>
using UdfOperator = FunctionOperator<OneInputOperator<In, Derived>, F>;

}  // namespace eddy::runtime
