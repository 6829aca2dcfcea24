// Configuration: Flink-style settings as string key/value pairs ("parallelism.default": "4"),
// read from a YAML file shaped like Flink's conf/config.yaml, where nested maps stand for dotted
// keys (`restart-strategy: {type: fixed-delay}` is "restart-strategy.type"), or set in code with
// PyFlink's typed setters (set_integer, set_boolean, ...).
//
// Values are kept as text; typed getters parse on read and throw ConfigurationException naming
// the key, the value and where it came from (file and line for a YAML key) when the value does
// not parse or does not fit the type (get_integer is a 32-bit int, as Java's getInteger).
// Each key remembers its origin: from_yaml* marks the keys it read, set_* clears the mark.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "eddy/core/exceptions.h"

namespace eddy {

class Configuration {
 public:
  // Throws ConfigurationException (with the file and the line) for malformed YAML, or (with the
  // path and the OS error) for a file that cannot be read, such as a directory.
  static Configuration from_yaml_file(const std::string& path);
  // `source` names the text in error messages.
  static Configuration from_yaml(std::string_view text, const std::string& source = "YAML");

  // ---- setters (PyFlink's names); each returns *this ----
  Configuration& set_string(const std::string& key, std::string value);
  Configuration& set_integer(const std::string& key, int32_t value);
  Configuration& set_long(const std::string& key, int64_t value);
  Configuration& set_boolean(const std::string& key, bool value);
  // Stored as Java's Float.toString / Double.toString show them ("0.1", "1.0E10").
  Configuration& set_float(const std::string& key, float value);
  Configuration& set_double(const std::string& key, double value);
  // Copies every key of `other` (with its origin) over this one's.
  Configuration& add_all(const Configuration& other);
  // True if the key was there.
  bool remove_config(const std::string& key);

  // ---- getters: present keys parse or throw; absent keys give the default ----
  bool contains_key(const std::string& key) const { return values_.count(key) > 0; }
  bool contains(const std::string& key) const { return contains_key(key); }
  std::optional<std::string> get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& default_value) const;
  int32_t get_integer(const std::string& key, int32_t default_value) const;
  int64_t get_long(const std::string& key, int64_t default_value) const;
  bool get_boolean(const std::string& key, bool default_value) const;
  float get_float(const std::string& key, float default_value) const;
  double get_double(const std::string& key, double default_value) const;
  // Durations as Flink writes them: "500 ms", "10 s", "10s", "1 min", "2 h", "1 d"; a plain
  // number is milliseconds. A duration beyond int64 milliseconds is an error, never wrapped.
  int64_t get_duration_ms(const std::string& key, int64_t default_value) const;

  std::set<std::string> key_set() const;
  const std::map<std::string, std::string>& to_map() const { return values_; }

  // Where `key` came from: "conf/config.yaml, line 3"; empty for a key set in code.
  std::string origin(const std::string& key) const;
  // "'key' (in conf/config.yaml, line 3)", or "'key'" for a key set in code: for messages.
  std::string describe_key(const std::string& key) const;
  // "Invalid value for key 'key' (in ...): <reason>" — the error every reader of a key throws
  // when its setting rejects the value.
  ConfigurationException invalid_value(const std::string& key, const std::string& reason) const;

 private:
  struct Origin {
    std::string source;
    int line = 0;  // 1-based; 0: unknown
  };

  [[noreturn]] void throw_bad_value(const std::string& key, const std::string& expected) const;
  Configuration& set_value(const std::string& key, std::string value);

  std::map<std::string, std::string> values_;
  std::map<std::string, Origin> origins_;  // keys read from YAML only
};

// Parses a duration ("10 s", "1 min", "250"); nothing if it is not one or exceeds int64 ms.
std::optional<int64_t> parse_duration_ms(std::string_view text);

}  // namespace eddy
