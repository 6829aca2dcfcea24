#include <nlohmann/json.hpp>

#include "graph/stream_graph.h"

namespace eddy::graph {

std::string StreamGraph::to_execution_plan_json() const {
  nlohmann::ordered_json plan;
  plan["nodes"] = nlohmann::ordered_json::array();
  for (const auto& [id, node] : nodes) {
    nlohmann::ordered_json n;
    n["id"] = id;
    n["type"] = node.name;
    n["pact"] = node.pact;
    n["contents"] = node.name;
    n["parallelism"] = node.parallelism;
    if (!node.in_edges.empty()) {
      auto& preds = n["predecessors"] = nlohmann::ordered_json::array();
      for (int e : node.in_edges) {
        const StreamEdge& edge = edges[e];
        preds.push_back({{"id", edge.source_id},
                         {"ship_strategy", runtime::ship_strategy_name(edge.partitioner.kind)},
                         {"side", edge.type_number == 1 ? "first" : "second"}});
      }
    }
    plan["nodes"].push_back(std::move(n));
  }
  return plan.dump(2);
}

}  // namespace eddy::graph
