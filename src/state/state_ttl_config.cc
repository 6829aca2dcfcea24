#include "eddy/state/state_ttl_config.h"

#include <chrono>
#include <string>

#include "eddy/core/exceptions.h"

namespace eddy {

TtlTimeProvider system_ttl_time_provider() {
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

using Builder = StateTtlConfig::Builder;

Builder& Builder::set_update_type(UpdateType type) {
  update_type_ = type;
  return *this;
}

Builder& Builder::set_state_visibility(StateVisibility visibility) {
  visibility_ = visibility;
  return *this;
}

Builder& Builder::set_ttl_time_characteristic(TtlTimeCharacteristic characteristic) {
  characteristic_ = characteristic;
  return *this;
}

Builder& Builder::cleanup_full_snapshot() {
  cleanup_.full_snapshot_ = true;
  return *this;
}

Builder& Builder::cleanup_incrementally(int cleanup_size, bool run_cleanup_for_every_record) {
  if (cleanup_size <= 0) {
    throw ConfigurationException("StateTtlConfig: incremental cleanup size must be positive, got " +
                                 std::to_string(cleanup_size));
  }
  cleanup_.incremental_ = IncrementalCleanupStrategy{cleanup_size, run_cleanup_for_every_record};
  return *this;
}

Builder& Builder::disable_cleanup_in_background() {
  cleanup_.cleanup_in_background_ = false;
  return *this;
}

Builder& Builder::set_ttl(Time ttl) {
  ttl_ = ttl;
  return *this;
}

StateTtlConfig Builder::build() const {
  if (ttl_.to_milliseconds() <= 0) {
    throw ConfigurationException("StateTtlConfig: TTL must be positive, got " +
                                 std::to_string(ttl_.to_milliseconds()) + " ms");
  }
  return StateTtlConfig(ttl_, update_type_, visibility_, characteristic_, cleanup_);
}

}  // namespace eddy
