// Bucket assigners of the FileSink (Flink's BucketAssigner): each record goes to a bucket, a
// subdirectory of the sink's base directory named by the bucket id the assigner returns. The
// default, DateTimeBucketAssigner, makes one bucket per hour of processing time
// ("2026-12-04--16"); BasePathBucketAssigner puts everything directly in the base directory.
//
// A bucket id is a relative path: "" is the base directory itself, "a/b" a nested directory. An id
// containing ".." or starting with '/' is rejected when the sink meets it (the job fails, naming
// the id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace eddy {

// A time zone for formatting dates (a subset of Java's ZoneId): UTC, a fixed offset from UTC, or
// the system default (the process's local time: the TZ environment variable, else
// /etc/localtime, so any IANA zone with its daylight-saving rules is reachable through TZ).
class ZoneId {
 public:
  static ZoneId system_default() { return ZoneId("system default", 0, true); }
  static ZoneId utc() { return ZoneId("UTC", 0, false); }
  // "UTC", "GMT", "Z", or a fixed offset "+HH:MM", "-HH:MM", "UTC+HH:MM", "GMT-HH:MM" (up to
  // 18 hours). Throws InvalidProgramException naming `id` for anything else, since named zones
  // other than UTC are only known through the system default.
  static ZoneId of(const std::string& id);

  const std::string& id() const { return id_; }
  bool is_system_default() const { return system_default_; }
  // East of UTC; 0 for the system default, whose offset depends on the instant.
  int offset_seconds() const { return offset_seconds_; }

 private:
  ZoneId(std::string id, int offset_seconds, bool system_default)
      : id_(std::move(id)), offset_seconds_(offset_seconds), system_default_(system_default) {}

  std::string id_;
  int offset_seconds_;
  bool system_default_;
};

// Formats instants with a Java DateTimeFormatter pattern, of which it supports the letters
//   yyyy (4-digit year; y, yyy, yyyyy... pad to their count), yy (2-digit year),
//   MM / M (month), dd / d (day of month), HH / H (hour 0-23), mm / m (minute), ss / s (second);
// two letters pad to 2 digits, one does not. Text in single quotes is literal ('' is a quote);
// any other character that is not an ASCII letter is literal. Immutable, so thread-safe.
class DateTimeFormatter {
 public:
  // Throws InvalidProgramException naming the pattern for any other letter, a letter repeated
  // more often than supported, or an unterminated quote.
  static DateTimeFormatter of_pattern(const std::string& pattern);

  // `epoch_millis` (milliseconds since 1970-01-01T00:00:00Z) as seen in `zone`.
  std::string format(int64_t epoch_millis, const ZoneId& zone) const;
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Field { kLiteral, kYear, kMonth, kDay, kHour, kMinute, kSecond };
  struct Element {
    Field field;
    int width;            // letters in the pattern; for kYear 2 means "last two digits"
    std::string literal;  // for kLiteral
  };
  DateTimeFormatter(std::string pattern, std::vector<Element> elements)
      : pattern_(std::move(pattern)), elements_(std::move(elements)) {}

  std::string pattern_;
  std::vector<Element> elements_;
};

// What an assigner may know of a record besides its value (Flink's BucketAssigner.Context).
class BucketAssignerContext {
 public:
  virtual ~BucketAssignerContext() = default;
  // The job's processing time (epoch milliseconds) when the record is written.
  virtual int64_t current_processing_time() const = 0;
  // The sink's current event time; the minimum int64_t before the first watermark.
  virtual int64_t current_watermark() const = 0;
  // The record's event timestamp, if it has one.
  virtual std::optional<int64_t> timestamp() const = 0;
};

// Chooses each record's bucket. Each subtask of the sink works on its own copy of the assigner
// (it is copied when the subtask is created), so get_bucket_id may keep state without locking.
template <class T>
class BucketAssigner {
 public:
  using Context = BucketAssignerContext;
  virtual ~BucketAssigner() = default;
  // The bucket (relative directory, "" for the base directory) `element` is written to.
  virtual std::string get_bucket_id(const T& element, const Context& context) = 0;
};

// Flink's default: the bucket of a record is the processing time of its write, formatted with
// `format` (default "yyyy-MM-dd--HH": one bucket an hour) in `zone` (default: the system's).
template <class T>
class DateTimeBucketAssigner final : public BucketAssigner<T> {
 public:
  static constexpr const char* kDefaultFormat = "yyyy-MM-dd--HH";

  DateTimeBucketAssigner() : DateTimeBucketAssigner(kDefaultFormat) {}
  explicit DateTimeBucketAssigner(ZoneId zone)
      : DateTimeBucketAssigner(kDefaultFormat, std::move(zone)) {}
  // Throws InvalidProgramException naming `format` if it is not a supported pattern.
  explicit DateTimeBucketAssigner(const std::string& format, ZoneId zone = ZoneId::system_default())
      : formatter_(DateTimeFormatter::of_pattern(format)), zone_(std::move(zone)) {}

  std::string get_bucket_id(const T&, const BucketAssignerContext& context) override {
    const int64_t now = context.current_processing_time();
    // The finest field is the second, so an id holds for a whole second: format once per second.
    const int64_t second = now >= 0 ? now / 1000 : -((-now + 999) / 1000);
    if (!cached_second_.has_value() || *cached_second_ != second) {
      cached_id_ = formatter_.format(now, zone_);
      cached_second_ = second;
    }
    return cached_id_;
  }

  const std::string& format() const { return formatter_.pattern(); }
  const ZoneId& zone() const { return zone_; }

 private:
  DateTimeFormatter formatter_;
  ZoneId zone_;
  std::optional<int64_t> cached_second_;
  std::string cached_id_;
};

// Every record in the base directory itself (bucket id "").
template <class T>
class BasePathBucketAssigner final : public BucketAssigner<T> {
 public:
  std::string get_bucket_id(const T&, const BucketAssignerContext&) override { return {}; }
};

}  // namespace eddy
