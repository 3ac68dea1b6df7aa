// One HTTP/1 client connection: reads each request head, hands it to the request phases
// (proxy/session.h) through the HTTP/1 streams (proxy/http1_stream.h), keeps the
// connection alive, lingers on close, and parks it between bursts.
#pragma once
#include "core/asio.h"
#include "core/thread_context.h"

namespace cutover {

// Runs a client connection to completion.
awaitable<void> run_session(ThreadContext& tc, tcp::socket sock);

}  // namespace cutover
