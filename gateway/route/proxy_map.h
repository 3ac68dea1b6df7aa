// lighttpd 1.4's proxy.header maps (lighttpd-semantics.md §5.2), as pure functions: the
// request target's path prefix and Host going to the backend, and the URLs in the answer's
// Location, Content-Location and Set-Cookie (Path, Domain) mapped back.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace cutover {

// What the request side chose, which the answer's mapping reuses.
struct ProxyMapState {
  int urlpath = -1;           // the urlpath pair applied to the target; -1: none
  std::string client_host;    // the Host as the client sent it
  std::string forwarded_host; // the Host the request mapping gave the backend; "": unmapped
};

// The target with the first pair whose key is a byte prefix replaced by its value;
// nullopt when none is.
std::optional<std::string> map_request_target(const ProxyMap& m, std::string_view target, ProxyMapState& st);

// The Host for the backend (map-host-request); nullopt: unchanged.
std::optional<std::string> map_request_host(const ProxyMap& m, std::string_view host, ProxyMapState& st);

// A Location or Content-Location value mapped back; nullopt: unchanged.
std::optional<std::string> map_response_uri(const ProxyMap& m, std::string_view value, const ProxyMapState& st);

// A Set-Cookie value with its Path and Domain attributes mapped back; nullopt: unchanged.
std::optional<std::string> map_set_cookie(const ProxyMap& m, std::string_view value, const ProxyMapState& st);

}  // namespace cutover
