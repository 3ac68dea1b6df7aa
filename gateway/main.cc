// cutover: the executable. Composition root: links the backend protocols and registers
// them with the core, then runs a subcommand.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "admin_cli.h"
#include "compare_cli.h"
#include "config/nearest.h"
#include "config/config.h"
#include "explain.h"
#include "migrate_cli.h"
#include "core/log.h"
#include "core/upstream.h"
#include "demo_config.h"
#include "fcgi_adapter/fcgi_upstream.h"
#include "http_backend/http_upstream.h"
#include "control/server.h"


int main(int argc, char** argv) {
  using namespace cutover;
  CLI::App app{"cutover: move a FastCGI app to HTTP workers one route at a time"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cutover ") + CUTOVER_VERSION + " (git " + CUTOVER_GIT_REV + ", " +
                                        CUTOVER_BUILD_TYPE + ")");

  std::string config_path;
  bool demo = false;
  auto* serve_cmd = app.add_subcommand("serve", "run the gateway");
  serve_cmd->add_option("-c,--config", config_path, "config file (TOML)");
  serve_cmd->add_flag("--demo", demo, "use the built-in demo config (seed layout, workers on 3001-3005)");

  std::string check_path;
  auto* check_cmd = app.add_subcommand("check", "validate a config and print its routes and pools");
  check_cmd->add_option("-c,--config", check_path, "config file (TOML)")->required();
  bool check_no_paths = false;
  check_cmd->add_flag("--no-path-check", check_no_paths, "do not look for static roots on this machine (a config for another one)");

  auto* demo_cmd = app.add_subcommand("demo-config", "print the built-in demo config");

  AdminTarget admin;
  std::string admin_config;
  auto admin_options = [&admin, &admin_config](CLI::App* c, bool json) {
    c->add_option("-c,--config", admin_config, "its config: the command finds its control socket (or server.admin) there");
    c->add_option("--admin", admin.addr, "its admin address (server.admin), instead of the control socket");
    c->add_option("--token", admin.token, "its admin token (server.admin_token)");
    if (json) c->add_flag("--json", admin.json, "print JSON (the admin API's) instead of a table");
  };
  auto* status_cmd = app.add_subcommand("status", "print the pools and backends of a running cutover");
  admin_options(status_cmd, true);

  auto* reload_cmd = app.add_subcommand("reload", "make a running cutover re-read its config (like SIGHUP)");
  admin_options(reload_cmd, true);

  auto* workers_cmd = app.add_subcommand("workers", "supervised worker processes of a running cutover");
  workers_cmd->require_subcommand(1);
  std::string workers_pool;
  bool no_wait = false;
  auto* wstatus_cmd = workers_cmd->add_subcommand("status", "each instance: pid, address, state, uptime, restarts, in-flight (exit 3 unless all are up)");
  wstatus_cmd->add_option("pool", workers_pool, "only this pool");
  auto* wrestart_cmd = workers_cmd->add_subcommand("restart", "replace a pool's instances one at a time, without failing requests");
  wrestart_cmd->add_option("pool", workers_pool, "the pool")->required();
  wrestart_cmd->add_flag("--no-wait", no_wait, "return once started instead of waiting for the end");
  for (auto* c : {wstatus_cmd, wrestart_cmd}) admin_options(c, true);

  auto* route_cmd = app.add_subcommand("route", "stages of routes with [routes.rollout]: status, promote, demote, rollback, set");
  std::string route_action, route_name;
  std::vector<std::string> route_args;
  route_cmd->add_option("action", route_action, "status | promote | demote | rollback | set")
      ->required()
      ->check(CLI::IsMember({"status", "promote", "demote", "rollback", "set"}));
  route_cmd->add_option("route", route_name, "the route's name (status: all when omitted)");
  route_cmd->add_option("stage", route_args, "set: STAGE [PERCENT], e.g. canary 10");
  admin_options(route_cmd, true);

  std::string explain_path, explain_url, explain_method = "GET", explain_host = "localhost";
  auto* explain_cmd = app.add_subcommand("explain", "show what cutover does with one URL: rewrites, route, pool, CGI variables, both sides of a rollout");
  explain_cmd->add_option("-c,--config", explain_path, "config file (TOML)")->required();
  std::string explain_requests;
  auto* explain_url_opt = explain_cmd->add_option("url", explain_url, "the request target, e.g. /app/index.php/x?y=1");
  explain_cmd->add_option("--requests", explain_requests,
                          "explain many requests, one per line: METHOD<tab>TARGET<tab>HOST[<tab>Name: value]... (answers "
                          "separated by a line \"---\")")
      ->excludes(explain_url_opt);
  explain_cmd->add_option("-X,--method", explain_method, "the method (default GET)");
  explain_cmd->add_option("-H,--host", explain_host, "the Host header (default localhost)");
  std::vector<std::string> explain_fields;
  std::string explain_client = "127.0.0.1";
  explain_cmd->add_option("--header", explain_fields, "a request header field \"Name: value\" (repeatable), for the conditions that read it")
      ->allow_extra_args(false);  // one field per --header: the URL after it stays the URL
  explain_cmd->add_option("--client", explain_client, "the client's address (default 127.0.0.1)");

  CompareOptions cmp;
  std::string cmp_body = "auto";
  std::vector<std::string> cmp_ignore_headers, cmp_normalize;
  bool cmp_no_noise = false;
  auto* compare_cmd = app.add_subcommand("compare", "replay GET/HEAD requests against two base URLs and compare the answers");
  compare_cmd->add_option("--a", cmp.a, "base URL of A (the reference), e.g. http://127.0.0.1:8080")->required();
  compare_cmd->add_option("--b", cmp.b, "base URL of B (the candidate)")->required();
  compare_cmd->add_option("--a2", cmp.a2, "a second instance of A to learn noise from (default: ask A twice)");
  auto* req_opt = compare_cmd->add_option("--requests", cmp.requests_file, "file: one request per line, [METHOD ]/path?query");
  auto* log_opt = compare_cmd->add_option("--access-log", cmp.access_log, "an access log in combined format");
  req_opt->excludes(log_opt);
  compare_cmd->add_option("--body", cmp_body, "body comparison: auto (JSON per field, text per token, the rest byte for byte; the default), exact, json or text")
      ->check(CLI::IsMember({"auto", "exact", "json", "text"}));
  compare_cmd->add_option("--ignore-header", cmp_ignore_headers, "a header not to compare (repeatable)");
  compare_cmd->add_option("--ignore-path", cmp.spec.ignore_paths, "a JSON pointer not to compare (repeatable)");
  compare_cmd->add_option("--normalize", cmp_normalize, "uuid, iso-time, epoch or hex-id (repeatable)");
  compare_cmd->add_flag("--no-noise", cmp_no_noise, "do not ask A a second time to learn noise");
  compare_cmd->add_option("--max-diff-rate", cmp.max_diff_rate, "exit 1 when the share of differing requests is above this (default 0)");
  compare_cmd->add_option("--html", cmp.html_report, "write an HTML report");
  compare_cmd->add_option("--json", cmp.json_report, "write a JSON report");

  MigrateOptions mig;
  auto* migrate_cmd = app.add_subcommand("migrate", "translate a lighttpd config into a cutover config, with a report of every directive");
  migrate_cmd->add_option("lighttpd_conf", mig.input, "the lighttpd config (includes are followed)")->required();
  migrate_cmd->add_option("-o,--output", mig.output, "write the cutover config here (default: stdout)");
  migrate_cmd->add_flag("--strict", mig.strict, "exit 1 unless every directive translates exactly");
  migrate_cmd->add_flag("--allow-partial", mig.allow_partial, "exit 0 even when some directives are not translated (their paths are denied)");
  migrate_cmd->footer(
      "Exit status: 0 translated (every directive exact, or with a caveat the report explains); 3 partial: some "
      "directives are not translated, and the paths they governed are denied (403) in the output (0 with "
      "--allow-partial); 1 when lighttpd itself would reject the config, the translation does not load, or with "
      "--strict when a directive is not exact; 2 usage error.");
  migrate_cmd->add_flag("--allow-shell", mig.allow_shell, "run include_shell commands (never by default)");
  migrate_cmd->add_flag("--explain", mig.explain, "also list which lighttpd line each route, rewrite and pool came from");
  migrate_cmd->add_flag("-q,--quiet", mig.quiet, "no report on stderr");
  migrate_cmd->add_flag("--general", mig.general,
                        "translate every conditional block as its whole condition chain (longer output; the default "
                        "shortens common shapes and is tested to behave the same)");

  // A mistyped command gets a suggestion rather than CLI11's "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::string given = argv[1];
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), given) == names.end()) {
      std::cerr << "cutover: unknown command '" << given << "'";
      if (std::string near = nearest_name(given, names); !near.empty()) std::cerr << "; did you mean '" << near << "'?";
      std::cerr << "\n(cutover --help lists the commands)\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);              // prints --help / --version, or the error
    return rc == 0 ? 0 : kExitUsage;  // a usage error is 2, as for every Unix tool
  }
  register_upstream("http", http_backend::make_http_upstream());
  register_upstream("fastcgi", fcgi::make_fastcgi_upstream());

  try {
    if (*check_cmd) {
      auto cfg = load_config_file(check_path);
      auto missing = check_no_paths ? std::vector<std::string>{} : config_path_errors(*cfg);
      for (const std::string& e : missing) std::cerr << "error: " << e << "\n";
      if (!missing.empty()) return kExitFailed;
      std::cout << describe(*cfg);
      for (const std::string& w : config_warnings(*cfg)) std::cerr << "warning: " << w << "\n";
      std::cout << check_path << ": configuration is valid (" << cfg->routes.size() << " routes, " << cfg->pools.size()
                << " pools)\n";
      return 0;
    }
    // The running cutover an admin command talks to (admin_cli.h).
    for (CLI::App* c : {status_cmd, reload_cmd, wstatus_cmd, wrestart_cmd, route_cmd}) {
      if (!*c) continue;
      int code = 0;
      std::string err = resolve_admin_target(admin, c->count("--admin") > 0, admin_config, code);
      if (!err.empty()) {
        std::cerr << "cutover " << c->get_name() << ": " << err << "\n";
        return code;
      }
    }
    if (*status_cmd) return print_status(admin);
    if (*reload_cmd) return request_reload(admin);
    if (*migrate_cmd) return run_migrate(mig);
    if (*explain_cmd) {
      auto cfg = load_config_file(explain_path);
      if (explain_requests.empty()) {
        if (explain_url.empty()) {
          std::cerr << "cutover explain: give a URL or --requests FILE\n";
          return 2;
        }
        return explain(*cfg, explain_method, explain_host, explain_url, std::cout, explain_fields, explain_client);
      }
      return explain_file(*cfg, explain_requests, std::cout, explain_client);
    }
    if (*compare_cmd) {
      if (cmp.requests_file.empty() && cmp.access_log.empty()) {
        std::cerr << "cutover compare: give --requests FILE or --access-log FILE\n";
        return 2;
      }
      cmp.spec.mode = cmp_body == "json"    ? stage::BodyMode::json
                      : cmp_body == "text"  ? stage::BodyMode::text
                      : cmp_body == "exact" ? stage::BodyMode::exact
                                            : stage::BodyMode::auto_;
      for (auto& h : cmp_ignore_headers) {
        std::string l = h;
        for (auto& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
        cmp.spec.ignore_headers.push_back(l);
      }
      for (auto& n : cmp_normalize) {
        stage::Normalizer nz;
        if (!stage::builtin_normalizer(n, nz)) {
          std::cerr << "cutover compare: unknown normalizer " << n << " (uuid, iso-time, epoch, hex-id)\n";
          return 2;
        }
        cmp.spec.normalizers.push_back(std::move(nz));
      }
      cmp.learn_noise = !cmp_no_noise;
      return run_compare(cmp);
    }
    if (*route_cmd) {
      if (route_action != "status" && route_name.empty()) {
        std::cerr << "cutover route " << route_action << ": name the route\n";
        return kExitUsage;
      }
      return route_command(admin, route_action, route_name, route_args);
    }
    if (*wstatus_cmd) return print_workers(admin, workers_pool);
    if (*wrestart_cmd) return restart_workers(admin, workers_pool, !no_wait);
    if (*demo_cmd) {
      std::cout << kDemoConfig;
      return 0;
    }
    if (*serve_cmd) {
      if (config_path.empty() && !demo) {
        std::cerr << "cutover serve: give -c FILE or --demo\n";
        return kExitUsage;
      }
      // At the start and on every reload: a config the file system contradicts is refused.
      auto load = [demo, config_path] {
        auto cfg = demo ? load_config_text(kDemoConfig, "<built-in demo config>") : load_config_file(config_path);
        auto missing = config_path_errors(*cfg);
        std::string all;
        for (const std::string& e : missing) all += (all.empty() ? "" : "\nerror: ") + e;
        if (!missing.empty()) throw ConfigError(all);
        return cfg;
      };
      return serve(load(), load);
    }
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
