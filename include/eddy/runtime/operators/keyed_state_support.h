// KeyedStateSupport<K>: the keyed state backend of one keyed operator subtask, for the key groups
// the subtask owns, and how the operator positions it on the current key. Keys must be
// serializable (core/serializer.h) to have state: the backend stores them as bytes. An operator
// whose function never asks for state pays nothing per record.
#pragma once

#include <memory>
#include <utility>

#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/runtime/processing_time_service.h"
#include "eddy/runtime/runtime_context.h"
#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/state/rocksdb_keyed_state_backend.h"

namespace eddy::runtime {

// The key groups [first, last] that a keyed operator subtask owns.
inline std::pair<int, int> key_group_range_of(const RuntimeContext& ctx) {
  return key_group_range_for_operator(ctx.get_max_number_of_parallel_subtasks(),
                                      ctx.get_number_of_parallel_subtasks(),
                                      ctx.get_index_of_this_subtask());
}

// The state backend of one keyed operator subtask, of the job's kind (heap or RocksDB): the key
// groups it owns, TTL measured on the job's processing time, filled from the checkpoint the job
// restores from, if any.
inline std::unique_ptr<KeyedStateBackend> make_subtask_state_backend(RuntimeContext& ctx,
                                                                     ProcessingTimeService& time) {
  auto [first, last] = key_group_range_of(ctx);
  const int max = ctx.get_max_number_of_parallel_subtasks();
  std::unique_ptr<KeyedStateBackend> backend;
  const StateBackendType& settings = ctx.get_execution_config().get_state_backend();
  if (settings == StateBackendType::kRocksDb) {
    RocksDbStateOptions options;
    options.base_directory = settings.rocksdb_local_directory;
    options.block_cache_bytes = static_cast<size_t>(settings.rocksdb_block_cache_bytes);
    options.write_buffer_bytes = static_cast<size_t>(settings.rocksdb_write_buffer_bytes);
    options.max_write_buffers = settings.rocksdb_max_write_buffers;
    options.incremental_checkpoints = settings.incremental_checkpoints;
    backend = std::make_unique<RocksDbKeyedStateBackend>(first, last, max, options);
  } else {
    backend = std::make_unique<HeapKeyedStateBackend>(first, last, max);
  }
  backend->set_ttl_time_provider([&time] { return time.current_processing_time(); });
  if (const OperatorRestore* restore = ctx.get_restore()) {
    for (const auto& old : restore->old_subtasks) {
      if (!old->keyed.empty()) backend->restore(old->keyed);
    }
  }
  return backend;
}

template <class K>
class KeyedStateSupport {
 public:
  // Creates the backend and offers it to the function through `ctx`. `current_key` is where the
  // operator keeps a pointer to the key being processed.
  void open(RuntimeContext& ctx, ProcessingTimeService& time, const K* const* current_key) {
    if constexpr (Serializable<K>) {
      backend_ = make_subtask_state_backend(ctx, time);
      ctx.set_keyed_state(backend_.get(), [this, current_key] {
        if (*current_key != nullptr) set_current_key_of(*backend_, **current_key);
      });
      context_ = &ctx;
    }
  }

  // Positions the backend on `key` if the function uses keyed state.
  void set_current_key(const K& key) {
    if constexpr (Serializable<K>) {
      if (context_ != nullptr && context_->uses_keyed_state()) set_current_key_of(*backend_, key);
    }
  }

  // Null until open(), and for keys that cannot be serialized.
  KeyedStateBackend* backend() { return backend_.get(); }

 private:
  std::unique_ptr<KeyedStateBackend> backend_;
  RuntimeContext* context_ = nullptr;
};

}  // namespace eddy::runtime
