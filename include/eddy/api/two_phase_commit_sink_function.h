// TwoPhaseCommitSinkFunction<IN, TXN>: the base of exactly-once sinks (Flink's
// TwoPhaseCommitSinkFunction). Records go into the current transaction; a checkpoint pre-commits
// it (flush, make it ready to commit) and starts the next; once the checkpoint is complete the
// pre-committed transactions are committed. After a failure the job restores the last completed
// checkpoint: the transactions it had pre-committed are committed again (commit must therefore
// be idempotent), the one that was open is aborted, and its records are replayed.
// A bounded job commits its last transaction at its final checkpoint, after every task finished.
//
// TXN is the subclass's handle of a transaction (a file name, a database transaction id, or the
// records themselves) and must be serializable (core/serializer.h): it is stored in checkpoints.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "eddy/api/checkpointed_function.h"
#include "eddy/api/functions.h"

namespace eddy {

template <class IN, class TXN>
class TwoPhaseCommitSinkFunction : public SinkFunction<IN>,
                                   public CheckpointedFunction,
                                   public CheckpointListener {
 public:
  using Context = typename SinkFunction<IN>::Context;

  void invoke(const IN& value, const Context& ctx) final {
    invoke_with_transaction(*current_, value, ctx);
  }

  void initialize_state(FunctionInitializationContext& context) override {
    state_ = &context.get_operator_state_store().get_list_state(
        ListStateDescriptor<CheckpointedTransactions>("two-phase-commit-sink-state"));
    for (CheckpointedTransactions& restored : state_->get()) {
      // Pre-committed in a completed checkpoint: they must be (and may already be) committed.
      for (auto& [checkpoint_id, txn] : restored.first) recover_and_commit(txn);
      recover_and_abort(restored.second);
    }
    state_->clear();
    current_ = begin_transaction();
  }

  void snapshot_state(FunctionSnapshotContext& context) override {
    pre_commit(*current_);
    pending_.emplace_back(context.get_checkpoint_id(), std::move(*current_));
    current_ = begin_transaction();
    state_->update({CheckpointedTransactions(pending_, *current_)});
  }

  void notify_checkpoint_complete(int64_t checkpoint_id) override {
    auto it = pending_.begin();
    for (; it != pending_.end() && it->first <= checkpoint_id; ++it) commit(it->second);
    pending_.erase(pending_.begin(), it);
  }

  // The open transaction is not pre-committed by anything after close: abort it.
  void close() override {
    if (current_) abort(*current_);
    current_.reset();
  }

 protected:
  virtual TXN begin_transaction() = 0;
  virtual void invoke_with_transaction(TXN& transaction, const IN& value, const Context& ctx) = 0;
  virtual void pre_commit(TXN& transaction) = 0;
  // Must be idempotent: a restored job commits again what may have been committed already.
  virtual void commit(TXN& transaction) = 0;
  virtual void abort(TXN& transaction) = 0;
  virtual void recover_and_commit(TXN& transaction) { commit(transaction); }
  virtual void recover_and_abort(TXN& transaction) { abort(transaction); }

 private:
  // What a checkpoint stores: the pre-committed transactions (with the checkpoint that
  // pre-committed each) and the transaction that was open.
  using CheckpointedTransactions = std::pair<std::vector<std::pair<int64_t, TXN>>, TXN>;

  std::optional<TXN> current_;
  std::vector<std::pair<int64_t, TXN>> pending_;  // pre-committed, oldest first
  ListState<CheckpointedTransactions>* state_ = nullptr;
};

}  // namespace eddy
