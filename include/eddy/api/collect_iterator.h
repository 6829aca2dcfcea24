// CollectIterator: the results of execute_and_collect(), read while the job runs. Reading is
// what drives the job once the collect sink's buffer is full. Dropping the iterator early cancels
// the job. With checkpointing, results are exactly once across restarts: each is handed out once
// the checkpoint holding it has completed (see CollectResultFetcher).
#pragma once

#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eddy/api/collect_result_fetcher.h"
#include "eddy/api/job_client.h"
#include "eddy/runtime/collect_coordinator.h"

namespace eddy {

template <class T>
class CollectIterator {
 public:
  // `not_exactly_once`: see CollectResultFetcher.
  CollectIterator(JobClient client, std::shared_ptr<runtime::CollectCoordinator<T>> coordinator,
                  std::string not_exactly_once)
      : fetcher_(std::move(client), std::move(coordinator), std::move(not_exactly_once)) {}
  CollectIterator(CollectIterator&&) noexcept = default;
  CollectIterator& operator=(CollectIterator&&) noexcept = default;
  ~CollectIterator() { close(); }

  // Waits for the next record. False at the end of a finished job; throws
  // JobExecutionException if the job failed, or restarted where results cannot survive it.
  bool has_next() {
    if (!next_ && !done_) {
      next_ = fetcher_.next();
      done_ = !next_;
    }
    return next_.has_value();
  }
  // REQUIRES: has_next().
  T next() {
    has_next();
    T value = std::move(*next_);
    next_.reset();
    return value;
  }
  // Stops reading; cancels the job if it still runs.
  void close() { fetcher_.close(); }
  // Reads up to `limit` records (all, if absent) and closes.
  std::vector<T> to_vector(std::optional<size_t> limit = std::nullopt) {
    std::vector<T> out;
    while ((!limit || out.size() < *limit) && has_next()) out.push_back(next());
    close();
    return out;
  }
  const JobClient& get_job_client() const { return fetcher_.job_client(); }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    iterator() = default;
    explicit iterator(CollectIterator* owner) : owner_(owner) { advance(); }
    T& operator*() { return *value_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    bool operator==(const iterator& other) const { return owner_ == other.owner_; }

   private:
    void advance() {
      if (owner_ && owner_->has_next()) {
        value_ = owner_->next();
      } else {
        owner_ = nullptr;
      }
    }
    CollectIterator* owner_ = nullptr;
    std::optional<T> value_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  CollectResultFetcher<T> fetcher_;
  std::optional<T> next_;
  bool done_ = false;
};

}  // namespace eddy
