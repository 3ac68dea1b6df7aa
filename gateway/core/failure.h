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

struct Failure {
  FailureKind kind = FailureKind::none;
  bool request_sent = false;  // any byte of the request reached the backend
  std::string detail;         // for the error log

  explicit operator bool() const { return kind != FailureKind::none; }
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
