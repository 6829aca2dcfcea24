// union: merges streams of the same type into one.
// Port of the "union 함수" example (seed 000, "멀티 스트림 및 결합 함수").
// Prints: Union 결과: [1, 2, 3, 4, 5, 6] — the two sources run in parallel, so the elements of
// one stream may come before, after or between those of the other.
#include <iostream>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();

  // Example input: two streams of ints.
  eddy::DataStream<int> stream1 = env.from_collection({1, 2, 3});
  eddy::DataStream<int> stream2 = env.from_collection({4, 5, 6});

  // union: merge the two streams into one. Both must have the same element type (union_,
  // because union is a C++ keyword; a different type does not compile).
  eddy::DataStream<int> union_stream = stream1.union_(stream2);

  // Collect the results.
  std::vector<int> result_union = union_stream.execute_and_collect().to_vector();
  std::cout << "Union 결과: " << eddy::format_value(result_union) << "\n";
  return 0;
}
