// HeapKeyedStateBackend: keyed state as objects on the heap. Each state has one table, and each
// table one hash map per key group of the backend's range (heap_state_table.h), so checkpoints
// and rescaling can move whole key groups. Values are stored as objects, not bytes: an access
// is one hash lookup on (key bytes, namespace) and copies the value out.
//
// Checkpoints and savepoints are taken in two phases (copy-on-write): snapshot_for_checkpoint()
// only shares every state's key-group maps with the snapshot (a pointer copy per state and key
// group); the snapshot's materialize() serializes them later on any thread, while the task goes
// on. The first change to a shared key group clones its map, so a key group costs one copy of
// its map at most per snapshot in flight, and only if the task changes it meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "eddy/state/keyed_state_backend.h"

namespace eddy {

class HeapKeyedStateBackend final : public KeyedStateBackend {
 public:
  using KeyedStateBackend::KeyedStateBackend;

  // Removes every expired value of every state with TTL, for all keys; returns how many values
  // (list elements and map entries counted one by one) were removed. Snapshots call it when a
  // state's TTL asks for cleanup_full_snapshot().
  size_t cleanup_expired();

  // The synchronous phase: O(states x key groups) pointer copies; `deferred` then writes the
  // same bytes snapshot() would have written now. Throws StateException (naming the state) if
  // a state's values cannot be serialized.
  KeyedStateSnapshot snapshot_for_checkpoint(int64_t checkpoint_id,
                                             SnapshotType type) const override;

 protected:
  std::unique_ptr<state::InternalKvStateBase> create_state(
      const state::StateFactory& factory) override {
    return factory.create_heap_state(key_context());
  }
};

}  // namespace eddy
