#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "eddy/core/exceptions.h"
#include "graph/stream_graph.h"

namespace eddy::graph {
namespace {

// Where a transformation's records come from once virtual steps are resolved.
struct Endpoint {
  int node_id;
  std::optional<runtime::PartitionerSpec> partitioner;
  std::string side_output_tag;
  std::shared_ptr<const runtime::TypeOpsBase> type;
};

const char* pact_of(TransformationKind kind) {
  switch (kind) {
    case TransformationKind::kSource:
      return "Data Source";
    case TransformationKind::kSink:
      return "Data Sink";
    default:
      return "Operator";
  }
}

class Generator {
 public:
  explicit Generator(const StreamGraphConfig& config) { graph_.config = config; }

  StreamGraph generate(const std::vector<TransformationPtr>& transformations) {
    for (const auto& t : transformations) transform(t);
    check_side_output_types();
    return std::move(graph_);
  }

 private:
  const std::vector<Endpoint>& transform(const TransformationPtr& t) {
    if (auto it = done_.find(t->id); it != done_.end()) return it->second;
    if (in_progress_.count(t->id)) {
      throw InvalidProgramException(fmt::format(
          "the job graph has a cycle through transformation {} ('{}')", t->id, t->name));
    }
    in_progress_.insert(t->id);
    std::vector<Endpoint> result;
    switch (t->kind) {
      case TransformationKind::kPartition:
        for (Endpoint e : transform(input_of(t))) {
          e.partitioner = t->partitioner;
          result.push_back(std::move(e));
        }
        break;
      case TransformationKind::kUnion:
        for (const auto& in : t->inputs) {
          for (const Endpoint& e : transform(in)) result.push_back(e);
        }
        break;
      case TransformationKind::kSideOutput:
        for (Endpoint e : transform(input_of(t))) {
          e.side_output_tag = t->side_output_tag;
          e.type = t->output_type;
          side_output_types_[t->side_output_tag].insert(t->output_type->name());
          result.push_back(std::move(e));
        }
        break;
      default:
        result.push_back(add_operator(t));
    }
    in_progress_.erase(t->id);
    return done_[t->id] = std::move(result);
  }

  static const TransformationPtr& input_of(const TransformationPtr& t) {
    if (t->inputs.empty()) {
      throw InvalidProgramException(fmt::format("transformation '{}' has no input", t->name));
    }
    return t->inputs.front();
  }

  Endpoint add_operator(const TransformationPtr& t) {
    // Inputs first, so that ids of inputs are settled before their consumer.
    std::vector<std::vector<Endpoint>> inputs;
    for (const auto& in : t->inputs) inputs.push_back(transform(in));

    StreamNode node;
    node.id = t->id;
    node.name = t->name;
    node.pact = pact_of(t->kind);
    node.uid = t->uid;
    node.chaining = t->chaining;
    node.factory = t->factory;
    node.output_type = t->output_type;
    node.parallelism = resolve_parallelism(*t);
    node.max_parallelism = resolve_max_parallelism(*t, node.parallelism);
    node.slot_sharing_group = resolve_slot_sharing_group(*t, inputs);
    if (!node.uid.empty() && !uids_.insert(node.uid).second) {
      throw InvalidProgramException(fmt::format(
          "uid '{}' is used by more than one operator; each operator needs its own", node.uid));
    }
    graph_.nodes.emplace(node.id, std::move(node));

    for (size_t i = 0; i < inputs.size(); ++i) {
      for (const Endpoint& e : inputs[i]) add_edge(e, t->id, static_cast<int>(i) + 1);
    }
    return Endpoint{t->id, std::nullopt, "", t->output_type};
  }

  int resolve_parallelism(const Transformation& t) const {
    int p = t.parallelism > 0 ? t.parallelism : graph_.config.default_parallelism;
    if (t.parallelism_fixed_to_one) {
      if (t.parallelism > 1) {
        throw InvalidProgramException(
            fmt::format("the parallelism of non parallel operator '{}' must be 1, not {}", t.name,
                        t.parallelism));
      }
      p = 1;
    }
    if (p < 1) {
      throw InvalidProgramException(
          fmt::format("the parallelism of operator '{}' must be at least 1, not {}", t.name, p));
    }
    return p;
  }

  int resolve_max_parallelism(const Transformation& t, int parallelism) const {
    int max_p = t.max_parallelism > 0 ? t.max_parallelism
                : graph_.config.default_max_parallelism > 0
                    ? graph_.config.default_max_parallelism
                    : compute_default_max_parallelism(parallelism);
    if (max_p > kUpperBoundMaxParallelism) {
      throw InvalidProgramException(
          fmt::format("the max parallelism ({}) of operator '{}' is above the upper bound {}",
                      max_p, t.name, kUpperBoundMaxParallelism));
    }
    if (parallelism > max_p) {
      throw InvalidProgramException(fmt::format(
          "the parallelism ({}) of operator '{}' is higher than its max parallelism ({})",
          parallelism, t.name, max_p));
    }
    return max_p;
  }

  std::string resolve_slot_sharing_group(const Transformation& t,
                                         const std::vector<std::vector<Endpoint>>& inputs) const {
    if (!t.slot_sharing_group.empty()) return t.slot_sharing_group;
    std::set<std::string> groups;
    for (const auto& in : inputs) {
      for (const auto& e : in) groups.insert(graph_.nodes.at(e.node_id).slot_sharing_group);
    }
    return groups.size() == 1 ? *groups.begin() : "default";
  }

  void add_edge(const Endpoint& from, int target_id, int type_number) {
    const StreamNode& source = graph_.nodes.at(from.node_id);
    const StreamNode& target = graph_.nodes.at(target_id);
    StreamEdge edge;
    edge.source_id = from.node_id;
    edge.target_id = target_id;
    edge.type_number = type_number;
    edge.side_output_tag = from.side_output_tag;
    edge.type = from.type;
    if (from.partitioner) {
      edge.partitioner = *from.partitioner;
      if (edge.partitioner.kind == runtime::PartitionKind::kForward &&
          source.parallelism != target.parallelism) {
        throw InvalidProgramException(fmt::format(
            "forward partitioning does not allow a change of parallelism: '{}' has parallelism {}, "
            "'{}' has {}; use rebalance() or give both the same parallelism",
            source.name, source.parallelism, target.name, target.parallelism));
      }
    } else {
      edge.partitioner.kind = source.parallelism == target.parallelism
                                  ? runtime::PartitionKind::kForward
                                  : runtime::PartitionKind::kRebalance;
    }
    const int index = static_cast<int>(graph_.edges.size());
    graph_.edges.push_back(std::move(edge));
    graph_.nodes.at(from.node_id).out_edges.push_back(index);
    graph_.nodes.at(target_id).in_edges.push_back(index);
  }

  void check_side_output_types() const {
    for (const auto& [tag, types] : side_output_types_) {
      if (types.size() > 1) {
        throw InvalidProgramException(fmt::format(
            "side output tag '{}' is used with different types: {}", tag, fmt::join(types, ", ")));
      }
    }
  }

  StreamGraph graph_;
  std::unordered_map<int, std::vector<Endpoint>> done_;
  std::set<int> in_progress_;
  std::set<std::string> uids_;
  std::map<std::string, std::set<std::string>> side_output_types_;
};

}  // namespace

StreamGraph generate_stream_graph(const std::vector<TransformationPtr>& transformations,
                                  const StreamGraphConfig& config) {
  return Generator(config).generate(transformations);
}

}  // namespace eddy::graph
