// cutover: the executable. Composition root: links the backend protocols and registers
// them with the core, then runs a subcommand.
#include <CLI/CLI.hpp>
#include <iostream>

#include "config/config.h"
#include "core/log.h"
#include "core/upstream.h"
#include "demo_config.h"
#include "http_backend/http_upstream.h"
#include "proxy/server.h"

int main(int argc, char** argv) {
  using namespace cutover;
  CLI::App app{"cutover: move a FastCGI app to HTTP workers one route at a time"};
  app.require_subcommand(1);

  std::string config_path;
  bool demo = false;
  auto* serve_cmd = app.add_subcommand("serve", "run the gateway");
  serve_cmd->add_option("-c,--config", config_path, "config file (TOML)");
  serve_cmd->add_flag("--demo", demo, "use the built-in demo config (seed layout, workers on 3001-3005)");

  std::string check_path;
  auto* check_cmd = app.add_subcommand("check", "validate a config and print its routes and pools");
  check_cmd->add_option("-c,--config", check_path, "config file (TOML)")->required();

  auto* demo_cmd = app.add_subcommand("demo-config", "print the built-in demo config");

  CLI11_PARSE(app, argc, argv);
  register_upstream("http", http_backend::make_http_upstream());

  try {
    if (*check_cmd) {
      auto cfg = load_config_file(check_path);
      std::cout << describe(*cfg);
      return 0;
    }
    if (*demo_cmd) {
      std::cout << kDemoConfig;
      return 0;
    }
    if (*serve_cmd) {
      if (config_path.empty() && !demo) {
        std::cerr << "cutover serve: give -c FILE or --demo\n";
        return 1;
      }
      auto cfg = demo ? load_config_text(kDemoConfig, "<built-in demo config>") : load_config_file(config_path);
      return serve(cfg);
    }
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
