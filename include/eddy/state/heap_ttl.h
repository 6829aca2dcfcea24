// TTL bookkeeping of the heap backend. A state with TTL stores the time of its last write (or
// read, with OnReadAndWrite) beside each value, list element and map entry; a value stamped at t
// is expired once t + ttl <= now. A state without TTL never reads the clock, and its timestamps
// stay 0 (8 bytes per value is the price of one code path for both).
// A read that finds an expired value removes it; with ReturnExpiredIfNotCleanedUp that read
// still returns it, with NeverReturnExpired it sees nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "eddy/core/serializer.h"
#include "eddy/state/key_context.h"
#include "eddy/state/state_ttl_config.h"

namespace eddy::state {

template <class V>
struct Stamped {
  V value;
  int64_t timestamp;
};

}  // namespace eddy::state

template <eddy::Serializable V>
struct eddy::TypeSerializer<eddy::state::Stamped<V>> {
  static void serialize(const eddy::state::Stamped<V>& s, DataOutputView& out) {
    TypeSerializer<V>::serialize(s.value, out);
    out.write_fixed(s.timestamp);
  }
  static eddy::state::Stamped<V> deserialize(DataInputView& in) {
    V value = TypeSerializer<V>::deserialize(in);
    return {std::move(value), in.read_fixed<int64_t>()};
  }
};

namespace eddy::state {

class TtlPolicy {
 public:
  TtlPolicy(const std::optional<StateTtlConfig>& config, const KeyContext& context)
      : context_(context) {
    if (config && config->is_enabled()) {
      ttl_ms_ = config->get_ttl().to_milliseconds();
      refresh_on_read_ = config->get_update_type() == StateTtlConfig::UpdateType::OnReadAndWrite;
      return_expired_ = config->get_state_visibility() ==
                        StateTtlConfig::StateVisibility::ReturnExpiredIfNotCleanedUp;
      incremental_ = config->get_cleanup_strategies().get_incremental_cleanup_strategy();
    }
  }

  bool enabled() const { return ttl_ms_ > 0; }
  // Processing time now; 0 when TTL is off, so the clock is only read by TTL states.
  int64_t now() const { return enabled() ? context_.time_provider()() : 0; }
  bool expired(int64_t timestamp, int64_t now) const {
    return enabled() && now - timestamp >= ttl_ms_;
  }
  bool refresh_on_read() const { return refresh_on_read_; }
  bool return_expired() const { return return_expired_; }

  // With cleanup_incrementally(size, every_record): when the backend moves to the next key and
  // `table` was accessed since (or every_record is set), sweeps about `size` entries of `table`
  // with make_sweeper(now, removed), which returns the erase_some_if predicate.
  template <class Table, class MakeSweeper>
  void on_incremental_cleanup(Table& table, MakeSweeper make_sweeper) {
    if (!enabled() || !incremental_) return;
    context_.add_key_change_listener([this, &table, make_sweeper = std::move(make_sweeper)] {
      if (!table.take_accessed() && !incremental_->run_cleanup_for_every_record) return;
      size_t removed = 0;
      table.erase_some_if(static_cast<size_t>(incremental_->cleanup_size),
                          make_sweeper(now(), removed));
    });
  }

 private:
  const KeyContext& context_;
  int64_t ttl_ms_ = 0;  // 0: TTL disabled
  bool refresh_on_read_ = false;
  bool return_expired_ = false;
  std::optional<StateTtlConfig::IncrementalCleanupStrategy> incremental_;
};

}  // namespace eddy::state
