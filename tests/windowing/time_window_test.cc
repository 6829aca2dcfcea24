// TimeWindow arithmetic and the byte formats of both window types.
#include "eddy/windowing/time_window.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_set>

#include "eddy/core/serializer.h"

namespace eddy {
namespace {

// The definition: the largest s <= timestamp with s congruent to offset modulo size.
int64_t brute_force_window_start(int64_t timestamp, int64_t offset, int64_t size) {
  for (int64_t s = timestamp;; --s) {
    if (((s - offset) % size + size) % size == 0) return s;
  }
}

TEST(TimeWindowTest, WindowStartMatchesDefinitionForNegativeTimestampsAndOffsets) {
  for (int64_t size = 1; size <= 13; ++size) {
    for (int64_t offset = -size + 1; offset < size; ++offset) {
      for (int64_t timestamp = -60; timestamp <= 60; ++timestamp) {
        const int64_t start = TimeWindow::get_window_start_with_offset(timestamp, offset, size);
        ASSERT_EQ(start, brute_force_window_start(timestamp, offset, size))
            << "timestamp " << timestamp << " offset " << offset << " size " << size;
        ASSERT_LE(start, timestamp);
        ASSERT_GT(start + size, timestamp);
      }
    }
  }
}

TEST(TimeWindowTest, WindowStartExamplesFromFlink) {
  EXPECT_EQ(TimeWindow::get_window_start_with_offset(7, 0, 5), 5);
  EXPECT_EQ(TimeWindow::get_window_start_with_offset(-1, 0, 5), -5);
  EXPECT_EQ(TimeWindow::get_window_start_with_offset(-5, 0, 5), -5);
  EXPECT_EQ(TimeWindow::get_window_start_with_offset(-6, 0, 5), -10);
  EXPECT_EQ(TimeWindow::get_window_start_with_offset(0, 2, 5), -3);
  EXPECT_EQ(TimeWindow::get_window_start_with_offset(0, -2, 5), -2);
}

TEST(TimeWindowTest, AccessorsAndMaxTimestamp) {
  const TimeWindow window(0, 10000);
  EXPECT_EQ(window.get_start(), 0);
  EXPECT_EQ(window.get_end(), 10000);
  EXPECT_EQ(window.max_timestamp(), 9999);
  EXPECT_EQ(window.to_string(), "TimeWindow{start=0, end=10000}");
  EXPECT_EQ(TimeWindow(-5, -1).to_string(), "TimeWindow{start=-5, end=-1}");
}

TEST(TimeWindowTest, IntersectsIncludesTouchingWindows) {
  const TimeWindow window(5, 10);
  EXPECT_TRUE(window.intersects(TimeWindow(0, 5)));    // touching at the start
  EXPECT_TRUE(window.intersects(TimeWindow(10, 15)));  // touching at the end
  EXPECT_TRUE(window.intersects(TimeWindow(6, 8)));
  EXPECT_TRUE(window.intersects(TimeWindow(0, 20)));
  EXPECT_FALSE(window.intersects(TimeWindow(0, 4)));
  EXPECT_FALSE(window.intersects(TimeWindow(11, 15)));
}

TEST(TimeWindowTest, CoverIsTheSmallestEnclosingWindow) {
  EXPECT_EQ(TimeWindow(0, 5).cover(TimeWindow(3, 9)), TimeWindow(0, 9));
  EXPECT_EQ(TimeWindow(3, 9).cover(TimeWindow(0, 5)), TimeWindow(0, 9));
  EXPECT_EQ(TimeWindow(0, 20).cover(TimeWindow(3, 9)), TimeWindow(0, 20));
  EXPECT_EQ(TimeWindow(0, 2).cover(TimeWindow(8, 9)), TimeWindow(0, 9));
}

TEST(TimeWindowTest, OrdersByStartThenEnd) {
  EXPECT_LT(TimeWindow(0, 10), TimeWindow(1, 2));
  EXPECT_LT(TimeWindow(0, 5), TimeWindow(0, 10));
  EXPECT_FALSE(TimeWindow(0, 10) < TimeWindow(0, 10));
  EXPECT_NE(TimeWindow(0, 10), TimeWindow(0, 11));
}

TEST(TimeWindowTest, HashMatchesFlinksBitMixingOfStartPlusEnd) {
  // Flink: MathUtils.longToIntWithBitMixing(start + end); equal windows hash alike.
  EXPECT_EQ(key_hash(TimeWindow(0, 10)), key_hash(TimeWindow(3, 7)));
  EXPECT_EQ(key_hash(TimeWindow(0, 0)), 0u);
  std::unordered_set<TimeWindow> windows{TimeWindow(0, 10), TimeWindow(0, 10), TimeWindow(1, 10)};
  EXPECT_EQ(windows.size(), 2u);
  const TimeWindow extreme(std::numeric_limits<int64_t>::max(),
                           std::numeric_limits<int64_t>::max());
  EXPECT_EQ(key_hash(extreme), key_hash(extreme));  // wraps like Java instead of overflowing
}

TEST(TimeWindowTest, SerializesAsTwoLittleEndianLongs) {
  const TimeWindow window(-2, 258);
  const std::string bytes = serialize_to_string(window);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\xfe\xff\xff\xff\xff\xff\xff\xff", 8));
  EXPECT_EQ(bytes.substr(8, 8), std::string("\x02\x01\0\0\0\0\0\0", 8));
  EXPECT_EQ(deserialize_from_string<TimeWindow>(bytes), window);
  const TimeWindow extreme(std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max());
  EXPECT_EQ(deserialize_from_string<TimeWindow>(serialize_to_string(extreme)), extreme);
  EXPECT_THROW(deserialize_from_string<TimeWindow>(bytes.substr(0, 12)), SerializationError);
}

TEST(GlobalWindowTest, IsOneWindowThatNeverEnds) {
  EXPECT_EQ(GlobalWindow::get(), GlobalWindow::get());
  EXPECT_EQ(GlobalWindow::get().max_timestamp(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(GlobalWindow::get().to_string(), "GlobalWindow");
  EXPECT_EQ(key_hash(GlobalWindow::get()), 0u);
  EXPECT_EQ(std::hash<GlobalWindow>{}(GlobalWindow::get()), 0u);
}

TEST(GlobalWindowTest, SerializesAsOneZeroByte) {
  const std::string bytes = serialize_to_string(GlobalWindow::get());
  EXPECT_EQ(bytes, std::string(1, '\0'));
  EXPECT_EQ(deserialize_from_string<GlobalWindow>(bytes), GlobalWindow::get());
  EXPECT_THROW(deserialize_from_string<GlobalWindow>(std::string(1, '\x01')), SerializationError);
  EXPECT_THROW(deserialize_from_string<GlobalWindow>(""), SerializationError);
}

}  // namespace
}  // namespace eddy
