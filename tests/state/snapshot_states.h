// One state of every kind (and a windowed list) with known contents for 500 keys, for the tests
// that snapshot a backend and compare what another backend restores: fill() writes them, read()
// renders what a key holds as one comparable string.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "eddy/state/keyed_state_backend.h"
#include "eddy/windowing/time_window.h"

namespace eddy::snapshot_states {

constexpr int kMax = 128;
constexpr int kKeys = 500;

struct SumInts : AggregateFunction<int, int64_t, int64_t> {
  int64_t create_accumulator() override { return 0; }
  int64_t add(const int& v, int64_t acc) override { return acc + v; }
  int64_t get_result(const int64_t& acc) override { return acc; }
  int64_t merge(int64_t a, const int64_t& b) override { return a + b; }
};

// The states of one backend, all fetched from their descriptors.
struct States {
  explicit States(KeyedStateBackend& b)
      : value(b.get_state(ValueStateDescriptor<std::string>("value"))),
        list(b.get_list_state(ListStateDescriptor<int>("list"))),
        map(b.get_map_state(MapStateDescriptor<std::string, int>("map"))),
        reducing(b.get_reducing_state(
            ReducingStateDescriptor<int>("reducing", [](int a, int b) { return a + b; }))),
        aggregating(b.get_aggregating_state(AggregatingStateDescriptor<int, int64_t, int64_t>(
            "aggregating", std::make_shared<SumInts>()))),
        windowed(b.get_partitioned_state<TimeWindow>(ListStateDescriptor<int>("windowed"))) {}
  ValueState<std::string>& value;
  ListState<int>& list;
  MapState<std::string, int>& map;
  ReducingState<int>& reducing;
  AggregatingState<int, int64_t>& aggregating;
  state::InternalListState<TimeWindow, int>& windowed;
};

inline void fill(KeyedStateBackend& backend) {
  States s(backend);
  for (int k = 0; k < kKeys; ++k) {
    set_current_key_of(backend, k);
    s.value.update("v" + std::to_string(k));
    s.list.add_all({k, k + 1});
    s.map.put("m", k);
    s.reducing.add(k);
    s.reducing.add(1);
    s.aggregating.add(k);
    for (int w = 0; w < k % 3; ++w) {
      s.windowed.set_current_namespace(TimeWindow(w * 10, w * 10 + 10));
      s.windowed.add(k * 100 + w);
    }
  }
}

// What key k holds in a backend that owns it, as one comparable string.
inline std::string read(KeyedStateBackend& backend, States& s, int k) {
  set_current_key_of(backend, k);
  std::string out = s.value.value().value_or("-") + "|";
  for (int v : s.list.get()) out += std::to_string(v) + ",";
  out += "|" + std::to_string(s.map.get("m").value_or(-1));
  out += "|" + std::to_string(s.reducing.get().value_or(-1));
  out += "|" + std::to_string(s.aggregating.get().value_or(-1));
  for (int w = 0; w < 3; ++w) {
    s.windowed.set_current_namespace(TimeWindow(w * 10, w * 10 + 10));
    for (int v : s.windowed.get()) out += "|w" + std::to_string(v);
  }
  return out;
}

}  // namespace eddy::snapshot_states
