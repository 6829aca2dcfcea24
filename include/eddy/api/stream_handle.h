// Setters shared by every handle on a transformation (streams and sinks). They change the
// recorded transformation and return the handle, so calls chain: .name("parse").uid("p1").
#pragma once

#include <memory>
#include <string>

#include "eddy/api/environment_state.h"
#include "eddy/core/exceptions.h"

namespace eddy::api_detail {

template <class Derived>
class StreamHandle {
 public:
  StreamHandle(std::shared_ptr<EnvironmentState> env, graph::TransformationPtr t)
      : env_(std::move(env)), t_(std::move(t)) {}

  Derived& set_parallelism(int parallelism) {
    if (parallelism < 1) {
      throw InvalidProgramException("the parallelism of '" + t_->name +
                                    "' must be at least 1, not " + std::to_string(parallelism));
    }
    operator_transformation("set_parallelism").parallelism = parallelism;
    return self();
  }
  Derived& set_max_parallelism(int max_parallelism) {
    if (max_parallelism < 1 || max_parallelism > kUpperBoundMaxParallelism) {
      throw InvalidProgramException("the max parallelism of '" + t_->name + "' must be in [1, " +
                                    std::to_string(kUpperBoundMaxParallelism) + "], not " +
                                    std::to_string(max_parallelism));
    }
    operator_transformation("set_max_parallelism").max_parallelism = max_parallelism;
    return self();
  }
  // The name shown in plans, task names and errors.
  Derived& name(std::string name) {
    operator_transformation("name").name = std::move(name);
    return self();
  }
  // A stable identity for the operator (state is matched by it when restoring a savepoint).
  Derived& uid(std::string uid) {
    operator_transformation("uid").uid = std::move(uid);
    return self();
  }
  Derived& disable_chaining() {
    operator_transformation("disable_chaining").chaining = graph::ChainingStrategy::kNever;
    return self();
  }
  Derived& start_new_chain() {
    operator_transformation("start_new_chain").chaining = graph::ChainingStrategy::kHead;
    return self();
  }
  Derived& slot_sharing_group(std::string group) {
    operator_transformation("slot_sharing_group").slot_sharing_group = std::move(group);
    return self();
  }

  int get_id() const { return t_->id; }
  const std::string& get_name() const { return t_->name; }
  int get_parallelism() const {
    if (t_->parallelism_fixed_to_one) return 1;
    return t_->parallelism > 0 ? t_->parallelism : env_->parallelism;
  }

  const graph::TransformationPtr& transformation() const { return t_; }
  const std::shared_ptr<EnvironmentState>& environment_state() const { return env_; }

 protected:
  std::shared_ptr<EnvironmentState> env_;
  graph::TransformationPtr t_;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
  graph::Transformation& operator_transformation(const char* what) {
    if (t_->is_virtual()) {
      throw InvalidProgramException(std::string(what) +
                                    "() applies to operators, not to a partitioning, union or "
                                    "side output; call it on the operator that follows");
    }
    return *t_;
  }
};

}  // namespace eddy::api_detail
