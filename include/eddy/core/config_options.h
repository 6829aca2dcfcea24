// The registry of configuration keys: every key Eddy reads, with its default and meaning, and the
// Flink keys Eddy knows of but does not act on (yet). It is how a key that nothing reads gets
// reported instead of silently ignored: check_config_keys() lists, for a configuration, the keys
// outside the registry (with a "did you mean" hint for near misses), the Flink keys Eddy ignores,
// and an execution.target Eddy cannot honour.
//
// Adding a key that some code reads: add a line to the table in src/core/config_options.cc and to
// docs/configuration.md; a key missing from the table is reported as unknown to every user.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eddy {

class Configuration;

struct ConfigOption {
  std::string_view key;
  std::string_view default_value;  // as written in YAML; "" when there is none
  std::string_view description;
};

// Every key Eddy reads, sorted by key.
std::span<const ConfigOption> config_options();
// The option for `key`, or nullptr.
const ConfigOption* find_config_option(std::string_view key);

// One warning per key of `config` that Eddy does not act on, naming the key and where it came
// from; empty when every key is used. Deterministic (ordered by key).
std::vector<std::string> check_config_keys(const Configuration& config);
// Logs check_config_keys()'s warnings through the "eddy.config" logger.
void warn_about_ignored_config_keys(const Configuration& config);

}  // namespace eddy
