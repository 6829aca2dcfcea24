// ProcessingTimeService: processing time as an operator sees it — the current time of the job's
// clock, and callbacks at a given time. Callbacks run on the operator's own task thread (through
// its mailbox), in time order, never concurrently with records; none runs after the task ends
// (as in Flink, pending processing-time timers are dropped when the input ends).
#pragma once

#include <cstdint>
#include <functional>

namespace eddy::runtime {

class ProcessingTimeService {
 public:
  virtual ~ProcessingTimeService() = default;
  // Epoch milliseconds of the job's clock.
  virtual int64_t current_processing_time() const = 0;
  // Calls `callback(time)` once the clock has reached `time`.
  virtual void register_timer(int64_t time, std::function<void(int64_t)> callback) = 0;
};

}  // namespace eddy::runtime
