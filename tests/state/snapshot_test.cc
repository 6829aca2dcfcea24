// Keyed state snapshots on each backend: every kind of state, in the void namespace and in window
// namespaces, survives snapshot() → restore() into backends of other key-group ranges (rescaling
// 1 → 3 and back), with TTL timestamps; unserializable values and corrupted bytes are reported
// with the state's name. Snapshots across backends (heap ↔ RocksDB) are in rocksdb_backend_test.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eddy/state/state_exception.h"
#include "eddy/windowing/time_window.h"
#include "state/backends.h"
#include "state/snapshot_states.h"

namespace eddy {
namespace {

using namespace snapshot_states;
using SnapshotTest = testing_backends::BackendTest;

int owner_of(int key, const std::vector<std::pair<int, int>>& ranges) {
  const int group = assign_to_key_group(key, kMax);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (group >= ranges[i].first && group <= ranges[i].second) return static_cast<int>(i);
  }
  return -1;
}

TEST_P(SnapshotTest, RestoresIntoOtherKeyGroupRangesAndBack) {
  std::unique_ptr<KeyedStateBackend> owned = make(0, kMax - 1, kMax);
  KeyedStateBackend& original = *owned;
  fill(original);
  States from(original);
  std::map<int, std::string> expected;
  for (int k = 0; k < kKeys; ++k) expected[k] = read(original, from, k);
  const KeyedStateSnapshot snapshot = original.snapshot();

  // Scale out to 3 backends: each key is found, whole, in exactly the one that owns it.
  const std::vector<std::pair<int, int>> ranges = {{0, 42}, {43, 85}, {86, kMax - 1}};
  std::vector<std::unique_ptr<KeyedStateBackend>> parts;
  for (auto [first, last] : ranges) {
    parts.push_back(make(first, last, kMax));
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
  std::unique_ptr<KeyedStateBackend> merged_owned = make(0, kMax - 1, kMax);
  KeyedStateBackend& merged = *merged_owned;
  States into(merged);  // states requested before the restore get their entries at once
  for (auto& p : parts) merged.restore(p->snapshot());
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(read(merged, into, k), expected[k]) << "key " << k;
  EXPECT_EQ(merged.num_entries(), original.num_entries());
}

TEST_P(SnapshotTest, TtlTimestampsSurviveTheSnapshot) {
  int64_t now = 1'000;
  auto ttl_descriptor = [] {
    ValueStateDescriptor<int> d("ttl");
    d.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(100)).build());
    return d;
  };
  std::unique_ptr<KeyedStateBackend> before_owned = make(0, kMax - 1, kMax);
  KeyedStateBackend& before = *before_owned;
  before.set_ttl_time_provider([&] { return now; });
  set_current_key_of(before, std::string("k"));
  before.get_state(ttl_descriptor()).update(7);
  const KeyedStateSnapshot snapshot = before.snapshot();

  std::unique_ptr<KeyedStateBackend> after_owned = make(0, kMax - 1, kMax);
  KeyedStateBackend& after = *after_owned;
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

// Heap only: the heap keeps any value type and fails when a snapshot needs the bytes; the RocksDB
// backend refuses such a state when it is requested (rocksdb_backend_test).
TEST(HeapSnapshotTest, UnserializableValuesNameTheState) {
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
}

TEST_P(SnapshotTest, CorruptedBytesAndAnotherMaxParallelismAreRejected) {
  std::unique_ptr<KeyedStateBackend> good = make(0, kMax - 1, kMax);
  fill(*good);
  KeyedStateSnapshot snapshot = good->snapshot();
  auto& [group, bytes] = *snapshot.key_groups.at("list").begin();
  bytes.resize(bytes.size() - 1);  // truncated
  std::unique_ptr<KeyedStateBackend> target = make(0, kMax - 1, kMax);
  target->restore(snapshot);
  try {
    target->get_list_state(ListStateDescriptor<int>("list"));
    FAIL() << "expected StateException";
  } catch (const StateException& e) {
    EXPECT_NE(std::string(e.what()).find("cannot restore state 'list', key group " +
                                         std::to_string(group)),
              std::string::npos)
        << e.what();
  }
  std::unique_ptr<KeyedStateBackend> other_max = make(0, 63, 64);
  EXPECT_THROW(other_max->restore(good->snapshot()), StateException);
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(SnapshotTest);

}  // namespace
}  // namespace eddy
