#include "eddy/state/heap_keyed_state_backend.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/heap_snapshot.h"
#include "eddy/state/state_exception.h"

namespace eddy {

size_t HeapKeyedStateBackend::cleanup_expired() {
  size_t removed = 0;
  for_each_state([&](state::InternalKvStateBase& state) { removed += state.remove_expired(); });
  return removed;
}

namespace {

// What the deferred phase of a heap snapshot writes: immutable entries, so it may run on any
// thread and outlive the backend.
struct CapturedState {
  std::string name;
  std::unique_ptr<state::HeapKeyGroupsView> view;
};

struct CapturedBackend {
  int first_key_group = 0;
  int num_key_groups = 0;
  std::vector<CapturedState> states;
  KeyedStateBackend::PendingRestore pending_restore;

  // Writes what KeyedStateBackend::snapshot() writes, byte for byte. With `release`, each key
  // group is let go once written (the task then changes it without a clone), so this can run
  // only once.
  void write(KeyedStateSnapshot& snapshot, bool release) {
    for (CapturedState& captured : states) {
      for (int index = 0; index < num_key_groups; ++index) {
        DataOutputView out;
        try {
          captured.view->write_key_group(index, out);
        } catch (const EddyException& e) {
          throw StateException("cannot snapshot state '" + captured.name + "', key group " +
                               std::to_string(first_key_group + index) + ": " + e.what());
        }
        if (release) captured.view->release_key_group(index);
        // A key group without entries writes just its zero count.
        if (out.size() == 1 && out.data()[0] == 0) continue;
        snapshot.key_groups[captured.name][first_key_group + index] = out.take();
      }
    }
    for (const auto& [name, per_key_group] : pending_restore) {
      for (const auto& [key_group, bytes] : *per_key_group) {
        snapshot.key_groups[name][key_group] = bytes;
      }
    }
  }
};

}  // namespace

KeyedStateSnapshot HeapKeyedStateBackend::snapshot_for_checkpoint(int64_t, SnapshotType) const {
  auto captured = std::make_shared<CapturedBackend>();
  captured->first_key_group = first_key_group();
  captured->num_key_groups = last_key_group() - first_key_group() + 1;
  for_each_named_state([&](const std::string& name, const state::InternalKvStateBase& kv) {
    const auto* source = dynamic_cast<const state::HeapSnapshotSource*>(&kv);
    if (source == nullptr) {
      throw StateException("cannot snapshot state '" + name +
                           "': it is not a heap state, yet it lives in the heap backend");
    }
    std::unique_ptr<state::HeapKeyGroupsView> view;
    try {
      view = source->capture_key_groups();  // throws for unserializable types, even if empty
    } catch (const StateException& e) {
      throw StateException("cannot snapshot state '" + name + "': " + e.what());
    }
    // An empty state writes nothing (as in snapshot()).
    if (kv.num_entries() > 0) captured->states.push_back(CapturedState{name, std::move(view)});
  });
  captured->pending_restore = pending_restore();

  KeyedStateSnapshot snapshot;
  snapshot.max_parallelism = max_parallelism();
  snapshot.serializers = state_serializers();
  // Nothing to write: an empty snapshot, as snapshot() gives (the task leaves it out).
  if (captured->states.empty() && captured->pending_restore.empty()) return snapshot;
  // A copy of the snapshot (of this closure) shares `captured`: only a sole owner may release
  // what it wrote. No one can copy the closure while it runs, so the count cannot rise then.
  snapshot.deferred = [captured = std::move(captured)](KeyedStateSnapshot& target) {
    captured->write(target, captured.use_count() == 1);
  };
  return snapshot;
}

}  // namespace eddy
