// Operator state in functions: a CheckpointedFunction source or sink gets initialize_state()
// once per subtask, before open(), with an empty, unrestored operator state store of its own.
#include <gtest/gtest.h>

#include <mutex>

#include "api/test_jobs.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

// What each subtask saw, in call order: "init:<subtask?>:<restored>", "open:<subtask>", ...
using Journal = testing::SharedSink<std::string>;

// Emits 0..n-1 split over its subtasks; keeps the next value to emit in operator state.
struct PositionedSource : ParallelSourceFunction<int64_t>, CheckpointedFunction {
  int64_t n = 0;
  std::shared_ptr<Journal> journal;
  ListState<int64_t>* position = nullptr;
  int subtask = -1;
  int parallelism = 1;
  bool running = true;

  void initialize_state(FunctionInitializationContext& ctx) override {
    position = &ctx.get_operator_state_store().get_list_state(
        ListStateDescriptor<int64_t>("next-position"));
    journal->add("source init restored=" + std::to_string(ctx.is_restored()) +
                 " size=" + std::to_string(position->get().size()));
  }
  void snapshot_state(FunctionSnapshotContext&) override {}
  void open(RuntimeContext& ctx) override {
    subtask = ctx.get_index_of_this_subtask();
    parallelism = ctx.get_number_of_parallel_subtasks();
    journal->add("source open " + std::to_string(subtask) +
                 " initialized=" + std::to_string(position != nullptr));
    position->update({subtask});
  }
  void run(SourceContext<int64_t>& ctx) override {
    while (running) {
      const int64_t next = position->get().at(0);
      if (next >= n) return;
      {
        std::lock_guard lock(ctx.get_checkpoint_lock());
        ctx.collect(next);
        position->update({next + parallelism});
      }
    }
  }
  void cancel() override { running = false; }
};

// Counts what it received in split-distributed and union list state.
struct CountingSink : SinkFunction<int64_t>, CheckpointedFunction {
  std::shared_ptr<Journal> journal;
  ListState<int64_t>* received = nullptr;
  ListState<int64_t>* totals = nullptr;

  void initialize_state(FunctionInitializationContext& ctx) override {
    auto& store = ctx.get_operator_state_store();
    received = &store.get_list_state(ListStateDescriptor<int64_t>("received"));
    totals = &store.get_union_list_state(ListStateDescriptor<int64_t>("totals"));
    journal->add("sink init restored=" + std::to_string(ctx.is_restored()) +
                 " size=" + std::to_string(received->get().size()));
  }
  void snapshot_state(FunctionSnapshotContext&) override {}
  void invoke(const int64_t& value, const Context&) override { received->add(value); }
  void close() override {
    int64_t sum = 0;
    for (int64_t v : received->get()) sum += v;
    totals->update({sum});
    journal->add("sink close n=" + std::to_string(received->get().size()) +
                 " sum=" + std::to_string(totals->get().at(0)));
  }
};

TEST(OperatorStateTest, CheckpointedSourcesAndSinksInitializeTheirOwnStateBeforeOpen) {
  auto journal = std::make_shared<Journal>();
  PositionedSource source;
  source.n = 1000;
  source.journal = journal;
  CountingSink sink;
  sink.journal = journal;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.add_source(source).rebalance().add_sink(sink);
  env.execute("operator state");

  std::vector<std::string> lines = journal->values();
  // Each subtask initializes (empty, not restored) before it opens.
  int source_inits = 0, sink_inits = 0;
  int64_t n = 0, sum = 0;
  for (const std::string& line : lines) {
    if (line == "source init restored=0 size=0") ++source_inits;
    if (line == "sink init restored=0 size=0") ++sink_inits;
    EXPECT_NE(line, "source open 0 initialized=0");
    EXPECT_NE(line, "source open 1 initialized=0");
    int64_t subtask_n = 0, subtask_sum = 0;
    if (std::sscanf(line.c_str(), "sink close n=%ld sum=%ld", &subtask_n, &subtask_sum) == 2) {
      n += subtask_n;
      sum += subtask_sum;
    }
  }
  EXPECT_EQ(source_inits, 2);
  EXPECT_EQ(sink_inits, 2);
  // The sources' positions in operator state covered 0..999 exactly once between them.
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(sum, 999 * 1000 / 2);
}

}  // namespace
}  // namespace eddy
