// Static files for a route (the seed's /static). Minimal for now: GET/HEAD of regular
// files under the root, index files, directory redirect, no dotfiles.
#pragma once
#include <string>

#include "config/config.h"
#include "core/asio.h"
#include "http1/message.h"
#include "proxy/downstream.h"

namespace cutover {

awaitable<void> serve_static(const RouteSpec& route, const http1::RequestHead& head,
                             const std::string& target, const std::string& decoded_path,
                             ClientResponse& out);

// Content-Type for a file name, from its extension.
std::string_view mime_type(std::string_view name);

}  // namespace cutover
