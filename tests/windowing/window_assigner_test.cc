// Window assignment against the definition of each assigner, Flink's window order, and the
// errors a user sees for bad parameters or records without timestamps.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "eddy/core/exceptions.h"
#include "eddy/core/time.h"
#include "eddy/runtime/record_context.h"
#include "eddy/windowing/global_windows.h"
#include "eddy/windowing/session_windows.h"
#include "eddy/windowing/sliding_windows.h"
#include "eddy/windowing/tumbling_windows.h"
#include "windowing/fixed_processing_time.h"

namespace eddy {
namespace {

using testing::FixedProcessingTime;

// Every window [s, s + size) containing timestamp whose start is aligned to the slide (shifted
// by offset), latest start first: the definition of sliding (and, with slide == size,
// tumbling) windows.
std::vector<TimeWindow> brute_force_windows(int64_t timestamp, int64_t size, int64_t slide,
                                            int64_t offset) {
  std::vector<TimeWindow> windows;
  for (int64_t s = timestamp; s > timestamp - size - 2 * slide; --s) {
    const bool aligned = ((s - offset) % slide + slide) % slide == 0;
    if (aligned && s <= timestamp && timestamp < s + size) windows.emplace_back(s, s + size);
  }
  return windows;
}

// Expects `call` to throw E with a message containing `fragment`.
template <class E, class F>
void expect_error(F call, const std::string& fragment) {
  try {
    call();
    ADD_FAILURE() << "expected an exception mentioning: " << fragment;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TumblingWindowsTest, EventTimeMatchesDefinition) {
  const FixedProcessingTime ctx;
  for (int64_t size = 1; size <= 9; ++size) {
    for (int64_t offset = -size + 1; offset < size; ++offset) {
      const auto assigner =
          TumblingEventTimeWindows::of(Time::milliseconds(size), Time::milliseconds(offset));
      for (int64_t ts = -40; ts <= 40; ++ts) {
        ASSERT_EQ(assigner.assign_windows(ts, ctx), brute_force_windows(ts, size, size, offset))
            << "ts " << ts << " size " << size << " offset " << offset;
      }
    }
  }
}

TEST(TumblingWindowsTest, FlinkExamples) {
  const FixedProcessingTime ctx;
  const auto assigner = TumblingEventTimeWindows::of(Time::milliseconds(5000));
  EXPECT_EQ(assigner.assign_windows(0, ctx), std::vector<TimeWindow>{TimeWindow(0, 5000)});
  EXPECT_EQ(assigner.assign_windows(4999, ctx), std::vector<TimeWindow>{TimeWindow(0, 5000)});
  EXPECT_EQ(assigner.assign_windows(5000, ctx), std::vector<TimeWindow>{TimeWindow(5000, 10000)});
  const auto shifted = TumblingEventTimeWindows::of(Time::seconds(5), Time::milliseconds(100));
  EXPECT_EQ(shifted.assign_windows(100, ctx), std::vector<TimeWindow>{TimeWindow(100, 5100)});
  EXPECT_EQ(shifted.assign_windows(99, ctx), std::vector<TimeWindow>{TimeWindow(-4900, 100)});
}

TEST(TumblingWindowsTest, ProcessingTimeUsesTheClockNotTheTimestamp) {
  FixedProcessingTime ctx(-3);
  const auto assigner = TumblingProcessingTimeWindows::of(Time::milliseconds(5));
  EXPECT_EQ(assigner.assign_windows(runtime::kNoTimestamp, ctx),
            std::vector<TimeWindow>{TimeWindow(-5, 0)});
  ctx.set(12);
  EXPECT_EQ(assigner.assign_windows(0, ctx), std::vector<TimeWindow>{TimeWindow(10, 15)});
  EXPECT_FALSE(assigner.is_event_time());
  EXPECT_EQ(assigner.default_trigger(), DefaultTrigger::kProcessingTime);
}

TEST(TumblingWindowsTest, DescribesItselfAsFlinkDoes) {
  const auto event = TumblingEventTimeWindows::of(Time::seconds(10));
  EXPECT_EQ(event.to_string(), "TumblingEventTimeWindows(10000)");
  EXPECT_TRUE(event.is_event_time());
  EXPECT_EQ(event.default_trigger(), DefaultTrigger::kEventTime);
  EXPECT_FALSE(TumblingEventTimeWindows::kIsMerging);
  EXPECT_EQ(event.get_size(), 10000);
  EXPECT_EQ(TumblingProcessingTimeWindows::of(Time::seconds(1)).to_string(),
            "TumblingProcessingTimeWindows(1000)");
}

TEST(TumblingWindowsTest, RejectsBadParameters) {
  expect_error<std::invalid_argument>([] { TumblingEventTimeWindows::of(Time::milliseconds(0)); },
                                      "TumblingEventTimeWindows size must be positive, got 0");
  expect_error<std::invalid_argument>(
      [] { TumblingProcessingTimeWindows::of(Time::milliseconds(-1)); }, "must be positive");
  expect_error<std::invalid_argument>(
      [] { TumblingEventTimeWindows::of(Time::seconds(1), Time::seconds(1)); },
      "abs(offset) < size");
  expect_error<std::invalid_argument>(
      [] { TumblingEventTimeWindows::of(Time::seconds(1), Time::seconds(-1)); },
      "abs(offset) < size");
  EXPECT_NO_THROW(TumblingEventTimeWindows::of(Time::seconds(1), Time::milliseconds(-999)));
}

TEST(TumblingWindowsTest, RecordWithoutTimestampIsAnError) {
  const FixedProcessingTime ctx;
  expect_error<EddyException>(
      [&] {
        TumblingEventTimeWindows::of(Time::seconds(1)).assign_windows(runtime::kNoTimestamp, ctx);
      },
      "Record has no timestamp. Is the time characteristic set to 'ProcessingTime', or did you "
      "forget to call 'assign_timestamps_and_watermarks(...)'?");
  expect_error<std::runtime_error>(
      [&] {
        SlidingEventTimeWindows::of(Time::seconds(2), Time::seconds(1))
            .assign_windows(runtime::kNoTimestamp, ctx);
      },
      "Record has no timestamp");
  expect_error<std::runtime_error>(
      [&] {
        EventTimeSessionWindows::with_gap(Time::seconds(1))
            .assign_windows(runtime::kNoTimestamp, ctx);
      },
      "Record has no timestamp");
}

TEST(SlidingWindowsTest, EventTimeMatchesDefinitionInFlinksOrder) {
  const FixedProcessingTime ctx;
  for (int64_t size = 1; size <= 10; ++size) {
    for (int64_t slide = 1; slide <= 7; ++slide) {
      for (int64_t offset = -slide + 1; offset < slide; ++offset) {
        const auto assigner = SlidingEventTimeWindows::of(
            Time::milliseconds(size), Time::milliseconds(slide), Time::milliseconds(offset));
        for (int64_t ts = -30; ts <= 30; ++ts) {
          ASSERT_EQ(assigner.assign_windows(ts, ctx), brute_force_windows(ts, size, slide, offset))
              << "ts " << ts << " size " << size << " slide " << slide << " offset " << offset;
        }
      }
    }
  }
}

TEST(SlidingWindowsTest, FlinkExampleLatestWindowFirst) {
  const FixedProcessingTime ctx;
  const auto assigner = SlidingEventTimeWindows::of(Time::milliseconds(5000), Time::seconds(1));
  EXPECT_EQ(assigner.assign_windows(0, ctx),
            (std::vector<TimeWindow>{TimeWindow(0, 5000), TimeWindow(-1000, 4000),
                                     TimeWindow(-2000, 3000), TimeWindow(-3000, 2000),
                                     TimeWindow(-4000, 1000)}));
  EXPECT_EQ(assigner.to_string(), "SlidingEventTimeWindows(5000, 1000)");
  EXPECT_EQ(assigner.default_trigger(), DefaultTrigger::kEventTime);
}

TEST(SlidingWindowsTest, SlideLargerThanSizeLeavesGaps) {
  const FixedProcessingTime ctx;
  const auto assigner = SlidingEventTimeWindows::of(Time::milliseconds(2), Time::milliseconds(5));
  EXPECT_EQ(assigner.assign_windows(6, ctx), std::vector<TimeWindow>{TimeWindow(5, 7)});
  EXPECT_TRUE(assigner.assign_windows(7, ctx).empty());
}

TEST(SlidingWindowsTest, ProcessingTimeUsesTheClock) {
  const FixedProcessingTime ctx(7);
  const auto assigner =
      SlidingProcessingTimeWindows::of(Time::milliseconds(6), Time::milliseconds(3));
  EXPECT_EQ(assigner.assign_windows(runtime::kNoTimestamp, ctx),
            (std::vector<TimeWindow>{TimeWindow(6, 12), TimeWindow(3, 9)}));
  EXPECT_EQ(assigner.to_string(), "SlidingProcessingTimeWindows(6, 3)");
  EXPECT_FALSE(assigner.is_event_time());
}

TEST(SlidingWindowsTest, RejectsBadParameters) {
  expect_error<std::invalid_argument>(
      [] { SlidingEventTimeWindows::of(Time::milliseconds(0), Time::milliseconds(1)); },
      "size and slide must be positive");
  expect_error<std::invalid_argument>(
      [] { SlidingProcessingTimeWindows::of(Time::milliseconds(5), Time::milliseconds(0)); },
      "SlidingProcessingTimeWindows size and slide must be positive, got size 5 ms and slide 0");
  expect_error<std::invalid_argument>(
      [] {
        SlidingEventTimeWindows::of(Time::milliseconds(10), Time::milliseconds(3),
                                    Time::milliseconds(3));
      },
      "abs(offset) < slide");
}

TEST(SessionWindowsTest, AssignsTimestampPlusGap) {
  FixedProcessingTime ctx(100);
  const auto event = EventTimeSessionWindows::with_gap(Time::milliseconds(3));
  EXPECT_EQ(event.assign_windows(-7, ctx), std::vector<TimeWindow>{TimeWindow(-7, -4)});
  EXPECT_TRUE(EventTimeSessionWindows::kIsMerging);
  EXPECT_EQ(event.to_string(), "EventTimeSessionWindows(3)");
  EXPECT_EQ(event.default_trigger(), DefaultTrigger::kEventTime);

  const auto processing = ProcessingTimeSessionWindows::with_gap(Time::seconds(1));
  EXPECT_EQ(processing.assign_windows(5, ctx), std::vector<TimeWindow>{TimeWindow(100, 1100)});
  EXPECT_EQ(processing.to_string(), "ProcessingTimeSessionWindows(1000)");
  EXPECT_EQ(processing.default_trigger(), DefaultTrigger::kProcessingTime);
}

TEST(SessionWindowsTest, RejectsNonPositiveGap) {
  expect_error<std::invalid_argument>(
      [] { EventTimeSessionWindows::with_gap(Time::milliseconds(0)); },
      "EventTimeSessionWindows gap must be positive, got 0 ms");
  expect_error<std::invalid_argument>(
      [] { ProcessingTimeSessionWindows::with_gap(Time::milliseconds(-5)); },
      "ProcessingTimeSessionWindows gap must be positive, got -5 ms");
}

struct Click {
  std::string user;
  int64_t idle_ms = 0;
};

TEST(SessionWindowsTest, DynamicGapComesFromTheElement) {
  const FixedProcessingTime ctx(50);
  auto event =
      EventTimeSessionWindows::with_dynamic_gap([](const Click& click) { return click.idle_ms; });
  static_assert(std::is_same_v<decltype(event), DynamicEventTimeSessionWindows<Click>>);
  EXPECT_EQ(event.assign_windows(Click{"a", 4}, 10, ctx),
            std::vector<TimeWindow>{TimeWindow(10, 14)});
  EXPECT_EQ(event.to_string(), "DynamicEventTimeSessionWindows()");
  EXPECT_TRUE(decltype(event)::kIsMerging);

  auto processing = ProcessingTimeSessionWindows::with_dynamic_gap<Click>(
      [](const auto& click) { return click.idle_ms * 2; });
  EXPECT_EQ(processing.assign_windows(Click{"a", 4}, 10, ctx),
            std::vector<TimeWindow>{TimeWindow(50, 58)});
  EXPECT_EQ(processing.to_string(), "DynamicProcessingTimeSessionWindows()");
  EXPECT_FALSE(processing.is_event_time());
}

TEST(SessionWindowsTest, DynamicGapIsCheckedAtAssignment) {
  const FixedProcessingTime ctx;
  auto event =
      EventTimeSessionWindows::with_dynamic_gap([](const Click& click) { return click.idle_ms; });
  expect_error<std::invalid_argument>(
      [&] {
        event.assign_windows(Click{"a", -5}, 10, ctx);
      },
      "Dynamic session time gap must satisfy 0 < gap, but the gap extractor returned -5 ms");
  expect_error<std::invalid_argument>(
      [&] {
        event.assign_windows(Click{"a", 0}, 10, ctx);
      },
      "returned 0 ms");
  expect_error<EddyException>(
      [&] {
        event.assign_windows(Click{"a", 1}, runtime::kNoTimestamp, ctx);
      },
      "Record has no timestamp");
  expect_error<std::invalid_argument>(
      [] { DynamicEventTimeSessionWindows<Click>(SessionGapExtractor<Click>()); },
      "must not be empty");
}

TEST(GlobalWindowsTest, EverythingGoesToTheGlobalWindow) {
  const FixedProcessingTime ctx;
  const auto assigner = GlobalWindows::create();
  EXPECT_EQ(assigner.assign_windows(runtime::kNoTimestamp, ctx),
            std::vector<GlobalWindow>{GlobalWindow::get()});
  EXPECT_EQ(assigner.assign_windows(42, ctx), std::vector<GlobalWindow>{GlobalWindow::get()});
  EXPECT_EQ(assigner.default_trigger(), DefaultTrigger::kNever);
  EXPECT_FALSE(assigner.is_event_time());
  EXPECT_EQ(assigner.to_string(), "GlobalWindows()");
  EXPECT_EQ(to_string(assigner.default_trigger()), "NeverTrigger");
}

// A user assigner that needs the element: windows of the element's own length.
class LengthWindows : public WindowAssigner<std::string, TimeWindow> {
 public:
  std::vector<TimeWindow> assign_windows(const std::string& element, int64_t timestamp,
                                         const WindowAssignerContext&) const override {
    return {TimeWindow(timestamp, timestamp + static_cast<int64_t>(element.size()))};
  }
  bool is_event_time() const override { return true; }
  DefaultTrigger default_trigger() const override { return DefaultTrigger::kEventTime; }
  std::string to_string() const override { return "LengthWindows()"; }
};

TEST(WindowsForElementTest, CallsWhicheverShapeTheAssignerHas) {
  static_assert(WindowAssignerType<TumblingEventTimeWindows>);
  static_assert(WindowAssignerType<SlidingProcessingTimeWindows>);
  static_assert(WindowAssignerType<EventTimeSessionWindows>);
  static_assert(WindowAssignerType<DynamicProcessingTimeSessionWindows<Click>>);
  static_assert(WindowAssignerType<GlobalWindows>);
  static_assert(WindowAssignerType<LengthWindows>);

  const FixedProcessingTime ctx;
  const std::string element = "abc";
  EXPECT_EQ(
      windows_for_element(TumblingEventTimeWindows::of(Time::milliseconds(10)), element, 12, ctx),
      std::vector<TimeWindow>{TimeWindow(10, 20)});
  EXPECT_EQ(windows_for_element(LengthWindows(), element, 12, ctx),
            std::vector<TimeWindow>{TimeWindow(12, 15)});
  const auto dynamic =
      EventTimeSessionWindows::with_dynamic_gap([](const Click& c) { return c.idle_ms; });
  EXPECT_EQ(windows_for_element(dynamic, Click{"b", 7}, 1, ctx),
            std::vector<TimeWindow>{TimeWindow(1, 8)});
}

}  // namespace
}  // namespace eddy
