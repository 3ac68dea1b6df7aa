// `cutover compare`: replays GET/HEAD requests against two base URLs and compares the
// answers with the same rules as the shadow compare (stage/compare.h).
#pragma once
#include <string>
#include <vector>

#include "stage/compare.h"

namespace cutover {

struct CompareOptions {
  std::string a, b, a2;          // base URLs: http://host:port[/prefix]
  std::string requests_file;     // one request per line: "[METHOD ]/path?query"
  std::string access_log;        // combined format
  bool learn_noise = true;       // ask A a second time (or a2)
  double max_diff_rate = 0;      // exit 1 above this
  std::string html_report, json_report;
  stage::CompareSpec spec;
};

// Runs the comparison, prints a summary; returns the exit code (0, 1 over the rate, 2 on
// bad input).
int run_compare(const CompareOptions& o);

// Pure helpers (unit-tested): the requests of a file / a combined-format access log.
struct ReplayRequest {
  std::string method, target;
};
std::vector<ReplayRequest> parse_request_lines(const std::string& text, std::string& err);
std::vector<ReplayRequest> parse_access_log(const std::string& text);

}  // namespace cutover
