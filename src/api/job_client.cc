#include "eddy/api/job_client.h"

#include "cluster/job_master.h"
#include "eddy/core/exceptions.h"

namespace eddy {

const char* to_string(JobStatus status) {
  switch (status) {
    case JobStatus::kCreated:
      return "CREATED";
    case JobStatus::kRunning:
      return "RUNNING";
    case JobStatus::kFailing:
      return "FAILING";
    case JobStatus::kFailed:
      return "FAILED";
    case JobStatus::kCancelling:
      return "CANCELLING";
    case JobStatus::kCanceled:
      return "CANCELED";
    case JobStatus::kFinished:
      return "FINISHED";
    case JobStatus::kRestarting:
      return "RESTARTING";
  }
  return "UNKNOWN";
}

int64_t JobExecutionResult::get_accumulator_result(const std::string& name) const {
  auto it = accumulators_.find(name);
  if (it == accumulators_.end()) {
    throw EddyException("no accumulator named '" + name + "' in the result of job " + job_id_);
  }
  return it->second;
}

JobClient::JobClient(std::shared_ptr<cluster::JobMaster> master) : master_(std::move(master)) {}

const std::string& JobClient::get_job_id() const {
  return master_->job().job_id;
}
const std::string& JobClient::get_job_name() const {
  return master_->job().job_name;
}
JobStatus JobClient::get_job_status() const {
  return master_->status();
}
void JobClient::cancel() {
  master_->cancel();
}
JobExecutionResult JobClient::get_job_execution_result() {
  return master_->wait();
}

void JobClient::add_completion_listener(
    std::function<void(JobStatus, std::exception_ptr)> listener) {
  master_->add_listener(std::move(listener));
}

std::vector<CompletedCheckpointStats> JobClient::get_checkpoint_stats() const {
  return master_->checkpoint_history();
}

std::future<std::string> JobClient::trigger_savepoint(const std::string& target_dir) {
  return master_->trigger_savepoint(target_dir);
}

std::future<std::string> JobClient::stop_with_savepoint(const std::string& target_dir, bool drain) {
  return master_->stop_with_savepoint(target_dir, drain);
}

}  // namespace eddy
