// The messages between the client that reads execute_and_collect() results and the collect sink
// (Flink's CollectCoordinationRequest / CollectCoordinationResponse).
//
// The sink numbers its results 0, 1, 2, ... (their offsets) and keeps those the client has not
// acknowledged. A sink incarnation has a version, new at each (re)start of the job; a restarted
// sink resumes from the checkpoint the job restored: its buffer and offsets are part of it.
//   client → sink  CollectRequest{version, offset, checkpointed_offset}: "I hold every result of
//                  your `version` before `offset`" (the sink may drop them) "and know those before
//                  `checkpointed_offset` to be checkpointed".
//   sink → client  CollectResponse{version, offset, checkpointed_offset, results, ...}: the results
//                  from `offset` on, and the end of the latest completed checkpoint. A request of
//                  another version gets no results, only the sink's version and offsets: the
//                  client then drops what it received past the restored checkpoint and asks again.
// Results before `checkpointed_offset` can never be rolled back: only those are handed to the user
// while the job may still restart.
//
// Both messages have a serialized form (TypeSerializer below) for the day they travel between
// processes; in one process they are passed by value through CollectCoordinator.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "eddy/core/serializer.h"

namespace eddy::runtime {

// No sink version yet: a client that has heard of no sink, or an answer while none runs.
inline constexpr uint64_t kNoCollectVersion = 0;

// A fresh random id for a sink version or a collect call; never kNoCollectVersion.
inline uint64_t new_collect_id() {
  std::random_device device;
  const uint64_t id = (uint64_t{device()} << 32) ^ device();
  return id == kNoCollectVersion ? 1 : id;
}

struct CollectRequest {
  uint64_t version = kNoCollectVersion;  // the sink version the client reads from
  int64_t offset = 0;                    // the client holds every result before it
  int64_t checkpointed_offset = 0;       // the client knows results before it are checkpointed

  bool operator==(const CollectRequest&) const = default;
};

template <class T>
struct CollectResponse {
  uint64_t version = kNoCollectVersion;  // of the answering sink
  int32_t attempt = 0;                   // the job attempt the sink runs in (0: first run)
  // With the request's version: the offset of results[0], always the request's offset. With
  // another version: where the sink's buffer starts (the client must hold every result before).
  int64_t offset = 0;
  int64_t checkpointed_offset = 0;  // results before it are in a completed checkpoint
  bool end_of_input = false;        // the sink's input ended and `results` reach its last result
  bool job_ended = false;           // the job reached a terminal status; no sink answers again
  std::vector<T> results;

  bool operator==(const CollectResponse&) const = default;
};

// Whether `response` tells the client of `request` anything new: a waiting request is answered
// only then (or when the job ends).
template <class T>
bool answers(const CollectRequest& request, const CollectResponse<T>& response) {
  return response.version != request.version || !response.results.empty() ||
         response.checkpointed_offset > request.checkpointed_offset;
}

}  // namespace eddy::runtime

namespace eddy {

template <>
struct TypeSerializer<runtime::CollectRequest> {
  static void serialize(const runtime::CollectRequest& r, DataOutputView& out) {
    out.write_fixed<uint64_t>(r.version);
    out.write_fixed<int64_t>(r.offset);
    out.write_fixed<int64_t>(r.checkpointed_offset);
  }
  static runtime::CollectRequest deserialize(DataInputView& in) {
    runtime::CollectRequest r;
    r.version = in.read_fixed<uint64_t>();
    r.offset = in.read_fixed<int64_t>();
    r.checkpointed_offset = in.read_fixed<int64_t>();
    return r;
  }
};

template <Serializable T>
struct TypeSerializer<runtime::CollectResponse<T>> {
  static void serialize(const runtime::CollectResponse<T>& r, DataOutputView& out) {
    out.write_fixed<uint64_t>(r.version);
    out.write_fixed<int32_t>(r.attempt);
    out.write_fixed<int64_t>(r.offset);
    out.write_fixed<int64_t>(r.checkpointed_offset);
    out.write_fixed<bool>(r.end_of_input);
    out.write_fixed<bool>(r.job_ended);
    TypeSerializer<std::vector<T>>::serialize(r.results, out);
  }
  static runtime::CollectResponse<T> deserialize(DataInputView& in) {
    runtime::CollectResponse<T> r;
    r.version = in.read_fixed<uint64_t>();
    r.attempt = in.read_fixed<int32_t>();
    r.offset = in.read_fixed<int64_t>();
    r.checkpointed_offset = in.read_fixed<int64_t>();
    r.end_of_input = in.read_fixed<bool>();
    r.job_ended = in.read_fixed<bool>();
    r.results = TypeSerializer<std::vector<T>>::deserialize(in);
    return r;
  }
};

}  // namespace eddy
