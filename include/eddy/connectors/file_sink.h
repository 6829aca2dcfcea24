// File sinks: DataStream<T>::write_as_text(path), which writes one text file per subtask, and
// FileSink, which writes rolling part files and publishes them only when the job has consumed
// its whole input — files of a failed or cancelled job stay hidden as in-progress files.
//
// Part-file protocol of FileSink, per subtask s and part counter c (0, 1, ...):
//   `.<prefix>-<s>-<c><suffix>.inprogress`  while written, and after a roll until end of input;
//   `<prefix>-<s>-<c><suffix>`               committed (renamed) once finish() runs.
// A part is opened at the first record that needs it, so a subtask without records writes none.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eddy/api/data_stream.h"
#include "eddy/connectors/file_writer.h"
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

// Starts a new part once the current one has grown past max_part_size_bytes, so a part ends
// with the first record that takes it over the limit (Flink's rule). Time-based rolling is not
// supported.
struct DefaultRollingPolicy {
  int64_t max_part_size_bytes = int64_t{128} * 1024 * 1024;
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

// One subtask of a FileSink. Invariant: every part with a counter below next_part_ is either in
// pending_ (closed, waiting for the end of input) or is part_ (open); none is committed before
// finish().
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
    make_directories(base_dir_);
  }
  void process_element(T&& record) {
    encoded_.clear();
    encoder_(static_cast<const T&>(record), encoded_);
    if (part_ != nullptr && part_->size() > rolling_.max_part_size_bytes) roll();
    if (part_ == nullptr) {
      part_ = std::make_unique<FileWriter>(in_progress_path(next_part_));
      ++next_part_;
    }
    part_->write(encoded_);
  }
  // The whole input was written: publish every part.
  void finish() override {
    if (part_ != nullptr) roll();
    for (int64_t counter : pending_) {
      rename_file(in_progress_path(counter), committed_path(counter));
    }
    pending_.clear();
  }
  // Reached with an open part only when the job failed or was cancelled: the part stays
  // in-progress, never committed.
  void close() override {
    if (part_ != nullptr) part_->abandon();
    part_.reset();
  }

 private:
  void roll() {
    part_->close(/*sync=*/true);
    pending_.push_back(next_part_ - 1);
    part_.reset();
  }
  std::string part_name(int64_t counter) const {
    return names_.part_prefix + "-" + std::to_string(subtask_) + "-" + std::to_string(counter) +
           names_.part_suffix;
  }
  std::string in_progress_path(int64_t counter) const {
    return base_dir_ + "/." + part_name(counter) + ".inprogress";
  }
  std::string committed_path(int64_t counter) const { return base_dir_ + "/" + part_name(counter); }

  std::string base_dir_;
  Encoder<T> encoder_;
  OutputFileConfig names_;
  DefaultRollingPolicy rolling_;
  int subtask_ = 0;
  int64_t next_part_ = 0;
  std::unique_ptr<FileWriter> part_;  // the part being written (counter next_part_ - 1), or null
  std::vector<int64_t> pending_;      // closed parts, in counter order
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
    // or a part size below 1.
    FileSink build() const {
      if (base_dir_.empty()) throw InvalidProgramException("FileSink: the base directory is empty");
      for (const std::string* part : {&names_.part_prefix, &names_.part_suffix}) {
        if (part->find('/') != std::string::npos) {
          throw InvalidProgramException("FileSink: a part prefix or suffix contains '/': '" +
                                        *part + "'");
        }
      }
      if (rolling_.max_part_size_bytes < 1) {
        throw InvalidProgramException("FileSink: max_part_size_bytes must be at least 1, not " +
                                      std::to_string(rolling_.max_part_size_bytes));
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
