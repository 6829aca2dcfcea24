// Task: one parallel subtask of a job vertex — the operator chain, its input gate and its network
// outputs — running on its own thread. Its loop: take a buffer from the gate, push its records
// through the chain; flush outputs before waiting for input; at end of all inputs, finish the
// chain and send end-of-partition downstream. Sources run their own loop instead.
// Checkpoints: a source task snapshots when the coordinator's trigger mail runs (between two
// records), then sends the barrier downstream; a task with inputs snapshots once the barrier has
// arrived on all its channels (see CheckpointBarrierHandler), or at the first barrier of an
// unaligned checkpoint (see UnalignedCheckpointHandler; the records in flight are stored too and
// processed first after a restore). Either acknowledges its state to the coordinator. While an
// unaligned barrier waits for the task, the task's sends overdraw credit instead of waiting, so
// backpressure cannot hold the barrier back. A finished task waits at the job's end barrier for
// the final checkpoint.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "eddy/core/checkpoint_config.h"
#include "eddy/runtime/checkpoint.h"
#include "eddy/runtime/result_partition.h"
#include "eddy/runtime/stream_operator.h"
#include "eddy/runtime/type_ops.h"
#include "graph/job_graph.h"
#include "runtime/checkpoint_barrier_handler.h"
#include "runtime/input_gate.h"
#include "runtime/job_end_barrier.h"
#include "runtime/task_timer_service.h"
#include "runtime/timer_scheduler.h"
#include "runtime/unaligned_checkpoint_handler.h"
#include "runtime/watermark_valve.h"

namespace eddy::runtime {

// How a subtask is connected: its gate's channels and the partitions it writes.
struct TaskWiring {
  InputGate* gate = nullptr;                   // null for a source vertex
  std::vector<int> channel_edge;               // per gate channel: the stream edge it carries
  std::map<int, ResultPartition*> partitions;  // per outgoing stream edge index
};

// How a subtask takes part in checkpoints.
struct TaskCheckpointing {
  int task_index = 0;  // how the coordinator names this subtask
  CheckpointingMode mode = CheckpointingMode::kExactlyOnce;
  CheckpointResponder* responder = nullptr;  // null: the job takes no periodic checkpoints
  JobEndBarrier* end_barrier = nullptr;      // null: no final checkpoint
  // The final checkpoint is acknowledged to `responder` and committed once it completes (jobs
  // with periodic checkpoints); otherwise each task commits it on its own.
  bool coordinated_final_checkpoint = false;
  // False once the job stops with a savepoint without draining: ended inputs then do not
  // advance event time, so nothing fires after the savepoint. Null: always drain.
  const std::atomic<bool>* drain_at_end = nullptr;
  // Per stream node of the chain: what its operator restores from (absent: starts empty).
  std::map<int, std::shared_ptr<const OperatorRestore>> restore;
};

enum class TaskOutcome { kRunning, kFinished, kCanceled, kFailed };

class Task {
 public:
  // `attempt_number` counts the job's restarts (RuntimeContext::get_attempt_number()).
  Task(const graph::JobGraph& job, int vertex_index, int subtask_index, int attempt_number,
       TaskWiring wiring, FlushPolicy flush_policy, TimerScheduler& timer_scheduler,
       const std::atomic<bool>& running, TaskCheckpointing checkpointing = {});
  ~Task();

  // The thread body. Never throws: the outcome and failure are kept for the job master.
  void run() noexcept;
  // Tells the chain's operators that the job is being cancelled, so that a source stops and no
  // operator stays blocked. Safe from any thread, at any time.
  void cancel();
  // Any thread: the task will flush its network outputs soon, also if it is idle.
  void request_flush();
  // Any thread, source tasks only: take checkpoint `barrier.id` between two records; with
  // `stop`, the source stops emitting right after the barrier (stop-with-savepoint).
  void trigger_checkpoint(const CheckpointBarrier& barrier, SourceStop stop = SourceStop::kNone);
  // Any thread: tells the chain's operators how checkpoint `id` ended.
  void notify_checkpoint_complete(int64_t id);
  void notify_checkpoint_aborted(int64_t id);

  TaskOutcome outcome() const { return outcome_; }
  std::exception_ptr failure() const { return failure_; }
  // Accumulator values of all operators of this subtask, by name.
  std::map<std::string, int64_t> accumulators() const;
  const std::string& name() const { return name_; }
  bool is_source() const { return vertex_.in_edges.empty(); }
  // Any thread: the chain has finished (its end of input is sent).
  bool has_finished_chain() const { return chain_finished_.load(); }

 private:
  void instantiate();
  OperatorOutputs wire_outputs(const graph::StreamNode& node);
  void process_input();
  // Pushes a received buffer through the chain; takes unaligned barriers between its records.
  void dispatch_records(int channel, RecordBufferBase& buffer);
  void on_input_watermark(int input, std::optional<int64_t> advanced);
  void finish_chain();
  // Snapshots the chain, sends the barrier downstream and reports to the coordinator.
  void perform_checkpoint(const CheckpointBarrier& barrier);
  // Any thread: an unaligned barrier waits for this task; its sends stop waiting for credit.
  void allow_overdraft();
  // The unaligned checkpoint's start (snapshot and forward) and end (acknowledge).
  bool start_unaligned_checkpoint(const CheckpointBarrier& barrier);
  void complete_unaligned_checkpoint(int64_t id, std::vector<InFlightRecords> in_flight);
  void decline_checkpoint(int64_t id, const std::string& reason);
  // Processes the records in flight that the restored checkpoint stored.
  void replay_in_flight();
  TaskStateSnapshot snapshot_chain(const CheckpointBarrier& barrier);
  // After finish_chain: waits for every task, then snapshots and commits the final checkpoint.
  void final_checkpoint();
  // Any thread: `call` runs on every opened operator of the chain (with its keyed state
  // backend, if any), on the task's thread.
  void post_to_open_operators(std::function<void(StreamOperator&, KeyedStateBackend*)> call);
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
  TaskCheckpointing checkpointing_;
  std::unique_ptr<CheckpointBarrierHandler> barrier_handler_;      // tasks with inputs
  std::unique_ptr<UnalignedCheckpointHandler> unaligned_handler_;  // tasks with inputs
  // The chain's snapshot of the unaligned checkpoint in progress, until its in-flight records
  // are complete.
  TaskStateSnapshot unaligned_snapshot_;
  std::atomic<bool> overdraft_{false};
  std::atomic<int64_t> last_source_checkpoint_{-1};  // the last trigger a source's mail ran
  // operators_[size - opened_ ..] are open (opened tail first). Changed under cancel_mu_ on
  // the task's thread, which alone reads it without the lock.
  size_t opened_ = 0;

  SourceOperator* source_ = nullptr;  // the head, when it is a source
  bool source_stopped_ = false;       // stop-with-savepoint reached this source
  // finish_chain() ran: no more records, no more barriers. Read by the job master.
  std::atomic<bool> chain_finished_{false};
  std::atomic<bool> flush_requested_{false};
  // Task thread only: the id of the job's final checkpoint once all tasks finished, and whether
  // the notification of its completion has run.
  int64_t final_checkpoint_id_ = -1;
  bool final_checkpoint_committed_ = false;

  std::mutex cancel_mu_;
  bool cancelled_ = false;  // GUARDED_BY(cancel_mu_)

  std::atomic<TaskOutcome> outcome_{TaskOutcome::kRunning};
  std::exception_ptr failure_;  // written by run() before outcome_ leaves kRunning
};

}  // namespace eddy::runtime
