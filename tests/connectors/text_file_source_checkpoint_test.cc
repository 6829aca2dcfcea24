// read_text_file() under checkpoints: after a failure the job restores its latest checkpoint and
// the source seeks to the byte offset it holds, so the exactly-once FileSink commits every line
// of the file once, in order; a file that shrank below that offset fails the job naming both.
//
// The failure happens only after a checkpoint taken in the middle of the file has completed,
// and the test does not rely on timing for that: a gate chained after the source (on the
// source's thread) lets one line through per batch of the task's mail from line kGateAt on, so
// the file cannot run out before a checkpoint is triggered there and its completion is notified.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy {
namespace {

using testing::list_dir;
using testing::read_file;
using testing::TempDir;

// What the attempts of one job share with the test.
struct GateLog {
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::map<int64_t, int64_t> lines_at_checkpoint;  // id -> lines before it (first attempt)
  std::optional<int64_t> restored_checkpoint;      // as the restored attempt saw it
  int64_t restored_line_count = -1;                // lines before it, from the gate's state
  std::vector<std::string> restored_lines;         // what the restored attempt passed on
  int attempts = 0;
};

// Passes lines on. In the first attempt, from line `gate_at` on, it waits for mail before each
// line (the source runs it at its next is_running(), so a checkpoint trigger or notification
// takes effect after at most one more line); once a checkpoint taken at or after `gate_at` is
// complete, it stops waiting, and as soon as it has passed `lines_after_snapshot` lines since
// its latest snapshot it runs `before_failure` and fails on the next line.
class CheckpointGate final : public runtime::OneInputOperator<std::string, CheckpointGate> {
 public:
  CheckpointGate(std::shared_ptr<GateLog> log, int64_t gate_at,
                 std::function<void()> before_failure, const runtime::OperatorOutputs& outputs,
                 int64_t lines_after_snapshot = 0)
      : log_(std::move(log)),
        gate_at_(gate_at),
        lines_after_snapshot_(lines_after_snapshot),
        before_failure_(std::move(before_failure)),
        mailbox_(*outputs.mailbox),
        out_(outputs.main_as<std::string>()) {}

  // The gate checkpoints its line count too: that gives it a restore to look at.
  void open(RuntimeContext& ctx) override {
    passed_state_ = &ctx.get_operator_state_store().get_list_state(
        ListStateDescriptor<int64_t>("lines-passed"));
    for (int64_t passed : passed_state_->get()) passed_ = passed;
    std::lock_guard lock(log_->mu);
    ++log_->attempts;
    restored_ = ctx.get_restore() != nullptr;
    if (restored_) {
      log_->restored_checkpoint = ctx.get_restored_checkpoint_id();
      log_->restored_line_count = passed_;
    }
  }

  void process_element(std::string&& line) {
    if (restored_) {
      std::lock_guard lock(log_->mu);
      log_->restored_lines.push_back(line);
    } else if (!log_->failed) {
      if (gate_checkpoint_complete_ && passed_ - passed_at_snapshot_ >= lines_after_snapshot_) {
        log_->failed = true;
        if (before_failure_) before_failure_();
        throw std::runtime_error("injected failure after line " + std::to_string(passed_));
      }
      if (passed_ >= gate_at_ && !gate_checkpoint_complete_) wait_for_mail();
    }
    ++passed_;
    out_->push(std::move(line));
  }

  void snapshot_state(runtime::StateSnapshotContext& ctx) override {
    passed_state_->update({passed_});
    passed_at_snapshot_ = passed_;
    if (restored_) return;
    std::lock_guard lock(log_->mu);
    log_->lines_at_checkpoint[ctx.checkpoint_id()] = passed_;
    if (passed_ >= gate_at_ && gate_checkpoint_ < 0) {
      gate_checkpoint_ = ctx.checkpoint_id();
    }
  }

  void notify_checkpoint_complete(int64_t id) override {
    if (gate_checkpoint_ >= 0 && id >= gate_checkpoint_) gate_checkpoint_complete_ = true;
  }

 private:
  // Bounded, so that a job that stopped checkpointing fails the test instead of hanging it.
  void wait_for_mail() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!mailbox_.has_mail() && std::chrono::steady_clock::now() < give_up) {
      mailbox_.wait_for_mail(std::chrono::milliseconds(100));
    }
  }

  std::shared_ptr<GateLog> log_;
  int64_t gate_at_;
  int64_t lines_after_snapshot_;
  std::function<void()> before_failure_;
  runtime::Mailbox& mailbox_;
  runtime::Output<std::string>* out_;
  ListState<int64_t>* passed_state_ = nullptr;
  bool restored_ = false;
  int64_t passed_ = 0;
  int64_t passed_at_snapshot_ = 0;
  int64_t gate_checkpoint_ = -1;
  bool gate_checkpoint_complete_ = false;
};

// Lines of different lengths, some ending in "\r\n", one empty, the last without a newline: a
// byte offset that is off by one shows up as a wrong line.
struct InputFile {
  std::vector<std::string> lines;
  std::string content;
  std::vector<int64_t> offsets;  // offsets[i]: bytes before line i

  explicit InputFile(int n) {
    for (int i = 0; i < n; ++i) {
      offsets.push_back(static_cast<int64_t>(content.size()));
      lines.push_back(i == 7 ? "" : "line " + std::to_string(i) + std::string(i % 13, 'x'));
      content += lines.back();
      if (i + 1 < n) content += i % 5 == 0 ? "\r\n" : "\n";
    }
  }
  std::string expected_output() const {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    return text;
  }
};

constexpr int kLines = 3000;
constexpr int64_t kGateAt = 1000;

StreamExecutionEnvironment checkpointing_env(int restart_attempts) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).enable_checkpointing(10);
  env.set_restart_strategy(RestartStrategies::fixed_delay_restart(restart_attempts, 0));
  return env;
}

void add_gated_job(StreamExecutionEnvironment& env, const std::string& input,
                   const std::string& output, std::shared_ptr<GateLog> log,
                   std::function<void()> before_failure = {},
                   DefaultRollingPolicy rolling = DefaultRollingPolicy{}) {
  env.read_text_file(input)
      .one_input<std::string>("Checkpoint gate",
                              [log, before_failure](const runtime::OperatorOutputs& outputs) {
                                return std::make_unique<CheckpointGate>(log, kGateAt,
                                                                        before_failure, outputs);
                              })
      .sink_to(FileSink<std::string>::for_row_format(output, SimpleStringEncoder<std::string>())
                   .with_rolling_policy(rolling)
                   .with_bucket_assigner(BasePathBucketAssigner<std::string>())
                   .build());
}

// The committed parts "part-<uuid>-0-<c>" of subtask 0 in counter order, concatenated;
// in-progress files and a second uuid fail.
std::string committed_output(const std::string& dir) {
  static const std::regex pattern("part-([0-9a-f-]{36})-0-([0-9]+)");
  std::map<int64_t, std::string> parts;
  std::set<std::string> uuids;
  for (const std::string& name : list_dir(dir)) {
    std::smatch match;
    EXPECT_TRUE(std::regex_match(name, match, pattern)) << "not committed: " << name;
    if (match.empty()) continue;
    uuids.insert(match[1]);
    parts[std::stoll(match[2])] = read_file(dir + "/" + name);
  }
  EXPECT_EQ(uuids.size(), 1u) << "the restored subtask goes on with its uuid";
  std::string all;
  for (const auto& [counter, content] : parts) all += content;
  return all;
}

// The sink rolls at checkpoints only, or also by size and, on the system clock, after 1 ms of age
// or inactivity: parts closed between checkpoints, and those abandoned by the failure, must not
// change what is committed.
class TextFileSourceCheckpointTest : public ::testing::TestWithParam<DefaultRollingPolicy> {};

TEST_P(TextFileSourceCheckpointTest, ResumesAtTheCheckpointedOffsetAndWritesEachLineOnce) {
  TempDir dir;
  const InputFile input(kLines);
  testing::write_file(dir / "in.txt", input.content);
  auto log = std::make_shared<GateLog>();
  auto env = checkpointing_env(3);
  add_gated_job(env, dir / "in.txt", dir / "out", log, {}, GetParam());
  env.execute("text file source restore");

  ASSERT_TRUE(log->failed);
  EXPECT_EQ(log->attempts, 2);
  ASSERT_TRUE(log->restored_checkpoint.has_value());
  const int64_t resumed_at = log->lines_at_checkpoint.at(*log->restored_checkpoint);
  EXPECT_EQ(log->restored_line_count, resumed_at);
  ASSERT_GE(resumed_at, kGateAt) << "the restored checkpoint was taken in the middle of the file";
  ASSERT_LT(resumed_at, kLines);
  // The restored source read on from the checkpoint's line, not from the start of the file.
  const std::vector<std::string> rest(input.lines.begin() + resumed_at, input.lines.end());
  EXPECT_EQ(log->restored_lines, rest);
  EXPECT_EQ(committed_output(dir / "out"), input.expected_output());
}

INSTANTIATE_TEST_SUITE_P(RollingPolicies, TextFileSourceCheckpointTest,
                         ::testing::Values(OnCheckpointRollingPolicy::build(),
                                           DefaultRollingPolicy{4096, 1, 1}),
                         [](const ::testing::TestParamInfo<DefaultRollingPolicy>& info) {
                           return info.param.rolls_on_time() ? "BySizeAndTime" : "OnCheckpoint";
                         });

TEST(TextFileSourceShrunkTest, FileShorterThanTheRestoredOffsetFailsNamingFileAndSizes) {
  TempDir dir;
  const InputFile input(kLines);
  const std::string path = dir / "in.txt";
  testing::write_file(path, input.content);
  auto log = std::make_shared<GateLog>();
  auto env = checkpointing_env(1);
  // The file loses all but its first 5 bytes between the failure and the restore.
  add_gated_job(env, path, dir / "out", log, [path] { std::filesystem::resize_file(path, 5); });
  try {
    env.execute("text file source shrunk");
    FAIL() << "expected JobExecutionException";
  } catch (const JobExecutionException& e) {
    const std::string message = e.what();
    ASSERT_TRUE(log->failed);
    ASSERT_TRUE(log->restored_checkpoint.has_value());
    const int64_t offset = input.offsets.at(log->lines_at_checkpoint.at(*log->restored_checkpoint));
    EXPECT_NE(message.find("Operator 'Source: " + path + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot resume text file '" + path + "' at its checkpointed offset " +
                           std::to_string(offset) + ": the file has only 5 bytes"),
              std::string::npos)
        << message;
  }
}

// Buckets by attempt and line length: "first/b<n>" before the failure, "second/b<n>" after it,
// so that the restored attempt never writes the names its predecessor abandoned.
struct AttemptBucketAssigner : BucketAssigner<std::string> {
  std::shared_ptr<GateLog> log;
  std::string get_bucket_id(const std::string& line, const Context&) override {
    return std::string(log->failed ? "second" : "first") + "/b" + std::to_string(line.size() % 3);
  }
};

// The in-progress files under `dir`, by path relative to it.
std::vector<std::string> in_progress_files(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string().starts_with(".")) {
      files.push_back(std::filesystem::relative(entry.path(), dir).string());
    }
  }
  return files;
}

// After a restore, the subtask goes on with its uuid and counters, and deletes the in-progress
// parts it wrote after the restored checkpoint in every bucket (here three), while the
// checkpoint's parts are committed: each line is committed once and nothing stays in progress.
TEST(FileSinkRestoreTest, RestoredSubtaskKeepsItsUuidAndDeletesItsAbandonedPartsInEveryBucket) {
  TempDir dir;
  const InputFile input(kLines);
  testing::write_file(dir / "in.txt", input.content);
  const std::string out = dir / "out";
  auto log = std::make_shared<GateLog>();
  auto at_failure = std::make_shared<std::vector<std::string>>();
  AttemptBucketAssigner assigner;
  assigner.log = log;
  auto env = checkpointing_env(3);
  env.read_text_file(dir / "in.txt")
      .one_input<std::string>("Checkpoint gate",
                              [log, at_failure, out](const runtime::OperatorOutputs& outputs) {
                                return std::make_unique<CheckpointGate>(
                                    log, kGateAt,
                                    [at_failure, out] { *at_failure = in_progress_files(out); },
                                    outputs, /*lines_after_snapshot=*/6);
                              })
      .sink_to(FileSink<std::string>::for_row_format(out, SimpleStringEncoder<std::string>())
                   .with_bucket_assigner(assigner)
                   .with_rolling_policy(DefaultRollingPolicy{2048})
                   .build());
  env.execute("file sink restore in buckets");
  ASSERT_TRUE(log->failed);
  ASSERT_EQ(log->attempts, 2);

  // The 6 lines written since the gate's last snapshot left an open part in each bucket.
  static const std::regex in_progress(
      R"(first/b[0-2]/\.part-([0-9a-f-]{36})-0-[0-9]+\.inprogress)");
  std::set<std::string> abandoned_buckets;
  std::set<std::string> uuids;
  for (const std::string& file : *at_failure) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(file, match, in_progress)) << file;
    uuids.insert(match[1]);
    abandoned_buckets.insert(std::filesystem::path(file).parent_path().string());
  }
  EXPECT_EQ(abandoned_buckets, (std::set<std::string>{"first/b0", "first/b1", "first/b2"}));
  EXPECT_EQ(in_progress_files(out), std::vector<std::string>{}) << "abandoned parts deleted";

  static const std::regex committed(R"((first|second)/b[0-2]/part-([0-9a-f-]{36})-0-([0-9]+))");
  std::vector<std::string> lines;
  std::set<int64_t> counters;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    const std::string file = std::filesystem::relative(entry.path(), out).string();
    std::smatch match;
    ASSERT_TRUE(std::regex_match(file, match, committed)) << file;
    uuids.insert(match[2]);
    EXPECT_TRUE(counters.insert(std::stoll(match[3])).second) << "counter used twice: " << file;
    for (const std::string& line : testing::split_lines(read_file(entry.path().string()))) {
      lines.push_back(line);
    }
  }
  EXPECT_EQ(uuids.size(), 1u) << "one writer uuid before and after the restore";
  std::vector<std::string> expected = input.lines;
  std::sort(expected.begin(), expected.end());
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, expected);
}

}  // namespace
}  // namespace eddy
