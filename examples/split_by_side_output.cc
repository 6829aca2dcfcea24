// Splitting a stream with a side output: one ProcessFunction sends the even numbers to its main
// output and the odd numbers to a side output named by an OutputTag. This is the variant of the
// filter split in which the odd stream really is a side output, as the seed calls it; unlike two
// filters, every record is looked at once.
// Variant of "데이터 스트림 분할 (Filter) 예시" (seed 000, "데이터 스트림 분할 (Filter)"), whose
// results are "짝수 (메인): [2, 4, 6]" and "홀수 (Side Output): [1, 3, 5]".
// Prints:
//   Even stream: [2, 4, 6]
//   Odd stream: [1, 3, 5]
#include <iostream>
#include <utility>
#include <vector>

#include "eddy/eddy.h"

// Even numbers to the main output, odd numbers to the side output `odd_tag`.
class EvenOddSplitter : public eddy::ProcessFunction<int, int> {
 public:
  explicit EvenOddSplitter(eddy::OutputTag<int> odd_tag) : odd_tag_(std::move(odd_tag)) {}

  void process_element(const int& value, Context& ctx, eddy::Collector<int>& out) override {
    if (value % 2 == 0) {
      out.collect(value);
    } else {
      ctx.output(odd_tag_, value);
    }
  }

 private:
  eddy::OutputTag<int> odd_tag_;
};

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  // One subtask keeps each sub-stream in input order.
  env.set_parallelism(1);

  // Example input: a list of ints.
  eddy::DataStream<int> data = env.from_collection({1, 2, 3, 4, 5, 6});

  // The tag names the side output and fixes its element type.
  const eddy::OutputTag<int> odd_tag("odd");

  eddy::DataStream<int> even_stream = data.process(EvenOddSplitter(odd_tag));  // main output
  eddy::DataStream<int> odd_stream = even_stream.get_side_output(odd_tag);     // side output

  // Run the job: execute() runs the recorded operators and clears them.
  env.execute("Split Stream Example (side output)");

  // Collect the results: each execute_and_collect() runs its stream again.
  std::vector<int> evens = even_stream.execute_and_collect().to_vector();
  std::vector<int> odds = odd_stream.execute_and_collect().to_vector();

  std::cout << "Even stream: " << eddy::format_value(evens) << "\n";
  std::cout << "Odd stream: " << eddy::format_value(odds) << "\n";
  return 0;
}
