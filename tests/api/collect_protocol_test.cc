// The collect protocol step by step, without a running collect job: its messages round-trip
// through their serialized form; the sink's server keeps, acknowledges and bounds its results;
// the coordinator waits for a sink; and the client hands out only checkpointed results, drops
// what a restart rolls back, and refuses results a restart would duplicate.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using runtime::CollectCoordinator;
using runtime::CollectRequest;
using runtime::CollectResponse;
using runtime::CollectSinkServer;
using Server = CollectSinkServer<std::string>;

std::shared_ptr<Server> started_server(uint64_t version, int attempt, int64_t offset = 0,
                                       std::vector<std::string> restored = {},
                                       size_t capacity = 100) {
  auto server = std::make_shared<Server>(version, capacity);
  server->start(attempt, offset, std::move(restored));
  return server;
}

void add_all(Server& server, std::initializer_list<const char*> results) {
  for (const char* r : results) server.add(std::string(r));
}

TEST(CollectProtocolTest, MessagesRoundTripThroughTheirSerializedForm) {
  const CollectRequest request{0x0123456789abcdefULL, 42, 40};
  EXPECT_EQ(deserialize_from_string<CollectRequest>(serialize_to_string(request)), request);

  CollectResponse<std::string> response;
  response.version = 7;
  response.attempt = 3;
  response.offset = 42;
  response.checkpointed_offset = 44;
  response.end_of_input = true;
  response.job_ended = true;
  response.results = {"a", "", "ccc"};
  const std::string bytes = serialize_to_string(response);
  EXPECT_EQ(deserialize_from_string<CollectResponse<std::string>>(bytes), response);
  // A truncated message is an error, not a shorter message.
  EXPECT_THROW(deserialize_from_string<CollectResponse<std::string>>(
                   std::string_view(bytes).substr(0, bytes.size() - 1)),
               SerializationError);
}

TEST(CollectProtocolTest, AServerAnswersByOffsetAndDropsWhatTheClientAcknowledged) {
  auto server = started_server(5, 0);
  add_all(*server, {"r0", "r1", "r2"});

  // A client of another version learns the sink's version and offsets, and no results.
  CollectResponse<std::string> first = server->serve({0, 0, 0}, false, 10);
  EXPECT_EQ(first.version, 5u);
  EXPECT_EQ(first.offset, 0);
  EXPECT_TRUE(first.results.empty());

  CollectResponse<std::string> r = server->serve({5, 0, 0}, false, 2);
  EXPECT_EQ(r.offset, 0);
  EXPECT_EQ(r.results, (std::vector<std::string>{"r0", "r1"}));
  EXPECT_FALSE(r.end_of_input);
  // Asking again from 0 gets the same results: nothing was acknowledged yet.
  EXPECT_EQ(server->serve({5, 0, 0}, false, 2).results, r.results);

  // Asking from 2 acknowledges r0 and r1: the checkpointed buffer starts at 2.
  r = server->serve({5, 2, 0}, false, 10);
  EXPECT_EQ(r.results, (std::vector<std::string>{"r2"}));
  server->write_unacknowledged([](int64_t offset, const std::deque<std::string>& results) {
    EXPECT_EQ(offset, 2);
    EXPECT_EQ(results, (std::deque<std::string>{"r2"}));
  });
  EXPECT_THROW(server->serve({5, 1, 0}, false, 10), std::logic_error);  // acknowledged already
  EXPECT_THROW(server->serve({5, 4, 0}, false, 10), std::logic_error);  // does not exist yet

  server->set_checkpointed(3);
  server->end_input();
  r = server->serve({5, 2, 0}, false, 10);
  EXPECT_EQ(r.checkpointed_offset, 3);
  EXPECT_TRUE(r.end_of_input);
}

TEST(CollectProtocolTest, ARestoredServerStartsWithItsCheckpointedResults) {
  auto server = started_server(9, 2, 10, {"r10", "r11"});
  EXPECT_EQ(server->end_offset(), 12);
  CollectResponse<std::string> r = server->serve({5, 11, 10}, false, 10);
  EXPECT_EQ(r.version, 9u);
  EXPECT_EQ(r.attempt, 2);
  EXPECT_EQ(r.offset, 10);               // where its buffer starts
  EXPECT_EQ(r.checkpointed_offset, 12);  // all it restored is checkpointed
  EXPECT_EQ(server->serve({9, 11, 12}, false, 10).results, (std::vector<std::string>{"r11"}));
}

TEST(CollectProtocolTest, AFullServerBlocksTheSinkUntilTheClientAcknowledges) {
  auto server = started_server(5, 0, 0, {}, /*capacity=*/2);
  add_all(*server, {"r0", "r1"});
  std::thread sink([&] { server->add("r2"); });  // blocks: the buffer is full
  EXPECT_EQ(server->serve({5, 2, 0}, false, 10).results.size(), 0u);
  sink.join();
  EXPECT_EQ(server->serve({5, 2, 0}, false, 10).results, (std::vector<std::string>{"r2"}));

  add_all(*server, {"r3"});
  std::thread cancelled([&] { EXPECT_THROW(server->add("r4"), runtime::TaskCancelled); });
  server->cancel();
  cancelled.join();
}

TEST(CollectProtocolTest, ARequestWaitsForASinkAndForNews) {
  CollectCoordinator<std::string> coordinator(1);
  CollectResponse<std::string> response;
  std::thread client([&] { response = coordinator.request({0, 0, 0}); });
  auto server = started_server(5, 0);
  coordinator.register_sink(server);
  client.join();
  EXPECT_EQ(response.version, 5u);

  // Nothing new yet: the request waits until a result arrives.
  std::thread waiting([&] { response = coordinator.request({5, 0, 0}); });
  server->add("r0");
  waiting.join();
  EXPECT_EQ(response.results, (std::vector<std::string>{"r0"}));

  // A retired sink with nothing new: the request waits for the job's end.
  std::thread at_end([&] { response = coordinator.request({5, 1, 0}); });
  server->retire();
  coordinator.job_ended();
  at_end.join();
  EXPECT_TRUE(response.job_ended);
  EXPECT_TRUE(response.results.empty());
}

// A finished job, only for the client handle the fetcher reports through.
JobClient finished_job() {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection({1}).add_sink([](int) {});
  JobClient client = env.execute_async("collect protocol");
  client.get_job_execution_result();
  return client;
}

TEST(CollectProtocolTest, TheClientHandsOutCheckpointedResultsAndDropsWhatARestartRollsBack) {
  auto coordinator = std::make_shared<CollectCoordinator<std::string>>(1);
  CollectResultFetcher<std::string> fetcher(finished_job(), coordinator, "");
  auto first = started_server(5, 0);
  coordinator->register_sink(first);
  add_all(*first, {"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"});
  first->set_checkpointed(3);
  EXPECT_EQ(fetcher.next(), "a0");
  EXPECT_EQ(fetcher.next(), "a1");
  EXPECT_EQ(fetcher.next(), "a2");
  // The client has received a3..a7, but no completed checkpoint holds them. The job restarts
  // from a checkpoint that ends at 5, taken when the client had acknowledged 0..1.
  auto second = started_server(6, 1, 2, {"a2", "a3", "a4"});
  coordinator->register_sink(second);
  add_all(*second, {"b5", "b6"});
  EXPECT_EQ(fetcher.next(), "a3");
  EXPECT_EQ(fetcher.next(), "a4");
  second->set_checkpointed(6);
  EXPECT_EQ(fetcher.next(), "b5");
  // The rest is handed out once the job has finished.
  second->end_input();
  second->retire();
  coordinator->job_ended();
  EXPECT_EQ(fetcher.next(), "b6");
  EXPECT_EQ(fetcher.next(), std::nullopt);
}

TEST(CollectProtocolTest, TheClientRefusesARestartFromBeforeWhatItHandedOut) {
  auto coordinator = std::make_shared<CollectCoordinator<std::string>>(1);
  CollectResultFetcher<std::string> fetcher(finished_job(), coordinator, "");
  auto first = started_server(5, 0);
  coordinator->register_sink(first);
  add_all(*first, {"a0", "a1", "a2"});
  first->set_checkpointed(3);
  EXPECT_EQ(fetcher.next(), "a0");
  // Restored from a checkpoint that ends before a0 was handed out (a newer one was damaged).
  coordinator->register_sink(started_server(6, 1));
  // What was checkpointed when it was received is still handed out; then the error.
  EXPECT_EQ(fetcher.next(), "a1");
  EXPECT_EQ(fetcher.next(), "a2");
  try {
    fetcher.next();
    FAIL() << "expected an error";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("would be handed out twice"), std::string::npos)
        << e.what();
  }
}

TEST(CollectProtocolTest, WithoutCheckpointingTheClientHandsOutAtOnceAndARestartEndsTheResults) {
  auto coordinator = std::make_shared<CollectCoordinator<std::string>>(1);
  CollectResultFetcher<std::string> fetcher(finished_job(), coordinator, "without checkpointing");
  auto first = started_server(5, 0);
  coordinator->register_sink(first);
  add_all(*first, {"a0", "a1"});
  EXPECT_EQ(fetcher.next(), "a0");
  coordinator->register_sink(started_server(6, 1));
  EXPECT_EQ(fetcher.next(), "a1");
  try {
    fetcher.next();
    FAIL() << "expected an error";
  } catch (const JobExecutionException& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Job 'collect protocol'"), std::string::npos) << message;
    EXPECT_NE(message.find("restarted (attempt 1) without checkpointing"), std::string::npos)
        << message;
    EXPECT_NE(message.find("incomplete or duplicated"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace eddy
