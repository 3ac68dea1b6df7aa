#include "compare_cli.h"

#include <httplib.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cutover {

std::vector<ReplayRequest> parse_request_lines(const std::string& text, std::string& err) {
  std::vector<ReplayRequest> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    ReplayRequest r{"GET", line};
    size_t sp = line.find(' ');
    if (sp != std::string::npos) r = {line.substr(0, sp), line.substr(sp + 1)};
    if (r.method != "GET" && r.method != "HEAD") {
      err = "line " + std::to_string(n) + ": only GET and HEAD are replayed (found " + r.method + ")";
      return {};
    }
    if (r.target.empty() || r.target[0] != '/') {
      err = "line " + std::to_string(n) + ": expected a path starting with '/', found \"" + r.target + "\"";
      return {};
    }
    out.push_back(r);
  }
  return out;
}

std::vector<ReplayRequest> parse_access_log(const std::string& text) {
  // 127.0.0.1 - - [date] "GET /path HTTP/1.1" 200 ...; other methods are not replayed.
  std::vector<ReplayRequest> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t q = line.find('"');
    if (q == std::string::npos) continue;
    size_t end = line.find('"', q + 1);
    std::istringstream req(line.substr(q + 1, end == std::string::npos ? std::string::npos : end - q - 1));
    std::string method, target;
    req >> method >> target;
    if ((method == "GET" || method == "HEAD") && !target.empty() && target[0] == '/') out.push_back({method, target});
  }
  return out;
}

namespace {

struct Base {
  std::string scheme_host_port, prefix;
};

bool split_url(const std::string& url, Base& b) {
  if (url.rfind("http://", 0) != 0) return false;
  size_t slash = url.find('/', 7);
  b.scheme_host_port = url.substr(0, slash);
  b.prefix = slash == std::string::npos ? "" : url.substr(slash);
  while (!b.prefix.empty() && b.prefix.back() == '/') b.prefix.pop_back();
  return true;
}

stage::Captured ask(httplib::Client& c, const Base& b, const ReplayRequest& r) {
  stage::Captured out;
  std::string path = b.prefix + r.target;
  auto res = r.method == "HEAD" ? c.Head(path.c_str()) : c.Get(path.c_str());
  if (!res) {
    out.failed = true;
    out.error = httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  for (auto& [k, v] : res->headers) out.headers.emplace_back(k, v);
  out.body = res->body;
  return out;
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace

int run_compare(const CompareOptions& o) {
  Base a, b, a2;
  if (!split_url(o.a, a) || !split_url(o.b, b) || (!o.a2.empty() && !split_url(o.a2, a2))) {
    std::cerr << "cutover compare: --a and --b must be http:// URLs\n";
    return 2;
  }
  std::vector<ReplayRequest> reqs;
  std::string err;
  std::string path = o.requests_file.empty() ? o.access_log : o.requests_file;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cutover compare: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  reqs = o.requests_file.empty() ? parse_access_log(ss.str()) : parse_request_lines(ss.str(), err);
  if (!err.empty()) {
    std::cerr << "cutover compare: " << path << ": " << err << "\n";
    return 2;
  }
  if (reqs.empty()) {
    std::cerr << "cutover compare: no GET/HEAD requests in " << path << "\n";
    return 2;
  }
  httplib::Client ca(a.scheme_host_port), cb(b.scheme_host_port), ca2(o.a2.empty() ? a.scheme_host_port : a2.scheme_host_port);
  for (auto* c : {&ca, &cb, &ca2}) {
    c->set_tcp_nodelay(true);
    c->set_keep_alive(true);
    c->set_connection_timeout(std::chrono::seconds(5));
    c->set_read_timeout(std::chrono::seconds(30));
  }
  const Base& second = o.a2.empty() ? a : a2;
  nlohmann::json report;
  report["a"] = o.a;
  report["b"] = o.b;
  report["requests"] = nlohmann::json::array();
  size_t differing = 0, errors = 0;
  std::map<std::string, size_t> by_field, noise_by_field;
  for (auto& r : reqs) {
    stage::Captured x = ask(ca, a, r), y = ask(cb, b, r);
    nlohmann::json item;
    item["method"] = r.method;
    item["target"] = r.target;
    if (x.failed || y.failed) {
      ++errors;
      ++differing;
      item["error"] = x.failed ? "A: " + x.error : "B: " + y.error;
      std::printf("ERROR  %s %s  %s\n", r.method.c_str(), r.target.c_str(), item["error"].get<std::string>().c_str());
      report["requests"].push_back(item);
      continue;
    }
    auto diffs = stage::compare_answers(x, y, o.spec);
    if (!diffs.empty() && o.learn_noise) {
      stage::Captured x2 = ask(ca2, second, r);
      if (!x2.failed) {
        std::vector<stage::Difference> noise = stage::compare_answers(x, x2, o.spec);
        for (auto& n : noise) ++noise_by_field[n.field];
        diffs = stage::without_noise(std::move(diffs), noise);
      }
    }
    item["status_a"] = x.status;
    item["status_b"] = y.status;
    item["differences"] = nlohmann::json::array();
    for (auto& d : diffs) {
      item["differences"].push_back({{"field", d.field}, {"a", d.a}, {"b", d.b}});
      ++by_field[d.field];
    }
    if (!diffs.empty()) {
      ++differing;
      std::printf("DIFF   %s %s\n", r.method.c_str(), r.target.c_str());
      for (auto& d : diffs) std::printf("         %-28s A: %s\n         %-28s B: %s\n", d.field.c_str(), d.a.c_str(), "", d.b.c_str());
    }
    report["requests"].push_back(item);
  }
  double rate = double(differing) / double(reqs.size());
  report["summary"] = {{"requests", reqs.size()}, {"different", differing}, {"errors", errors}, {"diff_rate", rate}, {"by_field", by_field},
                       {"noise_by_field", noise_by_field}};
  std::printf("\n%zu requests, %zu equal, %zu different (%zu errors): difference rate %.3f (max %.3f)\n", reqs.size(),
              reqs.size() - differing, differing, errors, rate, o.max_diff_rate);
  for (auto& [f, n] : by_field) std::printf("  %-30s %zu\n", f.c_str(), n);
  if (!noise_by_field.empty()) {
    std::printf("noise (differs between two answers of A, so not counted):\n");
    for (auto& [f, n] : noise_by_field) std::printf("  %-30s %zu\n", f.c_str(), n);
  }
  if (!o.json_report.empty()) std::ofstream(o.json_report) << report.dump(2) << "\n";
  if (!o.html_report.empty()) {
    std::ofstream h(o.html_report);
    h << "<!doctype html><meta charset=utf-8><title>cutover compare</title><style>body{font:14px system-ui;margin:20px}"
         "td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap}"
         ".d{color:#b00020}</style><h1>cutover compare</h1><p>A: "
      << html_escape(o.a) << "<br>B: " << html_escape(o.b) << "</p><p>" << reqs.size() << " requests, " << differing
      << " different, rate " << rate << "</p><table><tr><th>request</th><th>field</th><th>A</th><th>B</th></tr>";
    for (auto& item : report["requests"]) {
      std::string req = item["method"].get<std::string>() + " " + item["target"].get<std::string>();
      if (item.contains("error")) {
        h << "<tr><td>" << html_escape(req) << "</td><td class=d colspan=3>" << html_escape(item["error"]) << "</td></tr>";
        continue;
      }
      for (auto& d : item["differences"])
        h << "<tr><td>" << html_escape(req) << "</td><td class=d>" << html_escape(d["field"]) << "</td><td><pre>"
          << html_escape(d["a"]) << "</pre></td><td><pre>" << html_escape(d["b"]) << "</pre></td></tr>";
    }
    h << "</table>\n";
  }
  return rate > o.max_diff_rate ? 1 : 0;
}

}  // namespace cutover
