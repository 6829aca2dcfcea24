// read_text_file(): lines of a real file, with every kind of line ending, and a clear failure for
// a file that cannot be read.
#include <gtest/gtest.h>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"

namespace eddy {
namespace {

using testing::TempDir;
using testing::write_file;

std::vector<std::string> read_all(const std::string& path) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto records = env.read_text_file(path).execute_and_collect();
  std::vector<std::string> lines = records.to_vector();
  EXPECT_EQ(records.get_job_client().get_job_status(), JobStatus::kFinished);
  return lines;
}

TEST(TextFileSourceTest, EmitsLinesWithoutLfOrCrLfAndTheLastLineWithoutNewline) {
  TempDir dir;
  write_file(dir / "in.txt", "first\nsecond\r\n\nfourth\r\n  fifth \nlast without newline");
  EXPECT_EQ(read_all(dir / "in.txt"),
            (std::vector<std::string>{"first", "second", "", "fourth", "  fifth ",
                                      "last without newline"}));
}

TEST(TextFileSourceTest, FinalNewlineDoesNotAddAnEmptyLine) {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\n");
  EXPECT_EQ(read_all(dir / "in.txt"), (std::vector<std::string>{"a", "b"}));
}

TEST(TextFileSourceTest, EmptyFileEmitsNothing) {
  TempDir dir;
  write_file(dir / "empty.txt", "");
  EXPECT_TRUE(read_all(dir / "empty.txt").empty());
}

TEST(TextFileSourceTest, ManyAndLongLinesRoundTrip) {
  TempDir dir;
  std::vector<std::string> expected;
  std::string content;
  for (int i = 0; i < 20000; ++i) {
    expected.push_back("line " + std::to_string(i));
  }
  expected.push_back(std::string(300000, 'x'));  // longer than any read buffer
  for (const std::string& line : expected) content += line + "\n";
  write_file(dir / "big.txt", content);
  EXPECT_EQ(read_all(dir / "big.txt"), expected);
}

TEST(TextFileSourceTest, IsANonParallelSourceNamedAfterThePath) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(4);
  auto stream = env.read_text_file(dir / "in.txt");
  EXPECT_EQ(stream.get_name(), "Source: " + dir / "in.txt");
  EXPECT_TRUE(stream.transformation()->parallelism_fixed_to_one);
}

TEST(TextFileSourceTest, MissingFileFailsTheJobNamingThePathAndTheOsError) {
  TempDir dir;
  const std::string missing = dir / "no-such-file.txt";
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.read_text_file(missing).add_sink([](const std::string&) {});
  try {
    env.execute("read missing file");
    FAIL() << "expected JobExecutionException";
  } catch (const JobExecutionException& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Operator 'Source: " + missing + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot open text file '" + missing + "': No such file or directory"),
              std::string::npos)
        << message;
  }
}

TEST(TextFileSourceTest, DirectoryFailsTheJobNamingThePath) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.read_text_file(dir.path()).add_sink([](const std::string&) {});
  try {
    env.execute();
    FAIL() << "expected JobExecutionException";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("'" + dir.path() + "': Is a directory"), std::string::npos)
        << e.what();
  }
}

TEST(TextFileSourceTest, EmptyPathIsRejectedWhenTheJobIsBuilt) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  EXPECT_THROW(env.read_text_file(""), InvalidProgramException);
}

}  // namespace
}  // namespace eddy
