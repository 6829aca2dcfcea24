// What only the RocksDB backend has: snapshots exchanged with the heap backend (both directions,
// byte for byte where the heap's order is fixed), state far larger than its block cache, its own
// directory removed on destruction, its key layout, and the StateException for state it cannot
// store. Everything the two backends share is tested on both by the other suites.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/rocksdb_key_codec.h"
#include "state/backends.h"
#include "state/snapshot_states.h"

namespace eddy {
namespace {

using namespace snapshot_states;

struct Opaque {
  int x = 0;
  friend bool operator==(const Opaque&, const Opaque&) = default;
};

}  // namespace
}  // namespace eddy

template <>
struct std::hash<eddy::Opaque> {
  size_t operator()(const eddy::Opaque& o) const { return std::hash<int>{}(o.x); }
};

namespace eddy {
namespace {

std::unique_ptr<RocksDbKeyedStateBackend> make_rocksdb(
    int first, int last, int max,
    RocksDbStateOptions options = testing_backends::test_rocksdb_options()) {
  return std::make_unique<RocksDbKeyedStateBackend>(first, last, max, std::move(options));
}

// Restores `snapshot` into backends of `to`'s kind split over three key-group ranges, and checks
// that each key reads as `expected` in the one that owns it.
void expect_restored_in_three_parts(testing_backends::Backend to,
                                    const KeyedStateSnapshot& snapshot,
                                    const std::map<int, std::string>& expected) {
  const std::vector<std::pair<int, int>> ranges = {{0, 42}, {43, 85}, {86, kMax - 1}};
  for (auto [first, last] : ranges) {
    std::unique_ptr<KeyedStateBackend> part = testing_backends::make_backend(to, first, last, kMax);
    part->restore(snapshot);
    States s(*part);
    for (const auto& [key, holds] : expected) {
      const int group = assign_to_key_group(key, kMax);
      if (group < first || group > last) continue;
      EXPECT_EQ(read(*part, s, key), holds) << "key " << key;
    }
  }
}

TEST(RocksDbBackendTest, HeapSnapshotRestoresIntoRocksDbAndBack) {
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  fill(heap);
  States from(heap);
  std::map<int, std::string> expected;
  for (int k = 0; k < kKeys; ++k) expected[k] = read(heap, from, k);

  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  rocks->restore(heap.snapshot());
  States in_rocks(*rocks);
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(read(*rocks, in_rocks, k), expected[k]) << "key " << k;
  EXPECT_EQ(rocks->num_entries(), heap.num_entries());
  expect_restored_in_three_parts(testing_backends::Backend::kRocksDb, heap.snapshot(), expected);

  // And back: RocksDB's snapshot restores into the heap, whole and rescaled.
  const KeyedStateSnapshot from_rocks = rocks->snapshot();
  HeapKeyedStateBackend again(0, kMax - 1, kMax);
  again.restore(from_rocks);
  States in_heap(again);
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(read(again, in_heap, k), expected[k]) << "key " << k;
  EXPECT_EQ(again.num_entries(), heap.num_entries());
  expect_restored_in_three_parts(testing_backends::Backend::kHeap, from_rocks, expected);
}

TEST(RocksDbBackendTest, RocksDbSnapshotRestoresIntoHeap) {
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  fill(*rocks);
  States from(*rocks);
  std::map<int, std::string> expected;
  for (int k = 0; k < kKeys; ++k) expected[k] = read(*rocks, from, k);
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  heap.restore(rocks->snapshot());
  States in_heap(heap);
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(read(heap, in_heap, k), expected[k]) << "key " << k;
  EXPECT_EQ(heap.num_entries(), rocks->num_entries());
}

// With one entry per key group (and one element per map), the heap's iteration order cannot
// differ from RocksDB's key order, so the two snapshots must be equal byte for byte: same
// format, same TTL timestamps (and 0 where TTL is off).
TEST(RocksDbBackendTest, SnapshotsAreByteIdenticalToTheHeapsForTheSameWrites) {
  int64_t now = 5'000;
  auto write = [&](KeyedStateBackend& backend) {
    backend.set_ttl_time_provider([&] { return now; });
    ValueStateDescriptor<std::string> ttl_value("ttl-value");
    ttl_value.enable_time_to_live(StateTtlConfig::new_builder(Time::seconds(10)).build());
    auto& value = backend.get_state(ttl_value);
    auto& list = backend.get_list_state(ListStateDescriptor<int64_t>("list"));
    auto& map = backend.get_map_state(MapStateDescriptor<int, std::string>("map"));
    auto& windowed = backend.get_partitioned_state<TimeWindow>(
        ReducingStateDescriptor<int>("windowed", [](int a, int b) { return a + b; }));
    std::set<int> groups;
    for (int k = 0; groups.size() < 40; ++k) {
      if (!groups.insert(assign_to_key_group(k, kMax)).second) continue;  // one key per group
      set_current_key_of(backend, k);
      now += 7;
      value.update("v" + std::to_string(k));
      list.add_all({k, -k, k * 1000});
      map.put(k, "m" + std::to_string(k));
      windowed.set_current_namespace(TimeWindow(k, k + 10));
      windowed.add(k);
    }
  };
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  write(heap);
  now = 5'000;
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  write(*rocks);
  const KeyedStateSnapshot a = heap.snapshot();
  const KeyedStateSnapshot b = rocks->snapshot();
  ASSERT_EQ(a.key_groups.size(), 4u);
  EXPECT_EQ(a.max_parallelism, b.max_parallelism);
  EXPECT_EQ(a.key_groups, b.key_groups);
}

TEST(RocksDbBackendTest, TtlTimestampsCrossBackendsBothWays) {
  int64_t now = 1'000;
  auto descriptor = [] {
    MapStateDescriptor<int, int> d("ttl-map");
    d.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(100)).build());
    return d;
  };
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  heap.set_ttl_time_provider([&] { return now; });
  set_current_key_of(heap, std::string("k"));
  heap.get_map_state(descriptor()).put(1, 10);
  now += 50;
  heap.get_map_state(descriptor()).put(2, 20);

  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  rocks->set_ttl_time_provider([&] { return now; });
  rocks->restore(heap.snapshot());
  HeapKeyedStateBackend back(0, kMax - 1, kMax);
  back.set_ttl_time_provider([&] { return now; });
  back.restore(rocks->snapshot());
  for (KeyedStateBackend* backend :
       {static_cast<KeyedStateBackend*>(rocks.get()), static_cast<KeyedStateBackend*>(&back)}) {
    set_current_key_of(*backend, std::string("k"));
  }
  now += 50;  // entry 1 written at 1000 expires now; entry 2 (1050) lives until 1150
  EXPECT_EQ(rocks->get_map_state(descriptor()).keys(), std::vector<int>{2});
  EXPECT_EQ(back.get_map_state(descriptor()).keys(), std::vector<int>{2});
}

TEST(RocksDbBackendTest, CleanupFullSnapshotLeavesExpiredEntriesOut) {
  int64_t now = 1'000;
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  rocks->set_ttl_time_provider([&] { return now; });
  ListStateDescriptor<int> descriptor("l");
  descriptor.enable_time_to_live(
      StateTtlConfig::new_builder(Time::milliseconds(100)).cleanup_full_snapshot().build());
  ListState<int>& list = rocks->get_list_state(descriptor);
  for (int k = 0; k < 10; ++k) {
    set_current_key_of(*rocks, k);
    list.add(k);
  }
  now += 60;
  set_current_key_of(*rocks, 3);
  list.add(33);
  now += 60;  // everything but key 3's second element has expired
  const KeyedStateSnapshot snapshot = rocks->snapshot();
  EXPECT_EQ(rocks->num_entries(), 10u) << "the snapshot leaves the backend's own state alone";
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  heap.set_ttl_time_provider([&] { return now; });
  heap.restore(snapshot);
  ListState<int>& restored = heap.get_list_state(descriptor);
  EXPECT_EQ(heap.num_entries(), 1u);
  set_current_key_of(heap, 3);
  EXPECT_EQ(restored.get(), std::vector<int>{33});
}

// The heap backend is the reference for TTL semantics: the same random operations, on a shared
// manual clock, must read the same values, count the same entries and clean up the same number
// of expired values on both backends.
TEST(RocksDbBackendTest, MatchesTheHeapUnderRandomOperationsWithTtl) {
  using UpdateType = StateTtlConfig::UpdateType;
  using Visibility = StateTtlConfig::StateVisibility;
  for (const auto& [update, visibility] :
       {std::pair{UpdateType::OnCreateAndWrite, Visibility::NeverReturnExpired},
        std::pair{UpdateType::OnReadAndWrite, Visibility::ReturnExpiredIfNotCleanedUp}}) {
    SCOPED_TRACE(update == UpdateType::OnReadAndWrite ? "OnReadAndWrite" : "OnCreateAndWrite");
    auto with_ttl = [&](auto descriptor) {
      descriptor.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(40))
                                         .set_update_type(update)
                                         .set_state_visibility(visibility)
                                         .build());
      return descriptor;
    };
    const auto value_d = with_ttl(ValueStateDescriptor<int>("value"));
    const auto list_d = with_ttl(ListStateDescriptor<int>("list"));
    const auto map_d = with_ttl(MapStateDescriptor<int, int>("map"));
    const auto sum_d = with_ttl(
        ReducingStateDescriptor<int>("sum", [](const int& a, const int& b) { return a + b; }));
    int64_t now = 1'000;
    HeapKeyedStateBackend heap(0, kMax - 1, kMax);
    std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
    KeyedStateBackend* backends[] = {&heap, rocks.get()};
    for (KeyedStateBackend* b : backends) b->set_ttl_time_provider([&] { return now; });
    auto value = [&](int i) -> auto& {
      return backends[i]->get_partitioned_state<int>(value_d);
    };
    auto list = [&](int i) -> auto& {
      return backends[i]->get_partitioned_state<int>(list_d);
    };
    auto map = [&](int i) -> auto& {
      return backends[i]->get_partitioned_state<int>(map_d);
    };
    auto sum = [&](int i) -> auto& {
      return backends[i]->get_partitioned_state<int>(sum_d);
    };
    std::mt19937 random(11);
    auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    for (int step = 0; step < 4000; ++step) {
      now += pick(4);
      const int key = pick(25), ns = pick(3), v = pick(100), op = pick(16);
      const std::vector<int> sources = {pick(3), pick(3)};
      std::string seen[2];
      for (int i = 0; i < 2; ++i) {
        set_current_key_of(*backends[i], key);
        for (auto* s : std::initializer_list<state::InternalKvState<int>*>{&value(i), &list(i),
                                                                           &map(i), &sum(i)}) {
          s->set_current_namespace(ns);
        }
        std::string& out = seen[i];
        switch (op) {
          case 0:
            value(i).update(v);
            break;
          case 1:
            out = std::to_string(value(i).value().value_or(-1));
            break;
          case 2:
            list(i).add(v);
            break;
          case 3:
            list(i).add_all({v, v + 1});
            break;
          case 4:
            list(i).update(v % 5 == 0 ? std::vector<int>{} : std::vector<int>{v});
            break;
          case 5:
            for (int e : list(i).get()) out += std::to_string(e) + ",";
            break;
          case 6:
            map(i).put(v % 7, v);
            break;
          case 7:
            out = std::to_string(map(i).get(v % 7).value_or(-1));
            break;
          case 8:
            map(i).remove(v % 7);
            break;
          case 9: {
            std::vector<std::pair<int, int>> items = map(i).items();
            std::sort(items.begin(), items.end());
            for (auto [k, x] : items) out += std::to_string(k) + "=" + std::to_string(x) + ",";
            out += map(i).is_empty() ? "empty" : "";
            break;
          }
          case 10:
            sum(i).add(v);
            break;
          case 11:
            out = std::to_string(sum(i).get().value_or(-1));
            break;
          case 12:
            list(i).merge_namespaces(ns, sources);
            break;
          case 13:
            sum(i).merge_namespaces(ns, sources);
            break;
          case 14:
            if (v % 4 == 0) map(i).clear();
            if (v % 4 == 1) list(i).clear();
            break;
          default:
            if (v % 10 == 0) out = std::to_string(testing_backends::cleanup_expired(*backends[i]));
        }
        out += "|" + std::to_string(backends[i]->num_entries());
      }
      ASSERT_EQ(seen[1], seen[0]) << "step " << step << ", operation " << op;
    }
  }
}

// A value that does not compress, so the stored bytes really are larger than the cache.
std::string payload(int64_t i) {
  std::string s;
  uint64_t x = static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ull + 1;
  for (int j = 0; j < 4; ++j) {
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    s.append(reinterpret_cast<const char*>(&x), sizeof x);
  }
  return s;
}

uintmax_t sst_bytes(const std::filesystem::path& directory) {
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".sst") total += entry.file_size();
  }
  return total;
}

TEST(RocksDbBackendTest, StateLargerThanTheCacheReadsBackCorrectly) {
  RocksDbStateOptions options = testing_backends::test_rocksdb_options();
  options.block_cache_bytes = size_t{1} << 20;
  options.write_buffer_bytes = size_t{1} << 20;
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax, options);
  ValueState<std::string>& value = rocks->get_state(ValueStateDescriptor<std::string>("value"));
  MapState<int, int64_t>& map = rocks->get_map_state(MapStateDescriptor<int, int64_t>("map"));
  constexpr int64_t kValueKeys = 300'000;
  constexpr int kMapKeys = 1'000;
  constexpr int kMapEntries = 100;
  for (int64_t k = 0; k < kValueKeys; ++k) {
    set_current_key_of(*rocks, k);
    value.update(payload(k));
  }
  std::map<int, std::map<int, int64_t>> model;
  for (int e = 0; e < kMapEntries; ++e) {
    for (int k = 0; k < kMapKeys; ++k) {
      set_current_key_of(*rocks, static_cast<int64_t>(k));
      map.put(e, k * 1000 + e);
      model[k][e] = k * 1000 + e;
    }
  }
  EXPECT_GT(sst_bytes(rocks->directory()), 2 * options.block_cache_bytes);
  for (int64_t k = 0; k < kValueKeys; ++k) {
    set_current_key_of(*rocks, k);
    ASSERT_EQ(value.value(), payload(k)) << "key " << k;
  }
  for (int k = 0; k < kMapKeys; ++k) {
    set_current_key_of(*rocks, static_cast<int64_t>(k));
    std::vector<std::pair<int, int64_t>> items = map.items();
    std::sort(items.begin(), items.end());
    ASSERT_EQ(items, (std::vector<std::pair<int, int64_t>>(model[k].begin(), model[k].end())))
        << "key " << k;
  }
  EXPECT_EQ(rocks->num_entries(), static_cast<size_t>(kValueKeys + kMapKeys));
}

TEST(RocksDbBackendTest, EachBackendHasItsOwnDirectoryRemovedOnDestruction) {
  const std::filesystem::path base =
      std::filesystem::path(::testing::TempDir()) / "eddy-rocksdb-backend-test";
  RocksDbStateOptions options;
  options.base_directory = base;
  std::filesystem::path first_directory;
  {
    RocksDbKeyedStateBackend first(0, kMax - 1, kMax, options);
    RocksDbKeyedStateBackend second(0, kMax - 1, kMax, options);
    first_directory = first.directory();
    EXPECT_NE(first.directory(), second.directory());
    EXPECT_EQ(first.directory().parent_path(), base);
    set_current_key_of(first, 1);
    first.get_state(ValueStateDescriptor<int>("v")).update(1);
    EXPECT_TRUE(std::filesystem::exists(first.directory() / "CURRENT"));
  }
  EXPECT_FALSE(std::filesystem::exists(first_directory));
  EXPECT_TRUE(std::filesystem::is_empty(base));
  std::filesystem::remove(base);
}

using testing_backends::state_error;

TEST(RocksDbBackendTest, StateThatCannotBeSerializedIsRejectedNamingIt) {
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  std::string message =
      state_error([&] { rocks->get_state(ValueStateDescriptor<Opaque>("opaque")); });
  EXPECT_NE(message.find("state 'opaque'"), std::string::npos) << message;
  EXPECT_NE(message.find("not serializable"), std::string::npos) << message;
  EXPECT_NE(message.find("Opaque"), std::string::npos) << message;
  message = state_error(
      [&] { rocks->get_partitioned_state<Opaque>(ValueStateDescriptor<int>("windowed")); });
  EXPECT_NE(message.find("state 'windowed'"), std::string::npos) << message;
  EXPECT_NE(message.find("namespace eddy::(anonymous namespace)::Opaque"), std::string::npos)
      << message;
  message = state_error([&] { rocks->get_map_state(MapStateDescriptor<int, Opaque>("by")); });
  EXPECT_NE(message.find("value type eddy::(anonymous namespace)::Opaque"), std::string::npos)
      << message;
  // The failed request registered nothing: the name is free for a storable type.
  set_current_key_of(*rocks, 1);
  rocks->get_state(ValueStateDescriptor<int>("opaque")).update(3);
  EXPECT_EQ(rocks->get_state(ValueStateDescriptor<int>("opaque")).value(), 3);
}

TEST(RocksDbBackendTest, AStateNamedDefaultUsesRocksDbsDefaultColumnFamily) {
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  ListState<int>& list = rocks->get_list_state(ListStateDescriptor<int>("default"));
  set_current_key_of(*rocks, 1);
  list.add(1);
  list.add(2);
  EXPECT_EQ(list.get(), (std::vector<int>{1, 2}));
}

TEST(RocksDbKeyCodecTest, PrefixesAreUnambiguousAndSortByKeyGroup) {
  std::string a, b, c;
  state::rocksdb_key::append_entry_prefix(a, 7, "a", "bc");
  state::rocksdb_key::append_entry_prefix(b, 7, "ab", "c");
  state::rocksdb_key::append_entry_prefix(c, 300, "a", "bc");
  EXPECT_NE(a, b) << "lengths keep (key, namespace) splits apart";
  EXPECT_LT(b, c);
  EXPECT_EQ(c.substr(0, 2), std::string("\x01\x2c", 2)) << "key group 300, big-endian";
  const state::rocksdb_key::DecodedKey decoded = state::rocksdb_key::decode(a + "user");
  EXPECT_EQ(decoded.key_group, 7);
  EXPECT_EQ(decoded.key, "a");
  EXPECT_EQ(decoded.ns, "bc");
  EXPECT_EQ(decoded.user_key, "user");
  EXPECT_EQ(decoded.entry_prefix, a);
  EXPECT_THROW(state::rocksdb_key::decode(std::string("\x00\x07\x05"
                                                      "ab",
                                                      5)),
               StateException);
}

// ---- Checkpoint snapshots: asynchronous full snapshots and incremental (native) ones.

// What a snapshot holds, with its deferred phase run.
std::map<std::string, std::map<int, std::string>> materialized(KeyedStateSnapshot snapshot) {
  snapshot.materialize();
  return snapshot.key_groups;
}

TEST(RocksDbCheckpointTest, AsynchronousFullSnapshotShowsTheStateOfItsSynchronousPhase) {
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  fill(*rocks);
  // A state restored but not requested since lives outside the database until requested.
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  for (int k = 0; k < 50; ++k) {
    set_current_key_of(heap, k);
    heap.get_state(ValueStateDescriptor<int>("restored")).update(k * 7);
  }
  rocks->restore(heap.snapshot());
  const std::map<std::string, std::map<int, std::string>> before = rocks->snapshot().key_groups;
  ASSERT_TRUE(before.contains("restored"));

  KeyedStateSnapshot async = rocks->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  ASSERT_TRUE(async.deferred);
  // The task goes on: changes, removals, new keys and a new state are not in the snapshot.
  States s(*rocks);
  for (int k = 0; k < kKeys; k += 3) {
    set_current_key_of(*rocks, k);
    s.value.update("changed");
    s.list.clear();
    s.map.remove("m");
  }
  for (int k = kKeys; k < kKeys + 100; ++k) {
    set_current_key_of(*rocks, k);
    s.value.update("new");
    rocks->get_state(ValueStateDescriptor<int>("later")).update(k);
  }
  EXPECT_EQ(materialized(std::move(async)), before);
  EXPECT_NE(rocks->snapshot().key_groups, before);
}

TEST(RocksDbCheckpointTest, SavepointsAreTakenSynchronously) {
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  fill(*rocks);
  KeyedStateSnapshot savepoint = rocks->snapshot_for_checkpoint(1, SnapshotType::kSavepoint);
  EXPECT_FALSE(savepoint.deferred);
  EXPECT_EQ(savepoint.key_groups, rocks->snapshot().key_groups);
}

TEST(RocksDbCheckpointTest, ADeferredPhaseStillOutstandingRunsWhenTheBackendCloses) {
  std::unique_ptr<RocksDbKeyedStateBackend> rocks = make_rocksdb(0, kMax - 1, kMax);
  fill(*rocks);
  const auto before = rocks->snapshot().key_groups;
  KeyedStateSnapshot async = rocks->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  KeyedStateSnapshot dropped = rocks->snapshot_for_checkpoint(2, SnapshotType::kCheckpoint);
  dropped = KeyedStateSnapshot();  // an aborted checkpoint's snapshot is dropped unmaterialized
  rocks.reset();
  EXPECT_EQ(materialized(std::move(async)), before);
}

// The checkpoint storage as the state layer sees it: new files are copied into a shared
// directory under their names, references by name resolve to what is stored there.
class FakeSharedStorage {
 public:
  FakeSharedStorage()
      : dir_(std::filesystem::path(::testing::TempDir()) /
             ("eddy-shared-" + std::to_string(std::random_device()()))) {
    std::filesystem::create_directories(dir_);
  }
  ~FakeSharedStorage() { std::filesystem::remove_all(dir_); }

  struct Upload {
    int new_files = 0;
    int reused_files = 0;
    uintmax_t new_bytes = 0;
    uintmax_t total_bytes = 0;
  };

  // Stores the snapshot's new files and resolves its references, as a checkpoint write does.
  Upload store(KeyedStateSnapshot& snapshot) {
    Upload upload;
    for (SnapshotFile& file : snapshot.native_files) {
      const std::filesystem::path target = dir_ / file.name;
      if (!file.local_path.empty()) {
        EXPECT_TRUE(file.shared_path.empty()) << file.name;
        std::filesystem::copy_file(file.local_path, target,
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(file.local_path);
        file.local_path.clear();
        file.shared_path = target.string();
        ++upload.new_files;
        upload.new_bytes += std::filesystem::file_size(target);
      } else {
        if (file.shared_path.empty()) file.shared_path = target.string();
        EXPECT_TRUE(std::filesystem::exists(file.shared_path)) << file.name;
        ++upload.reused_files;
      }
      upload.total_bytes += std::filesystem::file_size(file.shared_path);
    }
    return upload;
  }

 private:
  std::filesystem::path dir_;
};

RocksDbStateOptions incremental_options() {
  RocksDbStateOptions options = testing_backends::test_rocksdb_options();
  options.incremental_checkpoints = true;
  return options;
}

std::map<int, std::string> contents(KeyedStateBackend& backend, int first, int last,
                                    int keys = kKeys) {
  States s(backend);
  std::map<int, std::string> result;
  for (int k = 0; k < keys; ++k) {
    const int group = assign_to_key_group(k, kMax);
    if (group >= first && group <= last) result[k] = read(backend, s, k);
  }
  return result;
}

TEST(RocksDbCheckpointTest, IncrementalCheckpointsUploadOnlyNewFiles) {
  FakeSharedStorage storage;
  std::unique_ptr<RocksDbKeyedStateBackend> rocks =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  fill(*rocks);
  KeyedStateSnapshot first = rocks->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  EXPECT_FALSE(first.deferred);
  EXPECT_FALSE(first.native_meta.empty());
  EXPECT_TRUE(first.key_groups.empty());
  const FakeSharedStorage::Upload one = storage.store(first);
  // One flushed file per state (six column families), all new.
  EXPECT_EQ(one.new_files, 6);
  EXPECT_EQ(one.reused_files, 0);
  rocks->notify_checkpoint_complete(1);

  // A few keys of one state change: one new file, the other five are referred to.
  States s(*rocks);
  for (int k = 0; k < 5; ++k) {
    set_current_key_of(*rocks, k);
    s.value.update("changed " + std::to_string(k));
  }
  KeyedStateSnapshot second = rocks->snapshot_for_checkpoint(2, SnapshotType::kCheckpoint);
  const FakeSharedStorage::Upload two = storage.store(second);
  EXPECT_EQ(two.new_files, 1);
  EXPECT_EQ(two.reused_files, 6);
  EXPECT_LT(two.new_bytes * 5, two.total_bytes);
  rocks->notify_checkpoint_complete(2);

  // An aborted checkpoint does not change what the next one refers to.
  KeyedStateSnapshot aborted = rocks->snapshot_for_checkpoint(3, SnapshotType::kCheckpoint);
  rocks->notify_checkpoint_aborted(3);
  KeyedStateSnapshot fourth = rocks->snapshot_for_checkpoint(4, SnapshotType::kCheckpoint);
  const FakeSharedStorage::Upload four = storage.store(fourth);
  EXPECT_EQ(four.new_files, 0);
  EXPECT_EQ(four.reused_files, 7);

  // Restoring the chain's latest checkpoint gives the state as it was.
  const std::map<int, std::string> expected = contents(*rocks, 0, kMax - 1);
  std::unique_ptr<RocksDbKeyedStateBackend> restored =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  restored->restore(second);
  EXPECT_EQ(contents(*restored, 0, kMax - 1), expected);
  EXPECT_EQ(restored->num_entries(), rocks->num_entries());
  // ... and its first checkpoint refers to the restored files instead of copying them.
  KeyedStateSnapshot after_restore =
      restored->snapshot_for_checkpoint(5, SnapshotType::kCheckpoint);
  const FakeSharedStorage::Upload five = storage.store(after_restore);
  EXPECT_EQ(five.new_files, 0);
  EXPECT_EQ(five.reused_files, 7);
}

TEST(RocksDbCheckpointTest, IncrementalCheckpointsRestoreRescaled) {
  FakeSharedStorage storage;
  // Two old subtasks, their checkpoints restored into three new ones and into one.
  std::unique_ptr<RocksDbKeyedStateBackend> low = make_rocksdb(0, 63, kMax, incremental_options());
  std::unique_ptr<RocksDbKeyedStateBackend> high =
      make_rocksdb(64, kMax - 1, kMax, incremental_options());
  HeapKeyedStateBackend model(0, kMax - 1, kMax);
  for (KeyedStateBackend* backend :
       {static_cast<KeyedStateBackend*>(&model), static_cast<KeyedStateBackend*>(low.get()),
        static_cast<KeyedStateBackend*>(high.get())}) {
    States s(*backend);
    for (int k = 0; k < kKeys; ++k) {
      const int group = assign_to_key_group(k, kMax);
      if (group < backend->first_key_group() || group > backend->last_key_group()) continue;
      set_current_key_of(*backend, k);
      s.value.update("v" + std::to_string(k));
      s.list.add_all({k, k + 1});
      s.map.put("m", k);
      s.reducing.add(k);
      s.aggregating.add(k);
      s.windowed.set_current_namespace(TimeWindow(0, 10));
      s.windowed.add(k);
    }
  }
  std::vector<KeyedStateSnapshot> old;
  for (auto* backend : {low.get(), high.get()}) {
    old.push_back(backend->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint));
    storage.store(old.back());
  }
  const std::map<int, std::string> expected = contents(model, 0, kMax - 1);
  for (auto [first, last] : std::vector<std::pair<int, int>>{{0, 42}, {43, 85}, {86, kMax - 1}}) {
    std::unique_ptr<RocksDbKeyedStateBackend> part =
        make_rocksdb(first, last, kMax, incremental_options());
    for (const KeyedStateSnapshot& snapshot : old) part->restore(snapshot);
    std::map<int, std::string> in_range;
    for (const auto& [k, holds] : expected) {
      const int group = assign_to_key_group(k, kMax);
      if (group >= first && group <= last) in_range[k] = holds;
    }
    EXPECT_EQ(contents(*part, first, last), in_range) << first << "-" << last;
  }
  std::unique_ptr<RocksDbKeyedStateBackend> one =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  for (const KeyedStateSnapshot& snapshot : old) one->restore(snapshot);
  EXPECT_EQ(contents(*one, 0, kMax - 1), expected);
  EXPECT_EQ(one->num_entries(), model.num_entries());
  // A heap backend cannot read RocksDB's native form, and says so.
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  EXPECT_NE(state_error([&] { heap.restore(old[0]); }).find("native"), std::string::npos);
}

TEST(RocksDbCheckpointTest, IncrementalRestoreReportsAMissingFileWithItsPath) {
  FakeSharedStorage storage;
  std::unique_ptr<RocksDbKeyedStateBackend> rocks =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  fill(*rocks);
  KeyedStateSnapshot snapshot = rocks->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  storage.store(snapshot);
  const std::string missing = snapshot.native_files.at(0).shared_path;
  std::filesystem::remove(missing);
  std::unique_ptr<RocksDbKeyedStateBackend> restored =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  const std::string message = state_error([&] { restored->restore(snapshot); });
  EXPECT_NE(message.find(missing), std::string::npos) << message;
}

TEST(RocksDbCheckpointTest, IncrementalSnapshotKeepsStatesRestoredButNotRequested) {
  FakeSharedStorage storage;
  HeapKeyedStateBackend heap(0, kMax - 1, kMax);
  fill(heap);
  std::unique_ptr<RocksDbKeyedStateBackend> rocks =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  rocks->restore(heap.snapshot());  // no state requested: all kept outside the database
  KeyedStateSnapshot snapshot = rocks->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  storage.store(snapshot);
  std::unique_ptr<RocksDbKeyedStateBackend> restored =
      make_rocksdb(0, kMax - 1, kMax, incremental_options());
  restored->restore(snapshot);
  EXPECT_EQ(contents(*restored, 0, kMax - 1), contents(heap, 0, kMax - 1));
}

}  // namespace
}  // namespace eddy
