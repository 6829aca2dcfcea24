// The five keyed state kinds on each backend, per key, without namespaces or TTL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "state/backends.h"

namespace eddy {
namespace {

struct Average : AggregateFunction<int64_t, std::pair<int64_t, int64_t>, double> {
  std::pair<int64_t, int64_t> create_accumulator() override { return {0, 0}; }
  std::pair<int64_t, int64_t> add(const int64_t& value, std::pair<int64_t, int64_t> acc) override {
    return {acc.first + value, acc.second + 1};
  }
  double get_result(const std::pair<int64_t, int64_t>& acc) override {
    return static_cast<double>(acc.first) / static_cast<double>(acc.second);
  }
  std::pair<int64_t, int64_t> merge(std::pair<int64_t, int64_t> a,
                                    const std::pair<int64_t, int64_t>& b) override {
    return {a.first + b.first, a.second + b.second};
  }
};

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class KeyedStateKindsTest : public testing_backends::BackendTest {
 protected:
  void key(const std::string& k) { set_current_key_of(backend_, k); }
};

TEST_P(KeyedStateKindsTest, ValueStateReturnsDefaultUntilUpdatedAndAfterClear) {
  ValueState<int64_t>& count = backend_.get_state(ValueStateDescriptor<int64_t>("count", 7));
  ValueState<std::string>& name = backend_.get_state(ValueStateDescriptor<std::string>("name"));
  key("a");
  EXPECT_EQ(count.value(), 7);
  EXPECT_EQ(name.value(), std::nullopt);
  count.update(42);
  name.update("alice");
  EXPECT_EQ(count.value(), 42);
  EXPECT_EQ(name.value(), "alice");
  count.clear();
  EXPECT_EQ(count.value(), 7);
  EXPECT_EQ(name.value(), "alice");
}

TEST_P(KeyedStateKindsTest, ListStateAddAddAllUpdateGet) {
  ListState<int>& list = backend_.get_list_state(ListStateDescriptor<int>("list"));
  key("a");
  EXPECT_TRUE(list.get().empty());
  list.add(1);
  list.add_all({2, 3});
  list.add_all({});
  EXPECT_EQ(list.get(), (std::vector<int>{1, 2, 3}));
  list.update({9, 8});
  EXPECT_EQ(list.get(), (std::vector<int>{9, 8}));
  list.update({});
  EXPECT_TRUE(list.get().empty());
  EXPECT_EQ(backend_.num_entries(), 0u);
}

TEST_P(KeyedStateKindsTest, MapStatePutRemoveContainsItems) {
  MapState<std::string, int>& map =
      backend_.get_map_state(MapStateDescriptor<std::string, int>("map"));
  key("a");
  EXPECT_TRUE(map.is_empty());
  map.put("x", 1);
  map.put_all({{"y", 2}, {"z", 3}, {"y", 4}});
  EXPECT_FALSE(map.is_empty());
  EXPECT_EQ(map.get("y"), 4);
  EXPECT_EQ(map.get("w"), std::nullopt);
  EXPECT_TRUE(map.contains("x"));
  EXPECT_FALSE(map.contains("w"));
  EXPECT_EQ(sorted(map.items()),
            (std::vector<std::pair<std::string, int>>{{"x", 1}, {"y", 4}, {"z", 3}}));
  EXPECT_EQ(sorted(map.keys()), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(sorted(map.values()), (std::vector<int>{1, 3, 4}));
  map.remove("x");
  map.remove("absent");
  EXPECT_FALSE(map.contains("x"));
  map.remove("y");
  map.remove("z");
  EXPECT_TRUE(map.is_empty());
  EXPECT_EQ(backend_.num_entries(), 0u) << "a map whose last entry is removed frees its key";
}

TEST_P(KeyedStateKindsTest, ReducingStateSums) {
  ReducingState<int64_t>& sum = backend_.get_reducing_state(ReducingStateDescriptor<int64_t>(
      "sum", [](const int64_t& a, const int64_t& b) { return a + b; }));
  key("a");
  EXPECT_EQ(sum.get(), std::nullopt);
  for (int64_t v : {5, 10, 20}) sum.add(v);
  EXPECT_EQ(sum.get(), 35);
  sum.clear();
  EXPECT_EQ(sum.get(), std::nullopt);
}

TEST_P(KeyedStateKindsTest, AggregatingStateAverages) {
  AggregatingStateDescriptor avg_descriptor("avg", Average{});
  AggregatingState<int64_t, double>& avg = backend_.get_aggregating_state(avg_descriptor);
  key("a");
  EXPECT_EQ(avg.get(), std::nullopt);
  for (int64_t v : {1, 2, 6}) avg.add(v);
  EXPECT_DOUBLE_EQ(*avg.get(), 3.0);
  key("b");
  avg.add(10);
  EXPECT_DOUBLE_EQ(*avg.get(), 10.0);
  key("a");
  EXPECT_DOUBLE_EQ(*avg.get(), 3.0);
}

TEST_P(KeyedStateKindsTest, KeysAreIsolated) {
  ValueState<int>& value = backend_.get_state(ValueStateDescriptor<int>("v"));
  ListState<int>& list = backend_.get_list_state(ListStateDescriptor<int>("l"));
  for (int i = 0; i < 100; ++i) {
    key("key-" + std::to_string(i));
    value.update(i);
    list.add(i);
    list.add(-i);
  }
  for (int i = 0; i < 100; ++i) {
    key("key-" + std::to_string(i));
    EXPECT_EQ(value.value(), i);
    EXPECT_EQ(list.get(), (std::vector<int>{i, -i}));
  }
  EXPECT_EQ(backend_.num_entries(), 200u);
}

TEST_P(KeyedStateKindsTest, SameKeyBytesInDifferentKeyGroupsAreDifferentEntries) {
  // The backend trusts the key group it is given; an entry lives in that group's table.
  ValueState<int>& value = backend_.get_state(ValueStateDescriptor<int>("v"));
  backend_.set_current_key("k", 3);
  value.update(1);
  backend_.set_current_key("k", 90);
  EXPECT_EQ(value.value(), std::nullopt);
  value.update(2);
  backend_.set_current_key("k", 3);
  EXPECT_EQ(value.value(), 1);
  EXPECT_EQ(backend_.current_key_group(), 3);
  EXPECT_EQ(backend_.current_key(), "k");
}

TEST_P(KeyedStateKindsTest, SameNameReturnsSameState) {
  ValueState<int>& a = backend_.get_state(ValueStateDescriptor<int>("v"));
  ValueState<int>& b = backend_.get_state(ValueStateDescriptor<int>("v", 3));
  EXPECT_EQ(&a, &b);
}

TEST_P(KeyedStateKindsTest, ClearFreesEveryEntry) {
  ValueState<int>& value = backend_.get_state(ValueStateDescriptor<int>("v"));
  MapState<int, int>& map = backend_.get_map_state(MapStateDescriptor<int, int>("m"));
  ReducingState<int>& sum = backend_.get_reducing_state(
      ReducingStateDescriptor<int>("s", [](const int& a, const int& b) { return a + b; }));
  for (int i = 0; i < 50; ++i) {
    key(std::to_string(i));
    value.update(i);
    map.put(i, i);
    sum.add(i);
  }
  EXPECT_EQ(backend_.num_entries(), 150u);
  for (int i = 0; i < 50; ++i) {
    key(std::to_string(i));
    value.clear();
    map.clear();
    sum.clear();
  }
  EXPECT_EQ(backend_.num_entries(), 0u);
}

TEST_P(KeyedStateKindsTest, KeysListsSerializedKeysWithAValue) {
  ValueState<int>& value = backend_.get_state(ValueStateDescriptor<int>("v"));
  for (const std::string k : {"a", "b", "c"}) {
    key(k);
    value.update(1);
  }
  key("b");
  value.clear();
  std::vector<std::string> keys = backend_.keys("v");
  std::vector<std::string> decoded;
  for (const std::string& bytes : keys)
    decoded.push_back(deserialize_from_string<std::string>(bytes));
  EXPECT_EQ(sorted(decoded), (std::vector<std::string>{"a", "c"}));
  EXPECT_TRUE(backend_.keys("never-created").empty());
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(KeyedStateKindsTest);

}  // namespace
}  // namespace eddy
