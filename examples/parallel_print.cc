// The basic job structure at parallelism 2: environment, source, transformation, sink, execute.
// Port of "Pyflink 예시 코드" (seed 001, "Pyflink 예시 코드").
// Prints 2, 4, 6, 8 and 10, one per line, each prefixed with the print subtask that wrote it
// ("1> " or "2> "): the map and the print sink run as two parallel subtasks, so the lines come in
// no fixed order — "병렬로 처리된 결과가 출력".
// from_collection is a non-parallel source (one subtask); it hands its records round-robin to the
// two map subtasks (a REBALANCE edge), each chained to its own print subtask.
#include "eddy/eddy.h"

int main() {
  // 1. Create the execution environment.
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // Two parallel subtasks, for output that does not depend on the machine's number of cores
  // (the seed runs at the default, one per core).
  env.set_parallelism(2);

  // 2. Define the source (turn a list into a stream).
  eddy::DataStream<int> data_stream = env.from_collection({1, 2, 3, 4, 5});

  // 3. Apply a transformation (multiply each number by 2).
  eddy::DataStream<int> transformed_stream = data_stream.map([](int x) { return x * 2; });

  // 4. Set the sink (print the results to the console).
  transformed_stream.print();

  // 5. Run the job.
  env.execute("Simple Flink Job");
  return 0;
}
