// The synchronous phase of a heap snapshot. A heap state captures its key groups as immutable
// views (HeapKeyGroupsView): taking one copies a shared pointer per key group, and writing it
// later, on any thread, gives the bytes snapshot_key_group() gave at capture time, while the
// task keeps changing the state (copy-on-write, heap_state_table.h).
#pragma once

#include <memory>

#include "eddy/core/serializer.h"

namespace eddy::state {

// The entries of one state's key groups as they were when captured. The entries are immutable:
// safe to write from any thread, also after the state or its backend is gone. The view itself
// belongs to one thread at a time.
class HeapKeyGroupsView {
 public:
  virtual ~HeapKeyGroupsView() = default;
  // Writes key group `index` (0 = the backend's first) exactly as
  // InternalKvStateBase::snapshot_key_group did at capture time.
  // REQUIRES: key group `index` was not released.
  virtual void write_key_group(int index, DataOutputView& out) const = 0;
  // Lets go of key group `index` (once written): the task need not clone it any more.
  virtual void release_key_group(int index) = 0;
};

// Implemented by every heap state beside InternalKvStateBase.
class HeapSnapshotSource {
 public:
  virtual ~HeapSnapshotSource() = default;
  // REQUIRES: the task's thread. O(key groups): no entry is copied. Throws StateException if
  // the state's namespace or value type cannot be serialized.
  virtual std::unique_ptr<HeapKeyGroupsView> capture_key_groups() const = 0;
};

}  // namespace eddy::state
