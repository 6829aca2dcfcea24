// State restored under another type is refused, never misread: snapshots record each state's
// kind and the identities of its key, namespace and value serializers (operator state: its
// element serializer), and a restore compares them with the new ones. Covers both backends,
// full and asynchronous checkpoints, savepoints, RocksDB's incremental checkpoints, operator
// list and broadcast state, and the identities themselves.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eddy/state/operator_state.h"
#include "eddy/state/state_exception.h"
#include "state/backends.h"

namespace eddy {
namespace {

struct Trade {
  std::string symbol;
  int64_t quantity = 0;
};
struct TradeV2 {  // quantity became a double
  std::string symbol;
  double quantity = 0;
};

// A serializer of version 2 that still reads what version 1 wrote.
struct Celsius {
  double degrees = 0;
};

}  // namespace
}  // namespace eddy

EDDY_SERIALIZABLE(eddy::Trade, symbol, quantity);
EDDY_SERIALIZABLE(eddy::TradeV2, symbol, quantity);

template <>
struct eddy::TypeSerializer<eddy::Celsius> {
  static constexpr uint32_t kVersion = 2;
  static constexpr uint32_t kMinReadableVersion = 1;
  static std::string name() { return "celsius"; }
  static void serialize(const Celsius& value, DataOutputView& out) {
    out.write_fixed<double>(value.degrees);
  }
  static Celsius deserialize(DataInputView& in) { return {in.read_fixed<double>()}; }
};

namespace eddy {
namespace {

using SerializerCompatibilityTest = testing_backends::BackendTest;

using testing_backends::state_error;

void expect_contains(const std::string& message, const std::vector<std::string>& parts) {
  ASSERT_NE(message, "") << "no StateException";
  for (const std::string& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
}

// Every way a backend snapshots: snapshot(), a checkpoint's (possibly two-phase) snapshot, a
// savepoint's.
enum class Way { kSnapshot, kCheckpoint, kSavepoint };

KeyedStateSnapshot take(const KeyedStateBackend& backend, Way way) {
  KeyedStateSnapshot snapshot;
  if (way == Way::kSnapshot) {
    snapshot = backend.snapshot();
  } else {
    snapshot = backend.snapshot_for_checkpoint(
        1, way == Way::kSavepoint ? SnapshotType::kSavepoint : SnapshotType::kCheckpoint);
  }
  snapshot.materialize();
  return snapshot;
}

// Counts 0..9 under int64 keys 0..9 in ValueState<int64_t> "count".
KeyedStateSnapshot counts_snapshot(KeyedStateBackend& backend, Way way) {
  auto& count = backend.get_state(ValueStateDescriptor<int64_t>("count"));
  for (int64_t key = 0; key < 10; ++key) {
    set_current_key_of(backend, key);
    count.update(key);
  }
  return take(backend, way);
}

TEST_P(SerializerCompatibilityTest, SameTypesRestore) {
  for (Way way : {Way::kSnapshot, Way::kCheckpoint, Way::kSavepoint}) {
    const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), way);
    auto restored = make(0, 127, 128);
    restored->restore(snapshot);
    auto& count = restored->get_state(ValueStateDescriptor<int64_t>("count"));
    for (int64_t key = 0; key < 10; ++key) {
      set_current_key_of(*restored, key);
      EXPECT_EQ(count.value(), key);
    }
  }
}

TEST_P(SerializerCompatibilityTest, AnotherValueTypeIsRefusedNotReinterpreted) {
  for (Way way : {Way::kSnapshot, Way::kCheckpoint, Way::kSavepoint}) {
    const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), way);
    auto restored = make(0, 127, 128);
    restored->restore(snapshot);
    expect_contains(
        state_error([&] { restored->get_state(ValueStateDescriptor<double>("count")); }),
        {"state serializer for state 'count'", "must not be incompatible",
         "old int64, new double"});
  }
}

TEST_P(SerializerCompatibilityTest, AnotherKeyTypeIsRefusedNotRestoredEmpty) {
  const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), Way::kCheckpoint);
  auto restored = make(0, 127, 128);
  restored->restore(snapshot);
  auto& count = restored->get_state(ValueStateDescriptor<int64_t>("count"));
  expect_contains(state_error([&] { set_current_key_of(*restored, std::string("3")); }),
                  {"key serializer for state 'count'", "old int64, new string"});
  // The keys of the old type still read.
  set_current_key_of(*restored, int64_t{3});
  EXPECT_EQ(count.value(), 3);
}

TEST_P(SerializerCompatibilityTest, AKeyOfAnotherTypeSetBeforeTheRestoreIsRefusedByIt) {
  const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), Way::kSnapshot);
  auto restored = make(0, 127, 128);
  restored->get_state(ValueStateDescriptor<int64_t>("count"));
  set_current_key_of(*restored, std::string("a"));
  expect_contains(state_error([&] { restored->restore(snapshot); }),
                  {"key serializer for state 'count'", "old int64, new string"});
}

TEST_P(SerializerCompatibilityTest, AnotherKindIsRefused) {
  const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), Way::kSnapshot);
  auto restored = make(0, 127, 128);
  restored->restore(snapshot);
  expect_contains(
      state_error([&] { restored->get_list_state(ListStateDescriptor<int64_t>("count")); }),
      {"state 'count'", "ValueState", "ListState"});
}

TEST_P(SerializerCompatibilityTest, AStructWithAFieldOfAnotherTypeIsRefused) {
  auto backend = make(0, 127, 128);
  auto& trades = backend->get_map_state(MapStateDescriptor<std::string, Trade>("trades"));
  set_current_key_of(*backend, int64_t{1});
  trades.put("t1", Trade{"ABC", 5});
  const KeyedStateSnapshot snapshot = take(*backend, Way::kCheckpoint);
  auto restored = make(0, 127, 128);
  restored->restore(snapshot);
  const std::string message = state_error(
      [&] { restored->get_map_state(MapStateDescriptor<std::string, TradeV2>("trades")); });
  expect_contains(message, {"state 'trades'", "map state<string, eddy::", "int64}>", "double}>"});
}

TEST_P(SerializerCompatibilityTest, EnablingTtlOnRestoredStateIsRefused) {
  const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), Way::kSnapshot);
  auto restored = make(0, 127, 128);
  restored->restore(snapshot);
  ValueStateDescriptor<int64_t> with_ttl("count");
  with_ttl.enable_time_to_live(StateTtlConfig::new_builder(Time::seconds(10)).build());
  expect_contains(state_error([&] { restored->get_state(with_ttl); }),
                  {"state 'count'", "old int64, new ttl<int64>"});
}

TEST_P(SerializerCompatibilityTest, ANewerSerializerThatReadsTheOldVersionIsAccepted) {
  // Recorded identities are what decide: version 1 of "celsius" is readable by version 2.
  auto backend = make(0, 127, 128);
  auto& state = backend->get_state(ValueStateDescriptor<Celsius>("temperature"));
  set_current_key_of(*backend, int64_t{1});
  state.update(Celsius{21.5});
  KeyedStateSnapshot snapshot = take(*backend, Way::kSnapshot);
  ASSERT_EQ(snapshot.serializers.at("temperature").value_serializer.version, 2u);
  snapshot.serializers.at("temperature").value_serializer.version = 1;  // as version 1 wrote it
  auto restored = make(0, 127, 128);
  restored->restore(snapshot);
  auto& again = restored->get_state(ValueStateDescriptor<Celsius>("temperature"));
  set_current_key_of(*restored, int64_t{1});
  ASSERT_TRUE(again.value().has_value());
  EXPECT_EQ(again.value()->degrees, 21.5);
  // A version newer than the serializer reading it is refused.
  snapshot.serializers.at("temperature").value_serializer.version = 3;
  auto newer = make(0, 127, 128);
  newer->restore(snapshot);
  expect_contains(
      state_error([&] { newer->get_state(ValueStateDescriptor<Celsius>("temperature")); }),
      {"old celsius (version 3), new celsius (version 2)"});
}

TEST_P(SerializerCompatibilityTest, ASnapshotWithoutIdentitiesRestoresUnchecked) {
  // Snapshots of checkpoints written before identities were recorded have none.
  KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), Way::kSnapshot);
  snapshot.serializers.clear();
  auto restored = make(0, 127, 128);
  restored->restore(snapshot);
  auto& count = restored->get_state(ValueStateDescriptor<int64_t>("count"));
  set_current_key_of(*restored, int64_t{4});
  EXPECT_EQ(count.value(), 4);
}

TEST_P(SerializerCompatibilityTest, RestoredStatesNotRequestedKeepTheirIdentitiesInLaterSnapshots) {
  const KeyedStateSnapshot snapshot = counts_snapshot(*make(0, 127, 128), Way::kSnapshot);
  auto middle = make(0, 127, 128);
  middle->restore(snapshot);
  const KeyedStateSnapshot again = take(*middle, Way::kCheckpoint);  // "count" never requested
  auto last = make(0, 127, 128);
  last->restore(again);
  expect_contains(state_error([&] { last->get_state(ValueStateDescriptor<double>("count")); }),
                  {"old int64, new double"});
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(SerializerCompatibilityTest);

TEST(RocksDbIncrementalSerializerTest, AnotherValueTypeIsRefused) {
  RocksDbStateOptions options = testing_backends::test_rocksdb_options();
  options.incremental_checkpoints = true;
  RocksDbKeyedStateBackend backend(0, 127, 128, options);
  const KeyedStateSnapshot snapshot = counts_snapshot(backend, Way::kCheckpoint);
  ASSERT_FALSE(snapshot.native_meta.empty()) << "not an incremental snapshot";
  RocksDbKeyedStateBackend restored(0, 127, 128, options);
  restored.restore(snapshot);
  expect_contains(state_error([&] { restored.get_state(ValueStateDescriptor<double>("count")); }),
                  {"state 'count'", "old int64, new double"});
  expect_contains(state_error([&] { set_current_key_of(restored, std::string("k")); }),
                  {"key serializer for state 'count'", "old int64, new string"});
}

TEST(OperatorStateSerializerTest, ListStateOfAnotherElementTypeIsRefused) {
  OperatorStateStore store;
  store.get_list_state(ListStateDescriptor<int64_t>("offsets")).add(42);
  const OperatorStateSnapshot snapshot = store.snapshot();
  EXPECT_EQ(snapshot.at("offsets").serializer.name, "int64");

  OperatorStateStore same;
  same.restore(snapshot);
  EXPECT_EQ(same.get_list_state(ListStateDescriptor<int64_t>("offsets")).get(),
            std::vector<int64_t>{42});

  OperatorStateStore other;
  other.restore(snapshot);
  expect_contains(
      state_error([&] { other.get_list_state(ListStateDescriptor<std::string>("offsets")); }),
      {"operator state 'offsets'", "old int64, new string"});
}

TEST(OperatorStateSerializerTest, BroadcastStateOfAnotherValueTypeIsRefused) {
  OperatorStateStore store;
  store.get_broadcast_state(MapStateDescriptor<std::string, int32_t>("rules")).put("r", 1);
  const OperatorStateSnapshot snapshot = store.snapshot();
  OperatorStateStore other;
  other.restore(snapshot);
  expect_contains(state_error([&] {
                    other.get_broadcast_state(MapStateDescriptor<std::string, int64_t>("rules"));
                  }),
                  {"operator state 'rules'", "old pair<string, int32>, new pair<string, int64>"});
}

TEST(SerializerIdentityTest, NamesSayWhatIsWritten) {
  EXPECT_EQ(serializer_identity<int64_t>().name, "int64");
  EXPECT_EQ(serializer_identity<uint16_t>().name, "uint16");
  EXPECT_EQ(serializer_identity<double>().name, "double");
  EXPECT_EQ(serializer_identity<std::string>().name, "string");
  EXPECT_EQ((serializer_identity<std::vector<std::pair<int32_t, std::string>>>().name),
            "vector<pair<int32, string>>");
  // std::map and std::unordered_map write the same bytes: one identity.
  EXPECT_EQ((serializer_identity<std::map<std::string, int64_t>>()),
            (serializer_identity<std::unordered_map<std::string, int64_t>>()));
  EXPECT_EQ(serializer_identity<Trade>().name, "eddy::(anonymous namespace)::Trade{string, int64}");
  // A nested serializer's version is part of the composite's name.
  EXPECT_EQ(serializer_identity<std::optional<Celsius>>().name, "optional<celsius@2>");
  EXPECT_EQ(serializer_identity<int32_t>().version, 1u);
  EXPECT_FALSE(serializer_identity<int64_t>().can_read(serializer_identity<int32_t>()))
      << "no implicit widening";
  EXPECT_TRUE(serializer_identity<int64_t>().can_read(SerializerIdentity{}))
      << "an unknown (old) identity is not checked";
}

}  // namespace
}  // namespace eddy
