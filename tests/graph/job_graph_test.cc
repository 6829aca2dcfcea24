// Operator chaining: which edges fuse operators into one task, and which do not.
#include <gtest/gtest.h>

#include "eddy/eddy.h"
#include "graph/job_graph.h"

namespace eddy {
namespace {

graph::JobGraph job_of(StreamExecutionEnvironment& env) {
  graph::StreamGraphConfig config;
  config.default_parallelism = env.get_parallelism();
  config.chaining_enabled = env.is_chaining_enabled();
  return graph::build_job_graph(graph::generate_stream_graph(env.state()->transformations, config));
}

std::vector<std::string> vertex_names(const graph::JobGraph& job) {
  std::vector<std::string> names;
  for (const auto& v : job.vertices) names.push_back(v.name);
  return names;
}

auto identity = [](int64_t x) { return x; };

TEST(JobGraphTest, ChainsForwardEdgesOfEqualParallelism) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 10).map(identity).filter([](int64_t) { return true; }).print();
  auto job = job_of(env);
  EXPECT_EQ(vertex_names(job),
            std::vector<std::string>{
                "Source: Sequence Source -> Map -> Filter -> Sink: Print to Std. Out"});
  EXPECT_EQ(job.required_slots(), 2);
}

TEST(JobGraphTest, BreaksChainsAtRebalanceHashAndParallelismChanges) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 10)
      .map(identity)
      .rebalance()
      .map(identity)
      .key_by([](int64_t x) { return x % 3; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .print()
      .set_parallelism(1);
  auto job = job_of(env);
  EXPECT_EQ(vertex_names(job),
            (std::vector<std::string>{"Source: Sequence Source -> Map", "Map", "Keyed Reduce",
                                      "Sink: Print to Std. Out"}));
}

TEST(JobGraphTest, DisableChainingAndStartNewChain) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_sequence(1, 10)
      .map(identity)
      .name("a")
      .map(identity)
      .name("b")
      .disable_chaining()
      .map(identity)
      .name("c")
      .map(identity)
      .name("d")
      .start_new_chain()
      .map(identity)
      .name("e")
      .print();
  auto job = job_of(env);
  EXPECT_EQ(vertex_names(job), (std::vector<std::string>{"Source: Sequence Source -> a", "b", "c",
                                                         "d -> e -> Sink: Print to Std. Out"}));
}

TEST(JobGraphTest, EnvironmentWideChainingSwitch) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.disable_operator_chaining();
  env.from_sequence(1, 10).map(identity).print();
  EXPECT_EQ(job_of(env).vertices.size(), 3u);
}

TEST(JobGraphTest, SlotSharingGroupsSplitChainsAndAddSlots) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 10)
      .map(identity)
      .slot_sharing_group("heavy")
      .set_parallelism(3)
      .print()
      .set_parallelism(3);
  auto job = job_of(env);
  EXPECT_EQ(vertex_names(job), (std::vector<std::string>{"Source: Sequence Source",
                                                         "Map -> Sink: Print to Std. Out"}));
  EXPECT_EQ(job.required_slots(), 2 + 3);  // the sink inherits "heavy" from its input
}

TEST(JobGraphTest, UnionInputsAreNotChained) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto a = env.from_sequence(1, 3);
  a.union_(env.from_sequence(4, 6)).map(identity).print();
  auto job = job_of(env);
  EXPECT_EQ(job.vertices.size(), 3u);  // two sources and the map -> sink chain
  EXPECT_EQ(job.vertices.back().in_edges.size(), 2u);
}

}  // namespace
}  // namespace eddy
