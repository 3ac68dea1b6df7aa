// The seam between the protocol-neutral core and the backend protocols. The core hands an
// Upstream a request, a body source and a response sink; http_backend and fcgi_adapter
// implement Upstream and never see the downstream socket.
#pragma once
#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.h"
#include "core/failure.h"
#include "core/runtime.h"
#include "core/exchange_context.h"
#include "core/up_conn.h"
#include "http1/message.h"

namespace cutover {

// The request body as the client sends it, decoded (no chunk framing).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual bool has_body() const = 0;
  virtual std::optional<uint64_t> length() const = 0;  // nullopt: chunked, length unknown
  // The next piece of the body, valid until the next call; empty at the end. ec is set
  // when the client fails, times out, or sends a malformed or oversized body.
  virtual awaitable<std::string_view> read(error_code& ec) = 0;
  // True while nothing has been read from the socket, so the body can be sent again.
  virtual bool replayable() const = 0;
  virtual void rewind() = 0;
  // The fields the client sent after the body (a chunked body's trailers, those a trailer
  // may carry: http1::parse_trailer_fields), once read() returned the end; null: none.
  virtual const std::vector<http1::Field>* trailers() const { return nullptr; }
};

struct ResponseStart {
  int status = 200;
  std::string_view reason;
  const std::vector<http1::Field>* fields = nullptr;  // end-to-end fields only
  bool has_body = true;
  std::optional<uint64_t> content_length;  // also sent for HEAD when known
  std::optional<int64_t> file_mtime;       // a file's answer: its mtime (modification-based expiry)
};

// What an app asked the gateway to answer instead of its own response: another local path
// (a CGI local redirect, RFC 3875 6.2.2) or a file (X-Sendfile).
struct Handoff {
  enum class Kind { local_redirect, send_file } kind = Kind::local_redirect;
  std::string target;  // the path (with query), or the file's path
  // send_file: the app's own fields (Content-Type, Cache-Control...), and the directories
  // the file must lie in (the pool's x_sendfile, alive as long as the request's snapshot).
  std::vector<std::pair<std::string, std::string>> fields;
  const std::vector<std::string>* roots = nullptr;
  // local_redirect from an error handler (server.error_handler*): the status it replaces.
  // The request keeps its REQUEST_URI, and REDIRECT_STATUS says the status.
  int error_status = 0;
};

// Where the response goes: the core frames it for the client (length, chunked or close).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Takes over the answer, before start(). False where that cannot be done (a compare
  // copy); the upstream then relays the app's own response.
  virtual bool hand_off(Handoff) { return false; }
  // Prepares the head; it goes out with the first body bytes or finish().
  virtual void start(const ResponseStart& r) = 0;
  virtual awaitable<bool> body(std::string_view data) = 0;
  // Fields that follow the body (a backend's trailers), before finish(); the views need
  // to live only through the call. A framing that cannot carry them (a length-framed
  // HTTP/1 answer) drops them, as a recipient may.
  virtual void trailers(const std::vector<http1::Field>&) {}
  virtual awaitable<bool> finish() = 0;
  // body() and finish() without suspending, where the bytes can go out at once (the
  // client's socket takes them): 1 done, 0 failed. -1: not done yet, and the caller awaits
  // body() with the same data (finish()) next, which completes it. Saves the hot path a
  // coroutine frame and a scheduler trip per write.
  virtual int body_now(std::string_view) { return -1; }
  virtual int finish_now() { return -1; }
  // After a 101: relays bytes both ways until either side closes.
  virtual awaitable<void> tunnel(UpSocket& up, std::string_view up_leftover) = 0;
  virtual bool started() const = 0;
  // Forgets a started response none of which reached the client yet (its head waits for
  // the first body bytes), so the request can be answered anew: by another backend, or
  // with a 502 instead of a cut connection. False once bytes went out.
  virtual bool retract() { return !started(); }
};

// When an exchange's phases ended (tc.rt.clock() ms; -1: not reached), for the access log.
struct ExchangeTimes {
  int64_t connected = -1;  // a connection was ready (at once for a kept-alive one)
  int64_t head = -1;       // the response head was in
};

struct ForwardRequest {
  const http1::RequestHead* head = nullptr;
  const RouteSpec* route = nullptr;
  bool rewritten = false;            // the target differs from what the client asked for
  std::string_view server_addr;      // the listener the request came in on
  uint16_t server_port = 0;
  std::string_view target;           // what the backend is asked for (after rewrites)
  std::string_view original_target;  // what the client asked for
  std::string_view client_ip;        // the client (behind a trusted proxy: as it reports)
  std::string_view peer_ip;          // who connected to cutover (X-Forwarded-For's next hop)
  uint16_t client_port = 0;
  std::string_view scheme = "http";
  bool idempotent = false;
  int redirect_status = 200;         // FastCGI REDIRECT_STATUS (an error handler: the error's)
  // The pool's timeouts with the route's overrides: what the upstream applies (not the
  // pool's own fields).
  UpstreamTimeouts timeouts;
  ExchangeTimes* times = nullptr;    // filled in by the upstream when given
  // Fields cutover adds for this backend (X-Forwarded-Prefix...); a client's fields of the
  // same names are dropped, so they cannot be spoofed.
  const std::vector<http1::Field>* extra_fields = nullptr;
  // Basic auth passed the request as this user ("" none): REMOTE_USER for FastCGI, and
  // `user_header` (server.remote_user_header) for HTTP, whose client copy is always dropped.
  std::string_view remote_user;
  std::string_view auth_type;  // "Basic" or "Digest" (AUTH_TYPE)
  std::string_view user_header;
  // Environment variables for a backend that takes them (the CGI family: FastCGI params),
  // after the request's own: server.fastcgi_env or a [[headers]] rule's (lighttpd's
  // setenv.*-environment); nullptr: none.
  const HeaderEdits* backend_env = nullptr;
};

class Upstream {
 public:
  virtual ~Upstream() = default;
  // One exchange with one backend. Returns a classified failure, or none on success.
  virtual awaitable<Failure> exchange(ExchangeContext x, const PoolSpec& pool,
                                      BackendRuntime& backend, const ForwardRequest& req,
                                      BodySource& body, ResponseSink& sink) = 0;
  // Whether an idle connection goes along with a slot handed to a request on another
  // thread (a FastCGI pool whose every request rides a kept connection: without it, the
  // request would find every kept connection idle on the first thread).
  virtual bool conn_follows_slot(const PoolSpec&) const { return false; }
  // One active health check (pool.health): true when the backend answered as expected;
  // `why` says what went wrong otherwise.
  virtual awaitable<bool> check(ExchangeContext x, PoolRuntime& pool, BackendRuntime& backend,
                                std::string& why) = 0;
  // What the adapter keeps per backend (BackendRuntime::adapter), made with the backend.
  virtual std::unique_ptr<BackendState> backend_state() const { return nullptr; }
};

// Protocol registry: the executable registers the backends it links ("http", "fastcgi").
void register_upstream(const std::string& protocol, std::shared_ptr<Upstream> u);
Upstream* find_upstream(std::string_view protocol);

}  // namespace cutover
