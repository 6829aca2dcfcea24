// print() shows values the way Flink's Java toString() does.
#include <gtest/gtest.h>

#include <map>

#include "eddy/core/value_format.h"

namespace {

struct Point {
  int x, y;
};
std::string to_string(const Point& p) {
  return "Point(" + std::to_string(p.x) + "," + std::to_string(p.y) + ")";
}

TEST(ValueFormatTest, ShapesFlinkUsersKnow) {
  using eddy::format_value;
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(2.0), "2.0");
  EXPECT_EQ(format_value(2.5), "2.5");
  EXPECT_EQ(format_value(true), "true");
  EXPECT_EQ(format_value('h'), "h");
  EXPECT_EQ(format_value(std::string("A")), "A");
  EXPECT_EQ(format_value(std::make_pair(std::string("A"), 1)), "(A,1)");
  EXPECT_EQ(format_value(std::make_tuple(25, std::string("x"), false)), "(25,x,false)");
  EXPECT_EQ(format_value(std::vector<int>{2, 4, 6}), "[2, 4, 6]");
  EXPECT_EQ(format_value(std::vector<int>{}), "[]");
  EXPECT_EQ(format_value(std::optional<int>()), "null");
  EXPECT_EQ(format_value(std::map<std::string, int>{{"a", 1}, {"b", 2}}), "{a=1, b=2}");
  EXPECT_EQ(format_value(Point{1, 2}), "Point(1,2)");
}

}  // namespace
