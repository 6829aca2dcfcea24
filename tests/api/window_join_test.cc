// Window join and co_group of two streams, checked against plain loops over the same events:
// random keys and out-of-order timestamps (bounded watermarks, so nothing is late), tumbling and
// sliding event-time windows, the pair-wise join (function and flat forms, lambdas and classes),
// the per key and window co-group (including windows where one side is empty), output
// timestamps, and an evictor with an explicit trigger and allowed lateness.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using Left = std::tuple<std::string, int64_t, int64_t>;   // (key, event time ms, id)
using Right = std::tuple<int64_t, std::string, int64_t>;  // (event time ms, key, id)
using Pair = std::tuple<std::string, int64_t, int64_t>;   // (key, left id, right id)
// (key, left ids, right ids) of one key and window.
using Group = std::tuple<std::string, std::vector<int64_t>, std::vector<int64_t>>;

// Elements emitted by the join, with their timestamps.
template <class T>
using Stamped = std::pair<T, int64_t>;

struct Event {
  std::string key;
  int64_t ts;
  int64_t id;
};

// Events with timestamps shuffled by at most `disorder` ms relative to their order; ids are
// unique per side (offset by `first_id`).
std::vector<Event> disordered_events(unsigned seed, int n, int keys, int64_t disorder,
                                     int64_t first_id) {
  std::mt19937 rng(seed);
  std::vector<Event> events;
  int64_t t = 0;
  for (int i = 0; i < n; ++i) {
    t += rng() % 200;
    const int64_t jitter = disorder == 0 ? 0 : static_cast<int64_t>(rng() % disorder);
    events.push_back(
        {"k" + std::to_string(rng() % keys), std::max<int64_t>(0, t - jitter), first_id + i});
  }
  return events;
}

std::vector<Left> lefts(const std::vector<Event>& events) {
  std::vector<Left> out;
  for (const auto& e : events) out.emplace_back(e.key, e.ts, e.id);
  return out;
}
std::vector<Right> rights(const std::vector<Event>& events) {
  std::vector<Right> out;
  for (const auto& e : events) out.emplace_back(e.ts, e.key, e.id);
  return out;
}

template <class T>
WatermarkStrategy<T> bounded(int64_t disorder, int64_t (*timestamp)(const T&)) {
  return WatermarkStrategy<T>::for_bounded_out_of_orderness(Duration::of_millis(disorder))
      .with_timestamp_assigner(timestamp);
}
int64_t left_ts(const Left& l) {
  return std::get<1>(l);
}
int64_t right_ts(const Right& r) {
  return std::get<0>(r);
}

// Appends each record's timestamp.
template <class T>
struct WithTimestamp : ProcessFunction<T, Stamped<T>> {
  void process_element(const T& value, typename ProcessFunction<T, Stamped<T>>::Context& ctx,
                       Collector<Stamped<T>>& out) override {
    out.collect({value, ctx.timestamp().value_or(-1)});
  }
};

// The window starts of [size, slide) windows that contain ts.
std::vector<int64_t> window_starts(int64_t ts, int64_t size, int64_t slide) {
  std::vector<int64_t> starts;
  for (int64_t start = ts - ts % slide; start > ts - size; start -= slide) starts.push_back(start);
  return starts;
}

struct WindowContents {
  std::vector<Event> left, right;
};

// Brute force: every (key, window start) with the events of each side in it.
std::map<std::pair<std::string, int64_t>, WindowContents> group_by_window(
    const std::vector<Event>& left, const std::vector<Event>& right, int64_t size, int64_t slide) {
  std::map<std::pair<std::string, int64_t>, WindowContents> groups;
  for (const auto& e : left) {
    for (int64_t start : window_starts(e.ts, size, slide)) groups[{e.key, start}].left.push_back(e);
  }
  for (const auto& e : right) {
    for (int64_t start : window_starts(e.ts, size, slide)) {
      groups[{e.key, start}].right.push_back(e);
    }
  }
  return groups;
}

// Nested loop: every pair of equal keys in each window both lie in, stamped with the window's
// max timestamp.
std::vector<Stamped<Pair>> brute_force_join(const std::vector<Event>& left,
                                            const std::vector<Event>& right, int64_t size,
                                            int64_t slide) {
  std::vector<Stamped<Pair>> out;
  for (const auto& l : left) {
    for (const auto& r : right) {
      if (l.key != r.key) continue;
      for (int64_t start : window_starts(l.ts, size, slide)) {
        if (r.ts >= start && r.ts < start + size)
          out.push_back({{l.key, l.id, r.id}, start + size - 1});
      }
    }
  }
  return testing::sorted(out);
}

std::vector<int64_t> ids(const std::vector<Event>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e.id);
  return testing::sorted(out);
}

std::vector<Stamped<Group>> brute_force_co_group(const std::vector<Event>& left,
                                                 const std::vector<Event>& right, int64_t size,
                                                 int64_t slide) {
  std::vector<Stamped<Group>> out;
  for (const auto& [kw, contents] : group_by_window(left, right, size, slide)) {
    out.push_back({{kw.first, ids(contents.left), ids(contents.right)}, kw.second + size - 1});
  }
  return testing::sorted(out);
}

struct Inputs {
  DataStream<Left> left;
  DataStream<Right> right;
};

Inputs sources(StreamExecutionEnvironment& env, const std::vector<Event>& left,
               const std::vector<Event>& right, int64_t disorder) {
  return {env.from_collection(lefts(left))
              .assign_timestamps_and_watermarks(bounded<Left>(disorder, &left_ts)),
          env.from_collection(rights(right))
              .assign_timestamps_and_watermarks(bounded<Right>(disorder, &right_ts))};
}

const std::string& left_key(const Left& l) {
  return std::get<0>(l);
}
std::string right_key(const Right& r) {
  return std::get<1>(r);
}

struct CollectIds : CoGroupFunction<Left, Right, Group> {
  void co_group(const std::vector<Left>& left, const std::vector<Right>& right,
                Collector<Group>& out) override {
    std::vector<int64_t> l, r;
    for (const auto& e : left) l.push_back(std::get<2>(e));
    for (const auto& e : right) r.push_back(std::get<2>(e));
    const std::string key = left.empty() ? std::get<1>(right.at(0)) : std::get<0>(left.at(0));
    out.collect({key, testing::sorted(l), testing::sorted(r)});
  }
};

struct PairIds : JoinFunction<Left, Right, Pair> {
  Pair join(const Left& l, const Right& r) override {
    return {std::get<0>(l), std::get<2>(l), std::get<2>(r)};
  }
};

const std::vector<std::pair<int64_t, int64_t>> kSizesAndSlides = {{1000, 1000}, {1000, 300}};

TEST(WindowJoinTest, JoinMatchesANestedLoopInTumblingAndSlidingWindows) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    const int64_t disorder = 100 * seed;
    const auto left = disordered_events(seed, 500, 6, disorder, 0);
    const auto right = disordered_events(seed + 50, 500, 6, disorder, 100000);
    for (auto [size, slide] : kSizesAndSlides) {
      auto env = StreamExecutionEnvironment::get_execution_environment();
      env.set_parallelism(2);
      auto in = sources(env, left, right, disorder);
      auto joined = in.left.join(in.right).where(left_key).equal_to(right_key);
      DataStream<Pair> pairs =
          size == slide ? joined.window(TumblingEventTimeWindows::of(Time::milliseconds(size)))
                              .apply([](const Left& l, const Right& r) {
                                return Pair{std::get<0>(l), std::get<2>(l), std::get<2>(r)};
                              })
                        : joined
                              .window(SlidingEventTimeWindows::of(Time::milliseconds(size),
                                                                  Time::milliseconds(slide)))
                              .apply(PairIds());
      auto out = pairs.process(WithTimestamp<Pair>()).execute_and_collect().to_vector();
      const auto expected = brute_force_join(left, right, size, slide);
      EXPECT_FALSE(expected.empty());
      EXPECT_EQ(testing::sorted(out), expected)
          << "seed " << seed << " size " << size << " slide " << slide;
    }
  }
}

TEST(WindowJoinTest, FlatJoinEmitsAnyNumberOfResultsPerPair) {
  const auto left = disordered_events(7, 400, 4, 200, 0);
  const auto right = disordered_events(8, 400, 4, 200, 100000);
  for (auto [size, slide] : kSizesAndSlides) {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2);
    auto in = sources(env, left, right, 200);
    // (left id + right id) % 3 copies of each pair.
    auto flat = [](const Left& l, const Right& r, Collector<Pair>& out) {
      for (int64_t i = 0; i < (std::get<2>(l) + std::get<2>(r)) % 3; ++i) {
        out.collect({std::get<0>(l), std::get<2>(l), std::get<2>(r)});
      }
    };
    auto out = in.left.join(in.right)
                   .where(left_key)
                   .equal_to(right_key)
                   .window(SlidingEventTimeWindows::of(Time::milliseconds(size),
                                                       Time::milliseconds(slide)))
                   .apply(flat)
                   .process(WithTimestamp<Pair>())
                   .execute_and_collect()
                   .to_vector();
    std::vector<Stamped<Pair>> expected;
    for (const auto& p : brute_force_join(left, right, size, slide)) {
      for (int64_t i = 0; i < (std::get<1>(p.first) + std::get<2>(p.first)) % 3; ++i) {
        expected.push_back(p);
      }
    }
    EXPECT_EQ(testing::sorted(out), testing::sorted(expected)) << "size " << size;
  }
}

TEST(CoGroupTest, CoGroupMatchesAPlainGroupingIncludingOneSidedWindows) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    const int64_t disorder = 100 * seed;
    const auto left = disordered_events(seed + 10, 400, 8, disorder, 0);
    const auto right = disordered_events(seed + 20, 300, 8, disorder, 100000);
    for (auto [size, slide] : kSizesAndSlides) {
      auto env = StreamExecutionEnvironment::get_execution_environment();
      env.set_parallelism(2);
      auto in = sources(env, left, right, disorder);
      auto grouped = in.left.co_group(in.right).where(left_key).equal_to(right_key);
      DataStream<Group> groups =
          size == slide
              ? grouped.window(TumblingEventTimeWindows::of(Time::milliseconds(size)))
                    .apply(CollectIds())
              : grouped
                    .window(SlidingEventTimeWindows::of(Time::milliseconds(size),
                                                        Time::milliseconds(slide)))
                    .apply([](const std::vector<Left>& l, const std::vector<Right>& r,
                              Collector<Group>& out) { CollectIds().co_group(l, r, out); });
      auto out = groups.process(WithTimestamp<Group>()).execute_and_collect().to_vector();
      const auto expected = brute_force_co_group(left, right, size, slide);
      int left_only = 0, right_only = 0;
      for (const auto& [g, ts] : expected) {
        left_only += std::get<2>(g).empty();
        right_only += std::get<1>(g).empty();
      }
      EXPECT_GT(left_only, 0);
      EXPECT_GT(right_only, 0);
      EXPECT_EQ(testing::sorted(out), expected)
          << "seed " << seed << " size " << size << " slide " << slide;
    }
  }
}

// A TimeEvictor sees the elements of both sides together: it keeps those within 300 ms of the
// window's newest element of either side. The explicit trigger and the allowed lateness change
// nothing for input without late elements.
TEST(CoGroupTest, EvictorTriggerAndAllowedLatenessApplyToTheUnionedWindow) {
  const auto left = disordered_events(31, 400, 5, 150, 0);
  const auto right = disordered_events(32, 400, 5, 150, 100000);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto in = sources(env, left, right, 150);
  auto out = in.left.co_group(in.right)
                 .where(left_key)
                 .equal_to(right_key)
                 .window(TumblingEventTimeWindows::of(Time::seconds(1)))
                 .trigger(EventTimeTrigger::create())
                 .evictor(TimeEvictor::of(Time::milliseconds(300)))
                 .allowed_lateness(Time::milliseconds(500))
                 .apply(CollectIds())
                 .process(WithTimestamp<Group>())
                 .execute_and_collect()
                 .to_vector();
  std::vector<Stamped<Group>> expected;
  for (const auto& [kw, contents] : group_by_window(left, right, 1000, 1000)) {
    int64_t newest = 0;
    for (const auto& e : contents.left) newest = std::max(newest, e.ts);
    for (const auto& e : contents.right) newest = std::max(newest, e.ts);
    WindowContents kept;
    for (const auto& e : contents.left) {
      if (e.ts > newest - 300) kept.left.push_back(e);
    }
    for (const auto& e : contents.right) {
      if (e.ts > newest - 300) kept.right.push_back(e);
    }
    expected.push_back({{kw.first, ids(kept.left), ids(kept.right)}, kw.second + 999});
  }
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
  EXPECT_THROW(in.left.co_group(in.right)
                   .where(left_key)
                   .equal_to(right_key)
                   .window(TumblingEventTimeWindows::of(Time::seconds(1)))
                   .allowed_lateness(Time::milliseconds(-1)),
               std::invalid_argument);
}

// Windows where one side has no element emit nothing from a join (an inner join).
TEST(WindowJoinTest, OneSidedWindowsJoinNothing) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  std::vector<Event> left = {{"a", 100, 1}, {"a", 1500, 2}, {"b", 200, 3}};
  std::vector<Event> right = {{"a", 900, 11}, {"b", 1200, 12}, {"c", 50, 13}};
  auto in = sources(env, left, right, 0);
  auto out = in.left.join(in.right)
                 .where(left_key)
                 .equal_to(right_key)
                 .window(TumblingEventTimeWindows::of(Time::seconds(1)))
                 .apply(PairIds())
                 .process(WithTimestamp<Pair>())
                 .execute_and_collect()
                 .to_vector();
  EXPECT_EQ(out, (std::vector<Stamped<Pair>>{{{"a", 1, 11}, 999}}));
}

}  // namespace
}  // namespace eddy
