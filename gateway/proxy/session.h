// The request phases, protocol-neutral: a framing (proxy/http1_connection.h today, HTTP/2
// next) reads a request head and hands it to serve() with the body and the answer as the
// downstream seam's streams (proxy/stream.h). See gateway/README.md for the phases.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "core/asio.h"
#include "core/thread_context.h"
#include "http1/message.h"
#include "proxy/stream.h"

namespace cutover {

// What a connection is, whatever its requests: both ends' addresses, read once.
struct ConnFacts {
  std::string peer_ip, server_ip;
  uint16_t peer_port = 0, server_port = 0;

  ConnFacts() = default;
  explicit ConnFacts(tcp::socket& sock);
};

// One connection's requests and the state they reuse (proxy/session.cc).
class Session;
struct SessionDeleter {
  void operator()(Session* s) const;
};
using SessionPtr = std::unique_ptr<Session, SessionDeleter>;
SessionPtr make_session(ThreadContext& tc, const ConnFacts& facts);

// One request's life, from its head (as read: its views must outlive the call) to its
// access log line: settle its identity, plan, route, authorize, act, respond.
awaitable<void> serve(Session& s, http1::RequestHead& head, RequestStream& body, ResponseStream& out);

// How long the connection waits for its next request, when the last route set it
// (keepalive_timeout); nullopt: the server's.
std::optional<Duration> idle_after(const Session& s);

}  // namespace cutover
