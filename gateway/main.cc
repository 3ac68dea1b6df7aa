// cutover: the executable. Composition root: links the backend protocols and registers
// them with the core, then runs a subcommand.
#include <CLI/CLI.hpp>
#include <httplib.h>
#include <cstdio>
#include <iostream>
#include <thread>
#include <nlohmann/json.hpp>

#include "compare_cli.h"
#include "config/config.h"
#include "explain.h"
#include "migrate_cli.h"
#include "core/log.h"
#include "core/upstream.h"
#include "demo_config.h"
#include "fcgi_adapter/fcgi_upstream.h"
#include "http_backend/http_upstream.h"
#include "proxy/server.h"

namespace {

// One request to the admin API of a running cutover.
httplib::Result admin_call(const std::string& addr, const std::string& token, const std::string& method,
                           const std::string& path) {
  size_t colon = addr.rfind(':');
  httplib::Client cli(addr.substr(0, colon), colon == std::string::npos ? 9090 : std::stoi(addr.substr(colon + 1)));
  cli.set_tcp_nodelay(true);
  cli.set_connection_timeout(std::chrono::seconds(3));
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return method == "POST" ? cli.Post(path.c_str(), h, "", "text/plain") : cli.Get(path.c_str(), h);
}

// An admin API answer's "error" field, or its body as it came.
std::string error_of(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  std::string b = body;
  while (!b.empty() && b.back() == '\n') b.pop_back();
  return b;
}

int request_reload(const std::string& addr, const std::string& token, bool json) {
  auto res = admin_call(addr, token, "POST", "/api/reload");
  if (!res) {
    std::cerr << "cutover reload: cannot reach the admin API at " << addr << " (is server.admin set?)\n";
    return 1;
  }
  if (json) std::cout << res->body;
  else if (res->status == 200) std::cout << "cutover reload: the new config is in effect\n";
  else std::cerr << "cutover reload: refused, still serving the previous config: " << error_of(res->body) << "\n";
  return res->status == 200 ? 0 : 1;
}

// `cutover status`: the admin API's /api/status as a table.
int print_status(const std::string& addr, const std::string& token) {
  auto res = admin_call(addr, token, "GET", "/api/status");
  if (!res) {
    std::cerr << "cutover status: cannot reach the admin API at " << addr << " (is server.admin set?)\n";
    return 1;
  }
  if (res->status != 200) {
    std::cerr << "cutover status: " << res->status << " " << res->body;
    return 1;
  }
  auto j = nlohmann::json::parse(res->body);
  std::printf("%-12s %-26s %-9s %9s %10s %9s\n", "POOL", "BACKEND", "STATE", "IN-FLIGHT", "REQUESTS", "FAILURES");
  for (auto& p : j["pools"])
    for (auto& b : p["backends"])
      std::printf("%-12s %-26s %-9s %9llu %10llu %9llu\n", p["name"].get<std::string>().c_str(),
                  b["address"].get<std::string>().c_str(), b["state"].get<std::string>().c_str(),
                  (unsigned long long)b["in_flight"].get<uint64_t>(), (unsigned long long)b["requests"].get<uint64_t>(),
                  (unsigned long long)b["failures"].get<uint64_t>());
  std::printf("\n%-16s %-10s %-10s %8s %8s %8s %8s\n", "ROUTE", "ACTION", "POOL", "2xx", "3xx", "4xx", "5xx");
  for (auto& r : j["routes"])
    std::printf("%-16s %-10s %-10s %8llu %8llu %8llu %8llu\n", r["name"].get<std::string>().c_str(),
                r["action"].get<std::string>().c_str(), r.value("pool", std::string("-")).c_str(),
                (unsigned long long)r["answers"]["2xx"].get<uint64_t>(), (unsigned long long)r["answers"]["3xx"].get<uint64_t>(),
                (unsigned long long)r["answers"]["4xx"].get<uint64_t>(), (unsigned long long)r["answers"]["5xx"].get<uint64_t>());
  return 0;
}

// `cutover workers status`: one line per supervised instance.
int print_workers(const std::string& addr, const std::string& token, const std::string& only_pool) {
  auto res = admin_call(addr, token, "GET", "/api/workers");
  if (!res || res->status != 200) {
    std::cerr << "cutover workers: cannot reach the admin API at " << addr << " (is server.admin set?)\n";
    return 1;
  }
  auto j = nlohmann::json::parse(res->body);
  std::printf("%-10s %5s %8s  %-26s %-9s %9s %8s %9s  %s\n", "POOL", "INDEX", "PID", "ADDRESS", "STATE", "UPTIME", "RESTARTS",
              "IN-FLIGHT", "LAST ERROR");
  bool all_up = true;
  for (auto& p : j["workers"]) {
    if (!only_pool.empty() && p["pool"] != only_pool) continue;
    for (auto& i : p["instances"]) {
      all_up = all_up && i["state"] == "up";
      std::printf("%-10s %5d %8d  %-26s %-9s %8llds %8d %9u  %s\n", p["pool"].get<std::string>().c_str(), i["index"].get<int>(),
                  i["pid"].get<int>(), i["address"].get<std::string>().c_str(), i["state"].get<std::string>().c_str(),
                  (long long)(i["uptime_ms"].get<int64_t>() / 1000), i["restarts"].get<int>(), i["in_flight"].get<unsigned>(),
                  i["last_error"].get<std::string>().c_str());
    }
  }
  return all_up ? 0 : 2;
}

// `cutover workers restart POOL`: starts a rolling restart and, unless told not to, waits
// for it to finish; exit 0 when every instance of the pool is up afterwards.
int restart_workers(const std::string& addr, const std::string& token, const std::string& pool, bool wait) {
  auto res = admin_call(addr, token, "POST", "/api/workers/" + pool + "/restart");
  if (!res) {
    std::cerr << "cutover workers restart: cannot reach the admin API at " << addr << "\n";
    return 1;
  }
  if (res->status != 202) {
    std::cerr << "cutover workers restart: " << error_of(res->body) << "\n";
    return 1;
  }
  if (!wait) return 0;
  std::cerr << "rolling restart of " << pool << " started\n";
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto st = admin_call(addr, token, "GET", "/api/workers");
    if (!st || st->status != 200) {
      std::cerr << "cutover workers restart: lost the admin API\n";
      return 1;
    }
    auto j = nlohmann::json::parse(st->body);
    bool rolling = false;
    for (auto& p : j["workers"])
      if (p["pool"] == pool) rolling = p["rolling"].get<bool>();
    if (!rolling) break;
  }
  return print_workers(addr, token, pool);
}

// `cutover route ...`: the stages of rolled-out routes, and moving them.
int route_command(const std::string& addr, const std::string& token, const std::string& action,
                  const std::string& route, const std::vector<std::string>& args) {
  if (action != "status") {
    std::string path = "/api/routes/" + route + "/" + action;
    if (action == "set") {
      if (args.empty()) {
        std::cerr << "cutover route set ROUTE STAGE [PERCENT]   (legacy, shadow, canary 10, new)\n";
        return 1;
      }
      path += "?stage=" + args[0] + (args.size() > 1 ? "&percent=" + args[1] : "");
    }
    auto res = admin_call(addr, token, "POST", path);
    if (!res) {
      std::cerr << "cutover route: cannot reach the admin API at " << addr << " (is server.admin set?)\n";
      return 1;
    }
    if (res->status != 200) {
      auto j = nlohmann::json::parse(res->body, nullptr, false);
      std::cerr << "cutover route " << action << ": " << (j.is_object() && j.contains("error") ? j["error"].get<std::string>() : res->body) << "\n";
      return 1;
    }
  }
  auto res = admin_call(addr, token, "GET", "/api/routes");
  if (!res || res->status != 200) {
    std::cerr << "cutover route: cannot reach the admin API at " << addr << "\n";
    return 1;
  }
  auto j = nlohmann::json::parse(res->body);
  std::printf("%-14s %-12s %-22s %-12s %9s %9s %9s %9s\n", "ROUTE", "STAGE", "FROM -> TO", "STICKY", "COMPARED", "DIFFERENT",
              "NEW-5XX", "DROPPED");
  for (auto& r : j["routes"]) {
    if (!r.contains("rollout") || (!route.empty() && r["name"] != route)) continue;
    auto& o = r["rollout"];
    std::string ft = o["from"].get<std::string>() + " -> " + o["to"].get<std::string>();
    std::printf("%-14s %-12s %-22s %-12s %9llu %9llu %9llu %9llu\n", r["name"].get<std::string>().c_str(),
                o["describe"].get<std::string>().c_str(), ft.c_str(), o["sticky"].get<std::string>().c_str(),
                (unsigned long long)o["compare"]["compared"].get<uint64_t>(), (unsigned long long)o["compare"]["different"].get<uint64_t>(),
                (unsigned long long)o["new"]["5xx"].get<uint64_t>(), (unsigned long long)o["compare"]["dropped"].get<uint64_t>());
  }
  return 0;
}

// The candidate within edit distance 2 of `s` (the closest), or "".
std::string nearest(const std::string& s, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 3;
  for (const std::string& c : candidates) {
    std::vector<size_t> row(c.size() + 1);
    for (size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= s.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (s[i - 1] == c[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    if (row[c.size()] < best_d) best_d = row[c.size()], best = c;
  }
  return best;
}

}  // namespace

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

  auto* demo_cmd = app.add_subcommand("demo-config", "print the built-in demo config");

  std::string admin_addr = "127.0.0.1:9090", admin_token;
  auto* status_cmd = app.add_subcommand("status", "print the pools and backends of a running cutover");
  status_cmd->add_option("--admin", admin_addr, "its admin address (server.admin)");
  status_cmd->add_option("--token", admin_token, "its admin token (server.admin_token)");

  auto* reload_cmd = app.add_subcommand("reload", "make a running cutover re-read its config (like SIGHUP)");
  bool reload_json = false;
  reload_cmd->add_flag("--json", reload_json, "print the admin API's JSON answer");
  reload_cmd->add_option("--admin", admin_addr, "its admin address (server.admin)");
  reload_cmd->add_option("--token", admin_token, "its admin token (server.admin_token)");

  auto* workers_cmd = app.add_subcommand("workers", "supervised worker processes of a running cutover");
  workers_cmd->require_subcommand(1);
  std::string workers_pool;
  bool no_wait = false;
  auto* wstatus_cmd = workers_cmd->add_subcommand("status", "each instance: pid, address, state, uptime, restarts, in-flight");
  wstatus_cmd->add_option("pool", workers_pool, "only this pool");
  auto* wrestart_cmd = workers_cmd->add_subcommand("restart", "replace a pool's instances one at a time, without failing requests");
  wrestart_cmd->add_option("pool", workers_pool, "the pool")->required();
  wrestart_cmd->add_flag("--no-wait", no_wait, "return once started instead of waiting for the end");
  for (auto* c : {wstatus_cmd, wrestart_cmd}) {
    c->add_option("--admin", admin_addr, "its admin address (server.admin)");
    c->add_option("--token", admin_token, "its admin token (server.admin_token)");
  }

  auto* route_cmd = app.add_subcommand("route", "stages of routes with [routes.rollout]: status, promote, demote, rollback, set");
  std::string route_action, route_name;
  std::vector<std::string> route_args;
  route_cmd->add_option("action", route_action, "status | promote | demote | rollback | set")
      ->required()
      ->check(CLI::IsMember({"status", "promote", "demote", "rollback", "set"}));
  route_cmd->add_option("route", route_name, "the route's name (status: all when omitted)");
  route_cmd->add_option("stage", route_args, "set: STAGE [PERCENT], e.g. canary 10");
  route_cmd->add_option("--admin", admin_addr, "its admin address (server.admin)");
  route_cmd->add_option("--token", admin_token, "its admin token (server.admin_token)");

  std::string explain_path, explain_url, explain_method = "GET", explain_host = "localhost";
  auto* explain_cmd = app.add_subcommand("explain", "show what cutover does with one URL: rewrites, route, pool, CGI variables, both sides of a rollout");
  explain_cmd->add_option("-c,--config", explain_path, "config file (TOML)")->required();
  explain_cmd->add_option("url", explain_url, "the request target, e.g. /app/index.php/x?y=1")->required();
  explain_cmd->add_option("-X,--method", explain_method, "the method (default GET)");
  explain_cmd->add_option("-H,--host", explain_host, "the Host header (default localhost)");

  CompareOptions cmp;
  std::string cmp_body = "exact";
  std::vector<std::string> cmp_ignore_headers, cmp_normalize;
  bool cmp_no_noise = false;
  auto* compare_cmd = app.add_subcommand("compare", "replay GET/HEAD requests against two base URLs and compare the answers");
  compare_cmd->add_option("--a", cmp.a, "base URL of A (the reference), e.g. http://127.0.0.1:8080")->required();
  compare_cmd->add_option("--b", cmp.b, "base URL of B (the candidate)")->required();
  compare_cmd->add_option("--a2", cmp.a2, "a second instance of A to learn noise from (default: ask A twice)");
  auto* req_opt = compare_cmd->add_option("--requests", cmp.requests_file, "file: one request per line, [METHOD ]/path?query");
  auto* log_opt = compare_cmd->add_option("--access-log", cmp.access_log, "an access log in combined format");
  req_opt->excludes(log_opt);
  compare_cmd->add_option("--body", cmp_body, "body comparison: exact, json or text")->check(CLI::IsMember({"exact", "json", "text"}));
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
  migrate_cmd->add_flag("--allow-shell", mig.allow_shell, "run include_shell commands (never by default)");
  migrate_cmd->add_flag("--explain", mig.explain, "also list which lighttpd line each route, rewrite and pool came from");
  migrate_cmd->add_flag("-q,--quiet", mig.quiet, "no report on stderr");

  // A mistyped command gets a suggestion rather than CLI11's "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::string given = argv[1];
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), given) == names.end()) {
      std::cerr << "cutover: unknown command '" << given << "'";
      if (std::string near = nearest(given, names); !near.empty()) std::cerr << "; did you mean '" << near << "'?";
      std::cerr << "\n(cutover --help lists the commands)\n";
      return 2;
    }
  }
  CLI11_PARSE(app, argc, argv);
  register_upstream("http", http_backend::make_http_upstream());
  register_upstream("fastcgi", fcgi::make_fastcgi_upstream());

  try {
    if (*check_cmd) {
      auto cfg = load_config_file(check_path);
      std::cout << describe(*cfg);
      for (const std::string& w : config_warnings(*cfg)) std::cerr << "warning: " << w << "\n";
      std::cout << check_path << ": configuration is valid (" << cfg->routes.size() << " routes, " << cfg->pools.size()
                << " pools)\n";
      return 0;
    }
    if (*status_cmd) return print_status(admin_addr, admin_token);
    if (*reload_cmd) return request_reload(admin_addr, admin_token, reload_json);
    if (*migrate_cmd) return run_migrate(mig);
    if (*explain_cmd) return explain(*load_config_file(explain_path), explain_method, explain_host, explain_url, std::cout);
    if (*compare_cmd) {
      if (cmp.requests_file.empty() && cmp.access_log.empty()) {
        std::cerr << "cutover compare: give --requests FILE or --access-log FILE\n";
        return 2;
      }
      cmp.spec.mode = cmp_body == "json" ? stage::BodyMode::json : cmp_body == "text" ? stage::BodyMode::text : stage::BodyMode::exact;
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
        return 1;
      }
      return route_command(admin_addr, admin_token, route_action, route_name, route_args);
    }
    if (*wstatus_cmd) return print_workers(admin_addr, admin_token, workers_pool);
    if (*wrestart_cmd) return restart_workers(admin_addr, admin_token, workers_pool, !no_wait);
    if (*demo_cmd) {
      std::cout << kDemoConfig;
      return 0;
    }
    if (*serve_cmd) {
      if (config_path.empty() && !demo) {
        std::cerr << "cutover serve: give -c FILE or --demo\n";
        return 1;
      }
      auto load = [demo, config_path] {
        return demo ? load_config_text(kDemoConfig, "<built-in demo config>") : load_config_file(config_path);
      };
      return serve(load(), load);
    }
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
