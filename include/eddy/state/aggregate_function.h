// AggregateFunction: an incremental aggregation through a mutable accumulator, as PyFlink's
// AggregateFunction. AggregatingState and window aggregations call it; a single instance is used
// by one subtask's thread only.
#pragma once

namespace eddy {

template <class In, class Acc, class Out>
class AggregateFunction {
 public:
  using InputType = In;
  using AccumulatorType = Acc;
  using OutputType = Out;

  virtual ~AggregateFunction() = default;

  // A fresh accumulator: the aggregate of no values.
  virtual Acc create_accumulator() = 0;
  // Folds one value into the accumulator and returns the updated accumulator.
  virtual Acc add(const In& value, Acc accumulator) = 0;
  // The result for an accumulator; the accumulator stays usable afterwards.
  virtual Out get_result(const Acc& accumulator) = 0;
  // Combines two accumulators (used when session windows or namespaces merge).
  virtual Acc merge(Acc a, const Acc& b) = 0;
};

}  // namespace eddy
