// Keyed state snapshots: every kind of state, in the void namespace and in window namespaces,
// survives snapshot() → restore() into backends of other key-group ranges (rescaling 1 → 3 and
// back), with TTL timestamps; unserializable values and corrupted bytes are reported with the
// state's name.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/state/state_exception.h"
#include "eddy/windowing/time_window.h"

namespace eddy {
namespace {

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

void fill(HeapKeyedStateBackend& backend) {
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
std::string read(KeyedStateBackend& backend, States& s, int k) {
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

int owner_of(int key, const std::vector<std::pair<int, int>>& ranges) {
  const int group = assign_to_key_group(key, kMax);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (group >= ranges[i].first && group <= ranges[i].second) return static_cast<int>(i);
  }
  return -1;
}

TEST(SnapshotTest, RestoresIntoOtherKeyGroupRangesAndBack) {
  HeapKeyedStateBackend original(0, kMax - 1, kMax);
  fill(original);
  States from(original);
  std::map<int, std::string> expected;
  for (int k = 0; k < kKeys; ++k) expected[k] = read(original, from, k);
  const KeyedStateSnapshot snapshot = original.snapshot();

  // Scale out to 3 backends: each key is found, whole, in exactly the one that owns it.
  const std::vector<std::pair<int, int>> ranges = {{0, 42}, {43, 85}, {86, kMax - 1}};
  std::vector<std::unique_ptr<HeapKeyedStateBackend>> parts;
  for (auto [first, last] : ranges) {
    parts.push_back(std::make_unique<HeapKeyedStateBackend>(first, last, kMax));
    parts.back()->restore(snapshot);  // before any state is requested: applied on first use
  }
  size_t entries = 0;
  for (int k = 0; k < kKeys; ++k) {
    auto& backend = *parts[static_cast<size_t>(owner_of(k, ranges))];
    States s(backend);
    EXPECT_EQ(read(backend, s, k), expected[k]) << "key " << k;
  }
  for (auto& p : parts) entries += p->num_entries();
  EXPECT_EQ(entries, original.num_entries());

  // Scale back in: the three snapshots restore into one backend equal to the original.
  HeapKeyedStateBackend merged(0, kMax - 1, kMax);
  States into(merged);  // states requested before the restore get their entries at once
  for (auto& p : parts) merged.restore(p->snapshot());
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(read(merged, into, k), expected[k]) << "key " << k;
  EXPECT_EQ(merged.num_entries(), original.num_entries());
}

TEST(SnapshotTest, TtlTimestampsSurviveTheSnapshot) {
  int64_t now = 1'000;
  auto ttl_descriptor = [] {
    ValueStateDescriptor<int> d("ttl");
    d.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(100)).build());
    return d;
  };
  HeapKeyedStateBackend before(0, kMax - 1, kMax);
  before.set_ttl_time_provider([&] { return now; });
  set_current_key_of(before, std::string("k"));
  before.get_state(ttl_descriptor()).update(7);
  const KeyedStateSnapshot snapshot = before.snapshot();

  HeapKeyedStateBackend after(0, kMax - 1, kMax);
  after.set_ttl_time_provider([&] { return now; });
  after.restore(snapshot);
  set_current_key_of(after, std::string("k"));
  ValueState<int>& restored = after.get_state(ttl_descriptor());
  now += 50;
  EXPECT_EQ(restored.value(), 7);
  now += 50;  // written at 1000: expired at 1100, not refreshed by the restore
  EXPECT_FALSE(restored.value().has_value());
}

struct Opaque {
  int x = 0;
};

TEST(SnapshotTest, UnserializableValuesAndCorruptedBytesNameTheState) {
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  set_current_key_of(backend, 1);
  backend.get_state(ValueStateDescriptor<Opaque>("opaque")).update(Opaque{1});
  try {
    backend.snapshot();
    FAIL() << "expected StateException";
  } catch (const StateException& e) {
    EXPECT_NE(std::string(e.what()).find("cannot snapshot state 'opaque'"), std::string::npos)
        << e.what();
  }

  HeapKeyedStateBackend good(0, kMax - 1, kMax);
  fill(good);
  KeyedStateSnapshot snapshot = good.snapshot();
  auto& [group, bytes] = *snapshot.key_groups.at("list").begin();
  bytes.resize(bytes.size() - 1);  // truncated
  HeapKeyedStateBackend target(0, kMax - 1, kMax);
  target.restore(snapshot);
  try {
    target.get_list_state(ListStateDescriptor<int>("list"));
    FAIL() << "expected StateException";
  } catch (const StateException& e) {
    EXPECT_NE(std::string(e.what()).find("cannot restore state 'list', key group " +
                                         std::to_string(group)),
              std::string::npos)
        << e.what();
  }
  HeapKeyedStateBackend other_max(0, 63, 64);
  EXPECT_THROW(other_max.restore(good.snapshot()), StateException);
}

}  // namespace
}  // namespace eddy
