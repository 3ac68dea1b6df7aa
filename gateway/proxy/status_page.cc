#include "proxy/status_page.h"

#include <nlohmann/json.hpp>

#include "core/report.h"

namespace cutover {
namespace {

std::string html_escape(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

struct Totals {
  uint64_t answers = 0, in_flight = 0;
  int64_t uptime_s = 0;
};

Totals totals(const Runtime& rt, int64_t now) {
  Totals t;
  auto snap = rt.current();
  for (int c = 1; c < 6; ++c) t.answers += rt.unrouted[c].load();
  for (const auto& r : snap->routes)
    for (int c = 1; c < 6; ++c) t.answers += r->by_class[c].load();
  for (const auto& p : snap->pools)
    for (const auto& b : p->backends) t.in_flight += b->in_flight.load();
  t.uptime_s = (now - rt.started_ms) / 1000;
  return t;
}

}  // namespace

StatusPage render_status_page(const Runtime& rt, int64_t now, RouteSpec::StatusPage which, std::string_view query) {
  auto snap = rt.current();
  if (which == RouteSpec::StatusPage::config)
    return {"<!DOCTYPE html>\n<html><head><title>cutover: configuration</title></head><body>\n<h1>Configuration in effect</h1>\n<pre>" +
                html_escape(describe(*snap->config)) + "</pre>\n</body></html>\n",
            "text/html; charset=utf-8"};
  Totals t = totals(rt, now);
  int sessions = rt.sessions.load();
  // lighttpd's names, so that scripts reading its ?auto and ?json keep working (there is no
  // byte count: "Total kBytes" is left out rather than made up).
  if (query == "auto")
    return {"Total Accesses: " + std::to_string(t.answers) + "\nUptime: " + std::to_string(t.uptime_s) +
                "\nBusyServers: " + std::to_string(sessions) + "\nIdleServers: 0\n",
            "text/plain; charset=utf-8"};
  if (query == "json" || query.substr(0, 5) == "json&") {
    nlohmann::json j{{"RequestsTotal", t.answers}, {"Uptime", t.uptime_s}, {"BusyServers", sessions}, {"IdleServers", 0},
                     {"InFlight", t.in_flight}};
    return {j.dump() + "\n", "application/json"};
  }
  nlohmann::json st = nlohmann::json::parse(render_status(rt, now));
  std::string h = "<!DOCTYPE html>\n<html><head><title>cutover: status</title></head><body>\n<h1>Server status</h1>\n<table>\n";
  h += "<tr><td>Uptime</td><td>" + std::to_string(t.uptime_s) + " s</td></tr>\n<tr><td>Requests</td><td>" + std::to_string(t.answers) +
       "</td></tr>\n<tr><td>Connections</td><td>" + std::to_string(sessions) + "</td></tr>\n</table>\n<h2>Routes</h2>\n<table>\n";
  h += "<tr><th>route</th><th>action</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th></tr>\n";
  for (auto& r : st["routes"])
    h += "<tr><td>" + html_escape(r["name"].get<std::string>()) + "</td><td>" + r["action"].get<std::string>() + "</td><td>" +
         std::to_string(r["answers"]["2xx"].get<uint64_t>()) + "</td><td>" + std::to_string(r["answers"]["3xx"].get<uint64_t>()) +
         "</td><td>" + std::to_string(r["answers"]["4xx"].get<uint64_t>()) + "</td><td>" +
         std::to_string(r["answers"]["5xx"].get<uint64_t>()) + "</td></tr>\n";
  h += "</table>\n<h2>Backends</h2>\n<table>\n<tr><th>pool</th><th>backend</th><th>state</th><th>in flight</th><th>requests</th><th>failures</th></tr>\n";
  for (auto& p : st["pools"])
    for (auto& b : p["backends"])
      h += "<tr><td>" + html_escape(p["name"].get<std::string>()) + "</td><td>" + html_escape(b["address"].get<std::string>()) +
           "</td><td>" + b["state"].get<std::string>() + "</td><td>" + std::to_string(b["in_flight"].get<uint64_t>()) + "</td><td>" +
           std::to_string(b["requests"].get<uint64_t>()) + "</td><td>" + std::to_string(b["failures"].get<uint64_t>()) + "</td></tr>\n";
  h += "</table>\n</body></html>\n";
  return {h, "text/html; charset=utf-8"};
}

}  // namespace cutover
