#include "eddy/core/configuration.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "eddy/core/exceptions.h"
#include "eddy/core/java_number_format.h"

namespace eddy {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Nested maps become dotted keys; scalars are kept as written; lists as their YAML flow text.
// `line` is the 1-based line of the key that holds each value.
void flatten(const YAML::Node& node, const std::string& prefix, int line,
             std::map<std::string, std::string>& out, std::map<std::string, int>& lines) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      flatten(entry.second, prefix.empty() ? key : prefix + "." + key, entry.first.Mark().line + 1,
              out, lines);
    }
    return;
  }
  if (node.IsScalar()) {
    out[prefix] = node.Scalar();
  } else if (node.IsSequence()) {
    YAML::Emitter emitter;
    emitter << YAML::Flow << node;
    out[prefix] = emitter.c_str();
  } else if (node.IsNull() && !prefix.empty()) {
    out[prefix] = "";
  } else {
    return;
  }
  lines[prefix] = line;
}

enum class DurationParse { kOk, kMalformed, kOutOfRange };

DurationParse parse_duration(std::string_view text, int64_t& ms) {
  const std::string s = trim(text);
  int64_t amount = 0;
  const char* end = s.data() + s.size();
  auto [rest, ec] = std::from_chars(s.data(), end, amount);
  if (rest == s.data() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return DurationParse::kMalformed;
  }
  if (amount < 0) return DurationParse::kMalformed;
  std::string unit = trim(std::string_view(rest, static_cast<size_t>(end - rest)));
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::map<std::string, int64_t> kUnits = {
      {"", 1},           {"ms", 1},           {"milli", 1},
      {"millis", 1},     {"millisecond", 1},  {"milliseconds", 1},
      {"s", 1000},       {"sec", 1000},       {"secs", 1000},
      {"second", 1000},  {"seconds", 1000},   {"min", 60'000},
      {"m", 60'000},     {"minute", 60'000},  {"minutes", 60'000},
      {"h", 3'600'000},  {"hour", 3'600'000}, {"hours", 3'600'000},
      {"d", 86'400'000}, {"day", 86'400'000}, {"days", 86'400'000}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) return DurationParse::kMalformed;
  if (ec == std::errc::result_out_of_range ||
      amount > std::numeric_limits<int64_t>::max() / it->second) {
    return DurationParse::kOutOfRange;
  }
  ms = amount * it->second;
  return DurationParse::kOk;
}

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  int64_t ms = 0;
  if (parse_duration(text, ms) != DurationParse::kOk) return std::nullopt;
  return ms;
}

Configuration Configuration::from_yaml_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw ConfigurationException("Cannot read the configuration file " + path +
                                 ": it is a directory");
  }
  std::ifstream in(path);
  if (!in) {
    throw ConfigurationException("Cannot read the configuration file " + path + ": " +
                                 std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw ConfigurationException("Cannot read the configuration file " + path + ": " +
                                 std::strerror(errno));
  }
  return from_yaml(text.str(), path);
}

Configuration Configuration::from_yaml(std::string_view text, const std::string& source) {
  Configuration config;
  std::map<std::string, int> lines;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsNull() && !root.IsMap()) {
      throw ConfigurationException(source + ": expected a map of settings at the top level");
    }
    flatten(root, "", 0, config.values_, lines);
  } catch (const YAML::Exception& e) {
    throw ConfigurationException(source + ": line " + std::to_string(e.mark.line + 1) +
                                 ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  for (const auto& [key, line] : lines) config.origins_[key] = Origin{source, line};
  return config;
}

Configuration& Configuration::set_value(const std::string& key, std::string value) {
  values_[key] = std::move(value);
  origins_.erase(key);
  return *this;
}

Configuration& Configuration::set_string(const std::string& key, std::string value) {
  return set_value(key, std::move(value));
}

Configuration& Configuration::set_integer(const std::string& key, int32_t value) {
  return set_value(key, std::to_string(value));
}

Configuration& Configuration::set_long(const std::string& key, int64_t value) {
  return set_value(key, std::to_string(value));
}

Configuration& Configuration::set_boolean(const std::string& key, bool value) {
  return set_value(key, value ? "true" : "false");
}

Configuration& Configuration::set_float(const std::string& key, float value) {
  return set_value(key, java_float_to_string(value));
}

Configuration& Configuration::set_double(const std::string& key, double value) {
  return set_value(key, java_double_to_string(value));
}

Configuration& Configuration::add_all(const Configuration& other) {
  for (const auto& [key, value] : other.values_) {
    values_[key] = value;
    auto origin = other.origins_.find(key);
    if (origin != other.origins_.end()) {
      origins_[key] = origin->second;
    } else {
      origins_.erase(key);
    }
  }
  return *this;
}

bool Configuration::remove_config(const std::string& key) {
  origins_.erase(key);
  return values_.erase(key) > 0;
}

std::set<std::string> Configuration::key_set() const {
  std::set<std::string> keys;
  for (const auto& entry : values_) keys.insert(entry.first);
  return keys;
}

std::optional<std::string> Configuration::get_string(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Configuration::get_string(const std::string& key,
                                      const std::string& default_value) const {
  auto it = values_.find(key);
  return it == values_.end() ? default_value : it->second;
}

std::string Configuration::origin(const std::string& key) const {
  auto it = origins_.find(key);
  if (it == origins_.end()) return "";
  if (it->second.line <= 0) return it->second.source;
  return it->second.source + ", line " + std::to_string(it->second.line);
}

std::string Configuration::describe_key(const std::string& key) const {
  const std::string where = origin(key);
  return "'" + key + "'" + (where.empty() ? "" : " (in " + where + ")");
}

ConfigurationException Configuration::invalid_value(const std::string& key,
                                                    const std::string& reason) const {
  return ConfigurationException("Invalid value for key " + describe_key(key) + ": " + reason);
}

void Configuration::throw_bad_value(const std::string& key, const std::string& expected) const {
  throw ConfigurationException("Could not parse value '" + values_.at(key) + "' for key " +
                               describe_key(key) + ": expected " + expected);
}

int64_t Configuration::get_long(const std::string& key, int64_t default_value) const {
  auto value = get_string(key);
  if (!value) return default_value;
  std::string s = trim(*value);
  if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.erase(0, 1);  // as Java's Long.parseLong
  int64_t result = 0;
  auto [rest, ec] = std::from_chars(s.data(), s.data() + s.size(), result);
  if (s.empty() || rest != s.data() + s.size()) throw_bad_value(key, "an integer");
  if (ec == std::errc::result_out_of_range) {
    throw_bad_value(key, "an integer from -9223372036854775808 to 9223372036854775807");
  }
  if (ec != std::errc()) throw_bad_value(key, "an integer");
  return result;
}

int32_t Configuration::get_integer(const std::string& key, int32_t default_value) const {
  if (!contains_key(key)) return default_value;
  const std::string range = "an integer from -2147483648 to 2147483647";
  int64_t result = 0;
  try {
    result = get_long(key, 0);
  } catch (const ConfigurationException&) {
    // Numbers beyond int64 are out of range too; anything else is not an integer.
    const std::string s = trim(values_.at(key));
    const bool digits = !s.empty() && s.find_first_not_of("+-0123456789") == std::string::npos;
    throw_bad_value(key, digits ? range : "an integer");
  }
  if (result < std::numeric_limits<int32_t>::min() ||
      result > std::numeric_limits<int32_t>::max()) {
    throw_bad_value(key, range);
  }
  return static_cast<int32_t>(result);
}

double Configuration::get_double(const std::string& key, double default_value) const {
  auto value = get_string(key);
  if (!value) return default_value;
  const std::string s = trim(*value);
  size_t used = 0;
  double result = 0;
  try {
    result = std::stod(s, &used);
  } catch (const std::out_of_range&) {
    throw_bad_value(key, "a number within the range of a double (about 1.8E308)");
  } catch (const std::exception&) {
    throw_bad_value(key, "a number");
  }
  if (used != s.size()) throw_bad_value(key, "a number");
  return result;
}

float Configuration::get_float(const std::string& key, float default_value) const {
  if (!contains_key(key)) return default_value;
  const double result = get_double(key, 0);
  if (std::isfinite(result) && std::fabs(result) > std::numeric_limits<float>::max()) {
    throw_bad_value(key, "a number within the range of a float (about 3.4E38)");
  }
  return static_cast<float>(result);
}

bool Configuration::get_boolean(const std::string& key, bool default_value) const {
  auto value = get_string(key);
  if (!value) return default_value;
  std::string s = trim(*value);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true") return true;
  if (s == "false") return false;
  throw_bad_value(key, "true or false");
}

int64_t Configuration::get_duration_ms(const std::string& key, int64_t default_value) const {
  auto value = get_string(key);
  if (!value) return default_value;
  int64_t ms = 0;
  switch (parse_duration(*value, ms)) {
    case DurationParse::kOk:
      return ms;
    case DurationParse::kOutOfRange:
      throw_bad_value(key, "a duration of at most 9223372036854775807 ms (about 106751991167 d)");
    case DurationParse::kMalformed:
      break;
  }
  throw_bad_value(key, "a duration such as '500 ms', '10 s', '1 min', '2 h' or '1 d'");
}

}  // namespace eddy
