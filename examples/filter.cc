// filter: keeps the elements a predicate accepts: the even numbers of [1, 2, 3, 4, 5, 6].
// Port of the "filter 함수" example (seed 000, "기본 변환 함수"). Prints: filter 결과: [2, 4, 6]
#include <iostream>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // One subtask keeps the results in input order, as the seed's output shows.
  env.set_parallelism(1);

  // Example input: a list of ints.
  std::vector<int> input_data = {1, 2, 3, 4, 5, 6};

  eddy::DataStream<int> ds = env.from_collection(input_data);

  // filter: only even numbers pass.
  eddy::DataStream<int> filtered_stream = ds.filter([](int x) { return x % 2 == 0; });

  // execute() runs the recorded operators and clears them; execute_and_collect() runs the stream
  // again to bring its results back.
  env.execute("Filter Job");

  std::vector<int> filtered_result = filtered_stream.execute_and_collect().to_vector();
  std::cout << "filter 결과: " << eddy::format_value(filtered_result) << "\n";
  return 0;
}
