// Route matching: first route whose prefix/regex, host and method all match wins.
#pragma once
#include <string>
#include <string_view>

#include "config/config.h"

namespace cutover {

struct RouteInput {
  std::string_view path;    // decoded, normalised path (no query)
  std::string_view host;    // Host header as received
  std::string_view method;
  std::string_view target;  // the (rewritten) request target, path?query, for match.target
  std::string_view client_ip = {};  // for match.when client_ip
  // A request field's value for match.when header conditions; nullptr: no fields known.
  std::string_view (*field)(const void* ctx, std::string_view name) = nullptr;
  const void* field_ctx = nullptr;
};

// The Host as lighttpd's $HTTP["host"] conditions see it: lowercased, port included.
std::string lighttpd_host(std::string_view host);
// Whether `ip` (dotted IPv4 or IPv6 text) lies in one of the blocks; false for no address.
bool ip_in_any(const std::vector<FieldCondition::Cidr>& blocks, std::string_view ip);

// Whether one field condition holds for the request.
bool condition_holds(const FieldCondition& c, const RouteInput& in);

// Lowercases, drops a trailing dot and the port: "Example.ORG.:8080" -> "example.org".
std::string normalize_host(std::string_view host);

// Whether one route's conditions hold; `caps` receives its regex's captures.
bool route_matches(const RouteSpec& r, const RouteInput& in, Captures* caps);

// Returns the matching route or nullptr; `caps` receives the route regex's captures.
const RouteSpec* match_route(const Config& c, const RouteInput& in, Captures* caps);

}  // namespace cutover
