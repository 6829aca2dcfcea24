// Transformation: one step of a job as the API records it — immutable once the stream that owns
// it is consumed, and nothing runs until execute(). Partition, union and side-output steps are
// virtual: they shape edges of the stream graph and never become operators.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eddy/runtime/channel_selector.h"
#include "eddy/runtime/stream_operator.h"
#include "eddy/runtime/type_ops.h"

namespace eddy::graph {

enum class TransformationKind {
  kSource,
  kOneInput,
  kTwoInput,
  kSink,
  kPartition,   // virtual: sets how its input reaches the consumer
  kUnion,       // virtual: all inputs feed the consumer
  kSideOutput,  // virtual: selects a side output of its input
};

// Flink's chaining strategies: whether a node may join its predecessor's chain.
enum class ChainingStrategy {
  kAlways,  // chains with its predecessor and successors when the edge allows
  kHead,    // starts a new chain, successors may chain to it (start_new_chain)
  kNever,   // neither (disable_chaining)
};

struct Transformation {
  int id = 0;
  std::string name;
  TransformationKind kind = TransformationKind::kOneInput;
  std::vector<std::shared_ptr<Transformation>> inputs;  // two-input: [first, second]

  // Operators (source, one-input, two-input, sink).
  std::shared_ptr<const runtime::OperatorFactory> factory;
  std::string operator_type;              // "Map", "Keyed Reduce", "Source: Collection Source", ...
  int parallelism = -1;                   // -1: the environment's default
  int max_parallelism = -1;               // -1: the environment's default
  bool parallelism_fixed_to_one = false;  // non-parallel sources (from_collection, socket)
  std::string uid;
  std::string slot_sharing_group;  // empty: inherit from the inputs, "default" for sources
  ChainingStrategy chaining = ChainingStrategy::kAlways;

  // The type of the records this transformation produces.
  std::shared_ptr<const runtime::TypeOpsBase> output_type;

  // kPartition
  runtime::PartitionerSpec partitioner;
  // kSideOutput
  std::string side_output_tag;

  bool is_virtual() const {
    return kind == TransformationKind::kPartition || kind == TransformationKind::kUnion ||
           kind == TransformationKind::kSideOutput;
  }
};

using TransformationPtr = std::shared_ptr<Transformation>;

}  // namespace eddy::graph
