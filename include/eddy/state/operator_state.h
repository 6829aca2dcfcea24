// Operator (non-keyed) state: state of one operator subtask, not scoped to a key. A source keeps
// its offsets in it, a sink its pending transactions. List state is redistributed on rescaling
// by even split (get_list_state) or union (get_union_list_state), see
// operator_state_redistribution.h; broadcast state is the same map on every subtask.
// An OperatorStateStore belongs to its subtask's thread. States are created on first request
// and cached by name; a name used again with another mode or type throws StateException.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "eddy/core/type_name.h"
#include "eddy/state/broadcast_state.h"
#include "eddy/state/operator_state_redistribution.h"
#include "eddy/state/state.h"
#include "eddy/state/state_descriptor.h"

namespace eddy {

enum class OperatorStateMode { kSplitDistribute, kUnion, kBroadcast };

namespace state {

// An operator list state: one in-memory list for the whole subtask.
template <class V>
class PartitionableListState final : public ListState<V> {
 public:
  std::vector<V> get() override { return elements_; }
  void add(V value) override { elements_.push_back(std::move(value)); }
  void add_all(std::vector<V> values) override {
    elements_.insert(elements_.end(), std::make_move_iterator(values.begin()),
                     std::make_move_iterator(values.end()));
  }
  void update(std::vector<V> values) override { elements_ = std::move(values); }
  void clear() override { elements_.clear(); }

 private:
  std::vector<V> elements_;
};

}  // namespace state

class OperatorStateStore {
 public:
  template <class V>
  ListState<V>& get_list_state(const ListStateDescriptor<V>& descriptor) {
    return get_or_create<state::PartitionableListState<V>>(descriptor.name(),
                                                           OperatorStateMode::kSplitDistribute);
  }
  template <class V>
  ListState<V>& get_union_list_state(const ListStateDescriptor<V>& descriptor) {
    return get_or_create<state::PartitionableListState<V>>(descriptor.name(),
                                                           OperatorStateMode::kUnion);
  }
  template <class K, class V>
  BroadcastState<K, V>& get_broadcast_state(const MapStateDescriptor<K, V>& descriptor) {
    return get_or_create<BroadcastState<K, V>>(descriptor.name(), OperatorStateMode::kBroadcast);
  }

  // Names of the registered states, sorted.
  std::vector<std::string> state_names() const;

 private:
  using DescribeType = std::string (*)();

  struct Registered {
    OperatorStateMode mode;
    std::type_index type;
    DescribeType describe;
    std::unique_ptr<State> state;
  };

  template <class S>
  S& get_or_create(const std::string& name, OperatorStateMode mode) {
    if (State* existing = find(name, mode, typeid(S), &type_name<S>)) {
      // find() checked that the state was created as an S.
      return static_cast<S&>(*existing);
    }
    auto created = std::make_unique<S>();
    S& result = *created;
    states_.emplace(name, Registered{mode, typeid(S), &type_name<S>, std::move(created)});
    return result;
  }

  // The state registered as `name`, nullptr if none; throws StateException if it was registered
  // with another mode or type.
  State* find(const std::string& name, OperatorStateMode mode, std::type_index type,
              DescribeType describe) const;

  std::map<std::string, Registered> states_;
};

}  // namespace eddy
