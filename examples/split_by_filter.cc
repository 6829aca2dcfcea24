// Splitting a stream with filters: two filters on the same stream make two sub-streams, the way
// split()/select() did in early Flink versions.
// Port of "데이터 스트림 분할 (Filter) 예시" (seed 000, "데이터 스트림 분할 (Filter)").
// Prints:
//   Even stream: [2, 4, 6]
//   Odd stream: [1, 3, 5]
#include <iostream>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // One subtask keeps each sub-stream in input order, as the seed's output shows.
  env.set_parallelism(1);

  // Example input: a list of ints.
  eddy::DataStream<int> data = env.from_collection({1, 2, 3, 4, 5, 6});

  // Split the stream by condition with filters.
  eddy::DataStream<int> even_stream = data.filter([](int x) { return x % 2 == 0; });  // evens
  eddy::DataStream<int> odd_stream = data.filter([](int x) { return x % 2 != 0; });   // odds

  // Run the job: execute() runs the recorded operators and clears them.
  env.execute("Split Stream Example");

  // Collect the results: each execute_and_collect() runs its stream again.
  std::vector<int> evens = even_stream.execute_and_collect().to_vector();
  std::vector<int> odds = odd_stream.execute_and_collect().to_vector();

  std::cout << "Even stream: " << eddy::format_value(evens) << "\n";
  std::cout << "Odd stream: " << eddy::format_value(odds) << "\n";
  return 0;
}
