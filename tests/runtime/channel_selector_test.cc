// Partitioners route records as Flink's do: key groups for HASH, round robin for REBALANCE, ...
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "eddy/runtime/channel_selector.h"

namespace eddy::runtime {
namespace {

TEST(ChannelSelectorTest, KeyGroupSelectorMatchesKeyGroupAssignment) {
  auto key = [](const int& v) { return v % 97; };
  KeyGroupSelector<int, decltype(key)> selector(key);
  selector.setup(3, 128, 0);
  for (int v = 0; v < 1000; ++v) {
    int kg = assign_to_key_group(v % 97, 128);
    EXPECT_EQ(selector.select(v), kg * 3 / 128);
    auto [first, last] = key_group_range_for_operator(128, 3, selector.select(v));
    EXPECT_GE(kg, first);
    EXPECT_LE(kg, last);
  }
}

TEST(ChannelSelectorTest, KeyGroupRangesPartitionAllKeyGroups) {
  for (int parallelism : {1, 2, 3, 7, 128}) {
    int next = 0;
    for (int i = 0; i < parallelism; ++i) {
      auto [first, last] = key_group_range_for_operator(128, parallelism, i);
      EXPECT_EQ(first, next);
      for (int kg = first; kg <= last; ++kg)
        EXPECT_EQ(operator_index_for_key_group(128, parallelism, kg), i);
      next = last + 1;
    }
    EXPECT_EQ(next, 128);
  }
}

TEST(ChannelSelectorTest, RoundRobinVisitsEveryChannelInTurn) {
  RoundRobinSelector<int> selector;
  selector.setup(3, 128, 1);
  std::vector<int> seen;
  for (int i = 0; i < 6; ++i) seen.push_back(selector.select(i));
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 0, 1, 2, 0}));
}

TEST(ChannelSelectorTest, ShuffleStaysInRangeAndSpreads) {
  ShuffleSelector<int> selector;
  selector.setup(4, 128, 0);
  std::map<int, int> counts;
  for (int i = 0; i < 40000; ++i) counts[selector.select(i)]++;
  ASSERT_EQ(counts.size(), 4u);
  for (auto [channel, n] : counts) {
    EXPECT_GE(channel, 0);
    EXPECT_LT(channel, 4);
    EXPECT_GT(n, 8000);  // ~10000 each
  }
}

TEST(ChannelSelectorTest, CustomPartitionerIsCheckedForRange) {
  auto partitioner = [](int key, int n) { return key; };
  auto key = [](const int& v) { return v; };
  CustomSelector<int, decltype(partitioner), decltype(key)> selector(partitioner, key);
  selector.setup(2, 128, 0);
  EXPECT_EQ(selector.select(1), 1);
  EXPECT_THROW(selector.select(2), std::out_of_range);
  EXPECT_THROW(selector.select(-1), std::out_of_range);
}

TEST(ChannelSelectorTest, ShipStrategyNamesAndPointwiseKinds) {
  EXPECT_STREQ(ship_strategy_name(PartitionKind::kHash), "HASH");
  EXPECT_STREQ(ship_strategy_name(PartitionKind::kRebalance), "REBALANCE");
  EXPECT_TRUE(is_pointwise(PartitionKind::kForward));
  EXPECT_TRUE(is_pointwise(PartitionKind::kRescale));
  EXPECT_FALSE(is_pointwise(PartitionKind::kBroadcast));
}

}  // namespace
}  // namespace eddy::runtime
