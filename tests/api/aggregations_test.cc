// Keyed rolling aggregations follow Flink's semantics, checked against plain loops.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using Rec = std::tuple<std::string, int, int>;  // (key, value, sequence number)

std::vector<Rec> input() {
  std::mt19937 rng(7);
  std::vector<Rec> v;
  for (int i = 0; i < 500; ++i)
    v.emplace_back("k" + std::to_string(rng() % 7), static_cast<int>(rng() % 100) - 50, i);
  return v;
}

// The final emitted record per key, i.e. the aggregate after the key's last input.
std::map<std::string, Rec> last_per_key(const std::vector<Rec>& out) {
  std::map<std::string, Rec> last;
  // Every record of a key is emitted in order by one subtask, so the last one per key in the
  // collected order is its final aggregate.
  for (const auto& r : out) last[std::get<0>(r)] = r;
  return last;
}

std::vector<Rec> run(std::function<DataStream<Rec>(KeyedStream<Rec, std::string>)> aggregate) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto keyed = env.from_collection(input()).key_by([](const Rec& r) { return std::get<0>(r); });
  return aggregate(keyed).execute_and_collect().to_vector();
}

TEST(AggregationsTest, SumKeepsTheFirstRecordsOtherFields) {
  auto out = run([](auto k) { return k.sum(1); });
  ASSERT_EQ(out.size(), input().size());
  std::map<std::string, Rec> expected;
  for (const auto& r : input()) {
    auto [it, fresh] = expected.emplace(std::get<0>(r), r);
    if (!fresh) std::get<1>(it->second) += std::get<1>(r);
  }
  EXPECT_EQ(last_per_key(out), expected);
}

TEST(AggregationsTest, MinAndMaxUpdateOnlyTheField) {
  std::map<std::string, Rec> expected_min, expected_max;
  for (const auto& r : input()) {
    auto [a, fresh_a] = expected_min.emplace(std::get<0>(r), r);
    if (!fresh_a) std::get<1>(a->second) = std::min(std::get<1>(a->second), std::get<1>(r));
    auto [b, fresh_b] = expected_max.emplace(std::get<0>(r), r);
    if (!fresh_b) std::get<1>(b->second) = std::max(std::get<1>(b->second), std::get<1>(r));
  }
  EXPECT_EQ(last_per_key(run([](auto k) { return k.min(1); })), expected_min);
  EXPECT_EQ(last_per_key(run([](auto k) { return k.max(1); })), expected_max);
}

TEST(AggregationsTest, MinByAndMaxByKeepTheWholeRecordEarliestOnTies) {
  std::map<std::string, Rec> expected_min, expected_max;
  for (const auto& r : input()) {
    auto [a, fresh_a] = expected_min.emplace(std::get<0>(r), r);
    if (!fresh_a && std::get<1>(r) < std::get<1>(a->second)) a->second = r;
    auto [b, fresh_b] = expected_max.emplace(std::get<0>(r), r);
    if (!fresh_b && std::get<1>(r) > std::get<1>(b->second)) b->second = r;
  }
  EXPECT_EQ(last_per_key(run([](auto k) { return k.min_by(1); })), expected_min);
  EXPECT_EQ(last_per_key(run([](auto k) { return k.max_by(1); })), expected_max);
}

TEST(AggregationsTest, ReduceEmitsTheRunningAggregate) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  // One source subtask keeps each key's order fixed, so every partial sum is determined.
  auto out = env.from_sequence(1, 10000)
                 .set_parallelism(1)
                 .key_by([](int64_t x) { return x % 10; })
                 .reduce([](int64_t a, int64_t b) { return a + b; })
                 .execute_and_collect()
                 .to_vector();
  std::map<int64_t, int64_t> running;
  std::vector<int64_t> expected;
  for (int64_t x = 1; x <= 10000; ++x) expected.push_back(running[x % 10] += x);
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

TEST(AggregationsTest, AggregatingANonNumericFieldIsRejected) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto keyed = env.from_collection(input()).key_by([](const Rec& r) { return std::get<0>(r); });
  try {
    keyed.sum(0);
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("no numeric field at position 0"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(keyed.max(3), InvalidProgramException);
}

TEST(AggregationsTest, PlainNumbersAggregateAtPositionZero) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto out = env.from_collection({5, 3, 8})
                 .key_by([](int) { return 0; })
                 .max(0)
                 .execute_and_collect()
                 .to_vector();
  EXPECT_EQ(out, (std::vector<int>{5, 5, 8}));
}

}  // namespace
}  // namespace eddy
