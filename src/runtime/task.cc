#include "runtime/task.h"

#include <algorithm>

#include <fmt/format.h>

namespace eddy::runtime {
namespace {

constexpr std::chrono::milliseconds kIdlePollInterval{50};

std::exception_ptr wrap_failure(const std::string& description, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const OperatorFailure&) {
    return error;
  } catch (const std::exception& e) {
    return std::make_exception_ptr(OperatorFailure(description, e.what()));
  } catch (...) {
    return std::make_exception_ptr(OperatorFailure(description, describe_non_standard_exception()));
  }
}

}  // namespace

Task::Task(const graph::JobGraph& job, int vertex_index, int subtask_index, int attempt_number,
           TaskWiring wiring, FlushPolicy flush_policy, TimerScheduler& timer_scheduler,
           const std::atomic<bool>& running, TaskCheckpointing checkpointing)
    : job_(job),
      vertex_(job.vertices.at(vertex_index)),
      subtask_index_(subtask_index),
      attempt_number_(attempt_number),
      wiring_(std::move(wiring)),
      flush_policy_(flush_policy),
      timer_service_(timer_scheduler, mailbox_),
      running_(running),
      name_(fmt::format("{} ({}/{})", vertex_.name, subtask_index + 1, vertex_.parallelism)),
      checkpointing_(std::move(checkpointing)) {
  if (wiring_.gate != nullptr) {
    mailbox_.set_waker([gate = wiring_.gate] { gate->wake(); });
    wiring_.gate->set_priority_listener([this] { allow_overdraft(); });
  }
  for (auto& [edge, partition] : wiring_.partitions) partition->set_overdraft_flag(&overdraft_);
}

Task::~Task() = default;

std::string Task::describe(const graph::StreamNode& node) const {
  return fmt::format("Operator '{}' ({}subtask {}/{})", node.name,
                     node.uid.empty() ? "" : "uid: " + node.uid + ", ", subtask_index_ + 1,
                     node.parallelism);
}

void Task::run() noexcept {
  const graph::StreamNode* current = &job_.node(vertex_.node_ids.front());
  try {
    instantiate();
    // A cancel that comes before an operator is open does not reach it: it is checked here
    // instead, so that a cancelled task opens and runs nothing more.
    const auto throw_if_cancelled = [this] {
      std::lock_guard lock(cancel_mu_);
      if (cancelled_) throw TaskCancelled();
    };
    for (size_t i = operators_.size(); i-- > 0;) {
      throw_if_cancelled();
      current = &job_.node(vertex_.node_ids[i]);
      operators_[i]->open(*contexts_[i]);
      std::lock_guard lock(cancel_mu_);
      ++opened_;
    }
    throw_if_cancelled();
    current = &job_.node(vertex_.node_ids.front());
    if (source_ != nullptr) {
      SourceRunContext ctx(running_, source_stopped_, mailbox_);
      source_->run(ctx);
      // A bounded source has ended: event time jumps to its end, which fires what is pending.
      // A stopped one does not (a drained one did so before its savepoint).
      if (running_.load() && !source_stopped_) {
        record_context_.timestamp = kNoTimestamp;
        source_->advance_watermark(kMaxWatermark);
      }
    } else {
      replay_in_flight();
      process_input();
    }
    if (!running_.load()) throw TaskCancelled();
    timer_service_.quiesce();
    finish_chain();
    final_checkpoint();
    close_chain();
    outcome_ = failure_ ? TaskOutcome::kFailed : TaskOutcome::kFinished;
  } catch (const TaskCancelled&) {
    close_chain();
    outcome_ = TaskOutcome::kCanceled;
  } catch (...) {
    failure_ = wrap_failure(describe(*current), std::current_exception());
    close_chain();
    outcome_ = running_.load() ? TaskOutcome::kFailed : TaskOutcome::kCanceled;
    if (outcome_ == TaskOutcome::kCanceled) failure_ = nullptr;  // a symptom of cancellation
  }
}

void Task::instantiate() {
  std::map<int, std::unique_ptr<StreamOperator>> by_node;
  // Downstream first: an operator's chained successors must exist before it is wired to them.
  for (auto it = vertex_.node_ids.rbegin(); it != vertex_.node_ids.rend(); ++it) {
    const graph::StreamNode& node = job_.node(*it);
    OperatorOutputs outputs = wire_outputs(node);
    auto op = node.factory->create(outputs);
    op->set_description(describe(node));
    op->set_outputs(outputs);
    operator_of_node_[node.id] = op.get();
    by_node[node.id] = std::move(op);
  }
  for (int id : vertex_.node_ids) {
    const graph::StreamNode& node = job_.node(id);
    contexts_.push_back(std::make_unique<RuntimeContext>(
        node.name, subtask_index_, node.parallelism, node.max_parallelism, attempt_number_,
        ExecutionConfig(job_.stream_graph.config.auto_watermark_interval_ms,
                        job_.stream_graph.config.state_backend)));
    if (auto it = checkpointing_.restore.find(id); it != checkpointing_.restore.end()) {
      contexts_.back()->set_restore(it->second);
    }
    operators_.push_back(std::move(by_node[id]));
  }
  source_ = dynamic_cast<SourceOperator*>(operators_.front().get());
  if (wiring_.gate != nullptr) {
    std::map<int, InputDispatcher*> by_edge;
    for (int e : vertex_.in_edges) {
      const graph::StreamEdge& edge = job_.edge(e);
      dispatchers_.push_back(edge.type->make_dispatcher(operators_.front()->input(edge.type_number),
                                                        &record_context_));
      by_edge[e] = dispatchers_.back().get();
    }
    std::map<int, int> channels_per_input;
    for (int e : wiring_.channel_edge) {
      channel_dispatchers_.push_back(by_edge.at(e));
      const int input = job_.edge(e).type_number;
      channel_input_.emplace_back(input, channels_per_input[input]++);
    }
    for (auto [input, count] : channels_per_input) valves_.emplace(input, WatermarkValve(count));
    barrier_handler_ = std::make_unique<CheckpointBarrierHandler>(
        *wiring_.gate, checkpointing_.mode,
        [this](const CheckpointBarrier& barrier) { perform_checkpoint(barrier); });
    std::vector<const TypeOpsBase*> channel_type;
    for (int e : wiring_.channel_edge) channel_type.push_back(job_.edge(e).type.get());
    unaligned_handler_ = std::make_unique<UnalignedCheckpointHandler>(
        *wiring_.gate, wiring_.channel_edge, std::move(channel_type),
        UnalignedCheckpointHandler::Actions{
            [this](const CheckpointBarrier& b) { return start_unaligned_checkpoint(b); },
            [this](int64_t id, std::vector<InFlightRecords> in_flight) {
              complete_unaligned_checkpoint(id, std::move(in_flight));
            },
            [this](int64_t id, const std::string& reason) { decline_checkpoint(id, reason); }});
  }
}

OperatorOutputs Task::wire_outputs(const graph::StreamNode& node) {
  std::map<std::string, std::vector<OutputBase*>> targets_by_tag;
  std::map<std::string, const TypeOpsBase*> type_of_tag;
  for (int e : node.out_edges) {
    const graph::StreamEdge& edge = job_.edge(e);
    OutputBase* target;
    if (job_.is_chained(e)) {
      target = operator_of_node_.at(edge.target_id)->input(edge.type_number);
    } else {
      ResultPartition* partition = wiring_.partitions.at(e);
      auto selector = edge.partitioner.selector_factory
                          ? edge.partitioner.selector_factory->create()
                          : edge.type->make_selector(edge.partitioner.kind);
      selector->setup(partition->num_targets(), job_.node(edge.target_id).max_parallelism,
                      subtask_index_);
      auto parts = edge.type->make_network_output(partition, std::move(selector), flush_policy_,
                                                  &record_context_);
      network_outputs_.push_back(parts.network);
      target = parts.output.get();
      owned_outputs_.push_back(std::move(parts.output));
    }
    targets_by_tag[edge.side_output_tag].push_back(target);
    type_of_tag[edge.side_output_tag] = edge.type.get();
  }
  OperatorOutputs outputs;
  outputs.record_context = &record_context_;
  outputs.processing_time = &timer_service_;
  outputs.mailbox = &mailbox_;
  for (auto& [tag, targets] : targets_by_tag) {
    OutputBase* output = targets.front();
    if (targets.size() > 1) {
      owned_outputs_.push_back(type_of_tag[tag]->make_fan_out(targets));
      output = owned_outputs_.back().get();
    }
    if (tag.empty()) {
      outputs.main = output;
    } else {
      outputs.side[tag] = output;
    }
  }
  if (outputs.main == nullptr) {
    owned_outputs_.push_back(node.output_type->make_discarding());
    outputs.main = owned_outputs_.back().get();
  }
  return outputs;
}

void Task::process_input() {
  InputGate& gate = *wiring_.gate;
  int open_channels = gate.num_channels();
  Envelope envelope;
  int channel = 0;
  while (open_channels > 0) {
    if (mailbox_.has_mail()) mailbox_.run_all();
    if (!gate.try_poll(envelope, channel)) {
      // About to wait: what this subtask produced so far should not wait with it.
      for (NetworkOutput* out : network_outputs_) out->flush_all();
      if (!gate.poll(envelope, channel, kIdlePollInterval)) continue;  // woken, or idle
    }
    switch (envelope.kind) {
      case EnvelopeKind::kRecords:
        if (unaligned_handler_->recording(channel)) {
          unaligned_handler_->capture(channel, *envelope.buffer);
        }
        dispatch_records(channel, *envelope.buffer);
        break;
      case EnvelopeKind::kWatermark: {
        auto [input, index] = channel_input_[channel];
        on_input_watermark(input, valves_.at(input).on_watermark(index, envelope.watermark));
        break;
      }
      case EnvelopeKind::kEndOfPartition: {
        auto [input, index] = channel_input_[channel];
        const bool drain =
            checkpointing_.drain_at_end == nullptr || checkpointing_.drain_at_end->load();
        if (drain) on_input_watermark(input, valves_.at(input).on_channel_finished(index));
        --open_channels;
        barrier_handler_->on_end_of_partition(channel);
        unaligned_handler_->on_end_of_partition(channel);
        break;
      }
      case EnvelopeKind::kBarrier:
        if (envelope.barrier.unaligned) {
          unaligned_handler_->on_barrier(channel, envelope.barrier, envelope.overtaken);
          overdraft_ = false;  // the barrier that allowed it has been taken
        } else {
          barrier_handler_->on_barrier(channel, envelope.barrier);
        }
        break;
    }
  }
}

void Task::dispatch_records(int channel, RecordBufferBase& buffer) {
  // An unaligned barrier that arrives meanwhile sets overdraft_: it is taken after the current
  // record, the rest of the buffer after it.
  InputDispatcher& dispatcher = *channel_dispatchers_[channel];
  size_t next = dispatcher.dispatch(buffer, 0, &overdraft_);
  while (next < buffer.size()) {
    Envelope barrier;
    int barrier_channel = 0;
    const UnalignedCheckpointHandler::Unprocessed rest{channel, &buffer, next};
    while (wiring_.gate->try_poll_priority(barrier, barrier_channel)) {
      unaligned_handler_->on_barrier(barrier_channel, barrier.barrier, barrier.overtaken, &rest);
    }
    overdraft_ = false;
    next = dispatcher.dispatch(buffer, next, &overdraft_);
  }
}

void Task::on_input_watermark(int input, std::optional<int64_t> advanced) {
  if (!advanced) return;
  // A watermark is not part of any record: operators must not see a stale record timestamp.
  record_context_.timestamp = kNoTimestamp;
  operators_.front()->input(input)->emit_watermark(*advanced);
}

void Task::finish_chain() {
  for (size_t i = 0; i < operators_.size(); ++i) {
    try {
      operators_[i]->finish();
    } catch (const OperatorFailure&) {
      throw;
    } catch (const TaskCancelled&) {
      throw;
    } catch (const std::exception& e) {
      throw OperatorFailure(operators_[i]->description(), e.what());
    } catch (...) {
      throw OperatorFailure(operators_[i]->description(), describe_non_standard_exception());
    }
  }
  for (NetworkOutput* out : network_outputs_) out->end_of_partition();
  chain_finished_ = true;
}

TaskStateSnapshot Task::snapshot_chain(const CheckpointBarrier& barrier) {
  TaskStateSnapshot snapshot;
  for (size_t i = 0; i < operators_.size(); ++i) {
    OperatorSubtaskState state;
    StateSnapshotContext ctx(barrier, &state.raw_keyed);
    try {
      operators_[i]->snapshot_state(ctx);
      if (const KeyedStateBackend* keyed = contexts_[i]->keyed_state_backend()) {
        state.keyed = keyed->snapshot_for_checkpoint(barrier.id, barrier.is_savepoint
                                                                     ? SnapshotType::kSavepoint
                                                                     : SnapshotType::kCheckpoint);
      }
      if (const OperatorStateStore* store = contexts_[i]->operator_state_store()) {
        state.operator_state = store->snapshot();
      }
    } catch (const std::exception& e) {
      throw std::runtime_error(operators_[i]->description() + ": " + e.what());
    }
    if (!state.empty()) snapshot.emplace(vertex_.node_ids[i], std::move(state));
  }
  return snapshot;
}

void Task::perform_checkpoint(const CheckpointBarrier& barrier) {
  CheckpointResponder* responder = checkpointing_.responder;
  std::optional<TaskStateSnapshot> snapshot;
  std::string failure;
  try {
    snapshot = snapshot_chain(barrier);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  // The barrier goes on also when this part failed: downstream tasks must not stay aligned on
  // a checkpoint that the coordinator will abort.
  for (NetworkOutput* out : network_outputs_) out->emit_barrier(barrier);
  overdraft_ = false;
  if (responder == nullptr) return;
  if (snapshot) {
    responder->acknowledge(checkpointing_.task_index, barrier.id, std::move(*snapshot));
  } else {
    responder->decline(checkpointing_.task_index, barrier.id, failure);
  }
}

void Task::allow_overdraft() {
  overdraft_ = true;
  for (auto& [edge, partition] : wiring_.partitions) partition->wake_sender();
}

bool Task::start_unaligned_checkpoint(const CheckpointBarrier& barrier) {
  std::string failure;
  try {
    unaligned_snapshot_ = snapshot_chain(barrier);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  for (NetworkOutput* out : network_outputs_) out->emit_barrier(barrier);
  if (!failure.empty()) decline_checkpoint(barrier.id, failure);
  return failure.empty();
}

void Task::complete_unaligned_checkpoint(int64_t id, std::vector<InFlightRecords> in_flight) {
  TaskStateSnapshot snapshot = std::move(unaligned_snapshot_);
  unaligned_snapshot_.clear();
  if (!in_flight.empty()) snapshot[vertex_.node_ids.front()].in_flight = std::move(in_flight);
  if (checkpointing_.responder != nullptr) {
    checkpointing_.responder->acknowledge(checkpointing_.task_index, id, std::move(snapshot));
  }
}

void Task::decline_checkpoint(int64_t id, const std::string& reason) {
  unaligned_snapshot_.clear();
  if (checkpointing_.responder != nullptr) {
    checkpointing_.responder->decline(checkpointing_.task_index, id, reason);
  }
}

void Task::replay_in_flight() {
  auto restore = checkpointing_.restore.find(vertex_.node_ids.front());
  if (restore == checkpointing_.restore.end()) return;
  for (const InFlightRecords& records : restore->second->in_flight) {
    auto channel =
        std::find(wiring_.channel_edge.begin(), wiring_.channel_edge.end(), records.edge);
    if (channel == wiring_.channel_edge.end()) {
      throw std::runtime_error("the restored checkpoint holds records in flight on an edge (" +
                               std::to_string(records.edge) + ") this task does not read");
    }
    const auto index = static_cast<size_t>(channel - wiring_.channel_edge.begin());
    const TypeOpsBase& type = *job_.edge(records.edge).type;
    DataInputView in(records.records);
    while (!in.at_end()) channel_dispatchers_[index]->dispatch(*type.deserialize_records(in));
  }
}

void Task::trigger_checkpoint(const CheckpointBarrier& barrier, SourceStop stop) {
  mailbox_.post([this, barrier, stop] {
    // A source that has ended takes part in no more periodic checkpoints (the coordinator
    // stops triggering once a task finished); its final state is the final checkpoint's.
    last_source_checkpoint_ = barrier.id;
    if (opened_ != operators_.size() || chain_finished_ || source_stopped_) {
      overdraft_ = false;
      return;
    }
    if (stop == SourceStop::kStopAndDrain) {
      record_context_.timestamp = kNoTimestamp;
      source_->advance_watermark(kMaxWatermark);
    }
    perform_checkpoint(barrier);
    if (stop != SourceStop::kNone) {
      source_stopped_ = true;
      source_->stop();
    }
  });
  // After posting: a user source's thread, woken from waiting for credit, then finds the mail
  // and leaves the emission lock to it instead of emitting on. If the mail already ran, the
  // overdraft it ended must not start again.
  if (barrier.unaligned) {
    allow_overdraft();
    if (last_source_checkpoint_ >= barrier.id) overdraft_ = false;
  }
}

void Task::notify_checkpoint_complete(int64_t id) {
  post_to_open_operators([id](StreamOperator& op, KeyedStateBackend* keyed) {
    if (keyed != nullptr) keyed->notify_checkpoint_complete(id);
    op.notify_checkpoint_complete(id);
  });
  mailbox_.post([this, id] {
    if (id == final_checkpoint_id_) final_checkpoint_committed_ = true;
  });
}

void Task::notify_checkpoint_aborted(int64_t id) {
  post_to_open_operators([id](StreamOperator& op, KeyedStateBackend* keyed) {
    if (keyed != nullptr) keyed->notify_checkpoint_aborted(id);
    op.notify_checkpoint_aborted(id);
  });
  mailbox_.post([this, id] {
    if (id == final_checkpoint_id_) {
      throw std::runtime_error("the job's final checkpoint " + std::to_string(id) +
                               " was aborted, so its output cannot be committed");
    }
  });
}

void Task::post_to_open_operators(std::function<void(StreamOperator&, KeyedStateBackend*)> call) {
  mailbox_.post([this, call = std::move(call)] {
    for (size_t i = operators_.size() - opened_; i < operators_.size(); ++i) {
      operators_[i]->guarded([&] { call(*operators_[i], contexts_[i]->keyed_state_backend()); });
    }
  });
}

void Task::final_checkpoint() {
  if (checkpointing_.end_barrier == nullptr) return;
  // Mail still pending (a completed checkpoint's notification) runs before the final one.
  if (mailbox_.has_mail()) mailbox_.run_all();
  const std::optional<int64_t> id = checkpointing_.end_barrier->arrive_and_wait();
  if (!id) throw TaskCancelled();
  const CheckpointBarrier barrier{*id, SystemClock().now_ms()};
  if (checkpointing_.coordinated_final_checkpoint) {
    // A checkpoint like the others: the chain's whole state goes to the coordinator, and what
    // the operators pre-committed is committed when the notification of its completion runs.
    // A failure from then on restarts the job from this checkpoint, whose restore commits
    // (again) and replays nothing, so no subtask commits what another one replays.
    final_checkpoint_id_ = *id;
    checkpointing_.responder->acknowledge(checkpointing_.task_index, *id, snapshot_chain(barrier));
    while (!final_checkpoint_committed_) {
      if (!running_.load()) throw TaskCancelled();
      mailbox_.wait_for_mail(kIdlePollInterval);
      mailbox_.run_all();
    }
    return;
  }
  // Without periodic checkpoints nothing restores a job to its end: only the operators' own
  // snapshot is taken, and what they pre-commit is committed right away.
  for (auto& op : operators_) {
    StateSnapshotContext ctx(barrier, nullptr);
    op->guarded([&] { op->snapshot_state(ctx); });
  }
  for (auto& op : operators_) op->guarded([&] { op->notify_checkpoint_complete(*id); });
}

void Task::close_chain() noexcept {
  // Head to tail, as Flink closes a chain; only the operators that were opened. A cancel from
  // now on reaches none of them.
  size_t first;
  {
    std::lock_guard lock(cancel_mu_);
    first = operators_.size() - opened_;
    opened_ = 0;
  }
  for (size_t i = first; i < operators_.size(); ++i) {
    try {
      operators_[i]->close();
    } catch (const std::exception& e) {
      if (!failure_)
        failure_ = std::make_exception_ptr(OperatorFailure(operators_[i]->description(), e.what()));
    } catch (...) {
      if (!failure_)
        failure_ = std::make_exception_ptr(OperatorFailure(
            operators_[i]->description(), describe_non_standard_exception() + " in close()"));
    }
  }
}

void Task::request_flush() {
  if (flush_requested_.exchange(true)) return;  // one flush mail at a time
  mailbox_.post([this] {
    flush_requested_ = false;
    for (NetworkOutput* out : network_outputs_) out->flush_all();
  });
}

void Task::cancel() {
  std::lock_guard lock(cancel_mu_);
  if (cancelled_) return;
  cancelled_ = true;
  mailbox_.wake_waiter();  // a task waiting for the final checkpoint's verdict sees it
  // Only open operators: a function's cancel() may rely on what its open() set up. The others
  // learn of it when they are opened (see run()).
  if (opened_ == 0) return;  // operators_ may still be under construction
  for (size_t i = operators_.size() - opened_; i < operators_.size(); ++i) operators_[i]->cancel();
}

std::map<std::string, int64_t> Task::accumulators() const {
  std::map<std::string, int64_t> result;
  for (const auto& ctx : contexts_) {
    for (const auto& [name, counter] : ctx->counters()) result[name] += counter.get_local_value();
  }
  return result;
}

}  // namespace eddy::runtime
