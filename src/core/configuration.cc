#include "eddy/core/configuration.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Nested maps become dotted keys; scalars are kept as written; lists as their YAML flow text.
void flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      flatten(entry.second, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else if (node.IsScalar()) {
    out[prefix] = node.Scalar();
  } else if (node.IsSequence()) {
    YAML::Emitter emitter;
    emitter << YAML::Flow << node;
    out[prefix] = emitter.c_str();
  } else if (node.IsNull() && !prefix.empty()) {
    out[prefix] = "";
  }
}

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  const std::string s = trim(text);
  int64_t amount = 0;
  const char* end = s.data() + s.size();
  auto [rest, ec] = std::from_chars(s.data(), end, amount);
  if (ec != std::errc() || rest == s.data() || amount < 0) return std::nullopt;
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
  if (it == kUnits.end()) return std::nullopt;
  return amount * it->second;
}

Configuration Configuration::from_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigurationException("Cannot read the configuration file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return from_yaml(text.str(), path);
}

Configuration Configuration::from_yaml(std::string_view text, const std::string& source) {
  Configuration config;
  config.source_ = source;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsNull() && !root.IsMap()) {
      throw ConfigurationException(source + ": expected a map of settings at the top level");
    }
    flatten(root, "", config.values_);
  } catch (const YAML::Exception& e) {
    throw ConfigurationException(source + ": line " + std::to_string(e.mark.line + 1) +
                                 ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return config;
}

Configuration& Configuration::set_string(const std::string& key, std::string value) {
  values_[key] = std::move(value);
  return *this;
}

std::optional<std::string> Configuration::get_string(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

void Configuration::throw_bad_value(const std::string& key, const std::string& expected) const {
  throw ConfigurationException("Could not parse value '" + values_.at(key) + "' for key '" + key +
                               "' (in " + source_ + "): expected " + expected);
}

int64_t Configuration::get_integer(const std::string& key, int64_t default_value) const {
  auto value = get_string(key);
  if (!value) return default_value;
  const std::string s = trim(*value);
  int64_t result = 0;
  auto [rest, ec] = std::from_chars(s.data(), s.data() + s.size(), result);
  if (ec != std::errc() || rest != s.data() + s.size() || s.empty()) {
    throw_bad_value(key, "an integer");
  }
  return result;
}

double Configuration::get_double(const std::string& key, double default_value) const {
  auto value = get_string(key);
  if (!value) return default_value;
  const std::string s = trim(*value);
  size_t used = 0;
  double result = 0;
  try {
    result = std::stod(s, &used);
  } catch (const std::exception&) {
    throw_bad_value(key, "a number");
  }
  if (used != s.size()) throw_bad_value(key, "a number");
  return result;
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
  auto ms = parse_duration_ms(*value);
  if (!ms) throw_bad_value(key, "a duration such as '500 ms', '10 s', '1 min', '2 h' or '1 d'");
  return *ms;
}

}  // namespace eddy
