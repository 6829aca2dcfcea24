// FileSink buckets: the default DateTimeBucketAssigner (hourly directories named from the
// processing time of the write, under a controllable clock), its Java date-time patterns and
// zones, custom assigners and what their context holds, and the patterns, zones and bucket ids
// that are rejected.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"

namespace eddy {
namespace {

using testing::list_dir;
using testing::read_file;
using testing::TempDir;

constexpr int64_t kAt1620 = 1796401205000;  // 2026-12-04T16:20:05Z
constexpr int64_t kAt1700 = 1796403600000;  // 2026-12-04T17:00:00Z

// Sets TZ for the process while alive (the system default zone follows it), then restores it.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_.has_value()) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

// An independent oracle: the C library's strftime of the same instant.
std::string strftime_of(int64_t epoch_millis, const char* format, bool local, int offset = 0) {
  const std::time_t t = static_cast<std::time_t>(epoch_millis / 1000 + (local ? 0 : offset));
  std::tm civil{};
  if (local) {
    ::localtime_r(&t, &civil);
  } else {
    ::gmtime_r(&t, &civil);
  }
  char text[64];
  return std::string(text, std::strftime(text, sizeof text, format, &civil));
}

// Every committed file under `dir` (recursively, hidden ones left out), by path relative to dir,
// with its lines.
std::map<std::string, std::vector<std::string>> committed_files(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = std::filesystem::relative(entry.path(), dir).string();
    EXPECT_FALSE(entry.path().filename().string().starts_with("."))
        << "not committed: " << relative;
    files[relative] = testing::split_lines(read_file(entry.path().string()));
  }
  return files;
}

TEST(DateTimeFormatterTest, SupportedPatternLettersMatchStrftime) {
  std::mt19937_64 random(42);
  // From 1970 to 2100, with a few instants before 1970 too.
  std::uniform_int_distribution<int64_t> instants(-86'400'000LL * 400, 4'102'444'800'000LL);
  const DateTimeFormatter formatter = DateTimeFormatter::of_pattern("yyyy-MM-dd HH:mm:ss");
  const DateTimeFormatter short_year = DateTimeFormatter::of_pattern("yy/MM/dd--HH");
  for (int i = 0; i < 2000; ++i) {
    const int64_t t = instants(random) / 1000 * 1000;  // whole seconds: strftime has no millis
    EXPECT_EQ(formatter.format(t, ZoneId::utc()), strftime_of(t, "%Y-%m-%d %H:%M:%S", false)) << t;
    EXPECT_EQ(formatter.format(t, ZoneId::of("+05:30")),
              strftime_of(t, "%Y-%m-%d %H:%M:%S", false, 5 * 3600 + 30 * 60))
        << t;
    EXPECT_EQ(short_year.format(t, ZoneId::of("UTC-08:00")),
              strftime_of(t, "%y/%m/%d--%H", false, -8 * 3600))
        << t;
  }
}

TEST(DateTimeFormatterTest, UnpaddedLettersQuotedTextAndLiterals) {
  const int64_t t = 1772526307000;  // 2026-03-03T08:25:07Z
  EXPECT_EQ(DateTimeFormatter::of_pattern("y M d H m s").format(t, ZoneId::utc()),
            "2026 3 3 8 25 7");
  EXPECT_EQ(DateTimeFormatter::of_pattern("'year='yyyy/'month='MM").format(t, ZoneId::utc()),
            "year=2026/month=03");
  EXPECT_EQ(DateTimeFormatter::of_pattern("dd.MM.yy 'o''clock' HH''").format(t, ZoneId::utc()),
            "03.03.26 o'clock 08'");
  // A millisecond before midnight stays on its day; before 1970 too.
  EXPECT_EQ(DateTimeFormatter::of_pattern("yyyy-MM-dd HH:mm:ss").format(-1, ZoneId::utc()),
            "1969-12-31 23:59:59");
}

TEST(DateTimeFormatterTest, UnsupportedPatternsAndZonesAreRejectedNamingThem) {
  for (const std::string pattern : {"yyyy-MM-dd EEE", "yyyy-MMM", "HHH", "'unterminated"}) {
    try {
      DateTimeBucketAssigner<int64_t> assigner(pattern);
      FAIL() << "expected InvalidProgramException for " << pattern;
    } catch (const InvalidProgramException& e) {
      EXPECT_NE(std::string(e.what()).find("'" + pattern + "'"), std::string::npos) << e.what();
    }
  }
  try {
    ZoneId::of("Mars/Olympus_Mons");
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("'Mars/Olympus_Mons'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ZoneId::of("+19:00"), InvalidProgramException);
  EXPECT_EQ(ZoneId::of("-03:30").offset_seconds(), -(3 * 3600 + 30 * 60));
  EXPECT_EQ(ZoneId::of("Z").offset_seconds(), 0);
}

// Runs 1..10 at parallelism 1 into `dir`, the clock moving from `first` to `second` before 6.
void run_across(const std::string& dir, FileSink<int64_t> sink, int64_t first, int64_t second) {
  auto clock = std::make_shared<ManualClock>(first);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_processing_time_clock(clock);
  env.from_sequence(1, 10)
      .map([clock, second](int64_t x) {
        if (x == 6) clock->set(second);  // same thread as the sink: it writes 6 at `second`
        return x;
      })
      .sink_to(sink);
  env.execute();
}

std::vector<std::string> numbers(int64_t from, int64_t to) {
  std::vector<std::string> lines;
  for (int64_t i = from; i <= to; ++i) lines.push_back(std::to_string(i));
  return lines;
}

// The bucket directory of each committed file and the lines of each bucket, in counter order.
std::map<std::string, std::vector<std::string>> lines_by_bucket(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> buckets;
  for (const auto& [path, lines] : committed_files(dir)) {
    const std::string bucket = std::filesystem::path(path).parent_path().string();
    buckets[bucket].insert(buckets[bucket].end(), lines.begin(), lines.end());
  }
  return buckets;
}

TEST(FileSinkBucketTest, DefaultBucketsAreHoursOfTheWritesProcessingTime) {
  TempDir dir;
  run_across(dir.path(),
             FileSink<int64_t>::for_row_format(dir.path(), SimpleStringEncoder<int64_t>())
                 .with_bucket_assigner(DateTimeBucketAssigner<int64_t>(ZoneId::utc()))
                 .build(),
             kAt1620, kAt1700);
  const auto buckets = lines_by_bucket(dir.path());
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets.at("2026-12-04--16"), numbers(1, 5));
  EXPECT_EQ(buckets.at("2026-12-04--17"), numbers(6, 10));
}

// The default zone is the system's: under TZ=UTC+05:30 the same instants are hours 21 and 22.
TEST(FileSinkBucketTest, DefaultZoneIsTheSystemDefault) {
  for (const char* tz : {"UTC0", "IST-05:30"}) {
    ScopedTimeZone zone(tz);
    TempDir dir;
    run_across(
        dir.path(),
        FileSink<int64_t>::for_row_format(dir.path(), SimpleStringEncoder<int64_t>()).build(),
        kAt1620, kAt1700);
    const auto buckets = lines_by_bucket(dir.path());
    ASSERT_EQ(buckets.size(), 2u) << tz;
    EXPECT_EQ(buckets.at(strftime_of(kAt1620, "%Y-%m-%d--%H", true)), numbers(1, 5)) << tz;
    EXPECT_EQ(buckets.at(strftime_of(kAt1700, "%Y-%m-%d--%H", true)), numbers(6, 10)) << tz;
    if (std::string(tz) == "IST-05:30") {
      EXPECT_EQ(buckets.count("2026-12-04--21"), 1u);
      EXPECT_EQ(buckets.count("2026-12-04--22"), 1u);
    }
  }
}

TEST(FileSinkBucketTest, CustomPatternAndZone) {
  TempDir dir;
  run_across(dir.path(),
             FileSink<int64_t>::for_row_format(dir.path(), SimpleStringEncoder<int64_t>())
                 .with_bucket_assigner(DateTimeBucketAssigner<int64_t>("'dt='yyyy-MM-dd/'hour='HH",
                                                                       ZoneId::of("-01:00")))
                 .build(),
             kAt1620, kAt1620 + 1000);
  const auto buckets = lines_by_bucket(dir.path());
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets.at("dt=2026-12-04/hour=15"), numbers(1, 10));
}

// Routes each number by parity, the odd ones into a nested directory.
struct ParityAssigner : BucketAssigner<int64_t> {
  std::string get_bucket_id(const int64_t& x, const Context&) override {
    return x % 2 == 0 ? "even" : "odd/nested";
  }
};

TEST(FileSinkBucketTest, CustomAssignerRoutesRecordsToItsBuckets) {
  TempDir dir;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_sequence(1, 1000).sink_to(
      FileSink<int64_t>::for_row_format(dir.path(), SimpleStringEncoder<int64_t>())
          .with_bucket_assigner(ParityAssigner())
          .with_rolling_policy(DefaultRollingPolicy{200})
          .build());
  env.execute();
  std::map<std::string, std::vector<std::string>> expected;
  for (int64_t x = 1; x <= 1000; ++x) {
    expected[x % 2 == 0 ? "even" : "odd/nested"].push_back(std::to_string(x));
  }
  auto buckets = lines_by_bucket(dir.path());
  for (auto& [bucket, lines] : buckets) std::sort(lines.begin(), lines.end());
  for (auto& [bucket, lines] : expected) std::sort(lines.begin(), lines.end());
  EXPECT_EQ(buckets, expected);
  EXPECT_EQ(list_dir(dir.path()), (std::vector<std::string>{"even", "odd"}));
}

// The context holds the record's timestamp (none without one) and the sink's watermark.
struct TimestampAssigner : BucketAssigner<int64_t> {
  std::string get_bucket_id(const int64_t&, const Context& context) override {
    const std::optional<int64_t> timestamp = context.timestamp();
    if (!timestamp.has_value()) return "none";
    if (context.current_watermark() >= *timestamp) return "late";
    return "t" + std::to_string(*timestamp / 1000);
  }
};

TEST(FileSinkBucketTest, AssignerContextGivesTheRecordsTimestampAndTheWatermark) {
  TempDir dir;
  const std::string with = dir / "with";
  const std::string without = dir / "without";
  auto sink = [](const std::string& base) {
    return FileSink<int64_t>::for_row_format(base, SimpleStringEncoder<int64_t>())
        .with_bucket_assigner(TimestampAssigner())
        .build();
  };
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto numbers_stream = env.from_sequence(1, 30);
  numbers_stream
      .assign_timestamps_and_watermarks(
          WatermarkStrategy<int64_t>::for_monotonous_timestamps().with_timestamp_assigner(
              [](const int64_t& x) { return x * 100; }))
      .sink_to(sink(with));
  numbers_stream.sink_to(sink(without));
  env.execute();
  std::map<std::string, std::vector<std::string>> expected;
  for (int64_t x = 1; x <= 30; ++x)
    expected["t" + std::to_string(x * 100 / 1000)].push_back(std::to_string(x));
  EXPECT_EQ(lines_by_bucket(with), expected);
  EXPECT_EQ(lines_by_bucket(without),
            (std::map<std::string, std::vector<std::string>>{{"none", numbers(1, 30)}}));
}

struct FixedAssigner : BucketAssigner<int64_t> {
  std::string id;
  std::string get_bucket_id(const int64_t&, const Context&) override { return id; }
};

TEST(FileSinkBucketTest, BucketIdLeavingTheBaseDirectoryFailsTheJobNamingIt) {
  for (const std::string id : {"../escape", "a/../../b", "/absolute"}) {
    TempDir dir;
    const std::string base = dir / "out";
    FixedAssigner assigner;
    assigner.id = id;
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(1);
    env.from_sequence(1, 3).sink_to(
        FileSink<int64_t>::for_row_format(base, SimpleStringEncoder<int64_t>())
            .with_bucket_assigner(assigner)
            .build());
    try {
      env.execute();
      ADD_FAILURE() << "expected JobExecutionException for " << id;
    } catch (const JobExecutionException& e) {
      EXPECT_NE(std::string(e.what()).find("bucket id '" + id + "'"), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(list_dir(dir.path()), (std::vector<std::string>{"out"}));
    EXPECT_TRUE(list_dir(base).empty());
  }
}

}  // namespace
}  // namespace eddy
