// One request per connection (no KEEP_CONN yet: a connection per request never starves a
// libfcgi app of its processes). The body goes as STDIN with an exact CONTENT_LENGTH (a
// chunked body is spooled first); STDOUT is parsed as a CGI response and streamed to the
// client; STDERR goes to the error log, never into the response.
#include "fcgi_adapter/fcgi_upstream.h"
#include "fcgi_adapter/mount.h"

#include <sys/stat.h>

#include "core/log.h"
#include "fcgi_adapter/cgi_params.h"
#include "fcgi_adapter/codec.h"
#include "rewrite/url.h"

namespace cutover::fcgi {
namespace {

using asio::redirect_error;
using asio::use_awaitable;

constexpr uint16_t kId = 1;
constexpr size_t kMaxCgiHead = 64 * 1024;
constexpr size_t kMaxSpool = 64u << 20;  // a chunked upload is held in memory up to this

bool regular_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The CGI response head (RFC 3875 6.3): Status, Location and other fields.
struct CgiHead {
  int status = 200;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> fields;
};

bool parse_cgi_head(std::string_view text, CgiHead& out) {
  bool have_status = false, have_location = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    if (http1::iequals(name, "status")) {
      if (value.size() < 3) return false;
      int s = 0;
      for (int i = 0; i < 3; ++i) {
        if (value[i] < '0' || value[i] > '9') return false;
        s = s * 10 + (value[i] - '0');
      }
      out.status = s;
      out.reason = std::string(value.size() > 4 ? value.substr(4) : "");
      have_status = true;
      continue;
    }
    if (http1::iequals(name, "content-length") || http1::is_hop_by_hop(name)) continue;  // re-framed
    if (http1::iequals(name, "location")) have_location = true;
    out.fields.emplace_back(std::string(name), std::string(value));
  }
  // A Location without Status is a redirect (an absolute URL: 302). A local path would be
  // an internal redirect per RFC 3875; until cutover re-dispatches those, it is a 302 too.
  if (have_location && !have_status) out.status = 302;
  return true;
}

class FcgiUpstream final : public Upstream {
 public:
  awaitable<Failure> exchange(ThreadContext& tc, const PoolSpec& pool, BackendRuntime& backend,
                              const ForwardRequest& req, BodySource& body, ResponseSink& sink) override {
    const http1::RequestHead& h = *req.head;
    // The body first: CONTENT_LENGTH must be exact, so a body of unknown length is spooled.
    std::string spool;
    bool spooled = false;
    if (body.has_body() && !body.length()) {
      while (true) {
        error_code ec;
        std::string_view piece = co_await body.read(ec);
        if (ec == asio::error::invalid_argument) co_return Failure{FailureKind::bad_request_body, false, "malformed chunked body"};
        if (ec == asio::error::message_size || spool.size() + piece.size() > kMaxSpool)
          co_return Failure{FailureKind::request_too_large, false, "chunked body over the spool limit"};
        if (ec) co_return Failure{FailureKind::client_gone, false, ec.message()};
        if (piece.empty()) break;
        spool.append(piece);
      }
      spooled = true;
    }
    CgiRequest cr;
    cr.method = h.method;
    cr.original_target = h.target;
    cr.target = req.target;
    cr.rewritten = req.rewritten;
    for (auto& f : h.fields) cr.headers.emplace_back(f.name, f.value);
    if (spooled) cr.content_length = spool.size();
    else if (body.has_body()) cr.content_length = *body.length();
    std::string host = std::string(h.host.substr(0, h.host.find(':')));
    cr.server_name = host;
    cr.server_addr = req.server_addr;
    cr.server_port = req.server_port;
    cr.remote_addr = req.client_ip;
    cr.remote_port = req.client_port;
    cr.remote_user = req.remote_user;
    cr.version_minor = h.version_minor;
    CgiParams params = cgi_params(mount_for(*req.route), cr, regular_file);
    if (params.status) {  // check_local: no such script, the app is not called
      std::vector<http1::Field> fields{{"Content-Type", "text/plain"}};
      ResponseStart rs;
      rs.status = params.status;
      rs.fields = &fields;
      rs.content_length = 10;
      sink.start(rs);
      if (!co_await sink.body("not found\n") || !co_await sink.finish())
        co_return Failure{FailureKind::client_gone, false, "client gone"};
      co_return Failure{};
    }

    auto c = std::make_unique<UpConn>(tc.io.get_executor());
    if (Failure f = co_await connect_backend(c->sock, backend.spec, pool.connect_timeout)) co_return f;

    std::string out;
    append_begin_request(out, kId, Role::responder, false);
    append_params(out, kId, params.vars);
    if (spooled) append_stream(out, Type::stdin_, kId, spool);
    bool sent_any = false;
    auto send = [&](std::string& data) -> awaitable<Failure> {
      error_code ec;
      c->deadline.arm(pool.write_timeout);
      co_await asio::async_write(c->sock, asio::buffer(data), redirect_error(use_awaitable, ec));
      c->deadline.disarm();
      if (c->deadline.fired()) co_return Failure{FailureKind::timeout, true, "sending the request timed out"};
      if (ec) co_return Failure{FailureKind::reset_before_response, sent_any, "send: " + ec.message()};
      sent_any = true;
      data.clear();
      co_return Failure{};
    };
    if (!spooled && body.has_body()) {
      while (true) {
        error_code ec;
        std::string_view piece = co_await body.read(ec);
        if (ec == asio::error::invalid_argument) co_return Failure{FailureKind::bad_request_body, sent_any, "malformed body"};
        if (ec) co_return Failure{FailureKind::client_gone, sent_any, ec.message()};
        if (piece.empty()) break;
        append_stream(out, Type::stdin_, kId, piece);
        if (out.size() >= 16384)
          if (Failure f = co_await send(out)) co_return f;
      }
    }
    append_stream(out, Type::stdin_, kId, {});
    if (Failure f = co_await send(out)) co_return f;

    // The response: STDOUT records carry a CGI response; END_REQUEST closes it.
    std::string head;
    bool head_done = false, got_any = false;
    std::vector<http1::Field> fields;
    CgiHead cgi;
    while (true) {
      Record rec;
      auto st = parse_record(std::string_view(c->buf.data() + c->begin, c->end - c->begin), rec);
      if (st == ParseStatus::error) co_return Failure{FailureKind::bad_response, true, "not a FastCGI record (version)"};
      if (st == ParseStatus::incomplete) {
        error_code ec;
        size_t n = co_await read_more(*c, pool.read_timeout, ec);
        if (n == 0) {
          if (ec == asio::error::timed_out) co_return Failure{FailureKind::timeout, true, "no response within read_timeout"};
          co_return Failure{got_any ? FailureKind::bad_response : FailureKind::reset_before_response, true,
                            got_any ? "connection closed before END_REQUEST" : "connection closed before any response"};
        }
        got_any = true;
        continue;
      }
      std::string_view content = rec.content;
      if (rec.type == Type::stdout_ && !content.empty()) {
        if (head_done) {
          if (!co_await sink.body(content)) co_return Failure{FailureKind::client_gone, true, "client gone"};
        } else {
          head.append(content);
          size_t end = head.find("\r\n\r\n");
          size_t skip = 4;
          size_t lf = head.find("\n\n");
          if (lf != std::string::npos && (end == std::string::npos || lf < end)) end = lf, skip = 2;
          if (end == std::string::npos && head.size() > kMaxCgiHead)
            co_return Failure{FailureKind::bad_response, true, "CGI response head too large"};
          if (end != std::string::npos) {
            if (!parse_cgi_head(std::string_view(head).substr(0, end), cgi))
              co_return Failure{FailureKind::bad_response, true, "malformed CGI response head"};
            for (auto& [n, v] : cgi.fields) fields.push_back({n, v});
            ResponseStart rs;
            rs.status = cgi.status;
            rs.reason = cgi.reason;
            rs.fields = &fields;
            rs.has_body = cgi.status != 204 && cgi.status != 304;
            sink.start(rs);
            head_done = true;
            std::string_view rest = std::string_view(head).substr(end + skip);
            if (!rest.empty() && !co_await sink.body(rest)) co_return Failure{FailureKind::client_gone, true, "client gone"};
          }
        }
      } else if (rec.type == Type::stderr_ && !content.empty()) {
        std::string_view text = content;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        log::warn("backend " + backend.spec.address + " (pool " + pool.name + ", route " + req.route->name +
                  ") stderr: " + std::string(text));
      } else if (rec.type == Type::end_request) {
        EndRequest e;
        parse_end_request(content, e);
        c->begin += rec.size;
        if (e.protocol_status == ProtocolStatus::overloaded || e.protocol_status == ProtocolStatus::cant_mpx_conn) {
          if (!head_done) co_return Failure{FailureKind::overloaded, true, "END_REQUEST: overloaded or cannot multiplex"};
        }
        break;
      }
      c->begin += rec.size;
    }
    if (!head_done) co_return Failure{FailureKind::bad_response, true, "END_REQUEST without a CGI response head"};
    if (!co_await sink.finish()) co_return Failure{FailureKind::client_gone, true, "client gone"};
    co_return Failure{};
  }

  // A health check is a real request for health.path, answered as the app answers it.
  awaitable<bool> check(ThreadContext& tc, const PoolSpec& pool, BackendRuntime& backend, std::string& why) override {
    UpConn c(tc.io.get_executor());
    if (Failure f = co_await connect_backend(c.sock, backend.spec, pool.health.timeout)) {
      why = f.detail;
      co_return false;
    }
    std::string out;
    append_begin_request(out, kId, Role::responder, false);
    append_params(out, kId, {{"REQUEST_METHOD", "GET"}, {"SCRIPT_NAME", pool.health.path}, {"REQUEST_URI", pool.health.path},
                             {"QUERY_STRING", ""}, {"GATEWAY_INTERFACE", "CGI/1.1"}, {"SERVER_PROTOCOL", "HTTP/1.1"},
                             {"REDIRECT_STATUS", "200"}});
    append_stream(out, Type::stdin_, kId, {});
    error_code ec;
    c.deadline.arm(pool.health.timeout);
    co_await asio::async_write(c.sock, asio::buffer(out), redirect_error(use_awaitable, ec));
    c.deadline.disarm();
    std::string head;
    while (!ec) {
      Record rec;
      auto st = parse_record(std::string_view(c.buf.data() + c.begin, c.end - c.begin), rec);
      if (st == ParseStatus::error) break;
      if (st == ParseStatus::incomplete) {
        if (co_await read_more(c, pool.health.timeout, ec) == 0) break;
        continue;
      }
      if (rec.type == Type::stdout_) head.append(rec.content);
      c.begin += rec.size;
      if (rec.type == Type::end_request) {
        size_t end = head.find("\n\r\n") != std::string::npos ? head.find("\n\r\n") : head.find("\n\n");
        CgiHead cgi;
        if (end == std::string::npos || !parse_cgi_head(std::string_view(head).substr(0, end), cgi)) {
          why = "malformed CGI response";
          co_return false;
        }
        if (cgi.status != pool.health.expect) {
          why = "status " + std::to_string(cgi.status) + ", expected " + std::to_string(pool.health.expect);
          co_return false;
        }
        co_return true;
      }
    }
    why = ec ? ec.message() : "no complete response";
    co_return false;
  }
};

}  // namespace

std::shared_ptr<Upstream> make_fastcgi_upstream() { return std::make_shared<FcgiUpstream>(); }

}  // namespace cutover::fcgi
