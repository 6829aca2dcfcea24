// The execution plan JSON has the shape Flink users and tools know.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "eddy/eddy.h"

namespace eddy {
namespace {

TEST(ExecutionPlanTest, ShowsNodesPactsParallelismAndShipStrategies) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto data = env.from_collection(
      std::vector<std::pair<std::string, int>>{{"apple", 1}, {"banana", 1}, {"apple", 1}});
  data.key_by([](const auto& p) { return p.first; }).sum(1);
  auto plan = nlohmann::json::parse(env.get_execution_plan());
  ASSERT_EQ(plan["nodes"].size(), 2u);
  const auto& source = plan["nodes"][0];
  const auto& agg = plan["nodes"][1];
  EXPECT_EQ(source["pact"], "Data Source");
  EXPECT_EQ(source["type"], "Source: Collection Source");
  EXPECT_EQ(source["contents"], "Source: Collection Source");
  EXPECT_EQ(source["parallelism"], 1);
  EXPECT_FALSE(source.contains("predecessors"));
  EXPECT_EQ(agg["pact"], "Operator");
  EXPECT_EQ(agg["type"], "Keyed Aggregation");
  ASSERT_EQ(agg["predecessors"].size(), 1u);
  EXPECT_EQ(agg["predecessors"][0]["id"], source["id"]);
  EXPECT_EQ(agg["predecessors"][0]["ship_strategy"], "HASH");
}

TEST(ExecutionPlanTest, PlanDoesNotConsumeTheJob) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection({1, 2}).map([](int x) { return x; }).add_sink([](int) {});
  env.get_execution_plan();
  EXPECT_NO_THROW(env.execute("after plan"));
}

TEST(ExecutionPlanTest, BroadcastAndCustomStrategiesAreNamed) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto s = env.from_sequence(1, 4);
  s.broadcast().map([](int64_t x) { return x; }).print();
  s.partition_custom([](int64_t k, int n) { return static_cast<int>(k % n); },
                     [](int64_t x) { return x; })
      .map([](int64_t x) { return x; })
      .print();
  auto plan = nlohmann::json::parse(env.get_execution_plan());
  std::vector<std::string> strategies;
  for (const auto& n : plan["nodes"]) {
    if (n["type"] == "Map") strategies.push_back(n["predecessors"][0]["ship_strategy"]);
  }
  EXPECT_EQ(strategies, (std::vector<std::string>{"BROADCAST", "CUSTOM"}));
}

}  // namespace
}  // namespace eddy
