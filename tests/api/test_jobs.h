// Small helpers shared by the API tests.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "eddy/eddy.h"
#include "support/latch.h"

namespace eddy::testing {

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// An unbounded source emitting 0, 1, 2, ... until cancelled.
struct CountingSource : SourceFunction<int64_t> {
  std::shared_ptr<std::atomic<bool>> running = std::make_shared<std::atomic<bool>>(true);
  std::shared_ptr<std::atomic<int64_t>> emitted = std::make_shared<std::atomic<int64_t>>(0);
  void run(SourceContext<int64_t>& ctx) override {
    for (int64_t i = 0; running->load(); ++i) {
      ctx.collect(i);
      emitted->store(i + 1);
    }
  }
  void cancel() override { running->store(false); }
};

}  // namespace eddy::testing
