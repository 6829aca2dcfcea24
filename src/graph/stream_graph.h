// StreamGraph: the job's operators (nodes) and the edges between them, with every parallelism
// and ship strategy resolved. Virtual transformations (partition, union, side output) are gone:
// they live on as edge properties. Immutable once generated.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eddy/core/checkpoint_config.h"
#include "eddy/core/clock.h"
#include "eddy/core/restart_strategies.h"
#include "eddy/graph/transformation.h"

namespace eddy::graph {

struct StreamEdge {
  int source_id = 0;
  int target_id = 0;
  int type_number = 1;  // which input of the target: 1, or 2 for a two-input operator's second
  runtime::PartitionerSpec partitioner;
  std::string side_output_tag;                       // empty: the source's main output
  std::shared_ptr<const runtime::TypeOpsBase> type;  // of the records on this edge
};

struct StreamNode {
  int id = 0;
  std::string name;  // operator name as shown in plans and task names
  std::string pact;  // "Data Source", "Operator" or "Data Sink"
  int parallelism = 1;
  int max_parallelism = kDefaultMaxParallelism;
  std::string uid;
  std::string slot_sharing_group;
  ChainingStrategy chaining = ChainingStrategy::kAlways;
  std::shared_ptr<const runtime::OperatorFactory> factory;
  std::shared_ptr<const runtime::TypeOpsBase> output_type;
  std::vector<int> in_edges;   // indices into StreamGraph::edges
  std::vector<int> out_edges;  // indices into StreamGraph::edges
  bool is_source() const { return pact == "Data Source"; }
  // What names the operator's state in checkpoints and savepoints: its uid if it has one,
  // otherwise an id derived from its place in the program (stable while the program is).
  std::string operator_id() const {
    return uid.empty() ? "auto-" + std::to_string(id) + "-" + name : uid;
  }
};

struct StreamGraphConfig {
  std::string job_name = "Eddy Streaming Job";
  int default_parallelism = 1;
  int default_max_parallelism = -1;  // -1: derived from each operator's parallelism
  bool chaining_enabled = true;
  int64_t buffer_timeout_ms = 100;                // 0: flush every record; -1: only full buffers
  int64_t auto_watermark_interval_ms = 200;       // periodic watermark emission; 0: disabled
  std::shared_ptr<const Clock> clock;             // processing time; null: the system clock
  RestartStrategyConfiguration restart_strategy;  // default: no restart
  CheckpointConfig checkpoint;                    // default: no periodic checkpoints
  StateBackendType state_backend = StateBackendType::kHashMap;
  SavepointRestoreSettings savepoint_restore;  // default: start without state
  // How long a cancelled task may take to end before its process is given up (Flink's
  // task.cancellation.timeout); 0 disables the watchdog.
  int64_t task_cancellation_timeout_ms = 180'000;
};

struct StreamGraph {
  StreamGraphConfig config;
  std::map<int, StreamNode> nodes;  // by id; ids grow downstream, so this order is topological
  std::vector<StreamEdge> edges;

  // The plan as Flink prints it: {"nodes":[{id,type,pact,contents,parallelism,predecessors}]}.
  std::string to_execution_plan_json() const;
};

// Builds the stream graph that the sinks and operators in `transformations` need.
// Throws InvalidProgramException for graphs that cannot run.
StreamGraph generate_stream_graph(const std::vector<TransformationPtr>& transformations,
                                  const StreamGraphConfig& config);

}  // namespace eddy::graph
