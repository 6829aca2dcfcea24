// FileSink: a row-format file sink writing part files into a directory.
// Port of the FileSink example (seed 000, "Sink 예제(FileSink)"): writes "Hello", "Flink" and
// "World" into ./output/result. PyFlink needs a Java SimpleStringEncoder through the gateway;
// in C++ the encoder is a plain callable, and SimpleStringEncoder<T> writes one line per record.
// As in Flink, the parts go into an hourly bucket directory named from the processing time in
// the system's time zone ("2026-12-04--16") and are named part-<uuid>-<subtask>-<counter>.
// After the job, the program prints each bucket, its committed part files and their lines.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "eddy/eddy.h"

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();

  // The data source.
  std::vector<std::string> data = {"Hello", "Flink", "World"};
  eddy::DataStream<std::string> data_stream = env.from_collection(data);

  // The sink: part files in ./output/result, committed when the input ends.
  std::filesystem::remove_all("./output/result");
  auto file_sink = eddy::FileSink<std::string>::for_row_format(
                       "./output/result", eddy::SimpleStringEncoder<std::string>())
                       .build();
  data_stream.sink_to(file_sink).set_parallelism(1);

  env.execute("File Sink Example");

  for (const auto& bucket : std::filesystem::directory_iterator("./output/result")) {
    std::cout << "bucket: " << bucket.path().filename().string() << "\n";
    for (const auto& part : std::filesystem::directory_iterator(bucket.path())) {
      std::cout << "part file: " << part.path().filename().string() << "\n";
      std::ifstream in(part.path());
      for (std::string line; std::getline(in, line);) std::cout << line << "\n";
    }
  }
  return 0;
}
