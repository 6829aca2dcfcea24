// FileSink: part files committed only after the whole input was written, rolling by size,
// naming, and in-progress files that stay hidden when a job fails or is cancelled. Bucketing
// (date-time buckets, custom assigners) is tested in file_sink_bucket_test.cc.
#include <gtest/gtest.h>

#include <regex>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"

namespace eddy {
namespace {

using testing::Latch;
using testing::list_dir;
using testing::read_file;
using testing::TempDir;

std::string numbers_text(int64_t from, int64_t to) {
  std::string text;
  for (int64_t i = from; i <= to; ++i) text += std::to_string(i) + "\n";
  return text;
}

std::vector<std::string> sorted_lines(const std::string& text) {
  std::vector<std::string> lines = testing::split_lines(text);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Every part in the base directory, so that the tests can list it.
FileSink<int64_t> number_sink(const std::string& dir, int64_t max_part_size_bytes) {
  return FileSink<int64_t>::for_row_format(dir, SimpleStringEncoder<int64_t>())
      .with_rolling_policy(DefaultRollingPolicy{max_part_size_bytes})
      .with_bucket_assigner(BasePathBucketAssigner<int64_t>())
      .build();
}

const std::string kUuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

// The parts of a committed name "<prefix>-<uuid>-<subtask>-<counter><suffix>".
struct PartName {
  std::string uuid;
  int subtask = -1;
  int64_t counter = -1;
};
PartName parse_part(const std::string& name, const std::string& prefix = "part",
                    const std::string& suffix = "") {
  std::smatch match;
  const std::regex pattern(prefix + "-(" + kUuid + ")-([0-9]+)-([0-9]+)" +
                           std::regex_replace(suffix, std::regex(R"([.])"), R"(\.)"));
  if (!std::regex_match(name, match, pattern)) {
    ADD_FAILURE() << "not a committed part name: " << name;
    return {};
  }
  return {match[1], std::stoi(match[2]), std::stoll(match[3])};
}

bool is_in_progress(const std::string& name) {
  return name.starts_with(".") && name.ends_with(".inprogress");
}

// The committed parts "part-<uuid>-0-<c>" of subtask 0, in counter order.
std::vector<std::string> parts_of_subtask_zero(const std::string& dir) {
  std::vector<std::string> names = list_dir(dir);
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return parse_part(a).counter < parse_part(b).counter;
  });
  return names;
}

TEST(FileSinkTest, CommitsOnePartPerSubtaskAfterSuccessCreatingTheDirectory) {
  TempDir dir;
  const std::string base = dir / "nested/output";
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 1000).sink_to(number_sink(base, 1 << 20));
  env.execute();
  const std::vector<std::string> names = list_dir(base);
  ASSERT_EQ(names.size(), 2u);
  std::vector<PartName> parts = {parse_part(names[0]), parse_part(names[1])};
  std::sort(parts.begin(), parts.end(),
            [](const PartName& a, const PartName& b) { return a.subtask < b.subtask; });
  EXPECT_EQ(parts[0].subtask, 0);
  EXPECT_EQ(parts[1].subtask, 1);
  EXPECT_EQ(parts[0].counter, 0);
  EXPECT_EQ(parts[1].counter, 0);
  EXPECT_NE(parts[0].uuid, parts[1].uuid) << "each subtask draws its own uuid";
  EXPECT_EQ(sorted_lines(read_file(base + "/" + names[0]) + read_file(base + "/" + names[1])),
            sorted_lines(numbers_text(1, 1000)));
}

TEST(FileSinkTest, EachJobDrawsAFreshUuidSoRunsIntoOneDirectoryDoNotCollide) {
  TempDir dir;
  for (int run = 0; run < 2; ++run) {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(1);
    env.from_sequence(run * 10 + 1, run * 10 + 10).sink_to(number_sink(dir.path(), 1 << 20));
    env.execute();
  }
  const std::vector<std::string> names = list_dir(dir.path());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(parse_part(names[0]).uuid, parse_part(names[1]).uuid);
  EXPECT_EQ(sorted_lines(read_file(dir / names[0]) + read_file(dir / names[1])),
            sorted_lines(numbers_text(1, 20)));
}

TEST(FileSinkTest, UsesThePartPrefixAndSuffixAndAnyEncoder) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto encoder = [](const std::pair<std::string, int>& record, std::string& out) {
    out += record.first + "=" + std::to_string(record.second) + ";";
  };
  env.from_collection(std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}})
      .sink_to(FileSink<std::pair<std::string, int>>::for_row_format(dir.path(), encoder)
                   .with_output_file_config(OutputFileConfig::builder()
                                                .with_part_prefix("data")
                                                .with_part_suffix(".csv")
                                                .build())
                   .with_bucket_assigner(BasePathBucketAssigner<std::pair<std::string, int>>())
                   .build());
  env.execute();
  const std::vector<std::string> names = list_dir(dir.path());
  ASSERT_EQ(names.size(), 1u);
  const PartName part = parse_part(names[0], "data", ".csv");
  EXPECT_EQ(part.subtask, 0);
  EXPECT_EQ(part.counter, 0);
  EXPECT_EQ(read_file(dir / names[0]), "a=1;b=2;");
}

TEST(FileSinkTest, OutputFileConfigBuilderStartsFromTheDefaultsAndThePlainStructStillWorks) {
  const OutputFileConfig defaults = OutputFileConfig::builder().build();
  EXPECT_EQ(defaults.part_prefix, "part");
  EXPECT_EQ(defaults.part_suffix, "");
  const OutputFileConfig plain{"x", ".txt"};
  const OutputFileConfig built =
      OutputFileConfig::builder().with_part_suffix(".txt").with_part_prefix("x").build();
  EXPECT_EQ(built.part_prefix, plain.part_prefix);
  EXPECT_EQ(built.part_suffix, plain.part_suffix);
}

TEST(FileSinkTest, RollsPartsBySizeAndTheirConcatenationIsTheInput) {
  TempDir dir;
  constexpr int64_t kMaxPartSize = 100;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_sequence(1, 1000).sink_to(number_sink(dir.path(), kMaxPartSize));
  env.execute();

  std::vector<std::string> parts = parts_of_subtask_zero(dir.path());
  ASSERT_GT(parts.size(), 10u);
  std::string concatenation;
  const std::string uuid = parse_part(parts[0]).uuid;
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(parts[i], "part-" + uuid + "-0-" + std::to_string(i));
    const std::string content = read_file(dir / parts[i]);
    // A part ends with the record that took it past the limit; only the last part may stay below.
    const size_t last_record = content.rfind('\n', content.size() - 2) + 1;
    EXPECT_LE(static_cast<int64_t>(last_record), kMaxPartSize) << parts[i];
    if (i + 1 < parts.size()) {
      EXPECT_GT(static_cast<int64_t>(content.size()), kMaxPartSize) << parts[i];
    }
    concatenation += content;
  }
  EXPECT_EQ(concatenation, numbers_text(1, 1000));
}

TEST(FileSinkTest, SubtaskWithoutRecordsWritesNoPart) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_collection(std::vector<int64_t>{7}).sink_to(number_sink(dir.path(), 1 << 20));
  env.execute();
  std::vector<std::string> names = list_dir(dir.path());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(read_file(dir / names[0]), "7\n");
}

TEST(FileSinkTest, FailedJobLeavesOnlyInProgressFiles) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_sequence(1, 1000)
      .map([](int64_t x) -> int64_t {
        if (x == 500) throw std::runtime_error("bad record 500");
        return x;
      })
      .sink_to(number_sink(dir.path(), 100));
  EXPECT_THROW(env.execute(), JobExecutionException);
  std::vector<std::string> names = list_dir(dir.path());
  EXPECT_GT(names.size(), 1u) << "rolled parts are pending, not committed";
  for (const std::string& name : names) EXPECT_TRUE(is_in_progress(name)) << name;
}

TEST(FileSinkTest, CancelledJobLeavesOnlyInProgressFiles) {
  struct EndlessSource : SourceFunction<int64_t> {
    std::shared_ptr<std::atomic<bool>> running = std::make_shared<std::atomic<bool>>(true);
    void run(SourceContext<int64_t>& ctx) override {
      for (int64_t i = 0; running->load(); ++i) ctx.collect(i);
    }
    void cancel() override { running->store(false); }
  };
  TempDir dir;
  auto written = std::make_shared<Latch>();
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.add_source(EndlessSource())
      .map([written](int64_t x) {
        if (x == 1000) written->open();  // several parts have rolled by now
        return x;
      })
      .sink_to(number_sink(dir.path(), 100));
  JobClient client = env.execute_async();
  written->wait();
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  EXPECT_EQ(client.get_job_status(), JobStatus::kCanceled);
  std::vector<std::string> names = list_dir(dir.path());
  EXPECT_GT(names.size(), 1u);
  for (const std::string& name : names) EXPECT_TRUE(is_in_progress(name)) << name;
}

TEST(FileSinkTest, EncoderFailureNamesTheSink) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto encoder = [](const int64_t& x, std::string&) {
    throw std::runtime_error("cannot encode " + std::to_string(x));
  };
  env.from_sequence(1, 3).sink_to(FileSink<int64_t>::for_row_format(dir.path(), encoder).build());
  try {
    env.execute();
    FAIL() << "expected JobExecutionException";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("Operator 'Sink: File Sink' (subtask 1/1) failed: "
                                         "cannot encode 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(FileSinkTest, InvalidConfigurationIsRejectedWhenBuilt) {
  auto builder = FileSink<int64_t>::for_row_format("/tmp/out", SimpleStringEncoder<int64_t>());
  EXPECT_THROW(FileSink<int64_t>::for_row_format("", SimpleStringEncoder<int64_t>()).build(),
               InvalidProgramException);
  EXPECT_THROW(builder.with_rolling_policy(DefaultRollingPolicy{0}).build(),
               InvalidProgramException);
  builder.with_rolling_policy(DefaultRollingPolicy{});
  EXPECT_THROW(builder.with_output_file_config(OutputFileConfig{"a/b", ""}).build(),
               InvalidProgramException);
  EXPECT_EQ(builder.with_output_file_config(OutputFileConfig{}).build().base_dir(), "/tmp/out");
}

}  // namespace
}  // namespace eddy
