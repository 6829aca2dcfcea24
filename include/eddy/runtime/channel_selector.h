// Channel selectors decide which downstream subtask receives a record (Flink's partitioners).
// A selector instance belongs to one sending subtask and is used by its thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "eddy/core/key_hash.h"

namespace eddy::runtime {

// The ship strategies of an edge, named as in Flink's execution plan.
enum class PartitionKind {
  kForward,
  kHash,
  kRebalance,
  kRescale,
  kShuffle,
  kBroadcast,
  kGlobal,
  kCustom
};

inline const char* ship_strategy_name(PartitionKind kind) {
  switch (kind) {
    case PartitionKind::kForward:
      return "FORWARD";
    case PartitionKind::kHash:
      return "HASH";
    case PartitionKind::kRebalance:
      return "REBALANCE";
    case PartitionKind::kRescale:
      return "RESCALE";
    case PartitionKind::kShuffle:
      return "SHUFFLE";
    case PartitionKind::kBroadcast:
      return "BROADCAST";
    case PartitionKind::kGlobal:
      return "GLOBAL";
    case PartitionKind::kCustom:
      return "CUSTOM";
  }
  return "UNKNOWN";
}

// FORWARD and RESCALE connect subtasks pointwise; every other strategy connects all to all.
inline bool is_pointwise(PartitionKind kind) {
  return kind == PartitionKind::kForward || kind == PartitionKind::kRescale;
}

class ChannelSelectorBase {
 public:
  virtual ~ChannelSelectorBase() = default;
  // REQUIRES: num_channels >= 1. max_parallelism is the receiving operator's.
  virtual void setup(int num_channels, int max_parallelism, int subtask_index) {
    num_channels_ = num_channels;
    max_parallelism_ = max_parallelism;
    subtask_index_ = subtask_index;
  }
  virtual bool is_broadcast() const { return false; }

 protected:
  int num_channels_ = 1;
  int max_parallelism_ = kDefaultMaxParallelism;
  int subtask_index_ = 0;
};

template <class T>
class ChannelSelector : public ChannelSelectorBase {
 public:
  // Returns a channel in [0, num_channels).
  virtual int select(const T& record) = 0;
};

template <class T>
class FirstChannelSelector final : public ChannelSelector<T> {  // FORWARD and GLOBAL
 public:
  int select(const T&) override { return 0; }
};

template <class T>
class RoundRobinSelector final : public ChannelSelector<T> {  // REBALANCE and RESCALE
 public:
  void setup(int num_channels, int max_parallelism, int subtask_index) override {
    ChannelSelector<T>::setup(num_channels, max_parallelism, subtask_index);
    next_ = subtask_index % num_channels;  // spread the first records of parallel senders
  }
  int select(const T&) override {
    int c = next_;
    if (++next_ == this->num_channels_) next_ = 0;
    return c;
  }

 private:
  int next_ = 0;
};

template <class T>
class ShuffleSelector final : public ChannelSelector<T> {  // SHUFFLE: uniformly random
 public:
  void setup(int num_channels, int max_parallelism, int subtask_index) override {
    ChannelSelector<T>::setup(num_channels, max_parallelism, subtask_index);
    state_ = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(subtask_index + 1);
  }
  int select(const T&) override {
    state_ ^= state_ << 13;  // xorshift64: cheap and good enough to spread load
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<int>(state_ % static_cast<uint64_t>(this->num_channels_));
  }

 private:
  uint64_t state_ = 1;
};

template <class T>
class BroadcastSelector final : public ChannelSelector<T> {
 public:
  bool is_broadcast() const override { return true; }
  int select(const T&) override { return 0; }
};

// HASH: key → key group → the subtask owning that key group.
template <class T, class KeySelector>
class KeyGroupSelector final : public ChannelSelector<T> {
 public:
  explicit KeyGroupSelector(KeySelector key_selector) : key_selector_(std::move(key_selector)) {}
  int select(const T& record) override {
    int key_group = assign_to_key_group(key_selector_(record), this->max_parallelism_);
    return operator_index_for_key_group(this->max_parallelism_, this->num_channels_, key_group);
  }

 private:
  KeySelector key_selector_;
};

// CUSTOM: the user's partitioner(key, num_partitions) picks the channel.
template <class T, class Partitioner, class KeySelector>
class CustomSelector final : public ChannelSelector<T> {
 public:
  CustomSelector(Partitioner partitioner, KeySelector key_selector)
      : partitioner_(std::move(partitioner)), key_selector_(std::move(key_selector)) {}
  // A channel outside [0, n) would corrupt routing, so the user's answer is checked.
  int select(const T& record) override {
    int channel = static_cast<int>(partitioner_(key_selector_(record), this->num_channels_));
    if (channel < 0 || channel >= this->num_channels_) {
      throw std::out_of_range("custom partitioner returned partition " + std::to_string(channel) +
                              ", expected a value in [0, " + std::to_string(this->num_channels_) +
                              ")");
    }
    return channel;
  }

 private:
  Partitioner partitioner_;
  KeySelector key_selector_;
};

// A typed selector factory carried by HASH and CUSTOM edges.
class SelectorFactory {
 public:
  virtual ~SelectorFactory() = default;
  virtual std::unique_ptr<ChannelSelectorBase> create() const = 0;
};

template <class Make>
class LambdaSelectorFactory final : public SelectorFactory {
 public:
  explicit LambdaSelectorFactory(Make make) : make_(std::move(make)) {}
  std::unique_ptr<ChannelSelectorBase> create() const override { return make_(); }

 private:
  Make make_;
};

// How an edge distributes records: the kind, plus a typed selector for HASH and CUSTOM.
struct PartitionerSpec {
  PartitionKind kind = PartitionKind::kForward;
  std::shared_ptr<const SelectorFactory> selector_factory;  // null for untyped kinds
};

}  // namespace eddy::runtime
