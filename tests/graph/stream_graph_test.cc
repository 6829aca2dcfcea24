// Stream graph generation: virtual transformations become edge properties, parallelism and
// ship strategies are resolved, and invalid programs are rejected before anything runs.
#include <gtest/gtest.h>

#include "eddy/eddy.h"
#include "graph/stream_graph.h"

namespace eddy {
namespace {

graph::StreamGraph graph_of(StreamExecutionEnvironment& env) {
  graph::StreamGraphConfig config;
  config.default_parallelism = env.get_parallelism();
  return graph::generate_stream_graph(env.state()->transformations, config);
}

const graph::StreamNode& node_named(const graph::StreamGraph& g, const std::string& name) {
  for (const auto& [id, n] : g.nodes) {
    if (n.name == name) return n;
  }
  throw std::runtime_error("no node " + name);
}

TEST(StreamGraphTest, ForwardBetweenEqualParallelismRebalanceOtherwise) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_collection({1, 2, 3}).map([](int x) { return x; }).print();
  auto g = graph_of(env);
  ASSERT_EQ(g.nodes.size(), 3u);
  const auto& map = node_named(g, "Map");
  EXPECT_EQ(node_named(g, "Source: Collection Source").parallelism, 1);
  EXPECT_EQ(map.parallelism, 2);
  ASSERT_EQ(map.in_edges.size(), 1u);
  EXPECT_EQ(g.edges[map.in_edges[0]].partitioner.kind, runtime::PartitionKind::kRebalance);
  const auto& sink = node_named(g, "Sink: Print to Std. Out");
  EXPECT_EQ(g.edges[sink.in_edges[0]].partitioner.kind, runtime::PartitionKind::kForward);
  EXPECT_EQ(sink.pact, "Data Sink");
}

TEST(StreamGraphTest, KeyByBecomesAHashEdgeNotANode) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection(std::vector<std::pair<std::string, int>>{{"a", 1}})
      .key_by([](const auto& p) { return p.first; })
      .sum(1)
      .print();
  auto g = graph_of(env);
  ASSERT_EQ(g.nodes.size(), 3u);
  const auto& agg = node_named(g, "Keyed Aggregation");
  ASSERT_EQ(agg.in_edges.size(), 1u);
  EXPECT_EQ(g.edges[agg.in_edges[0]].partitioner.kind, runtime::PartitionKind::kHash);
  EXPECT_EQ(g.edges[agg.in_edges[0]].source_id, node_named(g, "Source: Collection Source").id);
}

TEST(StreamGraphTest, UnionFeedsEveryInputIntoTheConsumer) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto a = env.from_collection({1});
  auto b = env.from_collection({2});
  auto c = env.from_collection({3});
  a.union_(b, c).map([](int x) { return x; }).print();
  auto g = graph_of(env);
  EXPECT_EQ(node_named(g, "Map").in_edges.size(), 3u);
}

TEST(StreamGraphTest, SideOutputEdgeCarriesItsTagAndType) {
  struct Split : ProcessFunction<int, int> {
    void process_element(const int& v, Context& ctx, Collector<int>& out) override {
      ctx.output(OutputTag<std::string>("odd"), std::to_string(v));
      out.collect(v);
    }
  };
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto main = env.from_collection({1, 2}).process(Split());
  main.get_side_output(OutputTag<std::string>("odd")).print();
  auto g = graph_of(env);
  const auto& sink = node_named(g, "Sink: Print to Std. Out");
  const auto& edge = g.edges[sink.in_edges[0]];
  EXPECT_EQ(edge.side_output_tag, "odd");
  EXPECT_EQ(edge.type->type(), std::type_index(typeid(std::string)));
  EXPECT_EQ(edge.source_id, node_named(g, "Process").id);
}

TEST(StreamGraphTest, RejectsForwardBetweenDifferentParallelism) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_collection({1}).forward().map([](int x) { return x; }).print();
  try {
    graph_of(env);
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("forward partitioning"), std::string::npos) << e.what();
  }
}

TEST(StreamGraphTest, RejectsParallelismAboveMaxParallelism) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_sequence(1, 10)
      .map([](int64_t x) { return x; })
      .set_parallelism(200)
      .set_max_parallelism(128)
      .print();
  try {
    graph_of(env);
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("higher than its max parallelism (128)"),
              std::string::npos)
        << e.what();
  }
}

TEST(StreamGraphTest, RejectsParallelNonParallelSource) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.from_collection({1}).set_parallelism(2).print();
  EXPECT_THROW(graph_of(env), InvalidProgramException);
}

TEST(StreamGraphTest, RejectsDuplicateUids) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto s = env.from_collection({1});
  s.map([](int x) { return x; }).uid("same").print();
  s.map([](int x) { return x; }).uid("same").print();
  EXPECT_THROW(graph_of(env), InvalidProgramException);
}

TEST(StreamGraphTest, RejectsCycles) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto mapped = env.from_collection({1}).map([](int x) { return x; });
  // The API cannot build a cycle; a hand-made one must still be caught.
  mapped.transformation()->inputs.push_back(mapped.transformation());
  mapped.print();
  try {
    graph_of(env);
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  }
}

TEST(StreamGraphTest, OperatorSettersApplyAndVirtualStepsRejectThem) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto s = env.from_sequence(1, 10);
  EXPECT_THROW(s.rebalance().set_parallelism(2), InvalidProgramException);
  EXPECT_THROW(s.map([](int64_t x) { return x; }).set_parallelism(0), InvalidProgramException);
  s.map([](int64_t x) { return x; }).name("double").uid("d1").set_parallelism(3).print();
  auto g = graph_of(env);
  const auto& n = node_named(g, "double");
  EXPECT_EQ(n.uid, "d1");
  EXPECT_EQ(n.parallelism, 3);
}

TEST(StreamGraphTest, ExecuteWithoutOperatorsIsAnError) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.from_collection({1});
  try {
    env.execute("empty");
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("No operators defined"), std::string::npos);
  }
}

}  // namespace
}  // namespace eddy
