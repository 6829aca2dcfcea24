// read_text_file: a file source, read line by line and printed.
// Port of the file-source example (seed 000, "데이터 소스 구성 방법"): reads ../data/data.csv
// relative to the working directory (or the path given as the first argument) and prints every
// line. The test runs it from examples/data, where data.csv holds user-behaviour events.
#include <string>

#include "eddy/eddy.h"

int main(int argc, char** argv) {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();

  // A file source: one record per line, without the line ending.
  std::string file_path = argc > 1 ? argv[1] : "../data/data.csv";
  eddy::DataStream<std::string> text_stream = env.read_text_file(file_path);

  // The source is non-parallel, so print() runs at parallelism 1 behind it only if told to;
  // at the default parallelism each line would carry a "N> " prefix.
  text_stream.print().set_parallelism(1);

  env.execute("File Source Example");
  return 0;
}
