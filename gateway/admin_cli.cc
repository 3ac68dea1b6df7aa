#include "admin_cli.h"

#include <dirent.h>
#include <httplib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "config/config.h"
#include "config/control_path.h"

namespace cutover {
namespace {

using nlohmann::json;

struct AdminAnswer {
  int status = 0;
  std::string body;
};

// One request on the control socket (one per connection: the server closes after it).
// A connected unix stream socket, or -1.
int connect_unix(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) return -1;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    fd = -1;
  }
  return fd;
}

std::optional<AdminAnswer> control_call(const std::string& path, const std::string& method, const std::string& target) {
  int fd = connect_unix(path);
  if (fd < 0) return std::nullopt;
  timeval tv{60, 0};  // a rolling restart is waited for by polling, each call is short
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nX-Cutover-Actor: cli\r\nContent-Length: 0\r\n\r\n";
  for (size_t off = 0; off < req.size();) {
    ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return std::nullopt;
    }
    off += size_t(n);
  }
  std::string in;
  char buf[16384];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) in.append(buf, size_t(n));
  ::close(fd);
  size_t end = in.find("\r\n\r\n");
  if (in.rfind("HTTP/1.", 0) != 0 || end == std::string::npos || in.size() < 12) return std::nullopt;
  return AdminAnswer{std::atoi(in.c_str() + 9), in.substr(end + 4)};
}

// One request to the admin API. The actor header names the CLI in the route events.
std::optional<AdminAnswer> admin_call(const AdminTarget& t, const std::string& method, const std::string& path) {
  if (!t.control.empty()) return control_call(t.control, method, path);
  size_t colon = t.addr.rfind(':');
  httplib::Client cli(t.addr.substr(0, colon), colon == std::string::npos ? 9090 : std::stoi(t.addr.substr(colon + 1)));
  cli.set_tcp_nodelay(true);
  cli.set_connection_timeout(std::chrono::seconds(3));
  httplib::Headers h{{"X-Cutover-Actor", "cli"}};
  if (!t.token.empty()) h.emplace("Authorization", "Bearer " + t.token);
  auto res = method == "POST" ? cli.Post(path.c_str(), h, "", "text/plain") : cli.Get(path.c_str(), h);
  if (!res) return std::nullopt;
  return AdminAnswer{res->status, res->body};
}

// An admin API answer's "error" field, or its body as it came.
std::string error_of(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  std::string b = body;
  while (!b.empty() && b.back() == '\n') b.pop_back();
  return b;
}

// The answer's JSON, or an error printed as `cutover CMD: …` and nothing.
std::optional<json> fetch_json(const AdminTarget& t, const std::string& cmd, const std::string& path) {
  auto res = admin_call(t, "GET", path);
  if (!res) {
    std::cerr << "cutover " << cmd << ": cannot reach " << t.where() << " (is cutover running? -c CONFIG names it)\n";
    return std::nullopt;
  }
  if (res->status != 200) {
    std::cerr << "cutover " << cmd << ": the admin API answered " << res->status << ": " << error_of(res->body) << "\n";
    return std::nullopt;
  }
  auto j = json::parse(res->body, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << "cutover " << cmd << ": the admin API's answer is not JSON\n";
    return std::nullopt;
  }
  return j;
}

unsigned long long u(const json& v) { return v.is_number() ? v.get<unsigned long long>() : 0; }

// As the dashboard does: a word before promoting a route whose answers differ above its
// guard or above half of those compared (the move still happens: the operator asked for it).
void promote_warning(const AdminTarget& t, const std::string& route) {
  auto res = admin_call(t, "GET", "/api/routes");
  if (!res || res->status != 200) return;
  auto j = json::parse(res->body, nullptr, false);
  if (!j.is_object()) return;
  for (auto& r : j["routes"]) {
    if (r["name"] != route || !r.contains("rollout")) continue;
    auto& c = r["rollout"]["compare"];
    double compared = c.value("compared", 0.0), rate = compared > 0 ? c.value("different", 0.0) / compared : 0;
    double guard = r["rollout"]["guards"].value("max_diff_rate", -1.0);
    if (compared > 0 && ((guard >= 0 && rate > guard) || rate > 0.5)) {
      std::fprintf(stderr, "warning: %.1f%% of the %.0f compared answers of %s differ", rate * 100, compared, route.c_str());
      if (guard >= 0) std::fprintf(stderr, " (its guard allows %.1f%%)", guard * 100);
      std::fprintf(stderr, "; promoting as asked\n");
    }
  }
}

}  // namespace

// Something accepts on this unix socket.
static bool answers(const std::string& path) {
  int fd = connect_unix(path);
  if (fd >= 0) ::close(fd);
  return fd >= 0;
}

std::string resolve_admin_target(AdminTarget& t, bool admin_given, const std::string& config_path, int& code) {
  code = kExitUsage;
  if (admin_given) return "";
  if (!config_path.empty()) {
    auto cfg = load_config_file(config_path);  // a bad file: ConfigError with file:line:column
    if (t.token.empty()) t.token = cfg->server.admin_token;
    t.control = control_socket_path(*cfg);
    if (t.control.empty()) {
      if (!cfg->server.admin) return config_path + " has server.control = \"off\" and no server.admin: nothing to talk to";
      t.addr = cfg->server.admin->text;
    }
    return "";
  }
  // Neither named: the TCP default when something answers there (the demo's admin
  // listener), else the one control socket of this user.
  if (httplib::Client probe("127.0.0.1", 9090); (probe.set_connection_timeout(std::chrono::milliseconds(300)), probe.Get("/api/status")))
    return "";
  std::vector<std::string> found;
  std::string dir = default_control_dir();
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::string n = e->d_name; n.size() > 5 && n.compare(n.size() - 5, 5, ".sock") == 0 && answers(dir + "/" + n))
        found.push_back(dir + "/" + n);  // one a killed cutover left behind does not count
    ::closedir(d);
  }
  if (found.size() == 1) t.control = found[0];
  if (found.size() > 1) {
    std::string list;
    for (auto& f : found) list += "\n  " + f;
    return "several cutover control sockets in " + dir + "; name the config with -c FILE (or --admin ADDR):" + list;
  }
  if (found.empty()) code = kExitFailed;
  if (found.empty()) return "no cutover to talk to: nothing answers on 127.0.0.1:9090 nor on a control socket in " + dir +
                            " (name the config with -c FILE, or its admin listener with --admin ADDR)";
  return "";
}

std::string short_age(int64_t ms) {
  int64_t s = ms / 1000;
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  if (s < 172800) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

int request_reload(const AdminTarget& t) {
  auto res = admin_call(t, "POST", "/api/reload");
  if (!res) {
    std::cerr << "cutover reload: cannot reach " << t.where() << " (is cutover running? -c CONFIG names it)\n";
    return kExitFailed;
  }
  if (t.json) std::cout << res->body;
  else if (res->status == 200) std::cout << "cutover reload: the new config is in effect\n";
  else std::cerr << "cutover reload: refused, still serving the previous config: " << error_of(res->body) << "\n";
  return res->status == 200 ? kExitOk : kExitFailed;
}

int print_status(const AdminTarget& t) {
  auto j = fetch_json(t, "status", "/api/status");
  if (!j) return kExitFailed;
  if (t.json) {
    std::cout << j->dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%-12s %-26s %-9s %9s %10s %9s\n", "POOL", "BACKEND", "STATE", "IN-FLIGHT", "REQUESTS", "FAILURES");
  for (auto& p : (*j)["pools"])
    for (auto& b : p["backends"])
      std::printf("%-12s %-26s %-9s %9llu %10llu %9llu\n", p["name"].get<std::string>().c_str(),
                  b["address"].get<std::string>().c_str(), b["state"].get<std::string>().c_str(), u(b["in_flight"]),
                  u(b["requests"]), u(b["failures"]));
  std::printf("\n%-16s %-10s %-10s %8s %8s %8s %8s\n", "ROUTE", "ACTION", "POOL", "2xx", "3xx", "4xx", "5xx");
  for (auto& r : (*j)["routes"])
    std::printf("%-16s %-10s %-10s %8llu %8llu %8llu %8llu\n", r["name"].get<std::string>().c_str(),
                r["action"].get<std::string>().c_str(), r.value("pool", std::string("-")).c_str(), u(r["answers"]["2xx"]),
                u(r["answers"]["3xx"]), u(r["answers"]["4xx"]), u(r["answers"]["5xx"]));
  return kExitOk;
}

// Exit 3 when an instance is not up: a script can wait on `cutover workers status`.
int print_workers(const AdminTarget& t, const std::string& only_pool) {
  auto j = fetch_json(t, "workers", "/api/workers");
  if (!j) return kExitFailed;
  bool all_up = true, found = only_pool.empty();
  json shown = json::array();
  for (auto& p : (*j)["workers"]) {
    if (!only_pool.empty() && p["pool"] != only_pool) continue;
    found = true;
    shown.push_back(p);
    for (auto& i : p["instances"]) all_up = all_up && i["state"] == "up";
  }
  if (!found) {
    std::cerr << "cutover workers: no supervised pool \"" << only_pool << "\"\n";
    return kExitFailed;
  }
  if (t.json) {
    std::cout << json{{"workers", shown}}.dump(2) << "\n";
    return all_up ? kExitOk : kExitDegraded;
  }
  std::printf("%-10s %5s %8s  %-26s %-9s %7s %8s %8s %9s  %s\n", "POOL", "INDEX", "PID", "ADDRESS", "STATE", "UPTIME",
              "RESTARTS", "REPLACED", "IN-FLIGHT", "LAST ERROR");
  for (auto& p : shown)
    for (auto& i : p["instances"]) {
      std::string err = i.value("last_error", std::string());
      if (!err.empty() && i.value("last_error_age_ms", int64_t(-1)) >= 0)
        err += " (" + short_age(i["last_error_age_ms"].get<int64_t>()) + " ago)";
      std::string up = i["uptime_ms"].get<int64_t>() > 0 || i["state"] == "up" ? short_age(i["uptime_ms"].get<int64_t>()) : "-";
      std::printf("%-10s %5d %8d  %-26s %-9s %7s %8d %8d %9u  %s\n", p["pool"].get<std::string>().c_str(),
                  i["index"].get<int>(), i["pid"].get<int>(), i["address"].get<std::string>().c_str(),
                  i["state"].get<std::string>().c_str(), up.c_str(), i["restarts"].get<int>(), i.value("replaced", 0),
                  i["in_flight"].get<unsigned>(), err.c_str());
    }
  return all_up ? kExitOk : kExitDegraded;
}

int restart_workers(const AdminTarget& t, const std::string& pool, bool wait) {
  auto res = admin_call(t, "POST", "/api/workers/" + pool + "/restart");
  if (!res) {
    std::cerr << "cutover workers restart: cannot reach " << t.where() << " (is cutover running? -c CONFIG names it)\n";
    return kExitFailed;
  }
  if (res->status != 202) {
    std::cerr << "cutover workers restart: " << error_of(res->body) << "\n";
    return kExitFailed;
  }
  if (!wait) {
    if (t.json) std::cout << res->body;
    return kExitOk;
  }
  if (!t.json) std::cout << "rolling restart of " << pool << " started\n" << std::flush;
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling the API: no event to wait on across processes
    auto j = fetch_json(t, "workers restart", "/api/workers");
    if (!j) return kExitFailed;
    bool rolling = false;
    for (auto& p : (*j)["workers"])
      if (p["pool"] == pool) rolling = p["rolling"].get<bool>();
    if (!rolling) break;
  }
  if (!t.json) std::cout << "rolling restart of " << pool << " done\n";
  return print_workers(t, pool);
}

int route_command(const AdminTarget& t, const std::string& action, const std::string& route,
                  const std::vector<std::string>& args) {
  if (action == "promote") promote_warning(t, route);
  if (action != "status") {
    std::string path = "/api/routes/" + route + "/" + action;
    if (action == "set") {
      if (args.empty()) {
        std::cerr << "cutover route set ROUTE STAGE [PERCENT]   (legacy, shadow, canary 10, new)\n";
        return kExitUsage;
      }
      path += "?stage=" + args[0] + (args.size() > 1 ? "&percent=" + args[1] : "");
    }
    auto res = admin_call(t, "POST", path);
    if (!res) {
      std::cerr << "cutover route: cannot reach " << t.where() << " (is cutover running? -c CONFIG names it)\n";
      return kExitFailed;
    }
    if (res->status != 200) {
      std::cerr << "cutover route " << action << ": " << error_of(res->body) << "\n";
      return kExitFailed;
    }
  }
  auto j = fetch_json(t, "route", "/api/routes");
  if (!j) return kExitFailed;
  json shown = json::array();
  for (auto& r : (*j)["routes"])
    if (r.contains("rollout") && (route.empty() || r["name"] == route)) shown.push_back(r);
  if (t.json) {
    std::cout << json{{"routes", shown}}.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%-14s %-12s %-22s %-12s %9s %9s %9s %9s\n", "ROUTE", "STAGE", "FROM -> TO", "STICKY", "COMPARED",
              "DIFFERENT", "NEW-5XX", "DROPPED");
  for (auto& r : shown) {
    auto& o = r["rollout"];
    std::string ft = o["from"].get<std::string>() + " -> " + o["to"].get<std::string>();
    std::printf("%-14s %-12s %-22s %-12s %9llu %9llu %9llu %9llu\n", r["name"].get<std::string>().c_str(),
                o["describe"].get<std::string>().c_str(), ft.c_str(), o["sticky"].get<std::string>().c_str(),
                u(o["compare"]["compared"]), u(o["compare"]["different"]), u(o["new"]["5xx"]), u(o["compare"]["dropped"]));
    if (o.value("tripped", false)) {  // the guard's last word, with its numbers and when
      const json* last = nullptr;
      for (auto& e : o["events"])
        if (e["actor"].is_string() && e["actor"].get<std::string>().rfind("guard: ", 0) == 0 &&
            (!last || u(e["time_ms"]) > u((*last)["time_ms"])))
          last = &e;
      if (last) {
        int64_t age = int64_t(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count()) -
                      int64_t(u((*last)["time_ms"]));
        std::printf("  tripped %s ago: %s; stays back until promoted\n", short_age(age).c_str(), (*last)["what"].get<std::string>().c_str());
      }
    }
  }
  return kExitOk;
}

}  // namespace cutover
