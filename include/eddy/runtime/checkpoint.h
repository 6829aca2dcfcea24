// What a checkpoint holds of an operator subtask, and what a restored subtask starts from.
//
// A subtask's state has three parts: its keyed state backend's states and its operator state
// store (both taken by the task), and what the operator keeps itself outside those stores (its
// timers, the rolling values of a keyed reduce), written by StreamOperator::snapshot_state by key
// group so that rescaling can move it like keyed state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/runtime/buffer.h"
#include "eddy/state/keyed_state_backend.h"
#include "eddy/state/operator_state.h"

namespace eddy::runtime {

// Records that an unaligned checkpoint overtook on their way to a subtask: they were sent before
// the barrier but not yet processed, so a restored subtask processes them first. Kept with the
// chain's head operator.
struct InFlightRecords {
  int edge = 0;         // the stream edge they travelled on
  std::string records;  // one channel's records in arrival order, serialized by the edge's type
};

struct OperatorSubtaskState {
  KeyedStateSnapshot keyed;      // the keyed state backend's states
  KeyedStateSnapshot raw_keyed;  // the operator's own keyed data, by name and key group
  OperatorStateSnapshot operator_state;
  std::vector<InFlightRecords> in_flight;

  bool empty() const {
    return keyed.empty() && raw_keyed.empty() && operator_state.empty() && in_flight.empty();
  }
};

// A subtask's snapshot: the state of each operator of its chain, by stream node id.
using TaskStateSnapshot = std::map<int, OperatorSubtaskState>;

// Binary form of an OperatorSubtaskState (the body of a state file). deserialize throws
// SerializationError for malformed bytes.
std::string serialize_subtask_state(const OperatorSubtaskState& state);
OperatorSubtaskState deserialize_subtask_state(std::string_view bytes);

// What an operator subtask restores from: every old subtask's state (keyed parts are filtered
// to the new subtask's key groups when applied) and this subtask's share of the operator state,
// already redistributed.
struct OperatorRestore {
  int64_t checkpoint_id = 0;
  std::vector<std::shared_ptr<const OperatorSubtaskState>> old_subtasks;
  OperatorStateSnapshot operator_state;
  // The records an unaligned checkpoint stored in flight to this subtask (head operators only).
  std::vector<InFlightRecords> in_flight;

  // Calls visit(key_group, DataInputView&) for each key group of raw keyed state `name` in
  // [first, last] of every old subtask.
  template <class Visit>
  void for_each_raw_key_group(const std::string& name, int first, int last, Visit&& visit) const {
    for (const auto& old : old_subtasks) {
      auto it = old->raw_keyed.key_groups.find(name);
      if (it == old->raw_keyed.key_groups.end()) continue;
      for (auto kg = it->second.lower_bound(first); kg != it->second.end() && kg->first <= last;
           ++kg) {
        DataInputView in(kg->second);
        visit(kg->first, in);
      }
    }
  }
};

// Where an operator writes its own state during a checkpoint. The final checkpoint of a finished
// job takes no state (nothing restores a finished job): `raw_keyed` is null then, and operators
// skip writing their own state; functions still snapshot, so two-phase-commit sinks pre-commit.
class StateSnapshotContext {
 public:
  StateSnapshotContext(const CheckpointBarrier& barrier, KeyedStateSnapshot* raw_keyed)
      : barrier_(barrier), raw_keyed_(raw_keyed) {}
  int64_t checkpoint_id() const { return barrier_.id; }
  int64_t checkpoint_timestamp() const { return barrier_.timestamp; }
  // A savepoint belongs to the user: a restart never restores it.
  bool is_savepoint() const { return barrier_.is_savepoint; }
  bool takes_state() const { return raw_keyed_ != nullptr; }

  // Writes `entries` (anything iterable of items) under `name`, each item to the key group of
  // key_of(item) among `max_parallelism` key groups, with write(item, out).
  template <class Items, class KeyOf, class Write>
  void write_by_key_group(const std::string& name, int max_parallelism, const Items& items,
                          KeyOf&& key_of, Write&& write) {
    if (raw_keyed_ == nullptr) return;
    raw_keyed_->max_parallelism = max_parallelism;
    std::map<int, std::pair<uint64_t, DataOutputView>> groups;  // key group -> (count, bytes)
    for (const auto& item : items) {
      auto& [count, out] = groups[assign_to_key_group(key_of(item), max_parallelism)];
      ++count;
      write(item, out);
    }
    auto& target = raw_keyed_->key_groups[name];
    for (auto& [key_group, group] : groups) {
      DataOutputView framed;
      framed.write_varint(group.first);
      std::string body = group.second.take();
      framed.write_bytes(body.data(), body.size());
      target[key_group] = framed.take();
    }
  }

 private:
  const CheckpointBarrier& barrier_;
  KeyedStateSnapshot* raw_keyed_;
};

// Reads what write_by_key_group wrote under `name` for key groups [first, last]: calls
// read(DataInputView&) once per item.
template <class Read>
void read_by_key_group(const OperatorRestore& restore, const std::string& name, int first, int last,
                       Read&& read) {
  restore.for_each_raw_key_group(name, first, last, [&](int, DataInputView& in) {
    const uint64_t count = in.read_varint();
    for (uint64_t i = 0; i < count; ++i) read(in);
  });
}

// Who a task reports its checkpoint part to (the job's checkpoint coordinator). Any thread.
class CheckpointResponder {
 public:
  virtual ~CheckpointResponder() = default;
  virtual void acknowledge(int task_index, int64_t checkpoint_id, TaskStateSnapshot state) = 0;
  virtual void decline(int task_index, int64_t checkpoint_id, const std::string& reason) = 0;
};

}  // namespace eddy::runtime
