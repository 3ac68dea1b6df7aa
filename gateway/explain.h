// `cutover explain`: what cutover does with one URL, step by step, without serving it:
// normalisation, the global rewrites, the route, the pool, what the backend receives
// (for FastCGI: the CGI variables), and for a rollout both sides.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"

namespace cutover {

// `fields`: request header fields ("Name: value") for the conditions that read them;
// `client_ip`: the client's address. The last line, "  expect:     ...", says the status
// when cutover decides it (a backend's answer: "backend").
int explain(const Config& cfg, const std::string& method, const std::string& host, const std::string& url,
            std::ostream& out, const std::vector<std::string>& fields = {}, const std::string& client_ip = "127.0.0.1");
// Many requests from a file, one per line (METHOD<tab>TARGET<tab>HOST, then fields each
// after a tab), each answer followed by a line "---". 2 when the file cannot be read.
int explain_file(const Config& cfg, const std::string& path, std::ostream& out, const std::string& client_ip = "127.0.0.1");

}  // namespace cutover
