// TypeOps<T>: the typed pieces of the runtime for one record type, behind a non-typed face, so
// that the graph and the task can wire a job together without knowing its C++ types.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include "eddy/core/dcheck.h"
#include "eddy/core/exceptions.h"
#include "eddy/core/serializer.h"
#include "eddy/core/type_name.h"
#include "eddy/runtime/buffer.h"
#include "eddy/runtime/channel_selector.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/record_writer_output.h"

namespace eddy::runtime {

// Pushes every record of a received buffer into an operator's input.
class InputDispatcher {
 public:
  virtual ~InputDispatcher() = default;
  // Pushes records [from, size) of `buffer`, stopping early after a record when `*interrupt`
  // is set. Returns the index of the first record not pushed (size when all were).
  virtual size_t dispatch(RecordBufferBase& buffer, size_t from = 0,
                          const std::atomic<bool>* interrupt = nullptr) = 0;
};

struct NetworkOutputParts {
  std::unique_ptr<OutputBase> output;
  NetworkOutput* network;  // the same object as `output`, seen as a NetworkOutput
};

class TypeOpsBase {
 public:
  virtual ~TypeOpsBase() = default;
  virtual std::type_index type() const = 0;
  virtual std::string name() const = 0;
  // REQUIRES: targets are Output<T>, at least two of them.
  virtual std::unique_ptr<OutputBase> make_fan_out(std::vector<OutputBase*> targets) const = 0;
  virtual std::unique_ptr<OutputBase> make_discarding() const = 0;
  virtual std::unique_ptr<ChannelSelectorBase> make_selector(PartitionKind kind) const = 0;
  // REQUIRES: selector is a ChannelSelector<T>.
  virtual NetworkOutputParts make_network_output(ResultPartition* partition,
                                                 std::unique_ptr<ChannelSelectorBase> selector,
                                                 FlushPolicy flush_policy,
                                                 const RecordContext* record_context) const = 0;
  // REQUIRES: target is an Output<T>. The dispatcher sets each record's timestamp in
  // `record_context` before pushing it.
  virtual std::unique_ptr<InputDispatcher> make_dispatcher(OutputBase* target,
                                                           RecordContext* record_context) const = 0;
  // Records [from, size) (and their timestamps) of a RecordBuffer<T>, appended to `out`, for
  // unaligned checkpoints. Throws SerializationError if T has no TypeSerializer.
  virtual void serialize_records(const RecordBufferBase& buffer, DataOutputView& out,
                                 size_t from = 0) const = 0;
  // Reads back one buffer that serialize_records wrote. Throws SerializationError.
  virtual std::unique_ptr<RecordBufferBase> deserialize_records(DataInputView& in) const = 0;
};

template <class T>
class TypeOps final : public TypeOpsBase {
 public:
  std::type_index type() const override { return typeid(T); }
  std::string name() const override { return type_name<T>(); }

  std::unique_ptr<OutputBase> make_fan_out(std::vector<OutputBase*> targets) const override {
    std::vector<Output<T>*> typed;
    for (auto* t : targets) typed.push_back(static_cast<Output<T>*>(t));
    return std::make_unique<FanOutOutput<T>>(std::move(typed));
  }

  std::unique_ptr<OutputBase> make_discarding() const override {
    return std::make_unique<DiscardingOutput<T>>();
  }

  std::unique_ptr<ChannelSelectorBase> make_selector(PartitionKind kind) const override {
    switch (kind) {
      case PartitionKind::kRebalance:
      case PartitionKind::kRescale:
        return std::make_unique<RoundRobinSelector<T>>();
      case PartitionKind::kShuffle:
        return std::make_unique<ShuffleSelector<T>>();
      case PartitionKind::kBroadcast:
        return std::make_unique<BroadcastSelector<T>>();
      default:
        return std::make_unique<FirstChannelSelector<T>>();
    }
  }

  NetworkOutputParts make_network_output(ResultPartition* partition,
                                         std::unique_ptr<ChannelSelectorBase> selector,
                                         FlushPolicy flush_policy,
                                         const RecordContext* record_context) const override {
    std::unique_ptr<ChannelSelector<T>> typed(static_cast<ChannelSelector<T>*>(selector.release()));
    auto output = std::make_unique<RecordWriterOutput<T>>(partition, std::move(typed), flush_policy,
                                                          record_context);
    NetworkOutput* network = output.get();
    return {std::move(output), network};
  }

  std::unique_ptr<InputDispatcher> make_dispatcher(OutputBase* target,
                                                   RecordContext* record_context) const override {
    return std::make_unique<Dispatcher>(static_cast<Output<T>*>(target), record_context);
  }

  void serialize_records(const RecordBufferBase& buffer, DataOutputView& out,
                         size_t from) const override {
    if constexpr (Serializable<T>) {
      const auto& typed = static_cast<const RecordBuffer<T>&>(buffer);
      const size_t n = typed.records.size();
      out.write_varint(n - from);
      out.write_u8(typed.timestamps.empty() ? 0 : 1);
      for (size_t i = from; i < typed.timestamps.size(); ++i) out.write_fixed(typed.timestamps[i]);
      for (size_t i = from; i < n; ++i) TypeSerializer<T>::serialize(typed.records[i], out);
    } else {
      throw SerializationError("records of type " + type_name<T>() +
                               " cannot be serialized (no TypeSerializer), and unaligned "
                               "checkpoints store the records in flight");
    }
  }

  std::unique_ptr<RecordBufferBase> deserialize_records(DataInputView& in) const override {
    if constexpr (Serializable<T>) {
      const size_t count = static_cast<size_t>(in.read_varint());
      auto buffer = std::make_unique<RecordBuffer<T>>(0);
      if (in.read_u8() != 0) {
        for (size_t i = 0; i < count; ++i) buffer->timestamps.push_back(in.read_fixed<int64_t>());
      }
      for (size_t i = 0; i < count; ++i) {
        buffer->records.push_back(TypeSerializer<T>::deserialize(in));
      }
      return buffer;
    } else {
      throw SerializationError("records of type " + type_name<T>() + " cannot be deserialized");
    }
  }

 private:
  class Dispatcher final : public InputDispatcher {
   public:
    Dispatcher(Output<T>* target, RecordContext* record_context)
        : target_(target), record_context_(record_context) {}
    size_t dispatch(RecordBufferBase& buffer, size_t from,
                    const std::atomic<bool>* interrupt) override {
      auto& typed = static_cast<RecordBuffer<T>&>(buffer);
      const size_t n = typed.records.size();
      EDDY_DCHECK(typed.timestamps_match_records(),
                  "a received buffer holds one timestamp per record, or none");
      EDDY_DCHECK(from <= n, "dispatch() resumes within the buffer");
      const bool timestamped = !typed.timestamps.empty();
      if (!timestamped) record_context_->timestamp = kNoTimestamp;
      for (size_t i = from; i < n; ++i) {
        if (timestamped) record_context_->timestamp = typed.timestamps[i];
        target_->push(std::move(typed.records[i]));
        if (interrupt != nullptr && interrupt->load(std::memory_order_relaxed)) return i + 1;
      }
      return n;
    }

   private:
    Output<T>* target_;
    RecordContext* record_context_;
  };
};

template <class T>
std::shared_ptr<const TypeOpsBase> type_ops_of() {
  static const std::shared_ptr<const TypeOpsBase> ops = std::make_shared<TypeOps<T>>();
  return ops;
}

}  // namespace eddy::runtime
