// Partitioning: which subtask receives which records, observed by the subtasks themselves.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using Tagged = std::pair<int, int64_t>;  // (receiving subtask index, value)

// Tags each record with the index of the subtask that processed it.
struct TagSubtask : ProcessFunction<int64_t, Tagged> {
  int subtask = -1;
  void open(RuntimeContext& ctx) override { subtask = ctx.get_index_of_this_subtask(); }
  void process_element(const int64_t& v, Context&, Collector<Tagged>& out) override {
    out.collect({subtask, v});
  }
};

std::vector<Tagged> route(std::function<DataStream<int64_t>(DataStream<int64_t>)> partition, int up,
                          int down, int64_t n = 100) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(up);
  return partition(env.from_sequence(1, n))
      .process(TagSubtask())
      .set_parallelism(down)
      .execute_and_collect()
      .to_vector();
}

TEST(PartitioningTest, BroadcastDeliversEveryRecordToEverySubtask) {
  auto out = route([](auto s) { return s.broadcast(); }, 2, 3);
  ASSERT_EQ(out.size(), 300u);
  std::map<int, std::set<int64_t>> per_subtask;
  for (auto [s, v] : out) per_subtask[s].insert(v);
  ASSERT_EQ(per_subtask.size(), 3u);
  for (auto& [s, values] : per_subtask) EXPECT_EQ(values.size(), 100u);
}

TEST(PartitioningTest, GlobalSendsEverythingToTheFirstSubtask) {
  for (auto [s, v] : route([](auto s) { return s.global(); }, 2, 3)) EXPECT_EQ(s, 0);
}

TEST(PartitioningTest, CustomPartitionerChoosesTheSubtask) {
  auto out = route(
      [](auto s) {
        return s.partition_custom([](int64_t key, int n) { return static_cast<int>(key % n); },
                                  [](int64_t v) { return v; });
      },
      2, 3);
  ASSERT_EQ(out.size(), 100u);
  for (auto [s, v] : out) EXPECT_EQ(s, v % 3);
}

TEST(PartitioningTest, RebalanceAndShuffleUseEverySubtaskAndLoseNothing) {
  for (auto make : std::vector<std::function<DataStream<int64_t>(DataStream<int64_t>)>>{
           [](auto s) { return s.rebalance(); }, [](auto s) { return s.shuffle(); }}) {
    auto out = route(make, 1, 3, 3000);
    ASSERT_EQ(out.size(), 3000u);
    std::map<int, int> counts;
    std::set<int64_t> values;
    for (auto [s, v] : out) {
      counts[s]++;
      values.insert(v);
    }
    EXPECT_EQ(values.size(), 3000u);
    ASSERT_EQ(counts.size(), 3u);
  }
}

TEST(PartitioningTest, RescaleConnectsSubtasksPointwise) {
  // 2 senders, 4 receivers: sender 0 feeds receivers {0, 1}, sender 1 feeds {2, 3}.
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  struct TagSender : ProcessFunction<int64_t, Tagged> {
    int subtask = -1;
    void open(RuntimeContext& ctx) override { subtask = ctx.get_index_of_this_subtask(); }
    void process_element(const int64_t& v, Context&, Collector<Tagged>& out) override {
      out.collect({subtask, v});
    }
  };
  struct TagReceiver : ProcessFunction<Tagged, std::pair<int, int>> {
    int subtask = -1;
    void open(RuntimeContext& ctx) override { subtask = ctx.get_index_of_this_subtask(); }
    void process_element(const Tagged& v, Context&, Collector<std::pair<int, int>>& out) override {
      out.collect({v.first, subtask});
    }
  };
  auto out = env.from_sequence(1, 400)
                 .process(TagSender())
                 .rescale()
                 .process(TagReceiver())
                 .set_parallelism(4)
                 .execute_and_collect()
                 .to_vector();
  std::set<std::pair<int, int>> links(out.begin(), out.end());
  EXPECT_EQ(links, (std::set<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 2}, {1, 3}}));
}

TEST(PartitioningTest, KeyByRoutesEachKeyToOneSubtaskOwningItsKeyGroup) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(3);
  struct TagKeyed : KeyedProcessFunction<int64_t, int64_t, Tagged> {
    int subtask = -1;
    void open(RuntimeContext& ctx) override { subtask = ctx.get_index_of_this_subtask(); }
    void process_element(const int64_t& v, Context&, Collector<Tagged>& out) override {
      out.collect({subtask, v});
    }
  };
  auto out = env.from_sequence(1, 3000)
                 .key_by([](int64_t v) { return v % 50; })
                 .process(TagKeyed())
                 .execute_and_collect()
                 .to_vector();
  ASSERT_EQ(out.size(), 3000u);
  for (auto [s, v] : out) {
    EXPECT_EQ(s, operator_index_for_key_group(128, 3, assign_to_key_group(int64_t{v % 50}, 128)));
  }
}

}  // namespace
}  // namespace eddy
