#include "eddy/state/key_context.h"

#include <string>

#include "eddy/core/key_hash.h"
#include "eddy/state/state_exception.h"

namespace eddy::state {

KeyContext::KeyContext(int first_key_group, int last_key_group, int max_parallelism)
    : first_key_group_(first_key_group),
      last_key_group_(last_key_group),
      max_parallelism_(max_parallelism),
      time_provider_(system_ttl_time_provider()) {
  if (max_parallelism < 1 || max_parallelism > kUpperBoundMaxParallelism) {
    throw StateException("keyed state backend: max parallelism " + std::to_string(max_parallelism) +
                         " is outside [1, " + std::to_string(kUpperBoundMaxParallelism) + "]");
  }
  if (first_key_group < 0 || first_key_group > last_key_group ||
      last_key_group >= max_parallelism) {
    throw StateException("keyed state backend: key group range [" +
                         std::to_string(first_key_group) + ", " + std::to_string(last_key_group) +
                         "] is empty or outside [0, " + std::to_string(max_parallelism - 1) + "]");
  }
}

void KeyContext::set(std::string key_bytes, int key_group) {
  if (key_group < first_key_group_ || key_group > last_key_group_) {
    throw StateException("key group " + std::to_string(key_group) +
                         " is outside this backend's key group range [" +
                         std::to_string(first_key_group_) + ", " + std::to_string(last_key_group_) +
                         "] (max parallelism " + std::to_string(max_parallelism_) +
                         "); the key reached the wrong subtask");
  }
  key_ = std::move(key_bytes);
  key_group_ = key_group;
  for (const auto& listener : key_change_listeners_) listener();
}

void KeyContext::set_time_provider(TtlTimeProvider provider) {
  if (!provider) throw StateException("keyed state backend: empty TTL time provider");
  time_provider_ = std::move(provider);
}

void KeyContext::throw_no_current_key() {
  throw StateException("keyed state accessed before set_current_key: no current key");
}

}  // namespace eddy::state
