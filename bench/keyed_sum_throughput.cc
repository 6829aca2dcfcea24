// Throughput of a keyed running sum at parallelism 2 (c):
//   from_sequence(1, N) → map(i → (i % 1000, 1)) → key_by(first) → sum(1) → counting sink.
// Every record crosses a hash-partitioned edge (two senders, two receivers) and updates one of
// 1000 keys; the sum emits the key's new total after every record. The rate is input records
// per second of wall time for the whole job, compared with a single-threaded loop doing the
// same with an unordered_map.
#include <cstdint>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::EngineRun;
using eddy::bench::Totals;
using KeyValue = std::pair<int64_t, int64_t>;

constexpr double kTarget = 15e6;  // records/s, whole job
constexpr int64_t kKeys = 1000;
constexpr int kParallelism = 2;

// Counts the records it receives, and adds up the running sums they carry so that the result
// can be checked: key k seen c times emits 1 + 2 + ... + c whatever the order.
class CountingSink final : public eddy::SinkFunction<KeyValue> {
 public:
  void open(eddy::RuntimeContext& ctx) override {
    records_ = &ctx.get_long_counter("records");
    checksum_ = &ctx.get_long_counter("checksum");
  }
  void invoke(const KeyValue& value, const Context&) override {
    records_->add(1);
    checksum_->add(value.second);
  }

 private:
  eddy::LongCounter* records_ = nullptr;
  eddy::LongCounter* checksum_ = nullptr;
};

EngineRun run_engine(int64_t records) {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(kParallelism);
  env.from_sequence(1, records)
      .map([](const int64_t& i) { return KeyValue(i % kKeys, 1); })
      .key_by([](const KeyValue& kv) { return kv.first; })
      .sum(1)
      .add_sink(CountingSink());
  EngineRun run;
  eddy::JobExecutionResult result;
  run.seconds = eddy::bench::seconds_of([&] { result = env.execute("keyed sum benchmark"); });
  run.totals = result.get_all_accumulator_results();
  return run;
}

[[gnu::noinline]] Totals run_plain_loop(int64_t records) {
  std::unordered_map<int64_t, int64_t> sums;
  struct {
    int64_t records = 0;
    int64_t checksum = 0;
  } sink;
  for (int64_t i = 1; i <= records; ++i) {
    const KeyValue record(i % kKeys, 1);
    int64_t& sum = sums[record.first];
    sum += record.second;
    const KeyValue emitted(record.first, sum);
    ++sink.records;
    sink.checksum += emitted.second;
  }
  return {{"records", sink.records}, {"checksum", sink.checksum}};
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv, "[--records N (default 100M)] [--runs R (default 5)]");
  const int64_t records = flags.count("--records", 100'000'000);
  const int runs = static_cast<int>(flags.count("--runs", 5));
  flags.finish();

  std::printf("key_by(i %% %lld) → sum(1) at parallelism %d: %lld records, median of %d runs\n",
              static_cast<long long>(kKeys), kParallelism, static_cast<long long>(records), runs);
  const auto result = eddy::bench::measure_throughput(
      "keyed_sum_p2", records, runs, [records] { return run_engine(records); },
      [records] { return run_plain_loop(records); });
  eddy::bench::print_throughput_header();
  eddy::bench::print_throughput_row(result);
  eddy::bench::print_throughput_summary("(c) key_by→sum, p=2 (total)", result, kTarget, runs);
  return 0;
}
