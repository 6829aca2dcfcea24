// write_as_text(): one text file at parallelism 1, a directory of files 1..n above it, records
// in their display form, overwriting, and failures that name the path.
#include <gtest/gtest.h>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"

namespace eddy {
namespace {

using testing::list_dir;
using testing::read_file;
using testing::split_lines;
using testing::TempDir;
using testing::write_file;

std::vector<std::string> numbers_as_lines(int64_t from, int64_t to) {
  std::vector<std::string> lines;
  for (int64_t i = from; i <= to; ++i) lines.push_back(std::to_string(i));
  return lines;
}

std::string failure_of(StreamExecutionEnvironment& env) {
  try {
    env.execute("write job");
  } catch (const JobExecutionException& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected the job to fail";
  return "";
}

TEST(WriteAsTextTest, ParallelismOneWritesOneFileInOrder) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_sequence(1, 1000).write_as_text(dir / "out.txt");
  env.execute();
  EXPECT_EQ(split_lines(read_file(dir / "out.txt")), numbers_as_lines(1, 1000));
}

TEST(WriteAsTextTest, ParallelismTwoWritesOneFilePerSubtaskInADirectory) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 1000).write_as_text(dir / "out");
  env.execute();
  ASSERT_EQ(list_dir(dir / "out"), (std::vector<std::string>{"1", "2"}));
  std::vector<std::string> lines;
  for (const char* file : {"1", "2"}) {
    std::vector<std::string> part = split_lines(read_file(dir / "out/" + file));
    EXPECT_FALSE(part.empty()) << "each subtask of from_sequence has records";
    lines.insert(lines.end(), part.begin(), part.end());
  }
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> expected = numbers_as_lines(1, 1000);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);
}

TEST(WriteAsTextTest, WritesTheDisplayFormOfRecords) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection(std::vector<std::pair<std::string, double>>{{"a", 1.0}, {"b", 2.5}})
      .write_as_text(dir / "out.txt");
  env.execute();
  EXPECT_EQ(read_file(dir / "out.txt"), "(a,1.0)\n(b,2.5)\n");
}

TEST(WriteAsTextTest, OverwritesAnExistingFile) {
  TempDir dir;
  write_file(dir / "out.txt", "an older and much longer content\nwith several\nlines\n");
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_elements(std::string("new")).write_as_text(dir / "out.txt");
  env.execute();
  EXPECT_EQ(read_file(dir / "out.txt"), "new\n");
}

TEST(WriteAsTextTest, UnwritablePathFailsTheJobNamingItAndTheOsError) {
  TempDir dir;
  const std::string path = dir / "missing-dir/out.txt";
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_elements(1, 2, 3).write_as_text(path);
  const std::string message = failure_of(env);
  EXPECT_NE(message.find("Operator 'Sink: Text File Sink'"), std::string::npos) << message;
  EXPECT_NE(message.find("'" + path + "': No such file or directory"), std::string::npos)
      << message;
}

TEST(WriteAsTextTest, ParallelOutputOverAFileFailsNamingIt) {
  TempDir dir;
  write_file(dir / "out", "a file, not a directory");
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 10).write_as_text(dir / "out");
  const std::string message = failure_of(env);
  EXPECT_NE(message.find("'" + dir / "out" + "': it exists and is not a directory"),
            std::string::npos)
      << message;
}

TEST(WriteAsTextTest, SinkIsNamedAndEmptyPathRejected) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto stream = env.from_elements(1);
  EXPECT_EQ(stream.write_as_text("/tmp/unused").get_name(), "Sink: Text File Sink");
  EXPECT_THROW(stream.write_as_text(""), InvalidProgramException);
}

}  // namespace
}  // namespace eddy
