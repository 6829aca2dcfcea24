// FileSink restored at another parallelism (2 -> 3 -> 1 through savepoints): every record is
// committed once; a subtask whose index existed before goes on with that writer's uuid, a new
// index draws a fresh one; the abandoned in-progress parts of every old writer are deleted in
// every bucket (by subtask 0 for indexes that no longer exist), other writers' files are not.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"
#include "support/offset_source.h"

namespace eddy {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

constexpr int64_t kRecords = 3000;

using PausingSource = testing::PausingOffsetSource;

struct ParityAssigner : BucketAssigner<int64_t> {
  std::string get_bucket_id(const int64_t& x, const Context&) override {
    return x % 2 == 0 ? "even" : "odd";
  }
};

StreamExecutionEnvironment job(int parallelism, const std::string& out, PausingSource& source,
                               const std::string& restore_from) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(parallelism);
  if (!restore_from.empty()) {
    env.set_savepoint_restore_settings(SavepointRestoreSettings::for_path(restore_from));
  }
  source.n = kRecords;
  env.add_source(source, "pausing")
      .uid("source")
      .set_parallelism(1)
      .rebalance()
      .sink_to(FileSink<int64_t>::for_row_format(out, SimpleStringEncoder<int64_t>())
                   .with_bucket_assigner(ParityAssigner())
                   .with_rolling_policy(DefaultRollingPolicy{300})
                   .build())
      .uid("sink");
  return env;
}

// Runs until the source paused at `pause_at`, takes a savepoint (which commits the parts),
// cancels; returns the savepoint's path.
std::string run_to_savepoint(int parallelism, const std::string& out, int64_t pause_at,
                             const std::string& restore_from, const std::string& savepoints) {
  PausingSource source;
  source.pause_at = pause_at;
  auto env = job(parallelism, out, source, restore_from);
  JobClient client = env.execute_async("rescale stage");
  source.paused->wait();
  const std::string path = client.trigger_savepoint(savepoints).get();
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  return path;
}

const std::string kForeignUuid = "00000000-0000-4000-8000-000000000000";

// The uuid of each subtask's parts, committed or in progress (the savepoint's completion may
// not have reached the sink before it was cancelled), other than kForeignUuid's.
std::map<int, std::string> uuids_by_subtask(const std::string& out) {
  static const std::regex pattern(
      R"((even|odd)/\.?part-([0-9a-f-]{36})-([0-9]+)-[0-9]+(\.inprogress)?)");
  std::map<int, std::string> uuids;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    const std::string file = fs::relative(entry.path(), out).string();
    std::smatch match;
    EXPECT_TRUE(std::regex_match(file, match, pattern)) << file;
    if (match.empty() || match[2] == kForeignUuid) continue;
    const int subtask = std::stoi(match[3]);
    if (uuids.count(subtask) == 0) uuids[subtask] = match[2];
    EXPECT_EQ(uuids[subtask], match[2]) << "two uuids for subtask " << subtask;
  }
  return uuids;
}

// In-progress files a crashed writer (uuid, subtask) could have left after the savepoint, in
// both buckets; returns their paths.
std::vector<std::string> plant_abandoned(const std::string& out, const std::string& uuid,
                                         int subtask) {
  std::vector<std::string> paths;
  for (const char* bucket : {"even", "odd"}) {
    paths.push_back(out + "/" + bucket + "/.part-" + uuid + "-" + std::to_string(subtask) +
                    "-9999.inprogress");
    testing::write_file(paths.back(), "abandoned\n");
  }
  return paths;
}

TEST(FileSinkRescaleTest, RescalingTwoThreeOneCommitsEachRecordOnceAndCleansUpEveryOldWriter) {
  TempDir dir;
  const std::string out = dir / "out";
  const std::string savepoints = dir / "savepoints";

  const std::string first = run_to_savepoint(2, out, 1000, "", savepoints);
  const std::map<int, std::string> first_uuids = uuids_by_subtask(out);
  ASSERT_EQ(first_uuids.size(), 2u);
  std::vector<std::string> doomed = plant_abandoned(out, first_uuids.at(0), 0);
  for (const std::string& path : plant_abandoned(out, first_uuids.at(1), 1)) doomed.push_back(path);
  // Another writer's part (say, of a job run without restore) must survive.
  const std::vector<std::string> foreign = plant_abandoned(out, kForeignUuid, 1);

  const std::string second = run_to_savepoint(3, out, 2000, first, savepoints);
  for (const std::string& path : doomed) EXPECT_FALSE(fs::exists(path)) << path;
  const std::map<int, std::string> second_uuids = uuids_by_subtask(out);
  ASSERT_EQ(second_uuids.size(), 3u);
  EXPECT_EQ(second_uuids.at(0), first_uuids.at(0));
  EXPECT_EQ(second_uuids.at(1), first_uuids.at(1));
  EXPECT_NE(second_uuids.at(2), first_uuids.at(0));
  EXPECT_NE(second_uuids.at(2), first_uuids.at(1));
  doomed = plant_abandoned(out, second_uuids.at(2), 2);  // only subtask 0 is left to delete them

  PausingSource source;
  auto env = job(1, out, source, second);
  env.execute("final stage");
  for (const std::string& path : doomed) EXPECT_FALSE(fs::exists(path)) << path;
  for (const std::string& path : foreign) EXPECT_TRUE(fs::exists(path)) << path;
  EXPECT_EQ(uuids_by_subtask(out).at(0), first_uuids.at(0));

  // Every record exactly once, each in its parity's bucket.
  std::map<std::string, std::vector<std::string>> lines;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.starts_with(".")) continue;
    for (const std::string& line : testing::split_lines(read_file(entry.path().string()))) {
      lines[entry.path().parent_path().filename().string()].push_back(line);
    }
  }
  std::map<std::string, std::vector<std::string>> expected;
  for (int64_t x = 0; x < kRecords; ++x) {
    expected[x % 2 == 0 ? "even" : "odd"].push_back(std::to_string(x));
  }
  for (auto* by_bucket : {&lines, &expected}) {
    for (auto& [bucket, values] : *by_bucket) std::sort(values.begin(), values.end());
  }
  EXPECT_EQ(lines, expected);
}

}  // namespace
}  // namespace eddy
