// CollectSinkServer: the collect sink's side of the collect protocol (collect_protocol.h) for one
// sink incarnation: the buffer of results the client has not acknowledged, their offsets, the end
// of the latest completed checkpoint, and the handler that answers a CollectRequest (Flink's
// CollectSinkFunction with its server thread).
//
// Threads: the sink's task thread adds results, snapshots and learns of completed checkpoints;
// serve() runs on the thread of whoever asks (in one process the client's; later the RPC
// server's in the TaskManager); cancel() and close_by_client() come from any thread. Everything
// is guarded by mu_.
// Invariants: buffer_ holds the results [buffer_offset_, end_offset()); results before
// buffer_offset_ were acknowledged by the client of this version; checkpointed_offset_ never
// decreases and never passes end_offset(); the buffer holds at most `capacity` results, so a
// client that stops reading backpressures the job.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "eddy/runtime/collect_protocol.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class T>
class CollectSinkServer {
 public:
  // REQUIRES: version != kNoCollectVersion; capacity > 0.
  CollectSinkServer(uint64_t version, size_t capacity) : version_(version), capacity_(capacity) {}
  CollectSinkServer(const CollectSinkServer&) = delete;
  CollectSinkServer& operator=(const CollectSinkServer&) = delete;

  uint64_t version() const { return version_; }

  // ---- the sink's task thread ----

  // Starts the incarnation of job attempt `attempt`, from a restored checkpoint's buffer (results
  // [offset, offset + results.size()), all of them checkpointed) or from nothing.
  // REQUIRES: before the sink is registered with the coordinator.
  void start(int attempt, int64_t offset, std::vector<T> results) {
    std::lock_guard lock(mu_);
    attempt_ = attempt;
    buffer_offset_ = offset;
    buffer_.assign(std::make_move_iterator(results.begin()),
                   std::make_move_iterator(results.end()));
    checkpointed_offset_ = end_offset_locked();
  }

  // Appends a result. Blocks while the buffer is full; throws TaskCancelled once cancel()ed;
  // drops the result once the client has closed.
  void add(T&& result) {
    std::unique_lock lock(mu_);
    if (buffer_.size() >= capacity_) {
      space_.wait(lock, [&] { return buffer_.size() < capacity_ || cancelled_ || client_closed_; });
    }
    if (cancelled_) throw TaskCancelled();
    if (client_closed_) return;
    buffer_.push_back(std::move(result));
    if (client_waiting_) changed_.notify_all();
  }

  int64_t end_offset() const {
    std::lock_guard lock(mu_);
    return end_offset_locked();
  }

  // Calls write(buffer_offset, results) with the unacknowledged results: what a checkpoint keeps.
  template <class Write>
  void write_unacknowledged(Write&& write) const {
    std::lock_guard lock(mu_);
    write(buffer_offset_, buffer_);
  }

  // A checkpoint holding every result before `offset` completed.
  void set_checkpointed(int64_t offset) {
    std::lock_guard lock(mu_);
    if (offset <= checkpointed_offset_) return;
    checkpointed_offset_ = std::min(offset, end_offset_locked());
    changed_.notify_all();
  }

  // The sink's input ended: no result follows in this incarnation.
  void end_input() {
    std::lock_guard lock(mu_);
    end_of_input_ = true;
    changed_.notify_all();
  }

  // No result follows in this incarnation (the sink closed, another replaced it or the job
  // ended): serve() waits no more. The buffer stays readable.
  void retire() {
    std::lock_guard lock(mu_);
    retired_ = true;
    changed_.notify_all();
  }

  // ---- any thread ----

  // The sink's task is cancelled: a blocked add() throws TaskCancelled.
  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    space_.notify_all();
  }

  // The client reads no more: results are dropped from now on, and a blocked add() returns.
  void close_by_client() {
    std::lock_guard lock(mu_);
    client_closed_ = true;
    buffer_.clear();
    buffer_offset_ = end_offset_locked();
    space_.notify_all();
    changed_.notify_all();
  }

  // Answers `request` with up to `max_results` results. A request of this version acknowledges
  // the results before its offset. With `wait`, blocks until the answer tells the client
  // something new (see answers()) or the incarnation is retired.
  // Throws std::logic_error when the request breaks the protocol (asks for results that were
  // acknowledged already, or that do not exist yet).
  CollectResponse<T> serve(const CollectRequest& request, bool wait, size_t max_results) {
    std::unique_lock lock(mu_);
    if (request.version == version_) acknowledge_locked(request.offset);
    if (wait && !retired_ && !has_news_locked(request)) {
      client_waiting_ = true;
      changed_.wait(lock, [&] { return retired_ || has_news_locked(request); });
      client_waiting_ = false;
    }
    CollectResponse<T> response;
    response.version = version_;
    response.attempt = attempt_;
    response.checkpointed_offset = checkpointed_offset_;
    if (request.version != version_) {
      response.offset = buffer_offset_;
      return response;
    }
    response.offset = request.offset;
    const auto first = static_cast<size_t>(request.offset - buffer_offset_);
    const size_t count = std::min(max_results, buffer_.size() - first);
    response.results.reserve(count);
    // Copies: the results stay buffered (and checkpointed) until the client acknowledges them.
    auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(first);
    response.results.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
    response.end_of_input = end_of_input_ && first + count == buffer_.size();
    return response;
  }

 private:
  int64_t end_offset_locked() const {
    return buffer_offset_ + static_cast<int64_t>(buffer_.size());
  }

  bool has_news_locked(const CollectRequest& request) const {
    return request.version != version_ || end_offset_locked() > request.offset ||
           checkpointed_offset_ > request.checkpointed_offset;
  }

  void acknowledge_locked(int64_t offset) {
    if (offset < buffer_offset_ || offset > end_offset_locked()) {
      throw std::logic_error("collect sink (version " + std::to_string(version_) +
                             "): the client asks for results from offset " +
                             std::to_string(offset) + " but holds results [" +
                             std::to_string(buffer_offset_) + ", " +
                             std::to_string(end_offset_locked()) + ")");
    }
    if (offset == buffer_offset_) return;
    const bool was_full = buffer_.size() >= capacity_;
    buffer_.erase(buffer_.begin(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(offset - buffer_offset_));
    buffer_offset_ = offset;
    if (was_full) space_.notify_all();
  }

  const uint64_t version_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable space_;    // the sink waits for room in the buffer
  std::condition_variable changed_;  // a waiting serve() waits for news
  int attempt_ = 0;                  // GUARDED_BY(mu_)
  std::deque<T> buffer_;             // GUARDED_BY(mu_)
  int64_t buffer_offset_ = 0;        // GUARDED_BY(mu_)
  int64_t checkpointed_offset_ = 0;  // GUARDED_BY(mu_)
  bool end_of_input_ = false;        // GUARDED_BY(mu_)
  bool retired_ = false;             // GUARDED_BY(mu_)
  bool cancelled_ = false;           // GUARDED_BY(mu_)
  bool client_closed_ = false;       // GUARDED_BY(mu_)
  bool client_waiting_ = false;      // GUARDED_BY(mu_)
};

}  // namespace eddy::runtime
