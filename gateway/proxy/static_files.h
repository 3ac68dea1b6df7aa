// Static files for a route: lighttpd's own static serving (and nginx's root/alias), with
// validators, ranges, precompressed siblings, index files and the optional listing. The
// text-only decisions live in gateway/static/ (pure, unit tested and fuzzed); this file
// opens, checks and sends.
#pragma once
#include <string>

#include "config/config.h"
#include "core/asio.h"
#include "http1/message.h"
#include "proxy/stream.h"

namespace cutover {

awaitable<void> serve_static(const RouteSpec& route, const http1::RequestHead& head,
                             const std::string& target, const std::string& decoded_path,
                             int64_t file_cache_ms, ResponseStream& out);

// X-Sendfile: the file an app named (Handoff::target), if it lies under one of the pool's
// directories once symlinks are resolved (else 403, or 404 when missing), answered like a
// static file (validators, ranges, sendfile) with the app's own fields.
awaitable<void> serve_sent_file(const Handoff& h, const http1::RequestHead& head, ResponseStream& out);

}  // namespace cutover
