#include "eddy/state/heap_keyed_state_backend.h"

namespace eddy {

size_t HeapKeyedStateBackend::cleanup_expired() {
  size_t removed = 0;
  for_each_state([&](state::InternalKvStateBase& state) { removed += state.remove_expired(); });
  return removed;
}

}  // namespace eddy
