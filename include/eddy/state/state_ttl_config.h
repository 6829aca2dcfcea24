// Time-to-live of keyed state, configured as in PyFlink:
//   auto ttl = StateTtlConfig::new_builder(Time::minutes(30))
//                  .set_update_type(StateTtlConfig::UpdateType::OnReadAndWrite)
//                  .set_state_visibility(StateTtlConfig::StateVisibility::NeverReturnExpired)
//                  .build();
//   descriptor.enable_time_to_live(ttl);
// TTL runs on processing time, read from the backend's TtlTimeProvider. A value written (or,
// with OnReadAndWrite, read) at time t expires at t + ttl: it is expired when t + ttl <= now.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "eddy/core/time.h"

namespace eddy {

// Processing time in epoch milliseconds; tests pass a manual clock.
using TtlTimeProvider = std::function<int64_t()>;

// The wall clock as a TtlTimeProvider.
TtlTimeProvider system_ttl_time_provider();

class StateTtlConfig {
 public:
  // When the last-access timestamp of a value is refreshed.
  enum class UpdateType { Disabled, OnCreateAndWrite, OnReadAndWrite };
  // Whether a read may see an expired value that has not been removed yet. Either way the
  // expired value is removed by the read that finds it.
  enum class StateVisibility { ReturnExpiredIfNotCleanedUp, NeverReturnExpired };
  enum class TtlTimeCharacteristic { ProcessingTime };

  struct IncrementalCleanupStrategy {
    int cleanup_size = 5;
    bool run_cleanup_for_every_record = false;
  };

  // How expired state is removed besides on access.
  class CleanupStrategies {
   public:
    bool is_cleanup_in_background() const { return cleanup_in_background_; }
    bool in_full_snapshot() const { return full_snapshot_; }
    const std::optional<IncrementalCleanupStrategy>& get_incremental_cleanup_strategy() const {
      return incremental_;
    }

   private:
    friend class StateTtlConfig;
    bool cleanup_in_background_ = true;
    bool full_snapshot_ = false;
    std::optional<IncrementalCleanupStrategy> incremental_;
  };

  class Builder {
   public:
    explicit Builder(Time ttl) : ttl_(ttl) {}

    Builder& set_update_type(UpdateType type);
    Builder& update_ttl_on_create_and_write() {
      return set_update_type(UpdateType::OnCreateAndWrite);
    }
    Builder& update_ttl_on_read_and_write() { return set_update_type(UpdateType::OnReadAndWrite); }
    Builder& set_state_visibility(StateVisibility visibility);
    Builder& return_expired_if_not_cleaned_up() {
      return set_state_visibility(StateVisibility::ReturnExpiredIfNotCleanedUp);
    }
    Builder& never_return_expired() {
      return set_state_visibility(StateVisibility::NeverReturnExpired);
    }
    Builder& set_ttl_time_characteristic(TtlTimeCharacteristic characteristic);
    Builder& use_processing_time() {
      return set_ttl_time_characteristic(TtlTimeCharacteristic::ProcessingTime);
    }
    // Drop expired values when a full snapshot is taken.
    Builder& cleanup_full_snapshot();
    // Check up to `cleanup_size` entries per state access (and per record if asked) for expiry.
    // REQUIRES: cleanup_size > 0.
    Builder& cleanup_incrementally(int cleanup_size, bool run_cleanup_for_every_record);
    Builder& disable_cleanup_in_background();
    Builder& set_ttl(Time ttl);

    // Throws ConfigurationException for a TTL that is not positive.
    StateTtlConfig build() const;

   private:
    Time ttl_;
    UpdateType update_type_ = UpdateType::OnCreateAndWrite;
    StateVisibility visibility_ = StateVisibility::NeverReturnExpired;
    TtlTimeCharacteristic characteristic_ = TtlTimeCharacteristic::ProcessingTime;
    CleanupStrategies cleanup_;
  };

  static Builder new_builder(Time ttl) { return Builder(ttl); }

  Time get_ttl() const { return ttl_; }
  UpdateType get_update_type() const { return update_type_; }
  StateVisibility get_state_visibility() const { return visibility_; }
  TtlTimeCharacteristic get_ttl_time_characteristic() const { return characteristic_; }
  const CleanupStrategies& get_cleanup_strategies() const { return cleanup_; }
  bool is_enabled() const { return update_type_ != UpdateType::Disabled; }

 private:
  StateTtlConfig(Time ttl, UpdateType update_type, StateVisibility visibility,
                 TtlTimeCharacteristic characteristic, CleanupStrategies cleanup)
      : ttl_(ttl),
        update_type_(update_type),
        visibility_(visibility),
        characteristic_(characteristic),
        cleanup_(cleanup) {}

  Time ttl_;
  UpdateType update_type_;
  StateVisibility visibility_;
  TtlTimeCharacteristic characteristic_;
  CleanupStrategies cleanup_;
};

}  // namespace eddy
