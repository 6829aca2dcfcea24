// flat_map: one input element becomes zero or more outputs: each word split into its characters.
// Port of the "flat_map 함수" example (seed 000, "기본 변환 함수").
// Prints: flat_map 결과: [h, e, l, l, o, h, i]
// (Python prints ['h', 'e', ...] because its list repr quotes strings; Eddy shows a list the way
// Java's List.toString() does, without quotes.)
#include <iostream>
#include <string>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // One subtask keeps the characters in input order, as the seed's output shows.
  env.set_parallelism(1);

  // Example input: a list of strings.
  std::vector<std::string> input_data = {"hello", "hi"};

  eddy::DataStream<std::string> ds = env.from_collection(input_data);

  // flat_map function: emits each character of a string as its own element (the Python version
  // yields them from a generator; here they go to the Collector).
  auto split_string = [](const std::string& s, eddy::Collector<char>& out) {
    for (char ch : s) out.collect(ch);
  };

  eddy::DataStream<char> flat_mapped_stream = ds.flat_map(split_string);

  // execute() runs the recorded operators and clears them; execute_and_collect() runs the stream
  // again to bring its results back.
  env.execute("FlatMap Job");
  std::vector<char> flat_mapped_result = flat_mapped_stream.execute_and_collect().to_vector();

  std::cout << "flat_map 결과: " << eddy::format_value(flat_mapped_result) << "\n";
  return 0;
}
