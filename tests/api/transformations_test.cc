// Record-at-a-time transformations, multi-input streams and side outputs, run on the embedded
// mini-cluster and checked against results computed independently.
#include <gtest/gtest.h>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using testing::sorted;

TEST(TransformationsTest, MapFilterFlatMapAtParallelismTwo) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto result = env.from_sequence(1, 1000)
                    .map([](int64_t x) { return x * 3; })
                    .filter([](int64_t x) { return x % 2 == 0; })
                    .flat_map([](const int64_t& x, Collector<int64_t>& out) {
                      out.collect(x);
                      out.collect(-x);
                    })
                    .execute_and_collect()
                    .to_vector();
  std::vector<int64_t> expected;
  for (int64_t x = 1; x <= 1000; ++x) {
    if ((x * 3) % 2 == 0) {
      expected.push_back(x * 3);
      expected.push_back(-x * 3);
    }
  }
  EXPECT_EQ(sorted(result), sorted(expected));
}

TEST(TransformationsTest, FlatMapReturningARange) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto result =
      env.from_collection(std::vector<std::string>{"ab", "c"})
          .flat_map([](const std::string& s) { return std::vector<char>(s.begin(), s.end()); })
          .execute_and_collect()
          .to_vector();
  EXPECT_EQ(result, (std::vector<char>{'a', 'b', 'c'}));
}

TEST(TransformationsTest, UnionOfThreeStreams) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto a = env.from_collection({1, 2});
  auto b = env.from_collection({3});
  auto c = env.from_sequence(4, 6).map([](int64_t x) { return static_cast<int>(x); });
  auto result = a.union_(b, c).execute_and_collect().to_vector();
  EXPECT_EQ(sorted(result), (std::vector<int>{1, 2, 3, 4, 5, 6}));
}

struct Tagger : CoFlatMapFunction<std::string, int, std::string> {
  void flat_map1(const std::string& v, Collector<std::string>& out) override {
    out.collect("s:" + v);
  }
  void flat_map2(const int& v, Collector<std::string>& out) override {
    for (int i = 0; i < v; ++i) out.collect("i:" + std::to_string(v));
  }
};

TEST(TransformationsTest, ConnectWithCoFlatMap) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto result = env.from_collection(std::vector<std::string>{"x", "y"})
                    .connect(env.from_collection({1, 2}))
                    .flat_map(Tagger())
                    .execute_and_collect()
                    .to_vector();
  EXPECT_EQ(sorted(result), sorted(std::vector<std::string>{"s:x", "s:y", "i:1", "i:2", "i:2"}));
}

// Joins each key's name (input 1) with its amounts (input 2) on the key's subtask.
struct NameAmounts
    : KeyedCoProcessFunction<int, std::pair<int, std::string>, std::pair<int, int>, std::string> {
  void process_element1(const std::pair<int, std::string>& v, Context& ctx,
                        Collector<std::string>& out) override {
    out.collect("name " + std::to_string(ctx.get_current_key()) + "=" + v.second);
  }
  void process_element2(const std::pair<int, int>& v, Context& ctx,
                        Collector<std::string>& out) override {
    out.collect("amount " + std::to_string(ctx.get_current_key()) + "=" + std::to_string(v.second));
  }
};

TEST(TransformationsTest, KeyedConnectedStreamsSeeTheCurrentKey) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto names =
      env.from_collection(std::vector<std::pair<int, std::string>>{{1, "one"}, {2, "two"}});
  auto amounts = env.from_collection(std::vector<std::pair<int, int>>{{1, 10}, {2, 20}});
  auto result =
      names.connect(amounts)
          .key_by([](const auto& p) { return p.first; }, [](const auto& p) { return p.first; })
          .process(NameAmounts())
          .execute_and_collect()
          .to_vector();
  EXPECT_EQ(sorted(result), sorted(std::vector<std::string>{"name 1=one", "name 2=two",
                                                            "amount 1=10", "amount 2=20"}));
}

const OutputTag<std::string> kOddTag("odd");

struct EvenOdd : ProcessFunction<int, int> {
  void process_element(const int& v, Context& ctx, Collector<int>& out) override {
    if (v % 2 == 0) {
      out.collect(v);
    } else {
      ctx.output(kOddTag, "odd " + std::to_string(v));
    }
  }
};

TEST(TransformationsTest, SideOutputsCarryTheirOwnType) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto main = env.from_collection({1, 2, 3, 4, 5, 6}).process(EvenOdd());
  auto odds = main.get_side_output(kOddTag);
  std::vector<int> evens_seen;
  auto evens_sink = std::make_shared<std::mutex>();
  auto evens = std::make_shared<std::vector<int>>();
  main.add_sink([evens, evens_sink](const int& v) {
    std::lock_guard lock(*evens_sink);
    evens->push_back(v);
  });
  auto odd_result = odds.execute_and_collect().to_vector();
  EXPECT_EQ(sorted(odd_result), (std::vector<std::string>{"odd 1", "odd 3", "odd 5"}));
  EXPECT_EQ(sorted(*evens), (std::vector<int>{2, 4, 6}));
}

struct KeyEcho : KeyedProcessFunction<std::string, std::pair<std::string, int>, std::string> {
  void process_element(const std::pair<std::string, int>& v, Context& ctx,
                       Collector<std::string>& out) override {
    out.collect(ctx.get_current_key() + ":" + std::to_string(v.second));
  }
};

TEST(TransformationsTest, KeyedProcessFunctionSeesItsKey) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto result =
      env.from_collection(std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}, {"a", 3}})
          .key_by([](const auto& p) { return p.first; })
          .process(KeyEcho())
          .execute_and_collect()
          .to_vector();
  EXPECT_EQ(sorted(result), (std::vector<std::string>{"a:1", "a:3", "b:2"}));
}

struct Point {
  int x = 0;
  double weight = 0;
};

TEST(TransformationsTest, UserStructsFlowThroughShuffles) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto result = env.from_sequence(1, 100)
                    .map([](int64_t i) {
                      return Point{static_cast<int>(i), i * 0.5};
                    })
                    .rebalance()
                    .key_by([](const Point& p) { return p.x % 2; })
                    .sum(&Point::weight)
                    .execute_and_collect()
                    .to_vector();
  double max_even = 0, max_odd = 0;
  for (const auto& p : result)
    (p.x % 2 == 0 ? max_even : max_odd) = std::max(p.x % 2 == 0 ? max_even : max_odd, p.weight);
  double expected_even = 0, expected_odd = 0;
  for (int i = 1; i <= 100; ++i) (i % 2 == 0 ? expected_even : expected_odd) += i * 0.5;
  EXPECT_DOUBLE_EQ(max_even, expected_even);
  EXPECT_DOUBLE_EQ(max_odd, expected_odd);
  EXPECT_EQ(result.size(), 100u);
}

}  // namespace
}  // namespace eddy

namespace eddy {
namespace {

TEST(TransformationsTest, FromElementsKeepsOrderAtParallelismOne) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto out = env.from_elements(std::string("x"), std::string("y"), std::string("z"))
                 .execute_and_collect()
                 .to_vector();
  EXPECT_EQ(out, (std::vector<std::string>{"x", "y", "z"}));
}

// Counts the records of each input and reports both counts with every record.
struct CountBoth : CoProcessFunction<int, std::string, std::string> {
  int firsts = 0, seconds = 0;
  void process_element1(const int& v, Context&, Collector<std::string>& out) override {
    out.collect("int " + std::to_string(v) + " after " + std::to_string(++firsts) + " ints");
  }
  void process_element2(const std::string& v, Context& ctx, Collector<std::string>& out) override {
    out.collect("str " + v + " after " + std::to_string(++seconds) + " strs");
  }
};

TEST(TransformationsTest, CoProcessKeepsStateAcrossBothInputs) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto out = env.from_collection({7, 8})
                 .connect(env.from_collection(std::vector<std::string>{"a"}))
                 .process(CountBoth())
                 .execute_and_collect()
                 .to_vector();
  EXPECT_EQ(
      testing::sorted(out),
      (std::vector<std::string>{"int 7 after 1 ints", "int 8 after 2 ints", "str a after 1 strs"}));
}

}  // namespace
}  // namespace eddy
