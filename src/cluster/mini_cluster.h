// MiniCluster: a JobManager and one TaskManager inside the client's process. Jobs run through
// the same JobMaster and Task code as on a cluster; only the transport is in-process.
#pragma once

#include <memory>
#include <mutex>

#include "cluster/job_master.h"
#include "graph/job_graph.h"

namespace eddy::cluster {

class MiniCluster {
 public:
  struct Config {
    // Task slots of the embedded TaskManager; -1 gives every job the slots it needs, as a
    // local environment does.
    int num_task_slots = -1;
  };

  explicit MiniCluster(Config config) : config_(config) {}

  // The cluster behind get_execution_environment() in this process.
  static MiniCluster& embedded();

  // Allocates the job's slots and starts it. Throws JobExecutionException when the
  // TaskManager lacks slots. The slots return when the job ends.
  std::shared_ptr<JobMaster> submit_job(graph::JobGraph job);

 private:
  Config config_;
  std::shared_ptr<std::mutex> mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<int> slots_in_use_ = std::make_shared<int>(0);  // GUARDED_BY(*mu_)
};

}  // namespace eddy::cluster
