// CollectCoordinator: the job's end of the collect protocol (collect_protocol.h), where the
// client's CollectRequests arrive and are passed to the sink incarnation that runs now (Flink's
// CollectSinkOperatorCoordinator). It knows which incarnation that is, and when the job has ended.
//
// How it maps onto processes: the client sends a CollectRequest to the JobMaster, addressed by
// the collect sink's operator id; the JobMaster's coordinator forwards it to the TaskManager that
// runs the sink, whose RPC thread calls CollectSinkServer::serve and returns the CollectResponse.
// A sink registers by telling the JobMaster its address when it opens; a finished sink's last
// buffer travels to the JobMaster with the task's final report (Flink ships it as an
// accumulator), so the client can still read it after the task is gone. Only the messages cross;
// in one process today the registered server object stands in for the TaskManager's address.
//
// Threads: register_sink from the sink's task thread, job_ended from the job's, request and
// close from the client's. Lock order: mu_, then a server's lock (never the other way round).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "eddy/runtime/collect_protocol.h"
#include "eddy/runtime/collect_sink_server.h"

namespace eddy::runtime {

template <class T>
class CollectCoordinator {
 public:
  // The most results one response carries.
  static constexpr size_t kMaxResultsPerResponse = 4096;

  // `id` names this execute_and_collect() call: a sink restored from a checkpoint or savepoint of
  // another call (another id) starts afresh instead of serving that call's results.
  explicit CollectCoordinator(uint64_t id) : id_(id) {}

  uint64_t id() const { return id_; }

  // A sink incarnation starts serving; the one before it, if any, is retired.
  void register_sink(std::shared_ptr<CollectSinkServer<T>> sink) {
    std::shared_ptr<CollectSinkServer<T>> previous;
    {
      std::lock_guard lock(mu_);
      if (client_closed_) sink->close_by_client();
      previous = std::exchange(sink_, std::move(sink));
      ++generation_;
      changed_.notify_all();
    }
    if (previous) previous->retire();
  }

  // The job reached a terminal status: no sink registers any more.
  void job_ended() {
    std::shared_ptr<CollectSinkServer<T>> sink;
    {
      std::lock_guard lock(mu_);
      job_ended_ = true;
      sink = sink_;
      changed_.notify_all();
    }
    if (sink) sink->retire();
  }

  // The client reads no more: a sink blocked on its full buffer goes on (dropping results).
  void close() {
    std::shared_ptr<CollectSinkServer<T>> sink;
    {
      std::lock_guard lock(mu_);
      client_closed_ = true;
      sink = sink_;
      changed_.notify_all();
    }
    if (sink) sink->close_by_client();
  }

  // Answers `request` once there is news for it (see answers()) or the job has ended; waits
  // meanwhile, also while no sink runs (before the first start, between attempts). Throws
  // std::logic_error when the request breaks the protocol.
  CollectResponse<T> request(const CollectRequest& request) {
    for (;;) {
      std::shared_ptr<CollectSinkServer<T>> sink;
      uint64_t generation;
      bool ended;
      {
        std::lock_guard lock(mu_);
        sink = sink_;
        generation = generation_;
        ended = job_ended_;
      }
      CollectResponse<T> response;
      if (sink) response = sink->serve(request, !ended, kMaxResultsPerResponse);
      response.job_ended = ended;
      if (ended || answers(request, response)) return response;
      // The sink was retired without news: wait for the next one or the job's end.
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return generation_ != generation || job_ended_; });
    }
  }

 private:
  const uint64_t id_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::shared_ptr<CollectSinkServer<T>> sink_;  // GUARDED_BY(mu_): the latest to register
  uint64_t generation_ = 0;                     // GUARDED_BY(mu_): counts registrations
  bool job_ended_ = false;                      // GUARDED_BY(mu_)
  bool client_closed_ = false;                  // GUARDED_BY(mu_)
};

}  // namespace eddy::runtime
