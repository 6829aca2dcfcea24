// Operator list state, its redistribution on rescaling, and broadcast state.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/operator_state.h"

namespace eddy {
namespace {

using Lists = std::vector<std::vector<int>>;

TEST(RedistributionTest, EvenSplitTwoToThree) {
  // 7 elements: parts of 3, 2, 2, contiguous in old-subtask order.
  EXPECT_EQ(redistribute_even_split(Lists{{1, 2, 3, 4}, {5, 6, 7}}, 3),
            (Lists{{1, 2, 3}, {4, 5}, {6, 7}}));
}

TEST(RedistributionTest, EvenSplitThreeToOne) {
  EXPECT_EQ(redistribute_even_split(Lists{{1}, {}, {2, 3}}, 1), (Lists{{1, 2, 3}}));
}

TEST(RedistributionTest, EvenSplitOneToFour) {
  EXPECT_EQ(redistribute_even_split(Lists{{1, 2, 3, 4, 5}}, 4), (Lists{{1, 2}, {3}, {4}, {5}}));
  EXPECT_EQ(redistribute_even_split(Lists{{1, 2}}, 4), (Lists{{1}, {2}, {}, {}}));
}

TEST(RedistributionTest, EvenSplitKeepsEveryElementOnce) {
  Lists old{{1, 2, 3}, {4}, {5, 6, 7, 8, 9, 10}};
  for (int p = 1; p <= 12; ++p) {
    Lists parts = redistribute_even_split(old, p);
    ASSERT_EQ(parts.size(), static_cast<size_t>(p));
    std::vector<int> joined;
    for (const auto& part : parts) joined.insert(joined.end(), part.begin(), part.end());
    EXPECT_EQ(joined, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})) << "parallelism " << p;
    const auto [min, max] = std::minmax_element(
        parts.begin(), parts.end(), [](auto& a, auto& b) { return a.size() < b.size(); });
    EXPECT_LE(max->size() - min->size(), 1u);
  }
}

TEST(RedistributionTest, UnionGivesEverySubtaskEverything) {
  EXPECT_EQ(redistribute_union(Lists{{1, 2}, {3, 4}}, 3),
            (Lists{{1, 2, 3, 4}, {1, 2, 3, 4}, {1, 2, 3, 4}}));
  EXPECT_EQ(redistribute_union(Lists{{1}, {2}, {3}}, 1), (Lists{{1, 2, 3}}));
  EXPECT_EQ(redistribute_union(Lists{{1, 2}}, 4), (Lists{{1, 2}, {1, 2}, {1, 2}, {1, 2}}));
}

TEST(RedistributionTest, RejectsNonPositiveParallelism) {
  EXPECT_THROW(redistribute_even_split(Lists{{1}}, 0), StateException);
  EXPECT_THROW(redistribute_union(Lists{{1}}, -1), StateException);
}

TEST(OperatorStateStoreTest, ListStatesByName) {
  OperatorStateStore store;
  ListState<std::string>& offsets =
      store.get_list_state(ListStateDescriptor<std::string>("offsets"));
  offsets.add("a");
  offsets.add_all({"b", "c"});
  EXPECT_EQ(&store.get_list_state(ListStateDescriptor<std::string>("offsets")), &offsets);
  EXPECT_EQ(offsets.get(), (std::vector<std::string>{"a", "b", "c"}));
  offsets.update({"z"});
  EXPECT_EQ(offsets.get(), (std::vector<std::string>{"z"}));
  ListState<int>& all = store.get_union_list_state(ListStateDescriptor<int>("all"));
  all.add(1);
  EXPECT_EQ(all.get(), (std::vector<int>{1}));
  offsets.clear();
  EXPECT_TRUE(offsets.get().empty());
  EXPECT_EQ(store.state_names(), (std::vector<std::string>{"all", "offsets"}));
}

TEST(OperatorStateStoreTest, SameNameWithAnotherModeOrTypeIsRejected) {
  OperatorStateStore store;
  store.get_list_state(ListStateDescriptor<int>("s"));
  try {
    store.get_union_list_state(ListStateDescriptor<int>("s"));
    FAIL() << "expected a StateException";
  } catch (const StateException& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'s'"), std::string::npos) << message;
    EXPECT_NE(message.find("union"), std::string::npos) << message;
  }
  EXPECT_THROW(store.get_list_state(ListStateDescriptor<double>("s")), StateException);
  EXPECT_THROW(store.get_broadcast_state(MapStateDescriptor<int, int>("s")), StateException);
}

TEST(BroadcastStateTest, ReadOnlyViewSeesTheSameMap) {
  OperatorStateStore store;
  MapStateDescriptor<std::string, int> rules("rules");
  BroadcastState<std::string, int>& state = store.get_broadcast_state(rules);
  const ReadOnlyBroadcastState<std::string, int>& view = state;
  EXPECT_TRUE(view.is_empty());
  state.put("a", 1);
  state.put_all({{"b", 2}, {"c", 3}, {"b", 4}});
  EXPECT_FALSE(view.is_empty());
  EXPECT_EQ(view.get("b"), 4);
  EXPECT_EQ(view.get("x"), std::nullopt);
  EXPECT_TRUE(view.contains("c"));
  auto items = view.items();
  std::sort(items.begin(), items.end());
  EXPECT_EQ(items, (std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 4}, {"c", 3}}));
  state.remove("a");
  EXPECT_FALSE(view.contains("a"));
  EXPECT_EQ(&store.get_broadcast_state(rules), &state);
  state.clear();
  EXPECT_TRUE(view.is_empty());
}

}  // namespace
}  // namespace eddy
