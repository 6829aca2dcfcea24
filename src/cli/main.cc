// The eddy command-line tool.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/demo_job.h"
#include "eddy/eddy.h"

int main(int argc, char** argv) {
  CLI::App app{"Eddy: a stream processing engine in one native binary.", "eddy"};
  app.set_version_flag("--version", std::string("eddy ") + eddy::kVersion);
  app.require_subcommand(0, 1);

  auto* demo = app.add_subcommand(
      "demo",
      "Run the demo job on the embedded mini-cluster: user-behaviour events counted per "
      "category and behavior.");
  eddy::cli::DemoOptions demo_options;
  demo->add_option("--seconds", demo_options.seconds, "How long the generator runs")
      ->check(CLI::PositiveNumber);
  demo->add_option("--rate", demo_options.events_per_second, "Events per second")
      ->check(CLI::PositiveNumber);
  demo->add_option("--parallelism", demo_options.parallelism, "Parallelism of the job")
      ->check(CLI::PositiveNumber);

  CLI11_PARSE(app, argc, argv);
  try {
    if (demo->parsed()) return eddy::cli::run_demo(demo_options);
    std::cout << app.help();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "eddy: " << e.what() << "\n";
    return 1;
  }
}
