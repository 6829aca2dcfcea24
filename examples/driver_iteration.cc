// Driver-based iteration: the client program loops, running a fresh job per round on the previous
// round's result, until every value is at least 100.
// Port of "데이터 스트림 반복 (Iteration) 예시" (seed 000, "데이터 스트림 반복 (Iteration)").
// Prints:
//   중간 결과: [20]
//   중간 결과: [40]
//   중간 결과: [80]
//   중간 결과: [160]
//   최종 결과: [160]
// As the seed says, this works but is not the recommended way: every round pays for a whole job,
// and the loop's state lives outside Flink's checkpoints; a ProcessFunction with state is the
// usual tool.
#include <algorithm>
#include <iostream>
#include <vector>

#include "eddy/eddy.h"

// Runs one job that doubles every value and returns the results.
std::vector<int> run_flink_job(const std::vector<int>& input_data) {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  eddy::DataStream<int> ds = env.from_collection(input_data);

  // Simply double each value.
  eddy::DataStream<int> mapped_ds = ds.map([](int x) { return x * 2; });

  // Run the job: execute() runs the recorded operators and clears them.
  env.execute("Driver-based iteration job");

  // Collect the results: execute_and_collect() runs the stream again.
  std::vector<int> result = mapped_ds.execute_and_collect().to_vector();
  return result;
}

int main() {
  // Initial data.
  std::vector<int> data = {10};

  // The driver loop: creates and runs an environment again and again.
  while (true) {
    data = run_flink_job(data);
    std::cout << "중간 결과: " << eddy::format_value(data) << "\n";

    // Stop once every value is at least 100.
    if (std::all_of(data.begin(), data.end(), [](int x) { return x >= 100; })) break;
  }

  std::cout << "최종 결과: " << eddy::format_value(data) << "\n";
  return 0;
}
