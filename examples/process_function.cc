// ProcessFunction: per-element custom logic: even numbers doubled, odd numbers passed through.
// Port of the "process 함수" example (seed 000, "그룹화 및 집계 함수").
// Prints: Process function result: [1, 4, 3, 8, 5, 12]
#include <iostream>
#include <vector>

#include "eddy/eddy.h"

// Derives from ProcessFunction<In, Out>: emits value * 2 for an even value, the value itself
// for an odd one.
class MyProcessFunction : public eddy::ProcessFunction<int, int> {
 public:
  void process_element(const int& value, Context& /*ctx*/, eddy::Collector<int>& out) override {
    if (value % 2 == 0) {
      out.collect(value * 2);  // even: doubled
    } else {
      out.collect(value);  // odd: unchanged
    }
  }
};

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);

  // Example input: a list of ints.
  std::vector<int> data = {1, 2, 3, 4, 5, 6};

  eddy::DataStream<int> ds = env.from_collection(data);

  // Apply the ProcessFunction.
  eddy::DataStream<int> processed_stream = ds.process(MyProcessFunction());

  // Run the Flink job: execute() runs the recorded operators and clears them.
  env.execute("ProcessFunction Example");

  // Collect the results: execute_and_collect() runs the stream again.
  std::vector<int> result = processed_stream.execute_and_collect().to_vector();

  std::cout << "Process function result: " << eddy::format_value(result) << "\n";
  return 0;
}
