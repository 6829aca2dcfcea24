// The job from the README: map at parallelism 2, printed with subtask prefixes.
#include <eddy/eddy.h>

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto ds = env.from_collection(std::vector<int>{1, 2, 3, 4});
  ds.map([](int x) { return x * 2; }).print();
  env.execute("Simple Map Job");
}
