#include "cluster/mini_cluster.h"

#include <fmt/format.h>

#include "eddy/core/exceptions.h"

namespace eddy::cluster {

MiniCluster& MiniCluster::embedded() {
  static MiniCluster cluster(Config{});
  return cluster;
}

std::shared_ptr<JobMaster> MiniCluster::submit_job(graph::JobGraph job) {
  const int slots = job.required_slots();
  {
    std::lock_guard lock(*mu_);
    if (config_.num_task_slots >= 0 && *slots_in_use_ + slots > config_.num_task_slots) {
      throw JobExecutionException(fmt::format(
          "Job '{}' needs {} task slots, but the TaskManager has {} of {} free; lower the "
          "parallelism or add slots (taskmanager.numberOfTaskSlots)",
          job.job_name, slots, config_.num_task_slots - *slots_in_use_, config_.num_task_slots));
    }
    *slots_in_use_ += slots;
  }
  // The release callback holds the counters, not the cluster, so a job may outlive it.
  auto release = [mu = mu_, in_use = slots_in_use_, slots] {
    std::lock_guard lock(*mu);
    *in_use -= slots;
  };
  auto master = std::make_shared<JobMaster>(std::move(job), release);
  master->start();
  return master;
}

}  // namespace eddy::cluster
