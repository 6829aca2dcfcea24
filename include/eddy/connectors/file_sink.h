// File sinks: DataStream<T>::write_as_text(path), which writes one text file per subtask, and
// FileSink, an exactly-once sink writing rolling part files that become visible only once the
// checkpoint holding them is complete (Flink's FileSink, row format).
//
// Part-file protocol of FileSink, per subtask s and part counter c (0, 1, ...):
//   `.<prefix>-<s>-<c><suffix>.inprogress`  while written, and once closed until committed;
//   `<prefix>-<s>-<c><suffix>`               committed (renamed) when the first checkpoint taken
//                                            once it was closed completes, or at the job's final
//                                            checkpoint.
// A part is closed by its rolling policy (size, age, inactivity: rolling_policy.h) and at every
// checkpoint (so a checkpoint holds only closed parts); a closed part waits, in progress, for the
// next checkpoint to complete. A part is opened at the first record that needs it, so a subtask
// without records writes none. After a restore, the parts of the restored checkpoint are
// committed (again, if they were already) and the in-progress parts written after it are
// deleted; their records are written anew. Files of a failed or cancelled job that no completed
// checkpoint holds stay hidden in-progress files.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "eddy/api/data_stream.h"
#include "eddy/connectors/file_writer.h"
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

// Names of part files (see the protocol above). Neither part may contain '/'.
struct OutputFileConfig {
  std::string part_prefix = "part";
  std::string part_suffix = "";
};

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

// One subtask of a FileSink. Invariant: every part with a counter below next_part_ is part_
// (open), in pending_ (closed, waiting for its checkpoint to complete), committed, or an
// abandoned part of an earlier attempt.
template <class T>
class FileSinkWriterOperator final
    : public runtime::OneInputOperator<T, FileSinkWriterOperator<T>> {
 public:
  FileSinkWriterOperator(std::string base_dir, Encoder<T> encoder, OutputFileConfig names,
                         DefaultRollingPolicy rolling)
      : base_dir_(std::move(base_dir)),
        encoder_(std::move(encoder)),
        names_(std::move(names)),
        rolling_(rolling) {}

  void open(RuntimeContext& ctx) override {
    subtask_ = ctx.get_index_of_this_subtask();
    time_ = this->outputs().processing_time;
    make_directories(base_dir_);
    OperatorStateStore& store = ctx.get_operator_state_store();
    pending_state_ = &store.get_list_state(ListStateDescriptor<Pending>("file-sink-pending"));
    next_part_state_ = &store.get_union_list_state(
        ListStateDescriptor<std::pair<int, int64_t>>("file-sink-next-part"));
    if (ctx.get_restore() == nullptr) return;
    // Parts closed by the restored (completed) checkpoint: publish them, if not done already.
    for (const Pending& pending : pending_state_->get()) publish(pending.second);
    // Counters continue after the highest of any old subtask, so no name is used twice; each
    // old subtask's in-progress parts after its checkpoint are removed by the subtask of the
    // same index (subtask 0 for old subtasks that no longer exist).
    for (const auto& [old_subtask, next] : next_part_state_->get()) {
      next_part_ = std::max(next_part_, next);
      if (old_subtask == subtask_ ||
          (subtask_ == 0 && old_subtask >= ctx.get_number_of_parallel_subtasks())) {
        remove_abandoned_parts(old_subtask, next);
      }
    }
  }

  void process_element(T&& record) {
    encoded_.clear();
    encoder_(static_cast<const T&>(record), encoded_);
    const int64_t now = rolls_on_time_ ? time_->current_processing_time() : 0;
    if (part_ != nullptr &&
        (part_->size() > rolling_.max_part_size_bytes || (rolls_on_time_ && is_due(now)))) {
      roll();
    }
    if (part_ == nullptr) {
      part_ = std::make_unique<FileWriter>(in_progress_path(part_name(subtask_, next_part_)));
      ++next_part_;
      part_opened_at_ = now;
      last_write_at_ = now;
      if (rolls_on_time_) schedule_check(deadline());
    }
    part_->write(encoded_);
    last_write_at_ = now;  // a later deadline: the timer finds the part not due and looks again
  }

  // A checkpoint holds closed parts only: the open one is closed and joins the checkpoint's.
  void snapshot_state(runtime::StateSnapshotContext& ctx) override {
    if (part_ != nullptr) roll();
    for (Pending& pending : pending_) {
      if (pending.first == kNotInCheckpoint) pending.first = ctx.checkpoint_id();
    }
    pending_state_->update(pending_);
    next_part_state_->update({{subtask_, next_part_}});
  }

  void notify_checkpoint_complete(int64_t checkpoint_id) override {
    auto it = pending_.begin();
    for (; it != pending_.end() && it->first != kNotInCheckpoint && it->first <= checkpoint_id;
         ++it) {
      publish(it->second);
    }
    pending_.erase(pending_.begin(), it);
  }

  // Reached with an open part only when the job failed or was cancelled: the part stays
  // in-progress, never committed.
  void close() override {
    if (part_ != nullptr) part_->abandon();
    part_.reset();
  }

 private:
  static constexpr int64_t kNotInCheckpoint = -1;
  // (the first checkpoint taken once it was closed, part name)
  using Pending = std::pair<int64_t, std::string>;

  // Saturates at kNever, so "never" stays never.
  static int64_t plus(int64_t time, int64_t interval) {
    return time > DefaultRollingPolicy::kNever - interval ? DefaultRollingPolicy::kNever
                                                          : time + interval;
  }
  // When the open part is due by age or inactivity (Flink's shouldRollOnProcessingTime).
  int64_t deadline() const {
    return std::min(plus(part_opened_at_, rolling_.rollover_interval_ms),
                    plus(last_write_at_, rolling_.inactivity_interval_ms));
  }
  bool is_due(int64_t now) const { return now >= deadline(); }

  // Makes sure a timer fires at `time` or earlier. Timers cannot be deleted: one that finds no
  // part due (rolled meanwhile, or written to since) only schedules the next check.
  void schedule_check(int64_t time) {
    if (time == DefaultRollingPolicy::kNever) return;
    if (!timers_.empty() && *timers_.begin() <= time) return;
    timers_.insert(time);
    time_->register_timer(time, [this](int64_t fired) {
      this->guarded([&] {
        timers_.erase(fired);
        if (part_ == nullptr) return;
        if (is_due(time_->current_processing_time())) {
          roll();
        } else {
          schedule_check(deadline());
        }
      });
    });
  }

  void roll() {
    part_->close(/*sync=*/true);
    pending_.emplace_back(kNotInCheckpoint, part_name(subtask_, next_part_ - 1));
    part_.reset();
  }
  // Renames the part to its committed name; a part committed before (by an earlier attempt)
  // is left as it is. A part that is neither is lost data: that is an error.
  void publish(const std::string& name) const {
    const std::string from = in_progress_path(name);
    const std::string to = base_dir_ + "/" + name;
    if (std::filesystem::exists(from)) {
      rename_file(from, to);
    } else if (!std::filesystem::exists(to)) {
      throw EddyException("FileSink: part file " + from + " of a completed checkpoint is missing");
    }
  }
  // Deletes `old_subtask`'s in-progress parts numbered `from` or higher.
  void remove_abandoned_parts(int old_subtask, int64_t from) const {
    const std::string head = "." + names_.part_prefix + "-" + std::to_string(old_subtask) + "-";
    const std::string tail = names_.part_suffix + ".inprogress";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base_dir_, ec)) {
      const std::string file = entry.path().filename().string();
      if (file.size() <= head.size() + tail.size() || file.rfind(head, 0) != 0 ||
          file.compare(file.size() - tail.size(), tail.size(), tail) != 0) {
        continue;
      }
      const std::string digits = file.substr(head.size(), file.size() - head.size() - tail.size());
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
      if (std::stoll(digits) >= from) std::filesystem::remove(entry.path(), ec);
    }
  }
  std::string part_name(int subtask, int64_t counter) const {
    return names_.part_prefix + "-" + std::to_string(subtask) + "-" + std::to_string(counter) +
           names_.part_suffix;
  }
  std::string in_progress_path(const std::string& name) const {
    return base_dir_ + "/." + name + ".inprogress";
  }

  std::string base_dir_;
  Encoder<T> encoder_;
  OutputFileConfig names_;
  DefaultRollingPolicy rolling_;
  bool rolls_on_time_ = rolling_.rolls_on_time();
  runtime::ProcessingTimeService* time_ = nullptr;  // the task's, set by open()
  int64_t part_opened_at_ = 0;                      // processing time; valid while part_ is open
  int64_t last_write_at_ = 0;
  std::set<int64_t> timers_;  // times of the registered timers that have not fired yet
  int subtask_ = 0;
  int64_t next_part_ = 0;
  std::unique_ptr<FileWriter> part_;  // the part being written (counter next_part_ - 1), or null
  std::vector<Pending> pending_;      // closed, not yet committed, in counter order
  ListState<Pending>* pending_state_ = nullptr;
  ListState<std::pair<int, int64_t>>* next_part_state_ = nullptr;  // (subtask, next counter)
  std::string encoded_;
};

}  // namespace connectors

// A sink writing records, encoded row by row, into part files under a base directory (no
// buckets: every part sits directly in base_dir, created with its parents if missing). Build
// with for_row_format(...).build(), attach with stream.sink_to(sink). Immutable once built.
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
          config.base_dir_, config.encoder_, config.names_, config.rolling_);
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
