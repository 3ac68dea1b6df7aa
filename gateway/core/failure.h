// Failures are classified once, where they happen: what failed, whether the fault is local
// (this backend, this connection) or upstream, and whether the request may move on.
#pragma once
#include <string>

namespace cutover {

enum class FailureKind {
  none,
  connect_refused,    // nothing reached the backend
  connect_timeout,    // nothing reached the backend
  reset_before_response,  // the request (or part) was sent, no response byte came
  bad_response,       // unparsable or truncated response -> 502
  timeout,            // backend silent too long -> 504
  client_gone,        // downstream closed or timed out: nobody to answer
  overloaded,         // backend refused the work (e.g. FastCGI OVERLOADED) -> try another
  bad_request_body,   // the client's body is malformed (bad chunk) -> 400, never retried
  request_too_large,  // the client's body passed max_body_bytes -> 413
};

// Whose fault: the client's (gone, or a body that cannot be taken: never retried, never
// counted against the backend) or the backend's (or the way to it).
enum class FailureOrigin { client, backend };

struct Failure {
  FailureKind kind = FailureKind::none;
  bool request_sent = false;  // any byte of the request reached the backend
  std::string detail;         // for the error log

  explicit operator bool() const { return kind != FailureKind::none; }
  FailureOrigin origin() const {
    return kind == FailureKind::client_gone || kind == FailureKind::bad_request_body ||
                   kind == FailureKind::request_too_large
               ? FailureOrigin::client
               : FailureOrigin::backend;
  }
  // May the request be sent again (elsewhere, or on a new connection)? Only for the
  // backend's failures, and once any byte reached a backend only when repeating it is safe
  // (RFC 9110 9.2.2: the backend may have run it before failing).
  bool may_repeat(bool idempotent) const {
    return origin() == FailureOrigin::backend && (!request_sent || idempotent);
  }
  // The one rule for sending it again to the same backend on a new connection, which each
  // adapter asks (the session decides retries across backends): a kept connection the
  // backend closed just as it was used, before any byte of an answer (php-fpm recycling a
  // child, its keep-alive timeout crossing the request), when the body can be sent again.
  bool retry_on_new_connection(bool reused, bool answer_bytes, bool body_again, bool idempotent) const {
    return reused && !answer_bytes && body_again && kind == FailureKind::reset_before_response && may_repeat(idempotent);
  }
  // Marks the backend down for disable_time: it could not even take a connection.
  bool disables_backend() const {
    return kind == FailureKind::connect_refused || kind == FailureKind::connect_timeout;
  }
  int status() const {  // what the client gets if nothing was sent yet
    switch (kind) {
      case FailureKind::timeout:
      case FailureKind::connect_timeout: return 504;
      case FailureKind::overloaded: return 503;
      case FailureKind::bad_request_body: return 400;
      case FailureKind::request_too_large: return 413;
      default: return 502;
    }
  }
  const char* name() const {
    switch (kind) {
      case FailureKind::none: return "none";
      case FailureKind::connect_refused: return "connect failed";
      case FailureKind::connect_timeout: return "connect timeout";
      case FailureKind::reset_before_response: return "connection closed before response";
      case FailureKind::bad_response: return "bad response";
      case FailureKind::timeout: return "response timeout";
      case FailureKind::client_gone: return "client gone";
      case FailureKind::overloaded: return "backend overloaded";
      case FailureKind::bad_request_body: return "malformed request body";
      case FailureKind::request_too_large: return "request body too large";
    }
    return "?";
  }
};

}  // namespace cutover
