// MergingWindowSet scenarios after Flink's MergingWindowSetTest, plus a randomized check that
// an operator following the merge callbacks never loses or duplicates window contents.
#include "eddy/windowing/merging_window_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "eddy/core/time.h"
#include "eddy/windowing/session_windows.h"
#include "eddy/windowing/time_window.h"
#include "eddy/windowing/window_assigner.h"
#include "windowing/fixed_processing_time.h"

namespace eddy {
namespace {

using WindowSet = MergingWindowSet<EventTimeSessionWindows>;
using Windows = std::vector<TimeWindow>;

// Records the last merge_function call.
struct RecordingMergeFunction {
  bool merged = false;
  TimeWindow target;
  Windows sources;
  TimeWindow state_window;
  Windows merged_state_windows;

  void reset() { *this = RecordingMergeFunction(); }
  auto callback() {
    return [this](const TimeWindow& merge_result, const Windows& merged_windows,
                  const TimeWindow& state_window_result, const Windows& state_windows) {
      EXPECT_FALSE(merged) << "one merge per add_window in these scenarios";
      merged = true;
      target = merge_result;
      sources = merged_windows;
      state_window = state_window_result;
      merged_state_windows = state_windows;
    };
  }
};

class MergingWindowSetTest : public ::testing::Test {
 protected:
  TimeWindow add(int64_t start, int64_t end) {
    merge.reset();
    return set.add_window(TimeWindow(start, end), merge.callback());
  }

  const EventTimeSessionWindows assigner = EventTimeSessionWindows::with_gap(Time::milliseconds(3));
  WindowSet set{assigner};
  RecordingMergeFunction merge;
};

TEST_F(MergingWindowSetTest, IncrementalMerging) {
  EXPECT_EQ(add(0, 4), TimeWindow(0, 4));
  EXPECT_FALSE(merge.merged);
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 4)), TimeWindow(0, 4));

  EXPECT_EQ(add(0, 4), TimeWindow(0, 4));
  EXPECT_FALSE(merge.merged);

  EXPECT_EQ(add(3, 5), TimeWindow(0, 5));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.target, TimeWindow(0, 5));
  EXPECT_EQ(merge.state_window, TimeWindow(0, 4));
  EXPECT_EQ(merge.sources, Windows{TimeWindow(0, 4)});
  EXPECT_TRUE(merge.merged_state_windows.empty());

  EXPECT_EQ(add(4, 6), TimeWindow(0, 6));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.target, TimeWindow(0, 6));
  EXPECT_EQ(merge.state_window, TimeWindow(0, 4));
  EXPECT_EQ(merge.sources, Windows{TimeWindow(0, 5)});
  EXPECT_TRUE(merge.merged_state_windows.empty());
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 6)), TimeWindow(0, 4));

  // Windows inside the merged region change nothing.
  for (const auto& [start, end] : {std::pair{1, 4}, {0, 4}, {3, 5}, {4, 6}}) {
    EXPECT_EQ(add(start, end), TimeWindow(0, 6));
    EXPECT_FALSE(merge.merged) << start << ", " << end;
  }
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 6)), TimeWindow(0, 4));

  EXPECT_EQ(add(11, 14), TimeWindow(11, 14));
  EXPECT_FALSE(merge.merged);
  EXPECT_EQ(set.get_state_window(TimeWindow(11, 14)), TimeWindow(11, 14));

  EXPECT_EQ(add(10, 13), TimeWindow(10, 14));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.state_window, TimeWindow(11, 14));
  EXPECT_EQ(merge.sources, Windows{TimeWindow(11, 14)});

  EXPECT_EQ(add(12, 15), TimeWindow(10, 15));
  EXPECT_EQ(merge.sources, Windows{TimeWindow(10, 14)});
  EXPECT_EQ(merge.state_window, TimeWindow(11, 14));

  EXPECT_EQ(add(11, 14), TimeWindow(10, 15));
  EXPECT_FALSE(merge.merged);

  EXPECT_EQ(set.get_state_window(TimeWindow(0, 6)), TimeWindow(0, 4));
  EXPECT_EQ(set.get_state_window(TimeWindow(10, 15)), TimeWindow(11, 14));

  set.retire_window(TimeWindow(0, 6));
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 6)), std::nullopt);
  EXPECT_EQ(set.get_state_window(TimeWindow(10, 15)), TimeWindow(11, 14));
  EXPECT_EQ(set.size(), 1u);
}

TEST_F(MergingWindowSetTest, LateMergingKeepsTheFirstMergedWindowsState) {
  EXPECT_EQ(add(0, 3), TimeWindow(0, 3));
  EXPECT_EQ(add(5, 8), TimeWindow(5, 8));
  EXPECT_EQ(add(10, 13), TimeWindow(10, 13));
  EXPECT_FALSE(merge.merged);

  // [8, 10) bridges the later two windows.
  EXPECT_EQ(add(8, 10), TimeWindow(5, 13));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.target, TimeWindow(5, 13));
  EXPECT_EQ(merge.sources, (Windows{TimeWindow(5, 8), TimeWindow(10, 13)}));
  EXPECT_EQ(merge.state_window, TimeWindow(5, 8));
  EXPECT_EQ(merge.merged_state_windows, Windows{TimeWindow(10, 13)});
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 3)), TimeWindow(0, 3));

  for (const auto& [start, end] : {std::pair{5, 8}, {8, 10}, {10, 13}}) {
    EXPECT_EQ(add(start, end), TimeWindow(5, 13));
    EXPECT_FALSE(merge.merged);
  }
  EXPECT_EQ(set.get_state_window(TimeWindow(5, 13)), TimeWindow(5, 8));

  // [3, 5) bridges everything.
  EXPECT_EQ(add(3, 5), TimeWindow(0, 13));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.sources, (Windows{TimeWindow(0, 3), TimeWindow(5, 13)}));
  EXPECT_EQ(merge.state_window, TimeWindow(0, 3));
  EXPECT_EQ(merge.merged_state_windows, Windows{TimeWindow(5, 8)});
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 13)), TimeWindow(0, 3));
  EXPECT_EQ(
      set.mapping(),
      (std::vector<std::pair<TimeWindow, TimeWindow>>{{TimeWindow(0, 13), TimeWindow(0, 3)}}));
}

TEST_F(MergingWindowSetTest, LargeWindowCoveringOneWindowTakesItsState) {
  EXPECT_EQ(add(1, 2), TimeWindow(1, 2));
  EXPECT_EQ(add(0, 3), TimeWindow(0, 3));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.sources, Windows{TimeWindow(1, 2)});
  EXPECT_TRUE(merge.merged_state_windows.empty());
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 3)), TimeWindow(1, 2));
  EXPECT_EQ(set.get_state_window(TimeWindow(1, 2)), std::nullopt);
}

TEST_F(MergingWindowSetTest, LargeWindowCoveringSeveralWindows) {
  add(1, 3);
  add(5, 8);
  add(10, 13);
  EXPECT_EQ(add(0, 13), TimeWindow(0, 13));
  EXPECT_TRUE(merge.merged);
  EXPECT_EQ(merge.sources, (Windows{TimeWindow(1, 3), TimeWindow(5, 8), TimeWindow(10, 13)}));
  EXPECT_EQ(merge.state_window, TimeWindow(1, 3));
  EXPECT_EQ(merge.merged_state_windows, (Windows{TimeWindow(5, 8), TimeWindow(10, 13)}));
  EXPECT_EQ(set.size(), 1u);
}

TEST_F(MergingWindowSetTest, AddingIdenticalWindowsDoesNotMerge) {
  EXPECT_EQ(add(1, 2), TimeWindow(1, 2));
  EXPECT_EQ(add(1, 2), TimeWindow(1, 2));
  EXPECT_FALSE(merge.merged);
  EXPECT_EQ(set.get_state_window(TimeWindow(1, 2)), TimeWindow(1, 2));
}

TEST_F(MergingWindowSetTest, AddingAWindowIdenticalToAMergedOneKeepsItsStateWindow) {
  add(0, 4);
  add(3, 8);  // [0, 8) with state window [0, 4)
  EXPECT_EQ(add(0, 8), TimeWindow(0, 8));
  EXPECT_FALSE(merge.merged);
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 8)), TimeWindow(0, 4));
}

TEST_F(MergingWindowSetTest, RetiringAnUnknownWindowIsAnError) {
  add(0, 3);
  try {
    set.retire_window(TimeWindow(5, 8));
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Window TimeWindow{start=5, end=8} is not in in-flight window set.");
  }
  set.retire_window(TimeWindow(0, 3));
  EXPECT_TRUE(set.empty());
  EXPECT_THROW(set.retire_window(TimeWindow(0, 3)), std::logic_error);
}

TEST_F(MergingWindowSetTest, RestoresFromItsMapping) {
  add(0, 4);
  add(3, 8);
  add(20, 23);
  const auto mapping = set.mapping();
  EXPECT_EQ(mapping,
            (std::vector<std::pair<TimeWindow, TimeWindow>>{
                {TimeWindow(0, 8), TimeWindow(0, 4)}, {TimeWindow(20, 23), TimeWindow(20, 23)}}));

  WindowSet restored(assigner, mapping);
  EXPECT_EQ(restored.mapping(), mapping);
  EXPECT_EQ(restored.to_string(),
            "MergingWindowSet{windows={TimeWindow{start=0, end=8}=TimeWindow{start=0, end=4}, "
            "TimeWindow{start=20, end=23}=TimeWindow{start=20, end=23}}}");
  merge.reset();
  EXPECT_EQ(restored.add_window(TimeWindow(7, 21), merge.callback()), TimeWindow(0, 23));
  EXPECT_EQ(merge.state_window, TimeWindow(0, 4));
  EXPECT_EQ(merge.merged_state_windows, Windows{TimeWindow(20, 23)});

  EXPECT_THROW(WindowSet(assigner, {{TimeWindow(0, 1), TimeWindow(0, 1)},
                                    {TimeWindow(0, 1), TimeWindow(0, 1)}}),
               std::invalid_argument);
}

// A merging assigner written against the virtual interface works the same way.
class VirtualSessions : public MergingWindowAssigner<int, TimeWindow> {
 public:
  std::vector<TimeWindow> assign_windows(const int& gap, int64_t timestamp,
                                         const WindowAssignerContext&) const override {
    return {TimeWindow(timestamp, timestamp + gap)};
  }
  void merge_windows(const std::vector<TimeWindow>& windows,
                     const MergeCallback<TimeWindow>& callback) const override {
    TimeWindow::merge_windows(windows, callback);
  }
  bool is_event_time() const override { return true; }
  DefaultTrigger default_trigger() const override { return DefaultTrigger::kEventTime; }
  std::string to_string() const override { return "VirtualSessions()"; }
};

TEST(MergingWindowSetVirtualAssignerTest, MergesThroughTheVirtualInterface) {
  const VirtualSessions assigner;
  MergingWindowSet<MergingWindowAssigner<int, TimeWindow>> set(assigner);
  int merges = 0;
  auto count = [&](auto&&...) { ++merges; };
  EXPECT_EQ(set.add_window(TimeWindow(0, 2), count), TimeWindow(0, 2));
  EXPECT_EQ(set.add_window(TimeWindow(4, 6), count), TimeWindow(4, 6));
  EXPECT_EQ(set.add_window(TimeWindow(2, 4), count), TimeWindow(0, 6));
  EXPECT_EQ(merges, 1);
  EXPECT_EQ(set.get_state_window(TimeWindow(0, 6)), TimeWindow(0, 2));
}

// Drives the set as the window operator does: each element goes into the state window of the
// window it lands in, and merge callbacks move the contents of merged state windows. After
// every step, each in-flight window's state holds exactly the elements inside it, in-flight
// windows never intersect, and state windows are distinct.
TEST(MergingWindowSetRandomTest, OperatorNeverLosesContents) {
  const auto assigner = EventTimeSessionWindows::with_gap(Time::milliseconds(4));
  const testing::FixedProcessingTime ctx;
  std::mt19937_64 random(7);
  for (int round = 0; round < 300; ++round) {
    MergingWindowSet<EventTimeSessionWindows> set(assigner);
    std::map<TimeWindow, std::vector<int64_t>> state;  // state window -> element timestamps
    size_t live_elements = 0;
    for (int step = 0; step < 40; ++step) {
      const int64_t ts = std::uniform_int_distribution<int64_t>(-60, 60)(random);
      const TimeWindow window = assigner.assign_windows(ts, ctx).front();
      const TimeWindow actual = set.add_window(
          window, [&](const TimeWindow&, const Windows&, const TimeWindow& state_window,
                      const Windows& merged_state_windows) {
            for (const auto& merged : merged_state_windows) {
              auto& into = state[state_window];
              into.insert(into.end(), state[merged].begin(), state[merged].end());
              state.erase(merged);
            }
          });
      ASSERT_LE(actual.get_start(), window.get_start());
      ASSERT_GE(actual.get_end(), window.get_end());
      state[*set.get_state_window(actual)].push_back(ts);
      ++live_elements;

      const auto mapping = set.mapping();
      std::vector<TimeWindow> state_windows;
      size_t stored_elements = 0;
      for (size_t i = 0; i < mapping.size(); ++i) {
        stored_elements += state[mapping[i].second].size();
        if (i > 0) {
          ASSERT_FALSE(mapping[i - 1].first.intersects(mapping[i].first));
        }
        state_windows.push_back(mapping[i].second);
        for (int64_t element : state[mapping[i].second]) {
          ASSERT_GE(element, mapping[i].first.get_start());
          ASSERT_LT(element, mapping[i].first.get_end());
        }
      }
      std::sort(state_windows.begin(), state_windows.end());
      ASSERT_EQ(std::adjacent_find(state_windows.begin(), state_windows.end()),
                state_windows.end());
      ASSERT_EQ(state.size(), mapping.size()) << "a state window outlived its window";
      ASSERT_EQ(stored_elements, live_elements);

      if (random() % 10 == 0) {  // a window fires and is purged
        const auto& [fired, fired_state] = mapping[random() % mapping.size()];
        live_elements -= state[fired_state].size();
        state.erase(fired_state);
        set.retire_window(fired);
      }
    }
  }
}

}  // namespace
}  // namespace eddy
