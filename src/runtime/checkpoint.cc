#include "eddy/runtime/checkpoint.h"

namespace eddy::runtime {
namespace {

void write_string(const std::string& s, DataOutputView& out) {
  TypeSerializer<std::string>::serialize(s, out);
}
std::string read_string(DataInputView& in) {
  return TypeSerializer<std::string>::deserialize(in);
}

void write_keyed(const KeyedStateSnapshot& snapshot, DataOutputView& out) {
  if (snapshot.deferred) {
    throw std::logic_error("a keyed state snapshot is serialized before it was materialized");
  }
  out.write_varint(static_cast<uint64_t>(snapshot.max_parallelism));
  out.write_varint(snapshot.key_groups.size());
  for (const auto& [name, groups] : snapshot.key_groups) {
    write_string(name, out);
    out.write_varint(groups.size());
    for (const auto& [key_group, bytes] : groups) {
      out.write_varint(static_cast<uint64_t>(key_group));
      write_string(bytes, out);
    }
  }
  write_string(snapshot.native_meta, out);
  out.write_varint(snapshot.native_files.size());
  for (const SnapshotFile& file : snapshot.native_files) {
    if (file.shared_path.empty()) {
      throw std::logic_error("snapshot file " + file.name + " is serialized before it was stored");
    }
    write_string(file.name, out);
    write_string(file.shared_path, out);
  }
}

KeyedStateSnapshot read_keyed(DataInputView& in) {
  KeyedStateSnapshot snapshot;
  snapshot.max_parallelism = static_cast<int>(in.read_varint());
  for (uint64_t n = in.read_varint(); n > 0; --n) {
    auto& groups = snapshot.key_groups[read_string(in)];
    for (uint64_t g = in.read_varint(); g > 0; --g) {
      const int key_group = static_cast<int>(in.read_varint());
      groups[key_group] = read_string(in);
    }
  }
  snapshot.native_meta = read_string(in);
  for (uint64_t n = in.read_varint(); n > 0; --n) {
    SnapshotFile& file = snapshot.native_files.emplace_back();
    file.name = read_string(in);
    file.shared_path = read_string(in);
  }
  return snapshot;
}

void write_identity(const SerializerIdentity& identity, DataOutputView& out) {
  write_string(identity.name, out);
  out.write_varint(identity.version);
}
SerializerIdentity read_identity(DataInputView& in) {
  SerializerIdentity identity;
  identity.name = read_string(in);
  identity.version = static_cast<uint32_t>(in.read_varint());
  return identity;
}

void write_serializers(const KeyedStateSnapshot& snapshot, DataOutputView& out) {
  out.write_varint(snapshot.serializers.size());
  for (const auto& [name, serializers] : snapshot.serializers) {
    write_string(name, out);
    write_string(serializers.kind, out);
    write_identity(serializers.key_serializer, out);
    write_identity(serializers.namespace_serializer, out);
    write_identity(serializers.value_serializer, out);
  }
}
void read_serializers(DataInputView& in, KeyedStateSnapshot& snapshot) {
  for (uint64_t n = in.read_varint(); n > 0; --n) {
    StateSerializers& serializers = snapshot.serializers[read_string(in)];
    serializers.kind = read_string(in);
    serializers.key_serializer = read_identity(in);
    serializers.namespace_serializer = read_identity(in);
    serializers.value_serializer = read_identity(in);
  }
}

}  // namespace

std::string serialize_subtask_state(const OperatorSubtaskState& state) {
  DataOutputView out;
  write_keyed(state.keyed, out);
  write_keyed(state.raw_keyed, out);
  out.write_varint(state.operator_state.size());
  for (const auto& [name, entries] : state.operator_state) {
    write_string(name, out);
    out.write_u8(static_cast<uint8_t>(entries.mode));
    out.write_varint(entries.elements.size());
    for (const std::string& e : entries.elements) write_string(e, out);
  }
  out.write_varint(state.in_flight.size());
  for (const InFlightRecords& records : state.in_flight) {
    out.write_varint(static_cast<uint64_t>(records.edge));
    write_string(records.records, out);
  }
  // The serializers' identities come last: state files written before they were recorded end
  // here and read as having none.
  write_serializers(state.keyed, out);
  write_serializers(state.raw_keyed, out);
  out.write_varint(state.operator_state.size());
  for (const auto& [name, entries] : state.operator_state) {
    write_string(name, out);
    write_identity(entries.serializer, out);
  }
  return out.take();
}

OperatorSubtaskState deserialize_subtask_state(std::string_view bytes) {
  DataInputView in(bytes);
  OperatorSubtaskState state;
  state.keyed = read_keyed(in);
  state.raw_keyed = read_keyed(in);
  for (uint64_t n = in.read_varint(); n > 0; --n) {
    std::string name = read_string(in);
    OperatorStateEntries& entries = state.operator_state[name];
    const uint8_t mode = in.read_u8();
    if (mode > static_cast<uint8_t>(OperatorStateMode::kBroadcast)) {
      throw SerializationError("operator state '" + name + "' has unknown mode " +
                               std::to_string(mode));
    }
    entries.mode = static_cast<OperatorStateMode>(mode);
    for (uint64_t e = in.read_varint(); e > 0; --e) entries.elements.push_back(read_string(in));
  }
  for (uint64_t n = in.read_varint(); n > 0; --n) {
    InFlightRecords& records = state.in_flight.emplace_back();
    records.edge = static_cast<int>(in.read_varint());
    records.records = read_string(in);
  }
  if (!in.at_end()) {
    read_serializers(in, state.keyed);
    read_serializers(in, state.raw_keyed);
    for (uint64_t n = in.read_varint(); n > 0; --n) {
      std::string name = read_string(in);
      SerializerIdentity identity = read_identity(in);
      if (auto it = state.operator_state.find(name); it != state.operator_state.end()) {
        it->second.serializer = std::move(identity);
      }
    }
  }
  if (!in.at_end()) {
    throw SerializationError(std::to_string(in.remaining()) + " trailing bytes after the state");
  }
  return state;
}

}  // namespace eddy::runtime
