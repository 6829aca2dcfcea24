// The job's DAG as JSON: key_by + sum over (fruit, count) pairs, with the execution plan printed
// before the job runs.
// Port of "DAG 시각화 예제" (seed 001, "Pyflink 예시 코드" and "PyFlink 예제").
// Prints "DAG Execution Plan:", the plan as JSON, then the running sums:
//   (apple,1)
//   (banana,1)
//   (apple,2)
// The plan has a source node and the aggregation, linked by a HASH edge: key_by is not an operator
// of its own but the way records travel to the aggregation (PyFlink adds a Python map for the key
// selector, the seed's node 2; here the C++ key selector runs inside the edge). The plan is taken
// before print(), so it has no sink node.
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "eddy/eddy.h"

int main() {
  // Create the execution environment (an embedded mini-cluster runs the job, like PyFlink's
  // MiniCluster).
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();

  // Parallelism (optional): with 1, everything runs as a single task and the output order is
  // easy to follow.
  env.set_parallelism(1);

  // Example source: from_collection() turns a local list into a stream of (String, Int) tuples.
  using FruitCount = std::pair<std::string, int>;
  eddy::DataStream<FruitCount> data =
      env.from_collection(std::vector<FruitCount>{{"apple", 1}, {"banana", 1}, {"apple", 1}});

  // Transformation: key_by + sum.
  // key_by(): group by the first field ("apple", "banana").
  // sum(1): add up the second field (index 1).
  eddy::DataStream<FruitCount> result =
      data.key_by([](const FruitCount& x) { return x.first; }).sum(1);

  // The DAG as Eddy builds it, as a JSON string.
  std::string execution_plan = env.get_execution_plan();
  std::cout << "DAG Execution Plan:\n" << execution_plan << "\n";

  // The simplest sink: print the results to the console.
  result.print();

  // Run: Source -> Transformation -> Sink.
  env.execute("Basic PyFlink Job");
  return 0;
}
