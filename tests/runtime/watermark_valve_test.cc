// The watermark valve: minimum over active channels, finished channels drop out, idle channels
// drop out until their next watermark, and an all-idle input says so once.
#include "runtime/watermark_valve.h"

#include <gtest/gtest.h>

namespace eddy::runtime {
namespace {

TEST(WatermarkValveTest, MinimumOfActiveChannels) {
  WatermarkValve valve(2);
  EXPECT_EQ(valve.on_watermark(0, 10), std::nullopt);  // channel 1 still at the minimum
  EXPECT_EQ(valve.on_watermark(1, 5), std::optional<int64_t>(5));
  EXPECT_EQ(valve.on_watermark(1, 20), std::optional<int64_t>(10));
  EXPECT_EQ(valve.on_watermark(1, 15), std::nullopt) << "channel watermarks never go back";
  EXPECT_EQ(valve.on_channel_finished(0), std::optional<int64_t>(20));
  EXPECT_EQ(valve.on_channel_finished(1), std::optional<int64_t>(kMaxWatermark));
}

TEST(WatermarkValveTest, IdleChannelsDoNotHoldBackAndReactivateWithTheirNextWatermark) {
  WatermarkValve valve(3);
  valve.on_watermark(0, 100);
  valve.on_watermark(1, 50);
  EXPECT_EQ(valve.on_watermark(2, 10), std::optional<int64_t>(10));
  EXPECT_EQ(valve.on_watermark(2, kIdleWatermark), std::optional<int64_t>(50));
  EXPECT_EQ(valve.on_watermark(1, kIdleWatermark), std::optional<int64_t>(100));
  EXPECT_EQ(valve.on_watermark(0, kIdleWatermark), std::optional<int64_t>(kIdleWatermark));
  EXPECT_EQ(valve.on_watermark(0, kIdleWatermark), std::nullopt) << "said once";
  // Channel 2 comes back behind the input's event time: the input is active again at 100.
  EXPECT_EQ(valve.on_watermark(2, 60), std::optional<int64_t>(100));
  EXPECT_EQ(valve.on_watermark(2, 150), std::optional<int64_t>(150));
  EXPECT_EQ(valve.on_watermark(0, 120), std::nullopt) << "active again, behind the input";
  EXPECT_EQ(valve.on_watermark(0, 200), std::nullopt) << "channel 2 holds the input at 150";
  EXPECT_EQ(valve.on_watermark(2, 300), std::optional<int64_t>(200));
}

TEST(WatermarkValveTest, FinishedChannelsWithOnlyIdleOnesLeftMakeTheInputIdleNotFinished) {
  WatermarkValve valve(2);
  valve.on_watermark(0, 5);
  EXPECT_EQ(valve.on_watermark(1, kIdleWatermark), std::optional<int64_t>(5));
  EXPECT_EQ(valve.on_channel_finished(0), std::optional<int64_t>(kIdleWatermark));
  EXPECT_EQ(valve.on_channel_finished(1), std::optional<int64_t>(kMaxWatermark));
}

}  // namespace
}  // namespace eddy::runtime
