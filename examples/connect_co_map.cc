// connect + CoMapFunction: joins two streams of different types and maps each side with its own
// function into one output type.
// Port of the "connect 함수" example (seed 000, "멀티 스트림 및 결합 함수").
// Prints: Connect 결과: [String: A, String: B, Int: 1, Int: 2] — the two inputs are read as
// their records arrive, so the strings and the ints may interleave. (Python shows the strings
// quoted, ['String: A', ...]; Eddy shows a list as Java's List.toString() does.)
#include <iostream>
#include <string>
#include <vector>

#include "eddy/eddy.h"

// One object handles both inputs: map1 the strings, map2 the ints.
class MyCoMapFunction : public eddy::CoMapFunction<std::string, int, std::string> {
 public:
  std::string map1(const std::string& value) override { return "String: " + value; }
  std::string map2(const int& value) override { return "Int: " + std::to_string(value); }
};

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();

  // Example input: two streams of different types.
  eddy::DataStream<std::string> stream_str =
      env.from_collection(std::vector<std::string>{"A", "B"});
  eddy::DataStream<int> stream_int = env.from_collection({1, 2});

  // connect: link the two streams.
  eddy::ConnectedStreams<std::string, int> connected_stream = stream_str.connect(stream_int);

  eddy::DataStream<std::string> co_mapped_stream = connected_stream.map(MyCoMapFunction());

  // Collect the results.
  std::vector<std::string> result_connect = co_mapped_stream.execute_and_collect().to_vector();
  std::cout << "Connect 결과: " << eddy::format_value(result_connect) << "\n";
  return 0;
}
