// HTTP/1.1 backends: keep-alive connections from the per-thread cache, request bodies
// streamed (Content-Length or chunked), responses relayed as they arrive.
#pragma once
#include <memory>

#include "core/upstream.h"

namespace cutover::http_backend {

std::shared_ptr<Upstream> make_http_upstream();

}  // namespace cutover::http_backend
