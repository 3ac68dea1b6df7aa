// One downstream connection: reads requests in order and answers each (see README.md for
// the phases of a request's life).
#pragma once
#include "core/asio.h"
#include "core/upstream.h"

namespace cutover {

// Runs a client connection to completion.
awaitable<void> run_session(ThreadContext& tc, tcp::socket sock);

}  // namespace cutover
