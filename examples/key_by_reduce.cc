// key_by + reduce: groups (user, value) pairs by user and keeps a running sum per user.
// Port of the "keyby 함수" and "reduce 함수" examples (seed 000, "그룹화 및 집계 함수").
// Prints one line per input record, the running sum of its key:
//   (A,1)
//   (B,2)
//   (A,4)
//   (B,6)
// (A tuple prints as Java's Tuple2 does, without spaces: (A,1), not Python's ('A', 1).)
#include <string>
#include <utility>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // One subtask prints the sums in input order and without the "N> " prefix a parallel print
  // sink adds, as in the seed's output.
  env.set_parallelism(1);

  // Example input: (user, value) tuples.
  using UserValue = std::pair<std::string, int>;
  std::vector<UserValue> input_data = {{"A", 1}, {"B", 2}, {"A", 3}, {"B", 4}};

  // The DataStream of (String, Int) tuples.
  eddy::DataStream<UserValue> ds = env.from_collection(input_data);

  // key_by: group by the user (the first field).
  auto keyed_stream = ds.key_by([](const UserValue& x) { return x.first; });

  // reduce: add up the values within each key; every record emits the key's sum so far.
  eddy::DataStream<UserValue> summed_stream =
      keyed_stream.reduce([](const UserValue& a, const UserValue& b) {
        return UserValue(a.first, a.second + b.second);
      });

  // Print the results.
  summed_stream.print();

  // Run.
  env.execute("KeyBy Visualization");
  return 0;
}
