// The shared state behind a StreamExecutionEnvironment and every stream made from it: its
// configuration and the transformations recorded so far. Not thread-safe: build a job on one
// thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eddy/core/checkpoint_config.h"
#include "eddy/core/clock.h"
#include "eddy/core/restart_strategies.h"
#include "eddy/graph/transformation.h"

namespace eddy::api_detail {

struct EnvironmentState {
  int parallelism = 1;
  int max_parallelism = -1;  // -1: derived per operator (128 for small parallelism)
  int64_t buffer_timeout_ms = 100;
  int64_t auto_watermark_interval_ms = 200;
  std::shared_ptr<const Clock> clock;  // null: the system clock
  RestartStrategyConfiguration restart_strategy;
  bool restart_strategy_set = false;  // by the program or its configuration
  CheckpointConfig checkpoint;
  StateBackendType state_backend = StateBackendType::kHashMap;
  SavepointRestoreSettings savepoint_restore;
  bool chaining_enabled = true;
  int64_t task_cancellation_timeout_ms = 180'000;  // 0: no watchdog
  int next_id = 1;
  // Operators and sinks to run on the next execute(); sources are reached through them.
  std::vector<graph::TransformationPtr> transformations;

  graph::TransformationPtr make(graph::TransformationKind kind, std::string name,
                                std::vector<graph::TransformationPtr> inputs,
                                std::shared_ptr<const runtime::TypeOpsBase> output_type,
                                std::shared_ptr<const runtime::OperatorFactory> factory = nullptr) {
    auto t = std::make_shared<graph::Transformation>();
    t->id = next_id++;
    t->kind = kind;
    t->name = std::move(name);
    t->inputs = std::move(inputs);
    t->output_type = std::move(output_type);
    t->factory = std::move(factory);
    if (kind == graph::TransformationKind::kSource) t->slot_sharing_group = "default";
    if (kind == graph::TransformationKind::kOneInput ||
        kind == graph::TransformationKind::kTwoInput || kind == graph::TransformationKind::kSink) {
      transformations.push_back(t);
    }
    return t;
  }
};

}  // namespace eddy::api_detail
