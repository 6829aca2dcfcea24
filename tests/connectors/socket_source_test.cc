// socket_text_stream(): records from a real TCP server on the loopback interface — splitting,
// the end of a bounded stream, reconnecting, clear connection errors, and prompt cancellation.
#include <gtest/gtest.h>

#include <optional>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"

namespace eddy {
namespace {

using namespace std::chrono_literals;
using testing::RefusingPort;
using testing::send_all;
using testing::TestServer;

// A server that sends `payloads[i]` on connection i, in separate writes, and then closes it.
TestServer sending_server(std::vector<std::vector<std::string>> payloads,
                          const std::string& address = "127.0.0.1") {
  const int connections = static_cast<int>(payloads.size());
  return TestServer(
      connections,
      [payloads = std::move(payloads)](int connection, int fd) {
        for (const std::string& piece : payloads[connection]) send_all(fd, piece);
      },
      address);
}

// Runs the job of `stream` to its end, expecting it to finish, and returns its records.
std::vector<std::string> collect(const DataStream<std::string>& stream) {
  auto records = stream.execute_and_collect();
  std::vector<std::string> out = records.to_vector();
  EXPECT_EQ(records.get_job_client().get_job_status(), JobStatus::kFinished);
  return out;
}

std::string failure_of(StreamExecutionEnvironment& env) {
  try {
    env.execute("socket job");
  } catch (const JobExecutionException& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected the job to fail";
  return "";
}

TEST(SocketSourceTest, EmitsLinesUntilTheServerClosesThenFinishes) {
  TestServer server = sending_server({{"one\ntwo\r\nthr", "ee\n\nfour\nunterminated"}});
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto lines = collect(env.socket_text_stream("127.0.0.1", server.port()));
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three", "", "four", "unterminated"}));
}

TEST(SocketSourceTest, SplitsOnACustomDelimiterAndKeepsCarriageReturns) {
  TestServer server = sending_server({{"a;b", "b;c\r;", ";d\n;"}});
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto records = collect(env.socket_text_stream("127.0.0.1", server.port(), ';'));
  EXPECT_EQ(records, (std::vector<std::string>{"a", "bb", "c\r", "", "d\n"}));
}

TEST(SocketSourceTest, ManyRecordsArriveInOrder) {
  std::vector<std::string> expected;
  std::string payload;
  for (int i = 0; i < 50000; ++i) {
    expected.push_back("record-" + std::to_string(i));
    payload += expected.back() + "\n";
  }
  TestServer server = sending_server({{payload}});
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  EXPECT_EQ(collect(env.socket_text_stream("127.0.0.1", server.port())), expected);
}

TEST(SocketSourceTest, ResolvesLocalhostWhicheverAddressTheServerListensOn) {
  TestServer server = sending_server({{"via localhost\n"}});
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  EXPECT_EQ(collect(env.socket_text_stream("localhost", server.port())),
            (std::vector<std::string>{"via localhost"}));
}

TEST(SocketSourceTest, ConnectsOverIpv6) {
  std::optional<TestServer> server;
  try {
    server.emplace(
        1, [](int, int fd) { send_all(fd, "six\n"); }, "::1");
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  EXPECT_EQ(collect(env.socket_text_stream("::1", server->port())),
            (std::vector<std::string>{"six"}));
}

TEST(SocketSourceTest, ReconnectsWhileRetriesAllowAndEndsWhenTheyAreUsedUp) {
  TestServer server = sending_server({{"a\nb\npartial"}, {"c\n"}, {"never read\n"}});
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto lines = collect(env.socket_text_stream("127.0.0.1", server.port(), '\n', 1));
  // An unterminated record ends with its connection: it is not glued to the next one's data.
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "partial", "c"}));
}

TEST(SocketSourceTest, ConnectionRefusedFailsTheJobNamingHostPortAndError) {
  RefusingPort refusing;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.socket_text_stream("127.0.0.1", refusing.port()).add_sink([](const std::string&) {});
  const std::string message = failure_of(env);
  EXPECT_NE(message.find("Operator 'Source: Socket Stream' (subtask 1/1) failed: cannot connect "
                         "to 127.0.0.1:" +
                         std::to_string(refusing.port()) + ": Connection refused"),
            std::string::npos)
      << message;
}

TEST(SocketSourceTest, ConnectionRefusedAfterTheLastRetryFailsTheJob) {
  RefusingPort refusing;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.socket_text_stream("127.0.0.1", refusing.port(), '\n', 1).add_sink([](const std::string&) {});
  const std::string message = failure_of(env);
  EXPECT_NE(message.find("Connection refused (after 1 retry)"), std::string::npos) << message;
}

// Cancels the job once `server` has accepted `accepts` connections and expects it to end as
// CANCELED within a bound far below a hang.
void expect_prompt_cancel(StreamExecutionEnvironment& env, TestServer& server, int accepts) {
  JobClient client = env.execute_async("unbounded socket job");
  EXPECT_TRUE(server.wait_for_accepts(accepts));  // cancels anyway, so that nothing is left running
  const auto start = std::chrono::steady_clock::now();
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(client.get_job_status(), JobStatus::kCanceled);
}

TEST(SocketSourceTest, CancelWhileWaitingForDataReturnsPromptlyAndClosesTheConnection) {
  std::atomic<bool> closed_by_client{false};
  std::optional<TestServer> server;
  server.emplace(
      1, [&](int, int fd) { closed_by_client = testing::wait_until_closed_by_peer(fd, 5s); });
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.socket_text_stream("127.0.0.1", server->port()).add_sink([](const std::string&) {});
  expect_prompt_cancel(env, *server, 1);
  server.reset();  // joins the handler, which has seen the close or given up waiting
  EXPECT_TRUE(closed_by_client);
}

TEST(SocketSourceTest, CancelWhileWaitingToReconnectReturnsPromptly) {
  TestServer server(2, [](int, int) {});  // closes every connection at once
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.socket_text_stream("127.0.0.1", server.port(), '\n', -1).add_sink([](const std::string&) {});
  expect_prompt_cancel(env, server, 2);
}

TEST(SocketSourceTest, InvalidArgumentsAreRejectedWhenTheJobIsBuilt) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  EXPECT_THROW(env.socket_text_stream("", 9000), InvalidProgramException);
  EXPECT_THROW(env.socket_text_stream("localhost", 0), InvalidProgramException);
  EXPECT_THROW(env.socket_text_stream("localhost", 65536), InvalidProgramException);
  EXPECT_THROW(env.socket_text_stream("localhost", 9000, '\n', -2), InvalidProgramException);
  EXPECT_EQ(env.socket_text_stream("localhost", 9000).get_name(), "Source: Socket Stream");
}

}  // namespace
}  // namespace eddy
