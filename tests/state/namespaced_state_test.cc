// Namespaced (window) state on each backend: isolation between namespaces and merge_namespaces.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "state/backends.h"

namespace eddy {
namespace {

// A window-like namespace hashed through KeyHash<std::pair>.
using Window = std::pair<int64_t, int64_t>;

struct Count : AggregateFunction<std::string, int64_t, int64_t> {
  int64_t create_accumulator() override { return 0; }
  int64_t add(const std::string&, int64_t acc) override { return acc + 1; }
  int64_t get_result(const int64_t& acc) override { return acc; }
  int64_t merge(int64_t a, const int64_t& b) override { return a + b; }
};

class NamespacedStateTest : public testing_backends::BackendTest {
 protected:
  void key(const std::string& k) { set_current_key_of(backend_, k); }
};

TEST_P(NamespacedStateTest, NamespacesOfOneKeyAreIsolated) {
  auto& value = backend_.get_partitioned_state<Window>(ValueStateDescriptor<int>("v"));
  key("a");
  value.set_current_namespace({0, 10});
  value.update(1);
  value.set_current_namespace({10, 20});
  EXPECT_EQ(value.value(), std::nullopt);
  value.update(2);
  value.set_current_namespace({0, 10});
  EXPECT_EQ(value.value(), 1);
  key("b");
  EXPECT_EQ(value.value(), std::nullopt) << "another key, same namespace";
  EXPECT_EQ(backend_.num_entries(), 2u);
  EXPECT_EQ(backend_.keys("v").size(), 1u) << "one key, listed once over its namespaces";
}

TEST_P(NamespacedStateTest, MapStateInNamespaces) {
  auto& map = backend_.get_partitioned_state<int>(MapStateDescriptor<std::string, int>("m"));
  key("a");
  map.set_current_namespace(1);
  map.put("x", 1);
  map.set_current_namespace(2);
  EXPECT_FALSE(map.contains("x"));
  map.put("x", 2);
  map.set_current_namespace(1);
  EXPECT_EQ(map.get("x"), 1);
}

TEST_P(NamespacedStateTest, ListMergeAppendsSourcesAfterTargetAndClearsThem) {
  auto& list = backend_.get_partitioned_state<Window>(ListStateDescriptor<int>("l"));
  key("a");
  list.set_current_namespace({0, 5});
  list.add_all({1, 2});
  list.set_current_namespace({3, 8});
  list.add(3);
  list.set_current_namespace({7, 12});
  list.add_all({4, 5});
  list.set_current_namespace({20, 25});  // no state: contributes nothing
  list.merge_namespaces({0, 5}, {{3, 8}, {20, 25}, {7, 12}});
  list.set_current_namespace({0, 5});
  EXPECT_EQ(list.get(), (std::vector<int>{1, 2, 3, 4, 5}));
  for (Window w : {Window{3, 8}, Window{7, 12}}) {
    list.set_current_namespace(w);
    EXPECT_TRUE(list.get().empty());
  }
  EXPECT_EQ(backend_.num_entries(), 1u);
}

TEST_P(NamespacedStateTest, ListMergeIntoEmptyTarget) {
  auto& list = backend_.get_partitioned_state<int>(ListStateDescriptor<int>("l"));
  key("a");
  list.set_current_namespace(1);
  list.add(1);
  list.set_current_namespace(2);
  list.add(2);
  list.merge_namespaces(9, {1, 2});
  list.set_current_namespace(9);
  EXPECT_EQ(list.get(), (std::vector<int>{1, 2}));
  key("b");
  EXPECT_TRUE(list.get().empty()) << "merging only touches the current key";
}

TEST_P(NamespacedStateTest, ReducingMerge) {
  auto& sum = backend_.get_partitioned_state<int>(ReducingStateDescriptor<int64_t>(
      "s", [](const int64_t& a, const int64_t& b) { return a + b; }));
  key("a");
  for (int ns : {1, 2, 3}) {
    sum.set_current_namespace(ns);
    sum.add(ns * 10);
    sum.add(ns);
  }
  sum.merge_namespaces(2, {1, 3});
  sum.set_current_namespace(2);
  EXPECT_EQ(sum.get(), 66);
  sum.set_current_namespace(1);
  EXPECT_EQ(sum.get(), std::nullopt);
  sum.set_current_namespace(3);
  EXPECT_EQ(sum.get(), std::nullopt);
  EXPECT_EQ(backend_.num_entries(), 1u);
}

TEST_P(NamespacedStateTest, ReducingMergeWithTargetAmongSources) {
  auto& sum = backend_.get_partitioned_state<int>(
      ReducingStateDescriptor<int>("s", [](const int& a, const int& b) { return a + b; }));
  key("a");
  sum.set_current_namespace(1);
  sum.add(1);
  sum.set_current_namespace(2);
  sum.add(2);
  sum.merge_namespaces(1, {1, 2});
  sum.set_current_namespace(1);
  EXPECT_EQ(sum.get(), 3);
}

TEST_P(NamespacedStateTest, AggregatingMerge) {
  AggregatingStateDescriptor count("count", Count{});
  auto& agg = backend_.get_partitioned_state<int>(count);
  key("a");
  agg.set_current_namespace(1);
  agg.add("x");
  agg.add("y");
  agg.set_current_namespace(2);
  agg.add("z");
  agg.merge_namespaces(3, {1, 2});
  agg.set_current_namespace(3);
  EXPECT_EQ(agg.get(), 3);
  agg.set_current_namespace(1);
  EXPECT_EQ(agg.get(), std::nullopt);
}

TEST_P(NamespacedStateTest, GetAccumulatorReadsTheLiveAccumulatorWithoutChangingIt) {
  AggregatingStateDescriptor count("count", Count{});
  auto& agg = backend_.get_partitioned_state<int>(count);
  key("a");
  agg.set_current_namespace(1);
  EXPECT_EQ(agg.get_accumulator(), std::nullopt);
  agg.add("x");
  agg.add("y");
  EXPECT_EQ(agg.get_accumulator(), 2);
  EXPECT_EQ(agg.get_accumulator(), 2);
  agg.set_current_namespace(2);
  EXPECT_EQ(agg.get_accumulator(), std::nullopt);
}

TEST_P(NamespacedStateTest, MergeOfNothingLeavesTargetUntouched) {
  auto& sum = backend_.get_partitioned_state<int>(
      ReducingStateDescriptor<int>("s", [](const int& a, const int& b) { return a + b; }));
  key("a");
  sum.merge_namespaces(1, {2, 3});
  sum.set_current_namespace(1);
  EXPECT_EQ(sum.get(), std::nullopt);
  EXPECT_EQ(backend_.num_entries(), 0u);
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(NamespacedStateTest);

}  // namespace
}  // namespace eddy
