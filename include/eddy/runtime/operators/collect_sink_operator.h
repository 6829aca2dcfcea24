// CollectSinkOperator: the sink behind execute_and_collect(). It runs as one subtask and serves
// its results to the client through the collect protocol (collect_protocol.h).
//
// Each time the job (re)starts, open() starts a new sink incarnation (a CollectSinkServer with a
// new version) and registers it with the CollectCoordinator. A checkpoint keeps the results the
// client has not acknowledged with their offsets (operator state "collect-sink-buffer"), so a
// restarted sink resumes numbering where the restored checkpoint ended; once a checkpoint
// completes, the sink tells the client that results before its end are safe to hand out.
// Savepoints and the final checkpoint of a finished job mark nothing safe: a restart restores
// neither. A result type that is not serializable is not checkpointed (the client then treats a
// restart as it does without checkpointing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eddy/core/serializer.h"
#include "eddy/runtime/collect_coordinator.h"
#include "eddy/runtime/collect_sink_server.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy::runtime {

template <class T>
class CollectSinkOperator final : public OneInputOperator<T, CollectSinkOperator<T>> {
 public:
  // The most results the sink holds that the client has not acknowledged.
  static constexpr size_t kBufferCapacity = 4096;

  explicit CollectSinkOperator(std::shared_ptr<CollectCoordinator<T>> coordinator)
      : coordinator_(std::move(coordinator)),
        server_(std::make_shared<CollectSinkServer<T>>(new_collect_id(), kBufferCapacity)) {}

  void open(RuntimeContext& ctx) override {
    state_ = &ctx.get_operator_state_store().get_list_state(
        ListStateDescriptor<std::string>("collect-sink-buffer"));
    int64_t offset = 0;
    std::vector<T> results;
    if constexpr (Serializable<T>) {
      if (ctx.get_restore() != nullptr) {
        for (const std::string& bytes : state_->get()) {
          DataInputView in(bytes);
          if (in.read_fixed<uint64_t>() != coordinator_->id()) continue;  // another call's
          offset = in.read_fixed<int64_t>();
          const uint64_t count = in.read_varint();
          results.reserve(static_cast<size_t>(count));
          for (uint64_t i = 0; i < count; ++i)
            results.push_back(TypeSerializer<T>::deserialize(in));
        }
      }
    }
    server_->start(ctx.get_attempt_number(), offset, std::move(results));
    coordinator_->register_sink(server_);
  }

  void process_element(T&& record) { server_->add(std::move(record)); }

  void snapshot_state(StateSnapshotContext& ctx) override {
    if (!ctx.takes_state()) return;  // the final checkpoint: nothing restores it
    if constexpr (Serializable<T>) {
      DataOutputView out;
      out.write_fixed<uint64_t>(coordinator_->id());
      server_->write_unacknowledged([&](int64_t offset, const auto& results) {
        out.write_fixed<int64_t>(offset);
        out.write_varint(results.size());
        for (const T& result : results) TypeSerializer<T>::serialize(result, out);
      });
      state_->update({out.take()});
      if (!ctx.is_savepoint()) pending_[ctx.checkpoint_id()] = server_->end_offset();
    }
  }

  void notify_checkpoint_complete(int64_t checkpoint_id) override {
    auto it = pending_.find(checkpoint_id);
    if (it != pending_.end()) server_->set_checkpointed(it->second);
    pending_.erase(pending_.begin(), pending_.upper_bound(checkpoint_id));
  }
  void notify_checkpoint_aborted(int64_t checkpoint_id) override { pending_.erase(checkpoint_id); }

  void finish() override { server_->end_input(); }
  void close() override { server_->retire(); }
  void cancel() override { server_->cancel(); }

 private:
  std::shared_ptr<CollectCoordinator<T>> coordinator_;
  const std::shared_ptr<CollectSinkServer<T>> server_;  // cancel() reads it from another thread
  ListState<std::string>* state_ = nullptr;
  std::map<int64_t, int64_t> pending_;  // checkpoint id -> end offset at its snapshot
};

}  // namespace eddy::runtime
