#include "cli/demo_job.h"

#include <array>
#include <cstdint>
#include <iostream>
#include <string>
#include <tuple>

#include "eddy/eddy.h"

namespace eddy::cli {
namespace {

struct UserBehavior {
  int64_t user_id;
  int64_t item_id;
  std::string category;
  std::string behavior;
  int64_t ts;  // epoch milliseconds
};

// A deterministic event for index i: the same run prints the same final counts. The vocabulary is
// that of the seed notes' Kafka producer: five categories, four behaviors, chosen uniformly.
UserBehavior make_event(int64_t i) {
  static const std::array<const char*, 5> categories = {"electronics", "books", "clothing", "home",
                                                        "sports"};
  static const std::array<const char*, 4> behaviors = {"click", "view", "add_to_cart", "purchase"};
  uint64_t h = static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ull;
  h ^= h >> 29;
  return UserBehavior{static_cast<int64_t>(h % 100), static_cast<int64_t>((h >> 10) % 200),
                      categories[(h >> 20) % categories.size()],
                      behaviors[(h >> 24) % behaviors.size()], 1700000000000 + i * 50};
}

}  // namespace

int run_demo(const DemoOptions& options) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(options.parallelism);

  const int64_t total = int64_t{options.seconds} * options.events_per_second;
  auto events = env.from_source(
      DataGeneratorSource<UserBehavior>(make_event, total, options.events_per_second),
      "User Behavior Generator");

  events
      .map(
          [](const UserBehavior& e) { return std::make_tuple(e.category, e.behavior, int64_t{1}); })
      .name("To (category, behavior, 1)")
      .key_by([](const auto& t) { return std::make_pair(std::get<0>(t), std::get<1>(t)); })
      .sum(2)
      .name("Count per category and behavior")
      .print();

  std::cout << "Eddy demo: " << total << " user-behaviour events over " << options.seconds
            << " s, counted per (category, behavior) at parallelism " << options.parallelism
            << "\n";
  std::cout.flush();
  JobExecutionResult result = env.execute("User Behavior Counts");
  std::cout << "Job " << result.get_job_id() << " finished in " << result.get_net_runtime()
            << " ms\n";
  return 0;
}

}  // namespace eddy::cli
