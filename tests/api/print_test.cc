// print() writes Flink's prefixes: "N> " in parallel, "id> " / "id:N> " with an identifier.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "api/test_jobs.h"

namespace eddy {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return testing::sorted(lines);
}

std::vector<std::string> printed(int parallelism, const std::string& identifier) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(parallelism);
  env.from_collection({1, 2, 3, 4})
      .map([](int x) { return std::make_pair(std::string("v"), x * 2); })
      .print(identifier);
  ::testing::internal::CaptureStdout();
  env.execute("print");
  return lines_of(::testing::internal::GetCapturedStdout());
}

TEST(PrintTest, NoPrefixAtParallelismOne) {
  EXPECT_EQ(printed(1, ""), (std::vector<std::string>{"(v,2)", "(v,4)", "(v,6)", "(v,8)"}));
}

TEST(PrintTest, SubtaskPrefixInParallel) {
  auto lines = printed(2, "");
  ASSERT_EQ(lines.size(), 4u);
  std::multiset<std::string> values;
  for (const auto& l : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, std::regex(R"(([12])> (\(v,\d\)))"))) << l;
    values.insert(m[2]);
  }
  EXPECT_EQ(values, (std::multiset<std::string>{"(v,2)", "(v,4)", "(v,6)", "(v,8)"}));
}

TEST(PrintTest, IdentifierPrefix) {
  EXPECT_EQ(printed(1, "out"),
            (std::vector<std::string>{"out> (v,2)", "out> (v,4)", "out> (v,6)", "out> (v,8)"}));
  for (const auto& l : printed(2, "out"))
    EXPECT_TRUE(std::regex_match(l, std::regex(R"(out:[12]> \(v,\d\))"))) << l;
}

}  // namespace
}  // namespace eddy
