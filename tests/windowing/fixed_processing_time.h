// A WindowAssignerContext whose processing time the test sets.
#pragma once

#include <cstdint>

#include "eddy/windowing/window_assigner.h"

namespace eddy::testing {

class FixedProcessingTime : public WindowAssignerContext {
 public:
  explicit FixedProcessingTime(int64_t now = 0) : now_(now) {}
  void set(int64_t now) { now_ = now; }
  int64_t get_current_processing_time() const override { return now_; }

 private:
  int64_t now_;
};

}  // namespace eddy::testing
