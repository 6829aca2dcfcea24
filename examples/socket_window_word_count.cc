// SocketWindowWordCount: Flink's streaming WordCount over a text socket, as the seed notes run it
// (seed 001, "### Flink WordCount": `nc -l 9000` in one terminal, then
// `SocketWindowWordCount --hostname localhost --port 9000` in another).
//
// Reads lines from a TCP text server, splits them into words on whitespace, and counts each word
// in 5-second tumbling PROCESSING-time windows. When a window closes it prints one line per word
// seen in it, as Flink's WordWithCount.toString() does:
//   hello : 2
//   world : 1
//
// Run it:
//   nc -l 9000                                                    # terminal 1: the text server
//   build/examples/example_socket_window_word_count --port 9000   # terminal 2
// then type lines into terminal 1; every 5 seconds (of wall-clock time, windows are aligned to
// the epoch) the counts of the words typed in that window appear. Stopping the server (Ctrl-C on
// nc) ends the job with exit status 0; as in Flink, a window still open at that moment is not
// emitted (processing-time windows fire only when the clock reaches their end).
//
// Options: --hostname <host> (default localhost), --port <port> (required). A missing or invalid
// port prints Flink's usage message and exits with status 1; a job failure (e.g. nothing listens
// on the port) prints the error and exits with status 1.
//
// Parallelism: the environment's default (one subtask per CPU core) for splitting and windowing,
// as in Flink's example; the socket source is non-parallel, and the results are printed by a
// single print subtask (print().set_parallelism(1), as Flink's example does) so that the lines
// carry no "N> " subtask prefix. The order of the words within one window's output is unspecified.
#include <charconv>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include "eddy/eddy.h"

// A word and how often it occurred (Flink's WordWithCount).
struct WordWithCount {
  std::string word;
  int64_t count = 0;
};
EDDY_SERIALIZABLE(WordWithCount, word, count);

// Printed as "word : count", like WordWithCount.toString() in Flink's example.
inline std::string to_string(const WordWithCount& w) {
  return w.word + " : " + std::to_string(w.count);
}

namespace {

constexpr std::string_view kUsage =
    "No port specified. Please run 'SocketWindowWordCount --hostname <hostname> --port <port>', "
    "where hostname (localhost by default) and port is the address of the text server\n"
    "To start a simple text server, run 'netcat -l <port>' and type the input text into the "
    "command line\n";

// The port if `text` is a whole number in [1, 65535].
bool parse_port(std::string_view text, int& port) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return false;
  }
  port = value;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // The host name and port to connect to, from --hostname and --port.
  std::string hostname = "localhost";
  int port = 0;
  bool have_port = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--hostname" || arg == "--port") && i + 1 < argc) {
      const std::string_view value = argv[++i];
      if (arg == "--hostname") {
        hostname = value;
      } else if (parse_port(value, port)) {
        have_port = true;
      } else {
        std::cerr << "Invalid port '" << value << "': expected a number in [1, 65535].\n" << kUsage;
        return 1;
      }
    } else {
      std::cerr << "Unexpected argument '" << arg << "'.\n" << kUsage;
      return 1;
    }
  }
  if (!have_port) {
    std::cerr << kUsage;
    return 1;
  }

  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();

  // Get input data by connecting to the socket: one record per line.
  eddy::DataStream<std::string> text = env.socket_text_stream(hostname, port, '\n');

  // Parse the data, group it, window it, and aggregate the counts.
  eddy::DataStream<WordWithCount> window_counts =
      text.flat_map([](const std::string& line, eddy::Collector<WordWithCount>& out) {
            // Words are the runs of non-whitespace characters.
            const std::string_view spaces = " \t\r\n\f\v";
            size_t start = line.find_first_not_of(spaces);
            while (start != std::string::npos) {
              const size_t end = line.find_first_of(spaces, start);
              out.collect(WordWithCount{line.substr(start, end - start), 1});
              start = end == std::string::npos ? end : line.find_first_not_of(spaces, end);
            }
          })
          .key_by([](const WordWithCount& w) { return w.word; })
          .window(eddy::TumblingProcessingTimeWindows::of(eddy::Time::seconds(5)))
          .reduce([](const WordWithCount& a, const WordWithCount& b) {
            return WordWithCount{a.word, a.count + b.count};
          });

  // Print the results with a single thread, rather than in parallel.
  window_counts.print().set_parallelism(1);

  try {
    env.execute("Socket Window WordCount");
  } catch (const std::exception& e) {
    std::cerr << "SocketWindowWordCount failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
