// Task: one parallel subtask of a job vertex — the operator chain, its input gate and its network
// outputs — running on its own thread. Its loop: take a buffer from the gate, push its records
// through the chain; flush outputs before waiting for input; at end of all inputs, finish the
// chain and send end-of-partition downstream. Sources run their own loop instead.
#pragma once

#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "eddy/runtime/result_partition.h"
#include "eddy/runtime/stream_operator.h"
#include "eddy/runtime/type_ops.h"
#include "graph/job_graph.h"
#include "runtime/input_gate.h"
#include "runtime/task_timer_service.h"
#include "runtime/timer_scheduler.h"
#include "runtime/watermark_valve.h"

namespace eddy::runtime {

// How a subtask is connected: its gate's channels and the partitions it writes.
struct TaskWiring {
  InputGate* gate = nullptr;                   // null for a source vertex
  std::vector<int> channel_edge;               // per gate channel: the stream edge it carries
  std::map<int, ResultPartition*> partitions;  // per outgoing stream edge index
};

enum class TaskOutcome { kRunning, kFinished, kCanceled, kFailed };

class Task {
 public:
  // `attempt_number` counts the job's restarts (RuntimeContext::get_attempt_number()).
  Task(const graph::JobGraph& job, int vertex_index, int subtask_index, int attempt_number,
       TaskWiring wiring, FlushPolicy flush_policy, TimerScheduler& timer_scheduler,
       const std::atomic<bool>& running);
  ~Task();

  // The thread body. Never throws: the outcome and failure are kept for the job master.
  void run() noexcept;
  // Tells the chain's operators that the job is being cancelled, so that a source stops and no
  // operator stays blocked. Safe from any thread, at any time.
  void cancel();
  // Any thread: the task will flush its network outputs soon, also if it is idle.
  void request_flush();

  TaskOutcome outcome() const { return outcome_; }
  std::exception_ptr failure() const { return failure_; }
  // Accumulator values of all operators of this subtask, by name.
  std::map<std::string, int64_t> accumulators() const;
  const std::string& name() const { return name_; }

 private:
  void instantiate();
  OperatorOutputs wire_outputs(const graph::StreamNode& node);
  void process_input();
  void on_input_watermark(int input, std::optional<int64_t> advanced);
  void finish_chain();
  void close_chain() noexcept;
  std::string describe(const graph::StreamNode& node) const;

  const graph::JobGraph& job_;
  const graph::JobVertex& vertex_;
  const int subtask_index_;
  const int attempt_number_;
  TaskWiring wiring_;
  const FlushPolicy flush_policy_;
  // Declared before the timer service, which must go first: it unregisters from the scheduler.
  Mailbox mailbox_;
  TaskTimerService timer_service_;
  const std::atomic<bool>& running_;
  const std::string name_;  // "Source: Collection Source -> Map (1/2)"

  // The chain, in topological order; operators_[0] is the head.
  std::vector<std::unique_ptr<StreamOperator>> operators_;
  std::vector<std::unique_ptr<RuntimeContext>> contexts_;
  std::map<int, StreamOperator*> operator_of_node_;
  std::vector<std::unique_ptr<OutputBase>> owned_outputs_;
  std::vector<NetworkOutput*> network_outputs_;
  RecordContext record_context_;
  std::vector<InputDispatcher*> channel_dispatchers_;  // per gate channel
  std::vector<std::unique_ptr<InputDispatcher>> dispatchers_;
  // Per gate channel: which input of the head it feeds (1 or 2) and its index in that input.
  std::vector<std::pair<int, int>> channel_input_;
  std::map<int, WatermarkValve> valves_;  // per input of the head
  size_t opened_ = 0;  // operators_[size - opened_ ..] are open (opened tail first)

  SourceOperator* source_ = nullptr;  // the head, when it is a source
  std::atomic<bool> flush_requested_{false};

  std::mutex cancel_mu_;
  bool instantiated_ = false;  // GUARDED_BY(cancel_mu_): operators_ is complete
  bool cancelled_ = false;     // GUARDED_BY(cancel_mu_)

  std::atomic<TaskOutcome> outcome_{TaskOutcome::kRunning};
  std::exception_ptr failure_;  // written by run() before outcome_ leaves kRunning
};

}  // namespace eddy::runtime
