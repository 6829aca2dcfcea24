// Evictors: which elements survive, and that each evicts only before or only after the window
// function, as its do_evict_after flag says.
#include "eddy/windowing/evictor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "eddy/core/exceptions.h"
#include "eddy/core/time.h"
#include "eddy/runtime/record_context.h"
#include "eddy/windowing/global_window.h"
#include "eddy/windowing/time_window.h"

namespace eddy {
namespace {

using Elements = std::vector<TimestampedValue<int>>;

const TimeWindow kWindow(0, 100);
constexpr int64_t kWatermark = 50;

Elements with_timestamps(const std::vector<int64_t>& timestamps) {
  Elements elements;
  for (int64_t ts : timestamps) elements.emplace_back(static_cast<int>(ts) * 10, ts);
  return elements;
}

std::vector<int> values(const Elements& elements) {
  std::vector<int> out;
  for (const auto& e : elements) out.push_back(e.value);
  return out;
}

TEST(TimestampedValueTest, KnowsWhetherItHasATimestamp) {
  EXPECT_FALSE(TimestampedValue<int>(1).has_timestamp());
  EXPECT_EQ(TimestampedValue<int>(1).timestamp, runtime::kNoTimestamp);
  EXPECT_TRUE(TimestampedValue<int>(1, 0).has_timestamp());
  EXPECT_TRUE(TimestampedValue<int>(1, -5).has_timestamp());
}

TEST(CountEvictorTest, KeepsTheLastMaxCountElements) {
  Elements elements = with_timestamps({5, 1, 4, 2, 3});
  CountEvictor::of(3).evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(values(elements), (std::vector<int>{40, 20, 30}));

  Elements few = with_timestamps({1, 2});
  CountEvictor::of(3).evict_before(few, kWindow, kWatermark);
  EXPECT_EQ(few.size(), 2u);

  Elements exact = with_timestamps({1, 2, 3});
  CountEvictor::of(3).evict_before(exact, GlobalWindow::get(), kWatermark);
  EXPECT_EQ(exact.size(), 3u);
}

TEST(CountEvictorTest, NonPositiveCountEvictsEverythingAsFlink) {
  Elements elements = with_timestamps({1, 2, 3});
  CountEvictor::of(0).evict_before(elements, kWindow, kWatermark);
  EXPECT_TRUE(elements.empty());
  elements = with_timestamps({1, 2, 3});
  CountEvictor::of(-2).evict_before(elements, kWindow, kWatermark);
  EXPECT_TRUE(elements.empty());
}

TEST(CountEvictorTest, EvictsEitherBeforeOrAfter) {
  const auto before = CountEvictor::of(1);
  const auto after = CountEvictor::of(1, true);
  EXPECT_FALSE(before.is_evict_after());
  EXPECT_TRUE(after.is_evict_after());
  Elements elements = with_timestamps({1, 2, 3});
  before.evict_after(elements, kWindow, kWatermark);
  after.evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(elements.size(), 3u);
  after.evict_after(elements, kWindow, kWatermark);
  EXPECT_EQ(values(elements), std::vector<int>{30});
  EXPECT_EQ(CountEvictor::of(7).to_string(), "CountEvictor(7)");
}

TEST(TimeEvictorTest, EvictsAtOrBeforeNewestMinusWindowSize) {
  // Newest is 10: the cutoff is 10 - 4 = 6, and elements at or before 6 go, whatever their order.
  Elements elements = with_timestamps({7, 1, 10, 6, 8, 3});
  TimeEvictor::of(Time::milliseconds(4)).evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(values(elements), (std::vector<int>{70, 100, 80}));
}

TEST(TimeEvictorTest, HandlesNegativeTimestamps) {
  Elements elements = with_timestamps({-20, -12, -11, -10});
  TimeEvictor::of(Time::milliseconds(2)).evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(values(elements), (std::vector<int>{-110, -100}));
}

TEST(TimeEvictorTest, ElementsWithoutTimestampsDisableIt) {
  Elements elements{TimestampedValue<int>(1), TimestampedValue<int>(2)};
  TimeEvictor::of(Time::milliseconds(1)).evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(elements.size(), 2u);

  Elements empty;
  TimeEvictor::of(Time::milliseconds(1)).evict_before(empty, kWindow, kWatermark);
  EXPECT_TRUE(empty.empty());
}

TEST(TimeEvictorTest, ALaterElementWithoutTimestampIsAnError) {
  Elements elements{TimestampedValue<int>(1, 5), TimestampedValue<int>(2)};
  EXPECT_THROW(TimeEvictor::of(Time::milliseconds(1)).evict_before(elements, kWindow, kWatermark),
               EddyException);
}

TEST(TimeEvictorTest, EvictsEitherBeforeOrAfter) {
  const auto after = TimeEvictor::of(Time::milliseconds(1), true);
  Elements elements = with_timestamps({1, 2, 3});
  after.evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(elements.size(), 3u);
  after.evict_after(elements, kWindow, kWatermark);
  EXPECT_EQ(values(elements), std::vector<int>{30});
  TimeEvictor::of(Time::milliseconds(0)).evict_after(elements, kWindow, kWatermark);
  EXPECT_EQ(elements.size(), 1u);
  EXPECT_EQ(TimeEvictor::of(Time::seconds(3)).to_string(), "TimeEvictor(3000)");
  EXPECT_EQ(TimeEvictor::of(Time::seconds(3)).get_window_size(), 3000);
}

TEST(DeltaEvictorTest, EvictsElementsFarFromTheNewestOne) {
  auto distance = [](const int& a, const int& b) { return std::abs(static_cast<double>(a - b)); };
  Elements elements{TimestampedValue<int>(1), TimestampedValue<int>(9), TimestampedValue<int>(4),
                    TimestampedValue<int>(6), TimestampedValue<int>(5)};
  DeltaEvictor<int>::of(2.0, distance).evict_before(elements, kWindow, kWatermark);
  // |1-5| = 4 and |9-5| = 4 are >= 2: evicted; |4-5|, |6-5|, |5-5| are kept.
  EXPECT_EQ(values(elements), (std::vector<int>{4, 6, 5}));
}

TEST(DeltaEvictorTest, ComparesAgainstTheNewestEvenWhenItIsEvicted) {
  // A threshold of 0 evicts every element, the newest (delta 0 to itself) included.
  auto distance = [](const int& a, const int& b) { return std::abs(static_cast<double>(a - b)); };
  Elements elements{TimestampedValue<int>(1), TimestampedValue<int>(2)};
  DeltaEvictor<int>::of(0.0, distance).evict_before(elements, kWindow, kWatermark);
  EXPECT_TRUE(elements.empty());

  Elements empty;
  DeltaEvictor<int>::of(1.0, distance).evict_before(empty, kWindow, kWatermark);
  EXPECT_TRUE(empty.empty());
}

TEST(DeltaEvictorTest, EvictsEitherBeforeOrAfterAndRejectsAnEmptyFunction) {
  auto distance = [](const std::string& a, const std::string& b) {
    return std::abs(static_cast<double>(a.size()) - static_cast<double>(b.size()));
  };
  const auto after = DeltaEvictor<std::string>::of(1.0, distance, true);
  std::vector<TimestampedValue<std::string>> elements{TimestampedValue<std::string>("a", 1),
                                                      TimestampedValue<std::string>("abc", 2)};
  after.evict_before(elements, kWindow, kWatermark);
  EXPECT_EQ(elements.size(), 2u);
  after.evict_after(elements, kWindow, kWatermark);
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].value, "abc");
  EXPECT_EQ(elements[0].timestamp, 2);
  EXPECT_THROW(DeltaEvictor<int>::of(1.0, nullptr), std::invalid_argument);
  EXPECT_EQ(after.to_string(), "DeltaEvictor(1.000000)");
}

}  // namespace
}  // namespace eddy
