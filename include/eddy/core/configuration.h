// Configuration: Flink-style settings as string key/value pairs ("parallelism.default": "4"),
// read from a YAML file shaped like Flink's conf/config.yaml, where nested maps stand for dotted
// keys (`restart-strategy: {type: fixed-delay}` is "restart-strategy.type"). Typed getters
// parse on read and throw ConfigurationException naming the key, the value and where it came
// from when the value does not parse.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace eddy {

class Configuration {
 public:
  // Throws ConfigurationException (with the file and the line) for malformed YAML or a file that
  // cannot be read.
  static Configuration from_yaml_file(const std::string& path);
  // `source` names the text in error messages.
  static Configuration from_yaml(std::string_view text, const std::string& source = "YAML");

  Configuration& set_string(const std::string& key, std::string value);
  bool contains(const std::string& key) const { return values_.count(key) > 0; }
  std::optional<std::string> get_string(const std::string& key) const;
  // Present keys parse or throw; absent keys give the default.
  int64_t get_integer(const std::string& key, int64_t default_value) const;
  double get_double(const std::string& key, double default_value) const;
  bool get_boolean(const std::string& key, bool default_value) const;
  // Durations as Flink writes them: "500 ms", "10 s", "10s", "1 min", "2 h", "1 d"; a plain
  // number is milliseconds.
  int64_t get_duration_ms(const std::string& key, int64_t default_value) const;

  const std::map<std::string, std::string>& to_map() const { return values_; }

 private:
  [[noreturn]] void throw_bad_value(const std::string& key, const std::string& expected) const;

  std::map<std::string, std::string> values_;
  std::string source_ = "configuration";
};

// Parses a duration ("10 s", "1 min", "250"); nothing if it is not one.
std::optional<int64_t> parse_duration_ms(std::string_view text);

}  // namespace eddy
