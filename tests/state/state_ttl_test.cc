// State TTL on a manual clock, on each backend: expiry, update types, visibility, per-element list
// and map TTL, the full cleanup and incremental cleanup.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "state/backends.h"

namespace eddy {
namespace {

using UpdateType = StateTtlConfig::UpdateType;
using Visibility = StateTtlConfig::StateVisibility;

class StateTtlTest : public testing_backends::BackendTest {
 protected:
  StateTtlTest() {
    backend_.set_ttl_time_provider([this] { return now_; });
    set_current_key_of(backend_, std::string("k"));
  }

  template <class Descriptor>
  Descriptor with_ttl(Descriptor descriptor, UpdateType update = UpdateType::OnCreateAndWrite,
                      Visibility visibility = Visibility::NeverReturnExpired) {
    descriptor.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(100))
                                       .set_update_type(update)
                                       .set_state_visibility(visibility)
                                       .build());
    return descriptor;
  }

  int64_t now_ = 1000;
};

TEST(StateTtlConfigTest, BuilderKeepsEverySetting) {
  StateTtlConfig config = StateTtlConfig::new_builder(Time::seconds(5))
                              .set_update_type(UpdateType::OnReadAndWrite)
                              .set_state_visibility(Visibility::ReturnExpiredIfNotCleanedUp)
                              .cleanup_full_snapshot()
                              .cleanup_incrementally(10, true)
                              .disable_cleanup_in_background()
                              .build();
  EXPECT_EQ(config.get_ttl(), Time::seconds(5));
  EXPECT_EQ(config.get_update_type(), UpdateType::OnReadAndWrite);
  EXPECT_EQ(config.get_state_visibility(), Visibility::ReturnExpiredIfNotCleanedUp);
  EXPECT_TRUE(config.get_cleanup_strategies().in_full_snapshot());
  EXPECT_FALSE(config.get_cleanup_strategies().is_cleanup_in_background());
  ASSERT_TRUE(config.get_cleanup_strategies().get_incremental_cleanup_strategy());
  EXPECT_EQ(config.get_cleanup_strategies().get_incremental_cleanup_strategy()->cleanup_size, 10);
  StateTtlConfig defaults = StateTtlConfig::new_builder(Time::seconds(1)).build();
  EXPECT_EQ(defaults.get_update_type(), UpdateType::OnCreateAndWrite);
  EXPECT_EQ(defaults.get_state_visibility(), Visibility::NeverReturnExpired);
  EXPECT_TRUE(defaults.get_cleanup_strategies().is_cleanup_in_background());
}

TEST_P(StateTtlTest, ValueExpiresAfterTtlAndIsRemovedOnRead) {
  ValueState<int>& value = backend_.get_state(with_ttl(ValueStateDescriptor<int>("v", -1)));
  value.update(1);
  now_ += 99;
  EXPECT_EQ(value.value(), 1);
  now_ += 1;  // written at 1000, expired from 1100 on
  EXPECT_EQ(value.value(), -1) << "an expired value reads as unset (the default)";
  EXPECT_EQ(backend_.num_entries(), 0u);
}

TEST_P(StateTtlTest, OnCreateAndWriteIgnoresReads) {
  ValueState<int>& value = backend_.get_state(with_ttl(ValueStateDescriptor<int>("v")));
  value.update(1);
  now_ += 60;
  EXPECT_EQ(value.value(), 1);
  now_ += 60;
  EXPECT_EQ(value.value(), std::nullopt);
}

TEST_P(StateTtlTest, OnReadAndWriteRefreshesOnRead) {
  ValueState<int>& value =
      backend_.get_state(with_ttl(ValueStateDescriptor<int>("v"), UpdateType::OnReadAndWrite));
  value.update(1);
  for (int i = 0; i < 5; ++i) {
    now_ += 60;
    EXPECT_EQ(value.value(), 1) << "read " << i;
  }
  now_ += 100;
  EXPECT_EQ(value.value(), std::nullopt);
}

TEST_P(StateTtlTest, WriteRefreshesTheTimestamp) {
  ValueState<int>& value = backend_.get_state(with_ttl(ValueStateDescriptor<int>("v")));
  value.update(1);
  now_ += 60;
  value.update(2);
  now_ += 60;
  EXPECT_EQ(value.value(), 2);
}

TEST_P(StateTtlTest, ReturnExpiredIfNotCleanedUpReturnsItOnceThenRemovesIt) {
  ValueState<int>& value =
      backend_.get_state(with_ttl(ValueStateDescriptor<int>("v"), UpdateType::OnCreateAndWrite,
                                  Visibility::ReturnExpiredIfNotCleanedUp));
  value.update(1);
  now_ += 500;
  EXPECT_EQ(value.value(), 1);
  EXPECT_EQ(value.value(), std::nullopt);
}

TEST_P(StateTtlTest, ReducingStateRestartsAfterExpiry) {
  ReducingState<int>& sum = backend_.get_reducing_state(with_ttl(
      ReducingStateDescriptor<int>("s", [](const int& a, const int& b) { return a + b; })));
  sum.add(1);
  sum.add(2);
  now_ += 100;
  sum.add(5);
  EXPECT_EQ(sum.get(), 5) << "the expired sum is not folded into the new one";
}

TEST_P(StateTtlTest, ListElementsExpireOneByOne) {
  ListState<int>& list = backend_.get_list_state(with_ttl(ListStateDescriptor<int>("l")));
  list.add(1);
  now_ += 50;
  list.add_all({2, 3});
  now_ += 50;  // 1 expires, 2 and 3 have 50 ms left
  EXPECT_EQ(list.get(), (std::vector<int>{2, 3}));
  now_ += 50;
  EXPECT_TRUE(list.get().empty());
  EXPECT_EQ(backend_.num_entries(), 0u);
}

TEST_P(StateTtlTest, ListReturnExpiredAndOnReadAndWrite) {
  ListState<int>& list =
      backend_.get_list_state(with_ttl(ListStateDescriptor<int>("l"), UpdateType::OnReadAndWrite,
                                       Visibility::ReturnExpiredIfNotCleanedUp));
  list.add(1);
  now_ += 50;
  list.add(2);
  now_ += 60;  // 1 expired (110 ms), 2 alive (60 ms) and refreshed by this read
  EXPECT_EQ(list.get(), (std::vector<int>{1, 2}));
  now_ += 90;
  EXPECT_EQ(list.get(), (std::vector<int>{2}));
}

TEST_P(StateTtlTest, MapEntriesExpireOneByOne) {
  MapState<std::string, int>& map =
      backend_.get_map_state(with_ttl(MapStateDescriptor<std::string, int>("m")));
  map.put("old", 1);
  now_ += 50;
  map.put("new", 2);
  now_ += 50;
  EXPECT_FALSE(map.contains("old"));
  EXPECT_EQ(map.get("new"), 2);
  EXPECT_EQ(map.items(), (std::vector<std::pair<std::string, int>>{{"new", 2}}));
  EXPECT_FALSE(map.is_empty());
  now_ += 50;
  EXPECT_TRUE(map.is_empty());
  EXPECT_EQ(backend_.num_entries(), 0u);
}

TEST_P(StateTtlTest, MapOnReadAndWriteRefreshesReadEntries) {
  MapState<int, int>& map = backend_.get_map_state(
      with_ttl(MapStateDescriptor<int, int>("m"), UpdateType::OnReadAndWrite));
  map.put(1, 10);
  map.put(2, 20);
  now_ += 60;
  EXPECT_EQ(map.get(1), 10);
  now_ += 60;
  EXPECT_EQ(map.get(1), 10);
  EXPECT_EQ(map.get(2), std::nullopt);
}

TEST_P(StateTtlTest, CleanupExpiredRemovesExpiredValuesOfAllKeys) {
  ValueState<int>& value = backend_.get_state(with_ttl(ValueStateDescriptor<int>("v")));
  ListState<int>& list = backend_.get_list_state(with_ttl(ListStateDescriptor<int>("l")));
  MapState<int, int>& map = backend_.get_map_state(with_ttl(MapStateDescriptor<int, int>("m")));
  ValueState<int>& forever = backend_.get_state(ValueStateDescriptor<int>("forever"));
  for (int i = 0; i < 10; ++i) {
    set_current_key_of(backend_, i);
    value.update(i);
    list.add_all({i, i});
    map.put(i, i);
    forever.update(i);
  }
  now_ += 50;
  for (int i = 0; i < 5; ++i) {
    set_current_key_of(backend_, i);
    list.add(-1);
    map.put(-1, -1);
  }
  EXPECT_EQ(testing_backends::cleanup_expired(backend_), 0u);
  now_ += 50;  // everything written first is now expired
  // 10 values + 20 list elements + 10 map entries.
  EXPECT_EQ(testing_backends::cleanup_expired(backend_), 40u);
  // Left: 10 permanent values, 5 lists and 5 maps holding the later writes.
  EXPECT_EQ(backend_.num_entries(), 20u);
  set_current_key_of(backend_, 3);
  EXPECT_EQ(list.get(), (std::vector<int>{-1}));
  EXPECT_EQ(map.keys(), (std::vector<int>{-1}));
  EXPECT_EQ(forever.value(), 3);
}

// Incremental cleanup sweeps a few entries of other keys each time the backend moves to the next
// key: after an access of the state, or after every key with run_cleanup_for_every_record.
class IncrementalCleanupTest : public StateTtlTest {
 protected:
  template <class Descriptor>
  Descriptor incremental(Descriptor descriptor, bool every_record) {
    descriptor.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(100))
                                       .cleanup_incrementally(3, every_record)
                                       .build());
    return descriptor;
  }
  // Writes keys 0..n-1 of each state at the current time.
  template <class... States>
  void write_keys(int n, States&... states) {
    for (int i = 0; i < n; ++i) {
      set_current_key_of(backend_, i);
      (write(states, i), ...);
    }
  }
  static void write(ValueState<int>& s, int i) { s.update(i); }
  static void write(ListState<int>& s, int i) { s.add(i); }
  static void write(MapState<int, int>& s, int i) { s.put(i, i); }
};

EDDY_INSTANTIATE_FOR_EACH_BACKEND(StateTtlTest);

TEST_P(IncrementalCleanupTest, AccessesSweepExpiredEntriesOfOtherKeys) {
  ValueState<int>& value =
      backend_.get_state(incremental(ValueStateDescriptor<int>("v"), /*every_record=*/false));
  ListState<int>& list = backend_.get_list_state(incremental(ListStateDescriptor<int>("l"), false));
  MapState<int, int>& map =
      backend_.get_map_state(incremental(MapStateDescriptor<int, int>("m"), false));
  write_keys(20, value, list, map);
  set_current_key_of(backend_, 99);  // the sweep after the writes finds nothing expired yet
  now_ += 200;                       // all expired
  EXPECT_EQ(backend_.num_entries(), 60u);
  // Moving between keys without touching the states sweeps nothing.
  for (int i = 100; i < 110; ++i) set_current_key_of(backend_, i);
  EXPECT_EQ(backend_.num_entries(), 60u);
  // Each access followed by a key change sweeps about 3 entries of each state; enough of them
  // clean up every key although keys 0..19 are never read again.
  for (int i = 100; i < 160; ++i) {
    set_current_key_of(backend_, i);
    EXPECT_FALSE(value.value().has_value());
    EXPECT_TRUE(list.get().empty());
    EXPECT_TRUE(map.is_empty());
  }
  EXPECT_EQ(backend_.num_entries(), 0u);
}

TEST_P(IncrementalCleanupTest, EveryRecordSweepsWithoutAccessAndKeepsLiveValues) {
  ValueState<int>& value =
      backend_.get_state(incremental(ValueStateDescriptor<int>("v"), /*every_record=*/true));
  write_keys(20, value);
  now_ += 60;
  write_keys(10, value);  // keys 0..9 rewritten: they live until now + 100
  now_ += 60;             // keys 10..19 expired
  for (int i = 100; i < 200; ++i) set_current_key_of(backend_, i);
  EXPECT_EQ(backend_.num_entries(), 10u);
  for (int i = 0; i < 10; ++i) {
    set_current_key_of(backend_, i);
    EXPECT_EQ(value.value(), i);
  }
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(IncrementalCleanupTest);

}  // namespace
}  // namespace eddy
