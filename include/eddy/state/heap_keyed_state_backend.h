// HeapKeyedStateBackend: keyed state as objects on the heap. Each state has one table, and each
// table one hash map per key group of the backend's range (heap_state_table.h), so checkpoints
// and rescaling can move whole key groups. Values are stored as objects, not bytes: an access
// is one hash lookup on (key bytes, namespace) and copies the value out.
#pragma once

#include <cstddef>
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

 protected:
  std::unique_ptr<state::InternalKvStateBase> create_state(
      const state::StateFactory& factory) override {
    return factory.create_heap_state(key_context());
  }
};

}  // namespace eddy
