// The access log's line formats, pure: combined (plus cutover's upstream fields), JSON
// lines, or a template of nginx-style $variables. A template is compiled once, when the
// config is loaded, so a typo is a config error with its position, not a blank field.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http1/message.h"

namespace cutover {

struct AccessRecord {
  std::string_view client_ip;
  std::string_view remote_user;  // Basic auth passed the request as this user; "" none
  int64_t wall_time_ms = 0;      // when the request arrived (Unix time)
  std::string_view method, target;
  int version_minor = 1;
  int status = 0;
  uint64_t bytes = 0;            // response body bytes sent
  std::string_view referer, user_agent;
  const std::vector<http1::Field>* fields = nullptr;  // the request's header fields ($http_*)
  std::string_view route, pool, backend;
  int upstream_status = 0;       // 0: no backend answered
  int64_t upstream_connect_ms = -1;  // until a connection was ready (0: a kept one); -1: none
  int64_t upstream_header_ms = -1;   // until the response head was in; -1: none
  int64_t upstream_ms = -1;      // the whole last exchange; -1: none
  int retries = 0;
  int64_t queue_ms = 0;
  int64_t total_ms = 0;
};

class AccessFormat {
 public:
  // The variables a template may name (docs/config.md lists them).
  enum class Var {
    literal, remote_addr, remote_user, time_local, time_iso8601, msec, request, request_method,
    request_uri, uri, args, server_protocol, status, body_bytes_sent, http_referer, http_user_agent,
    http_field, route, pool, backend, upstream_status, upstream_connect_time,
    upstream_header_time, upstream_response_time, request_time, retries, queue_time
  };

  static AccessFormat combined() { return AccessFormat(Kind::combined); }
  static AccessFormat json() { return AccessFormat(Kind::json); }
  // "combined", "json", or a template: `$name` or `${name}`, `$$` for a dollar sign. An
  // unknown variable gives nullopt with `error` and the byte offset of its `$` in `offset`.
  static std::optional<AccessFormat> parse(std::string_view text, std::string& error, size_t& offset);

  // Appends one line for `r` to `out`.
  void format(const AccessRecord& r, std::string& out) const;
  bool is_json() const { return kind_ == Kind::json; }

 private:
  enum class Kind { combined, json, custom };
  explicit AccessFormat(Kind k) : kind_(k) {}
  struct Part {
    Var var = Var::literal;
    std::string text;  // the literal, or the field name of $http_NAME (dashes, not underscores)
  };
  void format_custom(const AccessRecord& r, std::string& out) const;
  Kind kind_;
  std::vector<Part> parts_;
};

}  // namespace cutover
