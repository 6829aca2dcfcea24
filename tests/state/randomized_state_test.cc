// Each backend against a plain std::map model over many random operations, with keys spread
// over the key groups of a sub-range and several namespaces.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "state/backends.h"

namespace eddy {
namespace {

constexpr int kMaxParallelism = 128;
constexpr int kParallelism = 3;
constexpr int kSubtask = 1;

// Keys that the chosen subtask owns, so they spread over its key groups only.
std::vector<std::string> owned_keys(int n) {
  const auto [first, last] = key_group_range_for_operator(kMaxParallelism, kParallelism, kSubtask);
  std::vector<std::string> keys;
  for (int i = 0; static_cast<int>(keys.size()) < n; ++i) {
    std::string key = "user-" + std::to_string(i);
    const int group = assign_to_key_group(key, kMaxParallelism);
    if (group >= first && group <= last) keys.push_back(key);
  }
  return keys;
}

using RandomizedStateTest = testing_backends::BackendTest;

TEST_P(RandomizedStateTest, ValueAndListStateMatchAMapModel) {
  const auto [first, last] = key_group_range_for_operator(kMaxParallelism, kParallelism, kSubtask);
  std::unique_ptr<KeyedStateBackend> owned = make(first, last, kMaxParallelism);
  KeyedStateBackend& backend = *owned;
  auto& value = backend.get_partitioned_state<int>(ValueStateDescriptor<int64_t>("value"));
  auto& list = backend.get_partitioned_state<int>(ListStateDescriptor<int64_t>("list"));
  std::map<std::pair<std::string, int>, int64_t> value_model;
  std::map<std::pair<std::string, int>, std::vector<int64_t>> list_model;

  const std::vector<std::string> keys = owned_keys(40);
  std::mt19937_64 random(20240607);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<uint64_t>(n)); };

  for (int step = 0; step < 20000; ++step) {
    const std::string& key = keys[static_cast<size_t>(pick(static_cast<int>(keys.size())))];
    const int ns = pick(4);
    const int64_t v = pick(1000);
    set_current_key_of(backend, key);
    value.set_current_namespace(ns);
    list.set_current_namespace(ns);
    const auto model_key = std::make_pair(key, ns);
    switch (pick(7)) {
      case 0:
        value.update(v);
        value_model[model_key] = v;
        break;
      case 1:
        value.clear();
        value_model.erase(model_key);
        break;
      case 2:
        list.add(v);
        list_model[model_key].push_back(v);
        break;
      case 3:
        list.update({v, v + 1});
        list_model[model_key] = {v, v + 1};
        break;
      case 4:
        list.clear();
        list_model.erase(model_key);
        break;
      case 5: {
        const int target = pick(4);
        const std::vector<int> sources = {pick(4), pick(4)};
        list.merge_namespaces(target, sources);
        std::vector<int64_t> merged;
        for (int source : sources) {
          auto it = list_model.find({key, source});
          if (it == list_model.end()) continue;
          merged.insert(merged.end(), it->second.begin(), it->second.end());
          list_model.erase(it);
        }
        if (!merged.empty()) {
          auto& target_list = list_model[{key, target}];
          target_list.insert(target_list.end(), merged.begin(), merged.end());
        }
        break;
      }
      default: {
        auto it = value_model.find(model_key);
        ASSERT_EQ(value.value(), it == value_model.end() ? std::nullopt : std::optional(it->second))
            << "step " << step;
        auto lit = list_model.find(model_key);
        ASSERT_EQ(list.get(), lit == list_model.end() ? std::vector<int64_t>{} : lit->second)
            << "step " << step;
      }
    }
  }
  ASSERT_EQ(backend.num_entries(), value_model.size() + list_model.size());
  for (const auto& [model_key, expected] : value_model) {
    set_current_key_of(backend, model_key.first);
    value.set_current_namespace(model_key.second);
    EXPECT_EQ(value.value(), expected);
  }
  for (const auto& [model_key, expected] : list_model) {
    set_current_key_of(backend, model_key.first);
    list.set_current_namespace(model_key.second);
    EXPECT_EQ(list.get(), expected);
  }
}

TEST_P(RandomizedStateTest, MapStateMatchesAMapModel) {
  KeyedStateBackend& backend = backend_;
  MapState<int, int>& map = backend.get_map_state(MapStateDescriptor<int, int>("map"));
  std::map<std::string, std::map<int, int>> model;
  std::mt19937 random(7);
  for (int step = 0; step < 20000; ++step) {
    const std::string key = "k" + std::to_string(random() % 30);
    const int user_key = static_cast<int>(random() % 8);
    set_current_key_of(backend, key);
    switch (random() % 4) {
      case 0:
        map.put(user_key, step);
        model[key][user_key] = step;
        break;
      case 1:
        map.remove(user_key);
        if (auto it = model.find(key); it != model.end()) {
          it->second.erase(user_key);
          if (it->second.empty()) model.erase(it);
        }
        break;
      case 2:
        if (random() % 10 == 0) {
          map.clear();
          model.erase(key);
        }
        break;
      default: {
        auto it = model.find(key);
        std::optional<int> expected;
        if (it != model.end() && it->second.count(user_key)) expected = it->second.at(user_key);
        ASSERT_EQ(map.get(user_key), expected) << "step " << step;
        ASSERT_EQ(map.is_empty(), it == model.end()) << "step " << step;
        std::vector<std::pair<int, int>> items = map.items();
        std::sort(items.begin(), items.end());
        std::vector<std::pair<int, int>> expected_items;
        if (it != model.end()) expected_items.assign(it->second.begin(), it->second.end());
        ASSERT_EQ(items, expected_items) << "step " << step;
      }
    }
  }
  EXPECT_EQ(backend.num_entries(), model.size());
}

EDDY_INSTANTIATE_FOR_EACH_BACKEND(RandomizedStateTest);

}  // namespace
}  // namespace eddy
