// StreamOperator: the runtime form of one node of the stream graph.
//
// Life cycle, all on the owning subtask's thread:
//   create (by its OperatorFactory, wired to its outputs) → open(ctx) → records arrive through
//   input(i)->push(...) → finish() once every input has ended (may emit final results) → close().
// close() is called on every operator that was opened, also when the job fails or is cancelled;
// finish() only on a successful end of input. Operators of one chain are opened from the tail
// to the head (so a receiver is ready before its sender) and finished from the head to the tail.
// Records are never pushed concurrently: one subtask, one thread. Blocking in push() (a full
// network output) is how backpressure reaches upstream operators and, finally, sources.
// Checkpoints: between two records the task calls snapshot_state() on every operator of the
// chain, then takes their state stores; notify_checkpoint_complete() follows once the whole
// checkpoint is durable. A restored operator finds its state through RuntimeContext::get_restore()
// in open().
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "eddy/runtime/checkpoint.h"
#include "eddy/runtime/mailbox.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/processing_time_service.h"
#include "eddy/runtime/record_context.h"
#include "eddy/runtime/runtime_context.h"

namespace eddy::runtime {

// Thrown inside a task when its job is cancelled while it waits; the task exits quietly.
class TaskCancelled : public std::runtime_error {
 public:
  TaskCancelled() : std::runtime_error("task cancelled") {}
};

// An operator's failure, named after the operator. Raised once, where a user function threw;
// upstream operators in the same chain let it pass unchanged.
class OperatorFailure : public std::runtime_error {
 public:
  OperatorFailure(const std::string& operator_description, const std::string& message)
      : std::runtime_error(operator_description + " failed: " + message) {}
};

// Describes the exception being handled when it is not a std::exception (`throw 42`,
// `throw std::string(...)`): its type and, for strings and numbers, its value.
// REQUIRES: called inside a catch block.
std::string describe_non_standard_exception();

// The outputs an operator is wired to when it is created. `main` is never null; a side output
// that nobody consumes is absent from `side` and its records are dropped.
struct OperatorOutputs {
  OutputBase* main = nullptr;
  std::map<std::string, OutputBase*> side;           // keyed by OutputTag id
  RecordContext* record_context = nullptr;           // the task's; never null
  ProcessingTimeService* processing_time = nullptr;  // the task's; never null
  Mailbox* mailbox = nullptr;                        // the task's; never null

  template <class T>
  Output<T>* main_as() const {
    return static_cast<Output<T>*>(main);
  }
};

class StreamOperator {
 public:
  virtual ~StreamOperator() = default;
  // "Operator 'Map' (uid: parse, subtask 1/2)": set by the task before open().
  void set_description(std::string description) { description_ = std::move(description); }
  const std::string& description() const { return description_; }
  // The outputs the operator was created with; set by the task before open().
  void set_outputs(const OperatorOutputs& outputs) { outputs_ = outputs; }

  virtual void open(RuntimeContext&) {}
  virtual void finish() {}
  virtual void close() {}
  // The job is being cancelled: stop blocking (a source stops emitting). Called from another
  // thread, possibly while the operator runs, so it may only touch thread-safe state.
  virtual void cancel() {}
  // Writes what the operator keeps outside its state stores (timers, rolling values, a read
  // position) and lets its function snapshot (CheckpointedFunction::snapshot_state).
  virtual void snapshot_state(StateSnapshotContext&) {}
  // Checkpoint `checkpoint_id` is complete (a two-phase-commit sink commits), or was aborted.
  virtual void notify_checkpoint_complete(int64_t /*checkpoint_id*/) {}
  virtual void notify_checkpoint_aborted(int64_t /*checkpoint_id*/) {}

  // Where the records of input `index` (1 = first, 2 = second input) are pushed.
  virtual OutputBase* input(int index) = 0;
  // Records the operator's new event time, then lets it react. REQUIRES: watermark does not
  // decrease (an equal one re-activates receivers after idleness). kIdleWatermark is passed on
  // to the outputs without touching the operator's event time.
  void advance_watermark(int64_t watermark) {
    if (watermark == kIdleWatermark) {
      StreamOperator::process_watermark(watermark);
      return;
    }
    current_watermark_ = watermark;
    process_watermark(watermark);
  }
  int64_t current_watermark() const { return current_watermark_; }
  const int64_t* current_watermark_ptr() const { return &current_watermark_; }

  // Event time reached `watermark` on the operator's (combined) input. The default forwards it
  // to every output; operators with event-time timers fire them first.
  virtual void process_watermark(int64_t watermark) {
    outputs_.main->emit_watermark(watermark);
    for (auto& [tag, output] : outputs_.side) output->emit_watermark(watermark);
  }

  // Runs `body` (a user function call and what it emits) so that an exception from this
  // operator's own code is reported as this operator's failure. Costs nothing until a throw.
  // Public for what runs on the operator's behalf outside a record, such as its timers.
  template <class Body>
  void guarded(Body&& body) {
    try {
      body();
    } catch (const OperatorFailure&) {
      throw;
    } catch (const TaskCancelled&) {
      throw;
    } catch (const std::exception& e) {
      throw OperatorFailure(description_, e.what());
    } catch (...) {
      throw OperatorFailure(description_, describe_non_standard_exception());
    }
  }

 protected:
  const OperatorOutputs& outputs() const { return outputs_; }
  RecordContext& record_context() const { return *outputs_.record_context; }

 private:
  std::string description_ = "operator";
  OperatorOutputs outputs_;
  int64_t current_watermark_ = kMinWatermark;
};

// What a source checks between records: whether the job still runs. Asking also runs the
// task's pending mail (e.g. due processing-time timers of the chain), so a source must ask
// regularly, also while it waits for input.
class SourceRunContext {
 public:
  // `stopped` turns true when the source must stop emitting (stop-with-savepoint).
  SourceRunContext(const std::atomic<bool>& running, const bool& stopped, Mailbox& mailbox)
      : running_(running), stopped_(stopped), mailbox_(mailbox) {}
  bool is_running() const {
    if (mailbox_.has_mail()) mailbox_.run_all();
    return running_.load(std::memory_order_relaxed) && !stopped_;
  }

 private:
  const std::atomic<bool>& running_;
  const bool& stopped_;  // written by the task's own mail, on this thread
  Mailbox& mailbox_;
};

// A source heads its chain and has no input. run() emits until the input is exhausted
// (bounded source) or cancel() is called (from another thread) and is_running() turns false.
class SourceOperator : public StreamOperator {
 public:
  virtual void run(SourceRunContext& ctx) = 0;
  // On the task's thread, from mail run inside run(): emit nothing more; run() returns soon (and
  // the source ends as if its input were exhausted). Sources that poll is_running() need no
  // override.
  virtual void stop() {}
  OutputBase* input(int) override { return nullptr; }
};

// Creates one operator instance per parallel subtask. Immutable and shared by all subtasks.
class OperatorFactory {
 public:
  virtual ~OperatorFactory() = default;
  virtual std::unique_ptr<StreamOperator> create(const OperatorOutputs& outputs) const = 0;
};

template <class Make>
class LambdaOperatorFactory final : public OperatorFactory {
 public:
  explicit LambdaOperatorFactory(Make make) : make_(std::move(make)) {}
  std::unique_ptr<StreamOperator> create(const OperatorOutputs& outputs) const override {
    return make_(outputs);
  }

 private:
  Make make_;
};

template <class Make>
std::shared_ptr<const OperatorFactory> make_operator_factory(Make make) {
  return std::make_shared<LambdaOperatorFactory<Make>>(std::move(make));
}

}  // namespace eddy::runtime
