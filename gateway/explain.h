// `cutover explain`: what cutover does with one URL, step by step, without serving it:
// normalisation, the global rewrites, the route, the pool, what the backend receives
// (for FastCGI: the CGI variables), and for a rollout both sides.
#pragma once
#include <ostream>
#include <string>

#include "config/config.h"

namespace cutover {

int explain(const Config& cfg, const std::string& method, const std::string& host, const std::string& url,
            std::ostream& out);

}  // namespace cutover
