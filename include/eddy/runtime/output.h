// Output<T> is where an operator emits records. Inside an operator chain the next operator *is*
// an Output (a direct virtual call, no queue, no copy); at a chain's end it is a network output
// that batches records into buffers for downstream subtasks. Watermarks take the same paths, in
// order with the records: a watermark never overtakes a record emitted before it.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace eddy::runtime {

class OutputBase {
 public:
  virtual ~OutputBase() = default;
  // Event time has advanced to `watermark`: no record with a smaller timestamp follows.
  virtual void emit_watermark(int64_t watermark) = 0;
};

template <class T>
class Output : public OutputBase {
 public:
  // Takes ownership of the record. Called on the task's thread only.
  virtual void push(T&& record) = 0;

  void collect(T&& record) { push(std::move(record)); }
  void collect(const T& record) {
    T copy(record);
    push(std::move(copy));
  }
};

// The output of an operator whose results nobody consumes.
template <class T>
class DiscardingOutput final : public Output<T> {
 public:
  void push(T&&) override {}
  void emit_watermark(int64_t) override {}
};

// Several consumers of one output: every consumer but the last gets a copy.
template <class T>
class FanOutOutput final : public Output<T> {
 public:
  explicit FanOutOutput(std::vector<Output<T>*> targets) : targets_(std::move(targets)) {}

  void push(T&& record) override {
    for (size_t i = 0; i + 1 < targets_.size(); ++i) {
      T copy(record);
      targets_[i]->push(std::move(copy));
    }
    targets_.back()->push(std::move(record));
  }
  void emit_watermark(int64_t watermark) override {
    for (auto* t : targets_) t->emit_watermark(watermark);
  }

 private:
  std::vector<Output<T>*> targets_;  // never empty
};

// A Collector hands an operator's results to its Output; user functions see only this.
template <class T>
class Collector {
 public:
  explicit Collector(Output<T>* output) : output_(output) {}
  void collect(T&& record) { output_->push(std::move(record)); }
  void collect(const T& record) { output_->collect(record); }

 private:
  Output<T>* output_;
};

}  // namespace eddy::runtime
