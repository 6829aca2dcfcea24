// The keyed state a user function reads and writes. Every access is scoped to the key of the
// record being processed (and, for window state, to the current window): two keys never see
// each other's values. A state object is used by its subtask's thread only.
// Values are copied in and out; a value read and then modified must be written back.
#pragma once

#include <optional>
#include <utility>
#include <vector>

namespace eddy {

class State {
 public:
  virtual ~State() = default;
  // Removes the value of the current key (and namespace); its memory is freed.
  virtual void clear() = 0;
};

// One value per key.
template <class V>
class ValueState : public State {
 public:
  // The value, or the descriptor's default (std::nullopt without one) when nothing is stored.
  virtual std::optional<V> value() = 0;
  virtual void update(V value) = 0;
};

// A list of values per key, in insertion order.
template <class V>
class ListState : public State {
 public:
  // The elements; empty when nothing is stored.
  virtual std::vector<V> get() = 0;
  virtual void add(V value) = 0;
  virtual void add_all(std::vector<V> values) = 0;
  // Replaces the list; an empty list clears the state.
  virtual void update(std::vector<V> values) = 0;
};

// A map per key. Iteration order (items, keys, values) is unspecified.
template <class UK, class UV>
class MapState : public State {
 public:
  virtual std::optional<UV> get(const UK& key) = 0;
  virtual void put(UK key, UV value) = 0;
  // Puts every pair; a key given twice keeps its last value.
  virtual void put_all(std::vector<std::pair<UK, UV>> entries) = 0;
  virtual void remove(const UK& key) = 0;
  virtual bool contains(const UK& key) = 0;
  virtual std::vector<std::pair<UK, UV>> items() = 0;
  virtual std::vector<UK> keys() = 0;
  virtual std::vector<UV> values() = 0;
  virtual bool is_empty() = 0;
};

// One value per key, combined with each added value by the descriptor's reduce function.
template <class V>
class ReducingState : public State {
 public:
  virtual std::optional<V> get() = 0;
  virtual void add(V value) = 0;
};

// An accumulator per key, fed by add() through the descriptor's AggregateFunction; get()
// returns get_result(accumulator).
template <class In, class Out>
class AggregatingState : public State {
 public:
  virtual std::optional<Out> get() = 0;
  virtual void add(const In& value) = 0;
};

}  // namespace eddy
