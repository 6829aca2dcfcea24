#include <random>

#include <fmt/format.h>

#include "graph/job_graph.h"

namespace eddy::graph {
namespace {

bool is_chainable(const StreamGraph& graph, const StreamEdge& edge) {
  const StreamNode& up = graph.nodes.at(edge.source_id);
  const StreamNode& down = graph.nodes.at(edge.target_id);
  return graph.config.chaining_enabled && down.in_edges.size() == 1 &&
         edge.partitioner.kind == runtime::PartitionKind::kForward &&
         up.parallelism == down.parallelism && up.chaining != ChainingStrategy::kNever &&
         down.chaining == ChainingStrategy::kAlways &&
         up.slot_sharing_group == down.slot_sharing_group;
}

}  // namespace

bool JobGraph::is_chained(int edge_index) const {
  const StreamEdge& e = edge(edge_index);
  return vertex_index_of_node.at(e.source_id) == vertex_index_of_node.at(e.target_id);
}

int JobGraph::required_slots() const {
  std::map<std::string, int> per_group;
  for (const auto& v : vertices) {
    int& slots = per_group[v.slot_sharing_group];
    slots = std::max(slots, v.parallelism);
  }
  int total = 0;
  for (const auto& [group, slots] : per_group) total += slots;
  return total;
}

JobGraph build_job_graph(StreamGraph stream_graph) {
  JobGraph job;
  job.job_id = generate_job_id();
  job.job_name = stream_graph.config.job_name;
  job.stream_graph = std::move(stream_graph);
  const StreamGraph& graph = job.stream_graph;

  for (const auto& [id, node] : graph.nodes) {
    if (node.in_edges.size() == 1 && is_chainable(graph, graph.edges[node.in_edges[0]])) {
      int vertex = job.vertex_index_of_node.at(graph.edges[node.in_edges[0]].source_id);
      job.vertices[vertex].node_ids.push_back(id);
      job.vertices[vertex].name += " -> " + node.name;
      job.vertex_index_of_node[id] = vertex;
      continue;
    }
    JobVertex v;
    v.id = id;
    v.name = node.name;
    v.parallelism = node.parallelism;
    v.max_parallelism = node.max_parallelism;
    v.slot_sharing_group = node.slot_sharing_group;
    v.node_ids.push_back(id);
    job.vertex_index_of_node[id] = static_cast<int>(job.vertices.size());
    job.vertices.push_back(std::move(v));
  }
  for (size_t e = 0; e < graph.edges.size(); ++e) {
    if (job.is_chained(static_cast<int>(e))) continue;
    job.vertices[job.vertex_index_of_node.at(graph.edges[e].source_id)].out_edges.push_back(
        static_cast<int>(e));
    job.vertices[job.vertex_index_of_node.at(graph.edges[e].target_id)].in_edges.push_back(
        static_cast<int>(e));
  }
  return job;
}

std::string generate_job_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

}  // namespace eddy::graph
