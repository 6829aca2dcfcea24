// File sinks: DataStream<T>::write_as_text(path), which writes one text file per subtask, and
// FileSink, an exactly-once sink writing rolling part files that become visible only once the
// checkpoint holding them is complete (Flink's FileSink, row format).
//
// Layout of FileSink: each record goes to a bucket, the directory `<base>/<bucket id>` its
// BucketAssigner names (bucket_assigner.h; by default one per hour of processing time,
// "2026-12-04--16"). Part-file protocol, per subtask s with its writer uuid u and part counter
// c (0, 1, ... shared by the subtask's buckets):
//   `<bucket>/.<prefix>-<u>-<s>-<c><suffix>.inprogress`  while written, and once closed until
//                                                         committed;
//   `<bucket>/<prefix>-<u>-<s>-<c><suffix>`               committed (renamed) when the first
//                                                         checkpoint taken once it was closed
//                                                         completes, or at the job's final
//                                                         checkpoint.
// u is a random uuid drawn when the subtask first starts and kept in its operator state, so no
// two writers ever make the same name. Each bucket has at most one open part. A part is closed
// by its rolling policy (size, age, inactivity: rolling_policy.h) and at every checkpoint (so a
// checkpoint holds only closed parts); a closed part waits, in progress, for the next checkpoint
// to complete. A part is opened at the first record that needs it, so a subtask without records
// writes none. After a restore, the parts of the restored checkpoint are committed (again, if
// they were already); the subtask of each old index takes over that writer's uuid and counter
// and deletes, in every bucket, its in-progress parts with a counter at or past the restored one
// (written after the checkpoint); their records are written anew. Files of a failed or
// cancelled job that no completed checkpoint holds stay hidden in-progress files.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "eddy/api/data_stream.h"
#include "eddy/connectors/bucket_assigner.h"
#include "eddy/connectors/file_writer.h"
#include "eddy/connectors/part_files.h"
#include "eddy/connectors/rolling_policy.h"
#include "eddy/core/exceptions.h"
#include "eddy/core/value_format.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy {

// Turns a record into bytes of a row-format file: appends them to `out`.
template <class T>
using Encoder = std::function<void(const T&, std::string& out)>;

// Writes each record's display form (see value_format.h) followed by "\n".
template <class T>
struct SimpleStringEncoder {
  void operator()(const T& record, std::string& out) const {
    format_value_to(out, record);
    out += '\n';
  }
};

// Names of part files (see the protocol above): `<part_prefix>-<uuid>-<subtask>-<counter>
// <part_suffix>`. Neither may contain '/'. Set the fields, or use Flink's builder:
// OutputFileConfig::builder().with_part_prefix("x").with_part_suffix(".txt").build().
struct OutputFileConfig {
  std::string part_prefix = "part";
  std::string part_suffix = "";

  class OutputFileConfigBuilder;
  static OutputFileConfigBuilder builder();
};

class OutputFileConfig::OutputFileConfigBuilder {
 public:
  OutputFileConfigBuilder& with_part_prefix(std::string prefix) {
    config_.part_prefix = std::move(prefix);
    return *this;
  }
  OutputFileConfigBuilder& with_part_suffix(std::string suffix) {
    config_.part_suffix = std::move(suffix);
    return *this;
  }
  OutputFileConfig build() const { return config_; }

 private:
  OutputFileConfig config_;
};

inline OutputFileConfig::OutputFileConfigBuilder OutputFileConfig::builder() {
  return OutputFileConfigBuilder();
}

namespace connectors {

// The sink behind write_as_text(): one file, or with parallelism > 1 a directory holding the
// files 1, 2, ... (subtask index + 1). Existing files are overwritten.
template <class T>
class TextOutputOperator final : public runtime::OneInputOperator<T, TextOutputOperator<T>> {
 public:
  explicit TextOutputOperator(std::string path) : path_(std::move(path)) {}

  void open(RuntimeContext& ctx) override {
    std::string file = path_;
    if (ctx.get_number_of_parallel_subtasks() > 1) {
      make_directories(path_);
      file = path_ + "/" + std::to_string(ctx.get_index_of_this_subtask() + 1);
    }
    writer_ = std::make_unique<FileWriter>(std::move(file));
  }
  void process_element(T&& record) {
    line_.clear();
    format_value_to(line_, record);
    line_ += '\n';
    writer_->write(line_);
  }
  void finish() override { writer_->close(); }
  // Also after a failure: what was written so far is kept, as Flink does.
  void close() override {
    if (writer_ != nullptr && writer_->is_open()) writer_->close();
  }

 private:
  std::string path_;
  std::unique_ptr<FileWriter> writer_;  // set by open()
  std::string line_;
};

// One subtask of a FileSink. Invariants: the names of its parts carry (uuid_, subtask_), which no
// other writer uses; every part of this writer with a counter below next_part_ is open in
// buckets_, in pending_ (closed, waiting for its checkpoint to complete), committed, or an
// abandoned part of an earlier attempt; a bucket has at most one open part.
template <class T>
class FileSinkWriterOperator final
    : public runtime::OneInputOperator<T, FileSinkWriterOperator<T>> {
 public:
  FileSinkWriterOperator(std::string base_dir, Encoder<T> encoder, OutputFileConfig names,
                         DefaultRollingPolicy rolling, std::unique_ptr<BucketAssigner<T>> assigner)
      : base_dir_(std::move(base_dir)),
        encoder_(std::move(encoder)),
        names_(std::move(names)),
        rolling_(rolling),
        assigner_(std::move(assigner)) {}

  void open(RuntimeContext& ctx) override {
    subtask_ = ctx.get_index_of_this_subtask();
    time_ = this->outputs().processing_time;
    make_directories(base_dir_);
    OperatorStateStore& store = ctx.get_operator_state_store();
    pending_state_ = &store.get_list_state(ListStateDescriptor<Pending>("file-sink-pending"));
    writer_state_ =
        &store.get_union_list_state(ListStateDescriptor<WriterState>("file-sink-writers"));
    uuid_ = random_uuid();
    if (ctx.get_restore() == nullptr) return;
    // Parts closed by the restored (completed) checkpoint: publish them, if not done already.
    for (const Pending& pending : pending_state_->get()) publish(pending.second);
    // The subtask of an old writer's index takes over its uuid and counter, so its names go on
    // where the checkpoint left them; it deletes the old writer's in-progress parts written
    // after the checkpoint, in every bucket. Subtask 0 does so for old subtasks that no longer
    // exist; a new subtask index keeps its fresh uuid.
    std::vector<AbandonedParts> abandoned;
    for (const auto& [old_subtask, uuid, next] : writer_state_->get()) {
      if (old_subtask == subtask_) {
        uuid_ = uuid;
        next_part_ = next;
      }
      if (old_subtask == subtask_ ||
          (subtask_ == 0 && old_subtask >= ctx.get_number_of_parallel_subtasks())) {
        abandoned.push_back({uuid, old_subtask, next});
      }
    }
    remove_abandoned_parts(base_dir_, names_.part_prefix, names_.part_suffix, abandoned);
  }

  void process_element(T&& record) {
    const T& value = record;
    std::string bucket_id = assigner_->get_bucket_id(value, context_);
    encoded_.clear();
    encoder_(value, encoded_);
    const int64_t now = rolls_on_time_ ? time_->current_processing_time() : 0;
    auto bucket = buckets_.find(bucket_id);
    if (bucket != buckets_.end() && (bucket->second.writer->size() > rolling_.max_part_size_bytes ||
                                     (rolls_on_time_ && is_due(bucket->second, now)))) {
      roll(bucket);
      bucket = buckets_.end();
    }
    if (bucket == buckets_.end()) bucket = open_part(std::move(bucket_id), now);
    bucket->second.writer->write(encoded_);
    // A later deadline: the timer finds the part not due and looks again.
    bucket->second.last_write_at = now;
  }

  // A checkpoint holds closed parts only: the open ones are closed and join the checkpoint's.
  void snapshot_state(runtime::StateSnapshotContext& ctx) override {
    while (!buckets_.empty()) roll(buckets_.begin());
    for (Pending& pending : pending_) {
      if (pending.first == kNotInCheckpoint) pending.first = ctx.checkpoint_id();
    }
    pending_state_->update(pending_);
    writer_state_->update({{subtask_, uuid_, next_part_}});
  }

  void notify_checkpoint_complete(int64_t checkpoint_id) override {
    auto it = pending_.begin();
    for (; it != pending_.end() && it->first != kNotInCheckpoint && it->first <= checkpoint_id;
         ++it) {
      publish(it->second);
    }
    pending_.erase(pending_.begin(), it);
  }

  // Reached with open parts only when the job failed or was cancelled: they stay in progress,
  // never committed.
  void close() override {
    for (auto& [id, part] : buckets_) part.writer->abandon();
    buckets_.clear();
  }

 private:
  static constexpr int64_t kNotInCheckpoint = -1;
  // (the first checkpoint taken once it was closed, committed path relative to base_dir_)
  using Pending = std::pair<int64_t, std::string>;
  // (subtask, uuid, next part counter)
  using WriterState = std::tuple<int, std::string, int64_t>;

  struct OpenPart {
    std::unique_ptr<FileWriter> writer;
    std::string path;   // committed path relative to base_dir_
    int64_t opened_at;  // processing time
    int64_t last_write_at;
  };
  using Buckets = std::map<std::string, OpenPart>;  // by bucket id

  // The assigner's view of the record being written.
  class Context final : public BucketAssignerContext {
   public:
    explicit Context(const FileSinkWriterOperator* sink) : sink_(sink) {}
    int64_t current_processing_time() const override {
      return sink_->time_->current_processing_time();
    }
    int64_t current_watermark() const override { return sink_->current_watermark(); }
    std::optional<int64_t> timestamp() const override {
      return sink_->record_context().optional_timestamp();
    }

   private:
    const FileSinkWriterOperator* sink_;
  };

  // Saturates at kNever, so "never" stays never.
  static int64_t plus(int64_t time, int64_t interval) {
    return time > DefaultRollingPolicy::kNever - interval ? DefaultRollingPolicy::kNever
                                                          : time + interval;
  }
  // When a part is due by age or inactivity (Flink's shouldRollOnProcessingTime).
  int64_t deadline(const OpenPart& part) const {
    return std::min(plus(part.opened_at, rolling_.rollover_interval_ms),
                    plus(part.last_write_at, rolling_.inactivity_interval_ms));
  }
  bool is_due(const OpenPart& part, int64_t now) const { return now >= deadline(part); }

  // Makes sure a timer fires at `time` or earlier. Timers cannot be deleted: one that finds no
  // part due (rolled meanwhile, or written to since) only schedules the next check, for the
  // earliest deadline of the open parts.
  void schedule_check(int64_t time) {
    if (time == DefaultRollingPolicy::kNever) return;
    if (!timers_.empty() && *timers_.begin() <= time) return;
    timers_.insert(time);
    time_->register_timer(time, [this](int64_t fired) {
      this->guarded([&] {
        timers_.erase(fired);
        const int64_t now = time_->current_processing_time();
        int64_t next = DefaultRollingPolicy::kNever;
        for (auto bucket = buckets_.begin(); bucket != buckets_.end();) {
          if (is_due(bucket->second, now)) {
            bucket = roll(bucket);
          } else {
            next = std::min(next, deadline(bucket->second));
            ++bucket;
          }
        }
        schedule_check(next);
      });
    });
  }

  typename Buckets::iterator open_part(std::string bucket_id, int64_t now) {
    check_bucket_id(bucket_id);
    std::string path = part_name(next_part_);
    if (!bucket_id.empty()) {
      make_directories(base_dir_ + "/" + bucket_id);
      path = bucket_id + (bucket_id.ends_with('/') ? "" : "/") + path;
    }
    auto writer = std::make_unique<FileWriter>(in_progress_path(path));
    ++next_part_;
    auto bucket =
        buckets_
            .emplace(std::move(bucket_id), OpenPart{std::move(writer), std::move(path), now, now})
            .first;
    if (rolls_on_time_) schedule_check(deadline(bucket->second));
    return bucket;
  }
  // Closes the bucket's part, which joins pending_; returns the next bucket.
  typename Buckets::iterator roll(typename Buckets::iterator bucket) {
    bucket->second.writer->close(/*sync=*/true);
    pending_.emplace_back(kNotInCheckpoint, std::move(bucket->second.path));
    return buckets_.erase(bucket);
  }
  // Renames the part to its committed name; a part committed before (by an earlier attempt)
  // is left as it is. A part that is neither is lost data: that is an error.
  void publish(const std::string& path) const {
    const std::string from = in_progress_path(path);
    const std::string to = base_dir_ + "/" + path;
    if (std::filesystem::exists(from)) {
      rename_file(from, to);
    } else if (!std::filesystem::exists(to)) {
      throw EddyException("FileSink: part file " + from + " of a completed checkpoint is missing");
    }
  }
  std::string part_name(int64_t counter) const {
    return names_.part_prefix + "-" + uuid_ + "-" + std::to_string(subtask_) + "-" +
           std::to_string(counter) + names_.part_suffix;
  }
  // "<bucket>/.<name>.inprogress" for the committed path "<bucket>/<name>", under base_dir_.
  std::string in_progress_path(const std::string& path) const {
    const size_t slash = path.rfind('/');
    const size_t file = slash == std::string::npos ? 0 : slash + 1;
    return base_dir_ + "/" + path.substr(0, file) + "." + path.substr(file) + ".inprogress";
  }

  std::string base_dir_;
  Encoder<T> encoder_;
  OutputFileConfig names_;
  DefaultRollingPolicy rolling_;
  std::unique_ptr<BucketAssigner<T>> assigner_;  // this subtask's own copy
  Context context_{this};
  bool rolls_on_time_ = rolling_.rolls_on_time();
  runtime::ProcessingTimeService* time_ = nullptr;  // the task's, set by open()
  std::set<int64_t> timers_;  // times of the registered timers that have not fired yet
  int subtask_ = 0;
  std::string uuid_;  // set by open(): restored, or fresh
  int64_t next_part_ = 0;
  Buckets buckets_;               // the open parts
  std::vector<Pending> pending_;  // closed, not yet committed, in the order they were closed
  ListState<Pending>* pending_state_ = nullptr;
  ListState<WriterState>* writer_state_ = nullptr;
  std::string encoded_;
};

}  // namespace connectors

// A sink writing records, encoded row by row, into part files in buckets under a base directory
// (created with its parents if missing; see the layout above). Build with
// for_row_format(...).build(), attach with stream.sink_to(sink). Immutable once built.
template <class T>
class FileSink {
 public:
  class RowFormatBuilder {
   public:
    RowFormatBuilder(std::string base_dir, Encoder<T> encoder)
        : base_dir_(std::move(base_dir)), encoder_(std::move(encoder)) {}
    RowFormatBuilder& with_output_file_config(OutputFileConfig config) {
      names_ = std::move(config);
      return *this;
    }
    RowFormatBuilder& with_rolling_policy(DefaultRollingPolicy policy) {
      rolling_ = policy;
      return *this;
    }
    // Replaces the default DateTimeBucketAssigner<T>(); each subtask gets its own copy.
    template <class A>
    requires std::derived_from<A, BucketAssigner<T>> && std::copy_constructible<A> RowFormatBuilder&
    with_bucket_assigner(A assigner) {
      assigners_ = [prototype = std::make_shared<const A>(std::move(assigner))] {
        return std::unique_ptr<BucketAssigner<T>>(std::make_unique<A>(*prototype));
      };
      return *this;
    }
    // Throws InvalidProgramException for an empty base directory, a part name containing '/'
    // or a part size or rolling interval below 1.
    FileSink build() const {
      if (base_dir_.empty()) throw InvalidProgramException("FileSink: the base directory is empty");
      for (const std::string* part : {&names_.part_prefix, &names_.part_suffix}) {
        if (part->find('/') != std::string::npos) {
          throw InvalidProgramException("FileSink: a part prefix or suffix contains '/': '" +
                                        *part + "'");
        }
      }
      const std::pair<const char*, int64_t> limits[] = {
          {"max_part_size_bytes", rolling_.max_part_size_bytes},
          {"rollover_interval_ms", rolling_.rollover_interval_ms},
          {"inactivity_interval_ms", rolling_.inactivity_interval_ms}};
      for (const auto& [name, value] : limits) {
        if (value < 1) {
          throw InvalidProgramException(std::string("FileSink: ") + name +
                                        " must be at least 1, not " + std::to_string(value));
        }
      }
      return FileSink(*this);
    }

   private:
    friend class FileSink;
    std::string base_dir_;
    Encoder<T> encoder_;
    OutputFileConfig names_;
    DefaultRollingPolicy rolling_;
    // Makes one subtask's assigner.
    std::function<std::unique_ptr<BucketAssigner<T>>()> assigners_ = [] {
      return std::unique_ptr<BucketAssigner<T>>(std::make_unique<DateTimeBucketAssigner<T>>());
    };
  };

  // encoder(const T&, std::string& out) appends the bytes of one record, e.g.
  // SimpleStringEncoder<T>().
  template <class E>
  requires std::invocable<const E&, const T&, std::string&>
  static RowFormatBuilder for_row_format(std::string base_dir, E encoder) {
    return RowFormatBuilder(std::move(base_dir), Encoder<T>(std::move(encoder)));
  }

  DataStreamSink add_to(const DataStream<T>& stream) const {
    return stream.sink("Sink: File Sink", [config = config_](const runtime::OperatorOutputs&) {
      return std::make_unique<connectors::FileSinkWriterOperator<T>>(
          config.base_dir_, config.encoder_, config.names_, config.rolling_, config.assigners_());
    });
  }

  const std::string& base_dir() const { return config_.base_dir_; }

 private:
  explicit FileSink(RowFormatBuilder config) : config_(std::move(config)) {}
  RowFormatBuilder config_;
};

template <class T>
DataStreamSink DataStream<T>::write_as_text(const std::string& path) const {
  if (path.empty()) throw InvalidProgramException("write_as_text: the path is empty");
  return sink("Sink: Text File Sink", [path](const runtime::OperatorOutputs&) {
    return std::make_unique<connectors::TextOutputOperator<T>>(path);
  });
}

}  // namespace eddy
