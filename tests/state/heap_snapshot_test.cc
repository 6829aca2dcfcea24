// Copy-on-write snapshots of the heap backend: snapshot_for_checkpoint() only shares the key-group
// maps, and materialize() later writes the bytes snapshot() gave at that moment, whatever the task
// changed meanwhile (every kind of change, new keys and key groups, namespaces, TTL cleanups,
// restores), with several snapshots in flight and with materialize() on another thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/state/state_exception.h"
#include "eddy/windowing/time_window.h"
#include "state/snapshot_states.h"

namespace eddy {
namespace {

using namespace snapshot_states;

// States with TTL (100 ms) beside the plain ones of snapshot_states: a value swept by the full
// cleanup, a list swept incrementally on every key change, a map swept by reads.
struct TtlStates {
  static StateTtlConfig config(bool incremental) {
    auto builder = StateTtlConfig::new_builder(Time::milliseconds(100));
    if (incremental) builder.cleanup_incrementally(7, true);
    return builder.build();
  }
  template <class Descriptor>
  static Descriptor with_ttl(Descriptor descriptor, bool incremental = false) {
    descriptor.enable_time_to_live(config(incremental));
    return descriptor;
  }

  explicit TtlStates(KeyedStateBackend& b)
      : value(b.get_state(with_ttl(ValueStateDescriptor<int>("ttl_value")))),
        list(b.get_list_state(with_ttl(ListStateDescriptor<int>("ttl_list"), true))),
        map(b.get_map_state(with_ttl(MapStateDescriptor<int, int>("ttl_map")))) {}
  ValueState<int>& value;
  ListState<int>& list;
  MapState<int, int>& map;
};

// Everything key k shows in the plain and the TTL states, as one comparable string.
std::string read_all(KeyedStateBackend& backend, int k) {
  States s(backend);
  TtlStates t(backend);
  std::string out = read(backend, s, k);
  out += "|t" + std::to_string(t.value.value().value_or(-1));
  for (int v : t.list.get()) out += "|tl" + std::to_string(v);
  out += "|tm" + std::to_string(t.map.get(k).value_or(-1));
  return out;
}

constexpr int kNewKeys = 300;  // keys kKeys .. kKeys + kNewKeys - 1 appear after the snapshot

// Changes the state in every way a task can; `now` is the backend's TTL clock.
void change_everything(HeapKeyedStateBackend& backend, int64_t& now) {
  States s(backend);
  TtlStates t(backend);
  for (int k = 0; k < kKeys; ++k) {
    set_current_key_of(backend, k);  // incremental TTL cleanup runs here
    switch (k % 6) {
      case 0:
        s.value.update("changed" + std::to_string(k));
        s.list.add(-k);
        s.map.put("m", -k);
        s.map.put_all({{"x", 1}, {"y", 2}});
        break;
      case 1:
        s.value.clear();
        s.list.update({7, 8, 9});
        s.map.remove("m");
        break;
      case 2:
        s.list.clear();
        s.map.clear();
        s.list.add_all({5, 6});
        break;
      case 3:
        s.list.update({});
        s.reducing.clear();
        break;
      default:
        s.reducing.add(1000);
        s.aggregating.add(2000);
        break;
    }
    // Windows: merge two into one, clear one, open new ones (many namespaces).
    s.windowed.merge_namespaces(TimeWindow(0, 10), {TimeWindow(10, 20)});
    s.windowed.set_current_namespace(TimeWindow(20, 30));
    s.windowed.clear();
    for (int w = 0; w < 4; ++w) {
      s.windowed.set_current_namespace(TimeWindow(1000 + w, 1010 + w));
      s.windowed.add(k + w);
    }
  }
  for (int k = kKeys; k < kKeys + kNewKeys; ++k) {
    set_current_key_of(backend, k);
    s.value.update("new" + std::to_string(k));
    s.list.add(k);
    s.map.put("m", k);
    t.value.update(k);
  }
  // A state created after the snapshot.
  set_current_key_of(backend, 1);
  backend.get_state(ValueStateDescriptor<int>("late")).update(1);

  // TTL: the keys written at 1000 expire at 1100, those written at 1050 live on. Reads remove
  // expired values, the full cleanup sweeps all of them.
  now = 1120;
  for (int k = 0; k < kKeys; k += 3) {
    set_current_key_of(backend, k);
    t.map.get(k);
    t.value.value();
  }
  backend.cleanup_expired();

  // A restore into the live backend overwrites keys 0..9 of "value" in place.
  HeapKeyedStateBackend other(0, kMax - 1, kMax);
  auto& other_value = other.get_state(ValueStateDescriptor<std::string>("value"));
  for (int k = 0; k < 10; ++k) {
    set_current_key_of(other, k);
    other_value.update("restored" + std::to_string(k));
  }
  backend.restore(other.snapshot());
}

void fill_with_ttl(HeapKeyedStateBackend& backend, int64_t& now) {
  fill(backend);
  TtlStates t(backend);
  for (int k = 0; k < kKeys; ++k) {
    now = k % 2 == 0 ? 1000 : 1050;
    set_current_key_of(backend, k);
    t.value.update(k);
    t.list.add(k);
    t.map.put(k, k);
  }
  now = 1060;
}

TEST(HeapCopyOnWriteSnapshotTest, DeferredSnapshotIgnoresEveryLaterChange) {
  int64_t now = 1000;
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  backend.set_ttl_time_provider([&now] { return now; });
  fill_with_ttl(backend, now);
  std::map<int, std::string> before;
  for (int k = 0; k < kKeys + kNewKeys; ++k) before[k] = read_all(backend, k);

  const KeyedStateSnapshot expected = backend.snapshot();
  KeyedStateSnapshot first = backend.snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  KeyedStateSnapshot second = backend.snapshot_for_checkpoint(2, SnapshotType::kSavepoint);
  ASSERT_TRUE(first.deferred);
  EXPECT_TRUE(first.key_groups.empty());

  change_everything(backend, now);

  // A twin that took no snapshot and went through the same changes: what the live backend must
  // hold now.
  int64_t twin_now = 1000;
  HeapKeyedStateBackend twin(0, kMax - 1, kMax);
  twin.set_ttl_time_provider([&twin_now] { return twin_now; });
  fill_with_ttl(twin, twin_now);
  change_everything(twin, twin_now);

  const KeyedStateSnapshot copy_of_first = first;  // shares the captured maps
  first.materialize();
  EXPECT_FALSE(first.deferred);
  EXPECT_EQ(first.key_groups, expected.key_groups);
  KeyedStateSnapshot copy = copy_of_first;
  copy.materialize();
  EXPECT_EQ(copy.key_groups, expected.key_groups);

  // The restored snapshot shows the state as it was, at the time it was taken.
  int64_t restored_now = 1060;
  HeapKeyedStateBackend restored(0, kMax - 1, kMax);
  restored.set_ttl_time_provider([&restored_now] { return restored_now; });
  restored.restore(first);
  for (int k = 0; k < kKeys + kNewKeys; ++k) EXPECT_EQ(read_all(restored, k), before[k]) << k;

  std::map<int, std::string> changed;
  for (int k = 0; k < kKeys + kNewKeys; ++k) {
    changed[k] = read_all(backend, k);
    EXPECT_EQ(changed[k], read_all(twin, k)) << k;
  }
  EXPECT_EQ(changed[0].rfind("restored0|", 0), 0u) << changed[0];
  EXPECT_EQ(changed[12].rfind("changed12|", 0), 0u) << changed[12];
  EXPECT_NE(changed[12], before[12]);
  set_current_key_of(backend, 1);
  EXPECT_EQ(backend.get_state(ValueStateDescriptor<int>("late")).value(), 1);
  EXPECT_EQ(backend.num_entries(), twin.num_entries());

  // The second snapshot, materialized after all that, is the same as the first.
  second.materialize();
  EXPECT_EQ(second.key_groups, expected.key_groups);
  // And a new snapshot sees the changes.
  KeyedStateSnapshot third = backend.snapshot_for_checkpoint(3, SnapshotType::kCheckpoint);
  third.materialize();
  EXPECT_EQ(third.key_groups, backend.snapshot().key_groups);
  EXPECT_NE(third.key_groups, expected.key_groups);
}

TEST(HeapCopyOnWriteSnapshotTest, RestoredStatesNotYetRequestedAreKept) {
  HeapKeyedStateBackend source(0, kMax - 1, kMax);
  fill(source);
  auto& extra = source.get_state(ValueStateDescriptor<int>("extra"));
  for (int k = 0; k < 100; ++k) {
    set_current_key_of(source, k);
    extra.update(k);
  }
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  backend.restore(source.snapshot());  // pending until requested
  const KeyedStateSnapshot expected = backend.snapshot();
  EXPECT_EQ(expected.key_groups, source.snapshot().key_groups);
  KeyedStateSnapshot snapshot = backend.snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);

  // Requesting states consumes what was pending; a second restore replaces the part of "extra"
  // that is still pending.
  States s(backend);
  set_current_key_of(backend, 3);
  s.value.update("after");
  for (int k = 0; k < 100; ++k) {
    set_current_key_of(source, k);
    extra.update(-k);
  }
  backend.restore(source.snapshot());
  snapshot.materialize();
  EXPECT_EQ(snapshot.key_groups, expected.key_groups);
  set_current_key_of(backend, 7);
  EXPECT_EQ(backend.get_state(ValueStateDescriptor<int>("extra")).value(), -7);
}

TEST(HeapCopyOnWriteSnapshotTest, EmptyBackendGivesAnEmptySnapshot) {
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  backend.get_state(ValueStateDescriptor<int>("unused"));
  EXPECT_TRUE(backend.snapshot_for_checkpoint(1, SnapshotType::kCheckpoint).empty());
}

struct Opaque {
  int x = 0;
};

TEST(HeapCopyOnWriteSnapshotTest, UnserializableValuesFailTheSynchronousPhase) {
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  set_current_key_of(backend, 1);
  backend.get_state(ValueStateDescriptor<Opaque>("opaque")).update(Opaque{1});
  try {
    (void)backend.snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
    FAIL() << "expected StateException";
  } catch (const StateException& e) {
    EXPECT_NE(std::string(e.what()).find("cannot snapshot state 'opaque'"), std::string::npos)
        << e.what();
  }
}

// A plain model of the randomized test's states.
struct Model {
  std::map<std::pair<int, int>, int> value;     // (key, namespace) -> value
  std::map<std::pair<int, int>, int> reducing;  // (key, namespace) -> sum
  std::map<int, std::vector<int>> list;
  std::map<int, std::map<int, int>> map;
};

constexpr int kModelKeys = 150;
constexpr int kNamespaces = 4;

struct ModelStates {
  explicit ModelStates(KeyedStateBackend& b)
      : value(b.get_partitioned_state<int>(ValueStateDescriptor<int>("value"))),
        reducing(b.get_partitioned_state<int>(
            ReducingStateDescriptor<int>("reducing", [](int a, int c) { return a + c; }))),
        list(b.get_list_state(ListStateDescriptor<int>("list"))),
        map(b.get_map_state(MapStateDescriptor<int, int>("map"))) {}
  state::InternalValueState<int, int>& value;
  state::InternalReducingState<int, int>& reducing;
  ListState<int>& list;
  MapState<int, int>& map;
};

// Compares every key and namespace of `backend` with `model`.
void expect_matches(KeyedStateBackend& backend, const Model& model, const std::string& where) {
  ModelStates s(backend);
  for (int k = 0; k < kModelKeys; ++k) {
    set_current_key_of(backend, k);
    for (int ns = 0; ns < kNamespaces; ++ns) {
      s.value.set_current_namespace(ns);
      s.reducing.set_current_namespace(ns);
      auto v = model.value.find({k, ns});
      ASSERT_EQ(s.value.value(), v == model.value.end() ? std::nullopt : std::optional(v->second))
          << where << " key " << k << " ns " << ns;
      auto r = model.reducing.find({k, ns});
      ASSERT_EQ(s.reducing.get(),
                r == model.reducing.end() ? std::nullopt : std::optional(r->second))
          << where << " key " << k << " ns " << ns;
    }
    auto l = model.list.find(k);
    ASSERT_EQ(s.list.get(), l == model.list.end() ? std::vector<int>() : l->second)
        << where << " key " << k;
    std::vector<std::pair<int, int>> items = s.map.items();
    std::sort(items.begin(), items.end());
    auto m = model.map.find(k);
    std::vector<std::pair<int, int>> want;
    if (m != model.map.end()) want.assign(m->second.begin(), m->second.end());
    ASSERT_EQ(items, want) << where << " key " << k;
  }
}

void expect_snapshot_matches(KeyedStateSnapshot& snapshot, const Model& model,
                             const std::string& where) {
  snapshot.materialize();
  HeapKeyedStateBackend restored(0, kMax - 1, kMax);
  restored.restore(snapshot);
  expect_matches(restored, model, where);
}

TEST(HeapCopyOnWriteSnapshotTest, RandomChangesWithSnapshotsInFlightMatchAModel) {
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  ModelStates s(backend);
  Model model;
  std::mt19937 random(20261129);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };

  struct InFlight {
    KeyedStateSnapshot snapshot;
    Model model;
    std::string where;
  };
  std::vector<InFlight> in_flight;
  std::optional<InFlight> late;  // materialized only at the end
  for (int op = 0; op < 40000; ++op) {
    const int k = pick(kModelKeys);
    const int ns = pick(kNamespaces);
    set_current_key_of(backend, k);
    s.value.set_current_namespace(ns);
    s.reducing.set_current_namespace(ns);
    switch (pick(10)) {
      case 0: {
        const int v = pick(1000);
        s.value.update(v);
        model.value[{k, ns}] = v;
        break;
      }
      case 1:
        s.value.clear();
        model.value.erase({k, ns});
        break;
      case 2: {
        const int v = pick(100);
        s.reducing.add(v);
        model.reducing[{k, ns}] += v;
        break;
      }
      case 3: {
        // Merge two other namespaces into ns.
        const std::vector<int> sources = {(ns + 1) % kNamespaces, (ns + 2) % kNamespaces};
        s.reducing.merge_namespaces(ns, sources);
        std::optional<int> sum;
        for (int n : {ns, sources[0], sources[1]}) {
          auto it = model.reducing.find({k, n});
          if (it == model.reducing.end()) continue;
          sum = sum.value_or(0) + it->second;
          model.reducing.erase(it);
        }
        if (sum) model.reducing[{k, ns}] = *sum;
        break;
      }
      case 4: {
        const int v = pick(1000);
        s.list.add(v);
        model.list[k].push_back(v);
        break;
      }
      case 5:
        if (pick(2) == 0) {
          s.list.clear();
          model.list.erase(k);
        } else {
          s.list.update({1, 2});
          model.list[k] = {1, 2};
        }
        break;
      case 6:
      case 7: {
        const int uk = pick(8);
        const int v = pick(1000);
        s.map.put(uk, v);
        model.map[k][uk] = v;
        break;
      }
      case 8: {
        const int uk = pick(8);
        s.map.remove(uk);
        if (auto it = model.map.find(k); it != model.map.end()) {
          it->second.erase(uk);
          if (it->second.empty()) model.map.erase(it);
        }
        break;
      }
      default:
        s.map.clear();
        model.map.erase(k);
        break;
    }
    if (op % 1500 == 1499) {
      InFlight taken{backend.snapshot_for_checkpoint(op, SnapshotType::kCheckpoint), model,
                     "snapshot at op " + std::to_string(op)};
      if (!late) {
        late = std::move(taken);
      } else {
        in_flight.push_back(std::move(taken));
      }
    }
    // Now and then the oldest snapshot in flight completes.
    if (op % 2000 == 1999 && !in_flight.empty()) {
      expect_snapshot_matches(in_flight.front().snapshot, in_flight.front().model,
                              in_flight.front().where);
      in_flight.erase(in_flight.begin());
    }
  }
  ASSERT_TRUE(late);
  ASSERT_FALSE(in_flight.empty());
  for (InFlight& pending : in_flight) {
    expect_snapshot_matches(pending.snapshot, pending.model, pending.where);
  }
  expect_snapshot_matches(late->snapshot, late->model, late->where);
  expect_matches(backend, model, "live backend");
}

// materialize() runs on another thread while this one keeps changing every key: the snapshot is
// still the state at the time it was taken, and the live state has every change.
TEST(HeapCopyOnWriteSnapshotTest, MaterializeOnAnotherThreadWhileTheTaskChangesState) {
  constexpr int kCounterKeys = 100000;
  HeapKeyedStateBackend backend(0, kMax - 1, kMax);
  auto& counter = backend.get_state(ValueStateDescriptor<int64_t>("counter"));
  auto& seen = backend.get_map_state(MapStateDescriptor<int, int64_t>("seen"));
  std::vector<int64_t> model(kCounterKeys + 1000, 0);
  int extra_keys = 0;  // keys kCounterKeys.. added while materializing
  for (int k = 0; k < kCounterKeys; ++k) {
    set_current_key_of(backend, k);
    counter.update(k);
    seen.put(k % 5, k);
    model[k] = k;
  }

  for (int round = 0; round < 3; ++round) {
    const KeyedStateSnapshot expected = backend.snapshot();
    KeyedStateSnapshot snapshot = backend.snapshot_for_checkpoint(round, SnapshotType::kCheckpoint);
    std::optional<KeyedStateSnapshot> overlapping;
    std::optional<KeyedStateSnapshot> overlapping_expected;
    std::latch started(1);
    std::atomic<bool> done{false};
    std::thread materializer([&] {
      started.count_down();
      snapshot.materialize();
      done.store(true);
    });
    started.wait();
    // At least two passes over every key, however fast the other thread is.
    for (int pass = 0; pass < 2 || !done.load(); ++pass) {
      for (int k = 0; k < kCounterKeys + extra_keys; ++k) {
        set_current_key_of(backend, k);
        counter.update(++model[k]);
        if (k % 97 == 0) seen.remove(k % 5);
        if (k % 89 == 0) seen.put(k % 5, model[k]);
      }
      if (extra_keys < 1000) {
        set_current_key_of(backend, kCounterKeys + extra_keys);
        counter.update(model[kCounterKeys + extra_keys] = 1);
        ++extra_keys;
      }
      if (pass == 0) {
        // A second snapshot taken while the first is being written.
        overlapping_expected = backend.snapshot();
        overlapping = backend.snapshot_for_checkpoint(100 + round, SnapshotType::kCheckpoint);
      }
    }
    materializer.join();
    EXPECT_EQ(snapshot.key_groups, expected.key_groups) << "round " << round;
    overlapping->materialize();
    EXPECT_EQ(overlapping->key_groups, overlapping_expected->key_groups) << "round " << round;
  }
  for (int k = 0; k < kCounterKeys + extra_keys; ++k) {
    set_current_key_of(backend, k);
    ASSERT_EQ(counter.value(), model[k]) << k;
  }
}

}  // namespace
}  // namespace eddy
