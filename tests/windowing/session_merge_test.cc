// TimeWindow::merge_windows (what session assigners merge with) against a brute-force
// connected-components definition over random window sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "eddy/windowing/session_windows.h"
#include "eddy/windowing/time_window.h"

namespace eddy {
namespace {

using MergeGroup = std::pair<std::vector<TimeWindow>, TimeWindow>;

std::vector<MergeGroup> merge_with_assigner(const std::vector<TimeWindow>& windows) {
  std::vector<MergeGroup> groups;
  EventTimeSessionWindows::merge_windows(
      windows, [&](std::vector<TimeWindow> to_be_merged, TimeWindow merge_result) {
        groups.emplace_back(std::move(to_be_merged), merge_result);
      });
  return groups;
}

// Union-find over "intersects" (transitively), then every component of two or more distinct
// windows merges into the cover of its members.
std::vector<MergeGroup> brute_force_merge(const std::vector<TimeWindow>& windows) {
  const std::set<TimeWindow> distinct_set(windows.begin(), windows.end());
  const std::vector<TimeWindow> distinct(distinct_set.begin(), distinct_set.end());
  std::vector<size_t> parent(distinct.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (size_t i = 0; i < distinct.size(); ++i) {
    for (size_t j = i + 1; j < distinct.size(); ++j) {
      if (distinct[i].intersects(distinct[j])) parent[find(i)] = find(j);
    }
  }
  std::vector<MergeGroup> groups;
  for (size_t root = 0; root < distinct.size(); ++root) {
    if (find(root) != root) continue;
    std::vector<TimeWindow> members;
    for (size_t i = 0; i < distinct.size(); ++i) {
      if (find(i) == root) members.push_back(distinct[i]);
    }
    if (members.size() < 2) continue;
    TimeWindow cover = members.front();
    for (const auto& member : members) cover = cover.cover(member);
    groups.emplace_back(std::move(members), cover);
  }
  std::sort(groups.begin(), groups.end(),
            [](const MergeGroup& a, const MergeGroup& b) { return a.second < b.second; });
  return groups;
}

TEST(SessionMergeTest, MergesOverlappingAndTouchingWindows) {
  const auto groups = merge_with_assigner({TimeWindow(10, 13), TimeWindow(0, 3), TimeWindow(5, 8),
                                           TimeWindow(3, 5), TimeWindow(20, 22)});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].second, TimeWindow(0, 8));
  EXPECT_EQ(groups[0].first,
            (std::vector<TimeWindow>{TimeWindow(0, 3), TimeWindow(3, 5), TimeWindow(5, 8)}));
}

TEST(SessionMergeTest, NoCallbackForLoneOrIdenticalWindows) {
  EXPECT_TRUE(merge_with_assigner({}).empty());
  EXPECT_TRUE(merge_with_assigner({TimeWindow(0, 3)}).empty());
  EXPECT_TRUE(merge_with_assigner({TimeWindow(0, 3), TimeWindow(4, 6)}).empty());
  // Duplicates are one window, as in Flink's set of windows to merge.
  EXPECT_TRUE(merge_with_assigner({TimeWindow(0, 3), TimeWindow(0, 3)}).empty());
}

TEST(SessionMergeTest, ReportsEveryGroupInStartOrder) {
  const auto groups = merge_with_assigner({TimeWindow(21, 25), TimeWindow(0, 2), TimeWindow(20, 22),
                                           TimeWindow(1, 4), TimeWindow(1, 4), TimeWindow(10, 11)});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].second, TimeWindow(0, 4));
  EXPECT_EQ(groups[0].first, (std::vector<TimeWindow>{TimeWindow(0, 2), TimeWindow(1, 4)}));
  EXPECT_EQ(groups[1].second, TimeWindow(20, 25));
  EXPECT_EQ(groups[1].first, (std::vector<TimeWindow>{TimeWindow(20, 22), TimeWindow(21, 25)}));
}

TEST(SessionMergeTest, RandomWindowSetsMatchConnectedComponents) {
  std::mt19937_64 random(20240611);
  for (int round = 0; round < 3000; ++round) {
    const int count = std::uniform_int_distribution<int>(0, 12)(random);
    const int64_t spread = std::uniform_int_distribution<int64_t>(5, 200)(random);
    std::vector<TimeWindow> windows;
    for (int i = 0; i < count; ++i) {
      const int64_t start = std::uniform_int_distribution<int64_t>(-spread, spread)(random);
      const int64_t length = std::uniform_int_distribution<int64_t>(1, 15)(random);
      windows.emplace_back(start, start + length);
      if (i > 0 && random() % 8 == 0) windows.push_back(windows[random() % windows.size()]);
    }
    ASSERT_EQ(merge_with_assigner(windows), brute_force_merge(windows)) << "round " << round;
  }
}

}  // namespace
}  // namespace eddy
