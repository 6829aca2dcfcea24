// CollectResultFetcher: the client's side of the collect protocol (runtime/collect_protocol.h),
// Flink's CollectResultFetcher with its checkpointed and uncheckpointed result buffers.
//
// It asks for results by offset and acknowledges what it received; what it hands to the user
// depends on the guarantee:
// - exactly once (checkpointing on, serializable result type): a result is handed out only once
//   a completed checkpoint holds it (or the job has finished), so a restart never takes back what
//   the user saw. When the sink restarts (a new version), results received past the restored
//   checkpoint are dropped and fetched again from the restarted sink.
// - otherwise results are handed out at once, and a restart of the job ends them with a
//   JobExecutionException: they may be incomplete or duplicated.
// Invariants: received_ holds the results [offset_ - received_.size(), offset_) of version_; the
// results before committed_ can never be rolled back; committed_ never decreases.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "eddy/api/job_client.h"
#include "eddy/core/exceptions.h"
#include "eddy/runtime/collect_coordinator.h"

namespace eddy {

template <class T>
class CollectResultFetcher {
 public:
  // `not_exactly_once` is empty for exactly-once results, else why a restart loses them
  // ("without checkpointing", ...).
  CollectResultFetcher(JobClient client,
                       std::shared_ptr<runtime::CollectCoordinator<T>> coordinator,
                       std::string not_exactly_once)
      : client_(std::move(client)),
        coordinator_(std::move(coordinator)),
        not_exactly_once_(std::move(not_exactly_once)) {}
  CollectResultFetcher(CollectResultFetcher&&) noexcept = default;
  CollectResultFetcher& operator=(CollectResultFetcher&&) noexcept = default;

  // Waits for the next result that may be handed out; nothing at the end of a finished job.
  // Throws JobExecutionException once the results before the failure are handed out, when the
  // job failed or was cancelled, or restarted in a way that would lose or duplicate results.
  std::optional<T> next() {
    for (;;) {
      if (!received_.empty() && first_received() < committed_) {
        T result = std::move(received_.front());
        received_.pop_front();
        return result;
      }
      if (error_) std::rethrow_exception(error_);
      if (ended_) return std::nullopt;
      fetch();
    }
  }

  // Stops reading; cancels the job if it still runs.
  void close() {
    if (!coordinator_) return;
    coordinator_->close();
    if (!is_globally_terminal(client_.get_job_status())) client_.cancel();
    coordinator_.reset();
  }

  const JobClient& job_client() const { return client_; }

 private:
  bool exactly_once() const { return not_exactly_once_.empty(); }
  int64_t first_received() const { return offset_ - static_cast<int64_t>(received_.size()); }

  // One request and its response.
  void fetch() {
    const runtime::CollectRequest request{version_, offset_, committed_};
    runtime::CollectResponse<T> response = coordinator_->request(request);
    const bool news = runtime::answers(request, response);
    if (response.version != runtime::kNoCollectVersion) {
      if (response.version != version_) {
        switch_version(response);
      } else {
        take(response);
      }
    }
    if (error_ == nullptr && response.job_ended && !news) end_of_job(response);
  }

  // A sink incarnation the client has not read from yet answered.
  void switch_version(const runtime::CollectResponse<T>& response) {
    if (!exactly_once()) {
      if (version_ != runtime::kNoCollectVersion || response.attempt > 0) {
        fail(job() + " restarted (attempt " + std::to_string(response.attempt) + ") " +
             not_exactly_once_ +
             ": the results of execute_and_collect() may be incomplete or duplicated, so they "
             "end here. Enable checkpointing (with a serializable result type) for exactly-once "
             "results across restarts.");
        return;
      }
    } else {
      const int64_t restored = response.checkpointed_offset;
      if (restored < committed_) {
        fail(job() + " restarted (attempt " + std::to_string(response.attempt) +
             ") from a checkpoint that ends at result " + std::to_string(restored) +
             ", but the results up to " + std::to_string(committed_) +
             " were handed out already and would be handed out twice, so the results of "
             "execute_and_collect() end here.");
        return;
      }
      // Results past the restored checkpoint come again from the restarted sink.
      const int64_t keep = std::min(offset_, restored);
      for (int64_t i = keep; i < offset_; ++i) received_.pop_back();
      offset_ = keep;
      committed_ = restored;
    }
    if (response.offset > offset_) {
      throw std::logic_error("collect sink of " + job() + " restarted with results from offset " +
                             std::to_string(response.offset) + ", but the client holds only " +
                             "those before " + std::to_string(offset_));
    }
    version_ = response.version;
  }

  void take(runtime::CollectResponse<T>& response) {
    if (response.offset != offset_) {
      throw std::logic_error("collect sink of " + job() + " answered with results from offset " +
                             std::to_string(response.offset) + " to a request for offset " +
                             std::to_string(offset_));
    }
    for (T& result : response.results) received_.push_back(std::move(result));
    offset_ += static_cast<int64_t>(response.results.size());
    committed_ = exactly_once() ? std::max(committed_, response.checkpointed_offset) : offset_;
  }

  // The job has ended and the sink has nothing more for this client.
  void end_of_job(const runtime::CollectResponse<T>& response) {
    ended_ = true;
    if (client_.get_job_status() == JobStatus::kFinished) {
      if (response.version != version_ || !response.end_of_input) {
        throw std::logic_error("job " + job() + " finished, but its collect sink holds results " +
                               "up to offset " + std::to_string(offset_) +
                               " without having ended its input");
      }
      committed_ = offset_;  // a finished job restarts no more
      return;
    }
    try {
      client_.get_job_execution_result();
      error_ = std::make_exception_ptr(
          JobExecutionException(job() + " ended " + to_string(client_.get_job_status())));
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  void fail(const std::string& message) {
    error_ = std::make_exception_ptr(JobExecutionException(message));
    ended_ = true;
    close();
  }

  std::string job() const {
    return "Job '" + client_.get_job_name() + "' (" + client_.get_job_id() + ")";
  }

  JobClient client_;
  std::shared_ptr<runtime::CollectCoordinator<T>> coordinator_;  // null once closed
  std::string not_exactly_once_;
  uint64_t version_ = runtime::kNoCollectVersion;  // the sink version read from
  int64_t offset_ = 0;                             // the next result to receive
  int64_t committed_ = 0;                          // results before it may be handed out
  std::deque<T> received_;                         // received, not handed out yet
  bool ended_ = false;                             // nothing more will be fetched
  std::exception_ptr error_;                       // thrown once received_ is handed out
};

}  // namespace eddy
