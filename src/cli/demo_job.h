// The demo job behind `eddy demo`: user-behaviour events (the seed notes' schema) counted per
// category and behavior, printed as the counts update.
#pragma once

namespace eddy::cli {

struct DemoOptions {
  int seconds = 3;
  int events_per_second = 20;
  int parallelism = 2;
};

int run_demo(const DemoOptions& options);

}  // namespace eddy::cli
