// A two-phase-commit sink for tests, and the "external system" it commits to: each transaction
// is an id and its records; committing stores them under the id, so a second commit of the same
// transaction (after a restore) changes nothing, as commit() must be idempotent. What a test
// compares is output(): every committed record, sorted.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "eddy/eddy.h"

namespace eddy::testing {

template <class T>
struct CommitLog {
  std::mutex mu;
  std::map<int64_t, std::vector<T>> committed;  // by transaction id
  std::atomic<int64_t> next_transaction{1};

  std::vector<T> output() {
    std::lock_guard lock(mu);
    std::vector<T> all;
    for (const auto& [id, records] : committed)
      all.insert(all.end(), records.begin(), records.end());
    std::sort(all.begin(), all.end());
    return all;
  }
};

template <class T>
struct CommittingSink : TwoPhaseCommitSinkFunction<T, std::pair<int64_t, std::vector<T>>> {
  using Transaction = std::pair<int64_t, std::vector<T>>;
  using Context = typename SinkFunction<T>::Context;

  std::shared_ptr<CommitLog<T>> log = std::make_shared<CommitLog<T>>();
  // Runs before each record joins its transaction (tests inject failures here).
  std::function<void(const T&)> before_write;

 protected:
  Transaction begin_transaction() override { return {log->next_transaction++, {}}; }
  void invoke_with_transaction(Transaction& txn, const T& value, const Context&) override {
    if (before_write) before_write(value);
    txn.second.push_back(value);
  }
  void pre_commit(Transaction&) override {}
  void commit(Transaction& txn) override {
    std::lock_guard lock(log->mu);
    log->committed.emplace(txn.first, txn.second);
  }
  void abort(Transaction&) override {}
};

}  // namespace eddy::testing
