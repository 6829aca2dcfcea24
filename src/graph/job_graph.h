// JobGraph: the stream graph with operators chained into vertices. A vertex runs as one task
// per parallel subtask; records inside a vertex pass by direct calls, between vertices through
// the network stack.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/stream_graph.h"

namespace eddy::graph {

struct JobVertex {
  int id = 0;        // the id of its head node
  std::string name;  // "Source: Collection Source -> Map -> Filter"
  int parallelism = 1;
  int max_parallelism = kDefaultMaxParallelism;
  std::string slot_sharing_group;
  std::vector<int> node_ids;   // chained nodes in topological order; node_ids[0] is the head
  std::vector<int> in_edges;   // stream-edge indices entering the head from other vertices
  std::vector<int> out_edges;  // stream-edge indices leaving this vertex
};

struct JobGraph {
  std::string job_id;  // 32 hex digits
  std::string job_name;
  StreamGraph stream_graph;
  std::vector<JobVertex> vertices;  // topological order
  std::map<int, int> vertex_index_of_node;

  const StreamNode& node(int id) const { return stream_graph.nodes.at(id); }
  const StreamEdge& edge(int index) const { return stream_graph.edges.at(index); }
  // Whether `edge_index` connects two nodes of one vertex.
  bool is_chained(int edge_index) const;
  // Slots a job needs: per slot sharing group, the highest parallelism in it.
  int required_slots() const;
};

// Chains operators: an edge is chained when it is FORWARD between equal parallelisms, the target
// has no other input, both sides allow chaining, they share a slot sharing group, and chaining is
// enabled for the job.
JobGraph build_job_graph(StreamGraph stream_graph);

std::string generate_job_id();

}  // namespace eddy::graph
