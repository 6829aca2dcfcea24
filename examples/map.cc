// map: a 1:1 transformation: every element of [1, 2, 3, 4] doubled.
// Port of the "map 함수" example (seed 000, "기본 변환 함수"). Prints: map 결과: [2, 4, 6, 8]
#include <iostream>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // The seed shows the results in input order, which only one subtask guarantees: at a higher
  // parallelism the map subtasks' outputs interleave (e.g. [2, 6, 4, 8] on two cores).
  env.set_parallelism(1);

  // Example input: a list of ints.
  std::vector<int> input_data = {1, 2, 3, 4};

  // The DataStream; its type (Types.INT() in PyFlink) is the C++ element type.
  eddy::DataStream<int> ds = env.from_collection(input_data);

  // map: multiply each element by 2.
  eddy::DataStream<int> mapped_stream = ds.map([](int x) { return x * 2; });

  // Runs the operators recorded so far (the map, which has no sink) and clears them; then
  // execute_and_collect() runs the stream again and brings its results back.
  env.execute("Simple Map Job");
  std::vector<int> mapped_result = mapped_stream.execute_and_collect().to_vector();

  std::cout << "map 결과: " << eddy::format_value(mapped_result) << "\n";
  return 0;
}
