// State descriptors name a piece of state and fix its kind and types. A function creates them
// (usually in open()) and asks the runtime context for the state:
//   ValueStateDescriptor<int64_t> count("count", 0);
//   ValueState<int64_t>& state = ctx.get_state(count);
// The name identifies the state within one operator; asking again with the same name returns
// the same state, and asking with another kind or type is an error.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "eddy/state/aggregate_function.h"
#include "eddy/state/state_exception.h"
#include "eddy/state/state_ttl_config.h"

namespace eddy {

enum class StateKind { kValue, kList, kMap, kReducing, kAggregating };

// "ValueState", "ListState", ... for messages.
std::string_view state_kind_name(StateKind kind);

class StateDescriptorBase {
 public:
  using Kind = StateKind;

  virtual ~StateDescriptorBase() = default;

  const std::string& name() const { return name_; }
  StateKind kind() const { return kind_; }

  // Values of this state expire as configured. Throws StateException for a config whose update
  // type is Disabled (leave TTL off instead).
  void enable_time_to_live(const StateTtlConfig& config);
  const std::optional<StateTtlConfig>& ttl_config() const { return ttl_config_; }

 protected:
  // Throws StateException for an empty name.
  StateDescriptorBase(std::string name, StateKind kind);

 private:
  std::string name_;
  StateKind kind_;
  std::optional<StateTtlConfig> ttl_config_;
};

template <class V>
class ValueStateDescriptor : public StateDescriptorBase {
 public:
  using ValueType = V;

  explicit ValueStateDescriptor(std::string name)
      : StateDescriptorBase(std::move(name), StateKind::kValue) {}
  // value() returns `default_value` while the state holds nothing.
  ValueStateDescriptor(std::string name, V default_value)
      : StateDescriptorBase(std::move(name), StateKind::kValue),
        default_value_(std::move(default_value)) {}

  const std::optional<V>& default_value() const { return default_value_; }

 private:
  std::optional<V> default_value_;
};

template <class V>
class ListStateDescriptor : public StateDescriptorBase {
 public:
  using ElementType = V;

  explicit ListStateDescriptor(std::string name)
      : StateDescriptorBase(std::move(name), StateKind::kList) {}
};

// Describes keyed MapState and, with the same types, broadcast state.
template <class UK, class UV>
class MapStateDescriptor : public StateDescriptorBase {
 public:
  using KeyType = UK;
  using ValueType = UV;

  explicit MapStateDescriptor(std::string name)
      : StateDescriptorBase(std::move(name), StateKind::kMap) {}
};

template <class V>
class ReducingStateDescriptor : public StateDescriptorBase {
 public:
  using ValueType = V;
  using ReduceFunction = std::function<V(const V&, const V&)>;

  // REQUIRES: reduce is associative; it combines the stored value (first) with a new one.
  ReducingStateDescriptor(std::string name, ReduceFunction reduce)
      : StateDescriptorBase(std::move(name), StateKind::kReducing), reduce_(std::move(reduce)) {
    if (!reduce_)
      throw StateException("ReducingStateDescriptor '" + this->name() + "': no reduce function");
  }

  const ReduceFunction& reduce_function() const { return reduce_; }

 private:
  ReduceFunction reduce_;
};

template <class In, class Acc, class Out>
class AggregatingStateDescriptor : public StateDescriptorBase {
 public:
  using Function = AggregateFunction<In, Acc, Out>;

  AggregatingStateDescriptor(std::string name, std::shared_ptr<Function> function)
      : StateDescriptorBase(std::move(name), StateKind::kAggregating),
        function_(std::move(function)) {
    if (!function_) {
      throw StateException("AggregatingStateDescriptor '" + this->name() +
                           "': no aggregate function");
    }
  }

  // Takes any AggregateFunction subclass by value: ("avg", Average{}).
  template <class F>
  requires std::derived_from<std::decay_t<F>, Function> AggregatingStateDescriptor(std::string name,
                                                                                   F&& function)
      : AggregatingStateDescriptor(std::move(name),
                                   std::make_shared<std::decay_t<F>>(std::forward<F>(function))) {}

  // Shared by every state created from this descriptor (and its copies).
  const std::shared_ptr<Function>& aggregate_function() const { return function_; }

 private:
  std::shared_ptr<Function> function_;
};

// AggregatingStateDescriptor("avg", Average{}) deduces its types from the function.
template <class F>
AggregatingStateDescriptor(std::string, F)
    -> AggregatingStateDescriptor<typename F::InputType, typename F::AccumulatorType,
                                  typename F::OutputType>;

}  // namespace eddy
