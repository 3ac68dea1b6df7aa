#include "http_backend/http_upstream.h"

#include "core/connector.h"
#include "core/deadline.h"
#include "core/write_now.h"
#include "http1/chunked.h"
#include "http1/parser.h"
#include "http_backend/request_mapping.h"

namespace cutover::http_backend {
namespace {

constexpr size_t kMaxResponseHead = 64 * 1024;

using asio::redirect_error;
using asio::use_awaitable;

class HttpUpstream final : public Upstream {
 public:
  awaitable<bool> check(ExchangeContext x, PoolRuntime& pool, BackendRuntime& backend,
                        std::string& why) override;
  awaitable<Failure> exchange(ExchangeContext x, const PoolSpec& pool, BackendRuntime& backend,
                              const ForwardRequest& req, BodySource& body,
                              ResponseSink& sink) override;

 private:
  // One exchange over the connection the connector gives (core/connector.h).
  struct Use;
  // `backend_takes_trailers`: the pool's request_trailers (a client's trailers go on).
  awaitable<Failure> send_request(UpConn& c, const ForwardRequest& req, BackendRuntime& backend, BodySource& body,
                                  bool head_built, bool backend_takes_trailers);
  awaitable<Failure> relay_response(ExchangeContext x, std::unique_ptr<UpConn>& c,
                                    const PoolSpec& pool, BackendRuntime& backend,
                                    const ForwardRequest& req, ResponseSink& sink, bool& got_bytes);
};

// Reads more bytes into the connection buffer; returns bytes read (0 on EOF/error).
// A request without a body: its head sent without suspending. True when all of it went
// out; otherwise c.out keeps the rest for send_request (head_built) or `f` says why not.
bool send_head_now(UpConn& c, const ForwardRequest& req, BackendRuntime& backend, Failure& f) {
  build_request_head(req, backend.spec, false, std::nullopt, c.out);
  error_code ec;
  std::array<asio::const_buffer, 1> bufs{asio::buffer(c.out)};
  size_t n = write_now(c.sock, bufs, ec);
  if (ec) {
    f = Failure{FailureKind::reset_before_response, false, "send: " + ec.message()};
    return false;
  }
  c.out.erase(0, n);
  return c.out.empty();
}

awaitable<Failure> HttpUpstream::send_request(UpConn& c, const ForwardRequest& req, BackendRuntime& backend,
                                              BodySource& body, bool head_built, bool backend_takes_trailers) {
  std::string& out = c.out;
  if (!head_built) build_request_head(req, backend.spec, body.has_body(), body.length(), out);
  bool chunked = body.has_body() && !body.length();
  bool body_done = !body.has_body();
  bool sent_any = false;
  // The head goes out together with the first piece of the body: one write for small
  // requests; larger bodies stream piece by piece as the client sends them.
  while (true) {
    std::string_view piece;
    std::string_view tail;
    if (!body_done) {
      error_code ec;
      piece = co_await body.read(ec);
      if (ec == asio::error::invalid_argument)
        co_return Failure{FailureKind::bad_request_body, sent_any, "malformed chunked body from the client"};
      if (ec == asio::error::message_size)
        co_return Failure{FailureKind::request_too_large, sent_any, "request body over max_body_bytes"};
      if (ec) co_return Failure{FailureKind::client_gone, sent_any, "request body from client: " + ec.message()};
      if (piece.empty()) {
        body_done = true;
        if (chunked) {  // the last chunk, with the client's trailers
          out.append("0\r\n");
          if (const std::vector<http1::Field>* t = backend_takes_trailers ? body.trailers() : nullptr)
            for (const http1::Field& f : *t) http1::append_field_line(out, f.name, f.value);
          out.append("\r\n");
        }
      } else if (chunked) {
        char hex[20];
        int len = std::snprintf(hex, sizeof hex, "%zx\r\n", piece.size());
        out.append(hex, size_t(len));
        tail = "\r\n";
      }
    }
    if (!out.empty() || !piece.empty()) {
      error_code ec;
      std::array<asio::const_buffer, 3> bufs{asio::buffer(out.data(), out.size()),
                                             asio::buffer(piece.data(), piece.size()),
                                             asio::buffer(tail.data(), tail.size())};
      drop_front(bufs, write_now(c.sock, bufs, ec));
      if (!ec && asio::buffer_size(bufs) > 0) {
        c.deadline.arm(req.timeouts.write);
        co_await asio::async_write(c.sock, bufs, redirect_error(use_awaitable, ec));
        c.deadline.disarm();
      }
      if (c.deadline.fired()) co_return Failure{FailureKind::timeout, true, "sending the request timed out"};
      if (ec) co_return Failure{FailureKind::reset_before_response, sent_any, "send: " + ec.message()};
      sent_any = true;
      out.clear();
    }
    if (body_done) break;
  }
  co_return Failure{};
}

awaitable<Failure> HttpUpstream::relay_response(ExchangeContext x, std::unique_ptr<UpConn>& c,
                                                const PoolSpec& pool, BackendRuntime& backend,
                                                const ForwardRequest& req, ResponseSink& sink,
                                                bool& got_bytes) {
  const http1::RequestHead& h = *req.head;
  bool is_head = h.method == "HEAD";
  http1::ResponseHead rh;
  rh.fields = std::move(c->head_fields);  // capacity reused from the connection's last response
  http1::ParseError perr;
  while (true) {  // skip interim 1xx responses other than 101
    auto st = http1::parse_response_head(std::string_view(c->buf.data() + c->begin, c->end - c->begin),
                                         kMaxResponseHead, is_head, rh, perr);
    if (st == http1::ParseStatus::error)
      co_return Failure{FailureKind::bad_response, true, std::string(perr.reason)};
    if (st == http1::ParseStatus::complete) {
      if (rh.status >= 100 && rh.status < 200 && rh.status != 101) {
        c->begin += rh.head_bytes;
        continue;
      }
      break;
    }
    error_code ec;
    bool before = got_bytes;
    size_t n = co_await read_op(*c, req.timeouts.silence_limit(before), ec);
    n = read_done(*c, n, ec);
    if (n > 0) got_bytes = true;
    if (ec == asio::error::timed_out) co_return Failure{FailureKind::timeout, true, req.timeouts.silence_limit_name(before)};
    if (ec || n == 0)
      co_return Failure{got_bytes ? FailureKind::bad_response : FailureKind::reset_before_response, true,
                        got_bytes ? "connection closed inside the response head" : "connection closed before response (" + (ec ? ec.message() : std::string("EOF")) + ")"};
  }
  got_bytes = true;
  std::vector<http1::Field>& fields = c->fields;
  response_fields(rh, fields);
  std::string upgrade_value;
  if (rh.status == 101) {
    if (!h.upgrade) co_return Failure{FailureKind::bad_response, true, "101 without an upgrade request"};
    for (auto& f : rh.fields)
      if (http1::iequals(f.name, "upgrade")) upgrade_value = std::string(f.value);
    fields.push_back({"Upgrade", upgrade_value});
    fields.push_back({"Connection", "upgrade"});
  }
  ResponseStart rs;
  rs.status = rh.status;
  rs.reason = rh.reason;
  rs.fields = &fields;
  rs.has_body = rh.framing != http1::Framing::none;
  if (rh.framing == http1::Framing::length) rs.content_length = rh.content_length;
  if (is_head) {
    for (auto& f : rh.fields) {
      uint64_t n = 0;
      bool ok = http1::iequals(f.name, "content-length") && !f.value.empty();
      for (char ch : f.value) ok = ok && ch >= '0' && ch <= '9';
      if (ok) {
        for (char ch : f.value) n = n * 10 + uint64_t(ch - '0');
        rs.content_length = n;
      }
    }
  }
  c->begin += rh.head_bytes;
  if (req.times) req.times->head = x.now();
  sink.start(rs);
  if (rh.status == 101) {
    co_await sink.tunnel(c->sock, std::string_view(c->buf.data() + c->begin, c->end - c->begin));
    c.reset();
    co_return Failure{};
  }

  auto eof_failure = [](const error_code& ec) {
    if (ec == asio::error::timed_out) return Failure{FailureKind::timeout, true, "backend stalled inside the response body"};
    return Failure{FailureKind::bad_response, true, "response body truncated (" + (ec ? ec.message() : std::string("EOF")) + ")"};
  };
  switch (rh.framing) {
    case http1::Framing::none:
      break;
    case http1::Framing::length: {
      uint64_t left = rh.content_length;
      while (left > 0) {
        if (c->begin == c->end) {
          error_code ec;
          size_t n = co_await read_op(*c, req.timeouts.read, ec);
          if (read_done(*c, n, ec) == 0) co_return eof_failure(ec);
        }
        size_t n = size_t(std::min<uint64_t>(left, c->end - c->begin));
        std::string_view piece(c->buf.data() + c->begin, n);
        int sent = sink.body_now(piece);
        if (sent < 0) sent = co_await sink.body(piece);
        if (!sent) co_return Failure{FailureKind::client_gone, true, "client gone"};
        c->begin += n;
        left -= n;
      }
      break;
    }
    case http1::Framing::chunked: {
      http1::ChunkedDecoder dec;
      while (true) {
        std::string_view in(c->buf.data() + c->begin, c->end - c->begin);
        std::string_view data;
        auto st = dec.step(in, data);
        c->begin = c->end - in.size();
        if (st == http1::ChunkedDecoder::Status::error)
          co_return Failure{FailureKind::bad_response, true, std::string("bad chunked response: ") + dec.error()};
        if (st == http1::ChunkedDecoder::Status::done) {
          std::vector<http1::Field> trailers;  // views into dec's text, for the call
          if (http1::parse_trailer_fields(dec.trailer_text(), trailers) && !trailers.empty()) sink.trailers(trailers);
          break;
        }
        if (st == http1::ChunkedDecoder::Status::data) {
          if (!co_await sink.body(data)) co_return Failure{FailureKind::client_gone, true, "client gone"};
          continue;
        }
        error_code ec;
        size_t n = co_await read_more(*c, req.timeouts.read, ec);
        if (n == 0) co_return eof_failure(ec);
      }
      break;
    }
    case http1::Framing::until_close: {
      while (true) {
        if (c->begin < c->end) {
          if (!co_await sink.body(std::string_view(c->buf.data() + c->begin, c->end - c->begin)))
            co_return Failure{FailureKind::client_gone, true, "client gone"};
          c->begin = c->end;
        }
        error_code ec;
        size_t n = co_await read_more(*c, req.timeouts.read, ec);
        if (n == 0) {
          if (ec == asio::error::timed_out) co_return eof_failure(ec);
          break;  // EOF ends the body
        }
      }
      break;
    }
  }
  int finished = sink.finish_now();
  if (finished < 0) finished = co_await sink.finish();
  if (!finished) co_return Failure{FailureKind::client_gone, true, "client gone"};
  if (c->begin != c->end)  // a body to HEAD/204/304, or bytes past the length or the last chunk
    log_stray_bytes(pool, backend, c->end - c->begin,
                    std::to_string(rh.status) + " to " + std::string(h.method) + " " + std::string(req.target));
  // Reuse only a clean connection: keep-alive, fully read, nothing extra pending.
  // Not for a backend whose process is going away (rolling restart): an idle connection
  // would hold up its graceful stop.
  if (rh.keep_alive && may_cache(*c, pool, backend)) {
    ++c->requests;
    c->head_fields = std::move(rh.fields);
    x.keep(pool, backend, std::move(c));
  }
  co_return Failure{};
}

struct HttpUpstream::Use : ConnectionUse {
  Use(HttpUpstream& up, const Exchange& e) : ConnectionUse(e), up(up) { never_idle = e.req.head->upgrade; }
  // A request without a body: its head, without suspending.
  bool send_now(UpConn& c, Failure& f) { return !ex.body.has_body() && send_head_now(c, ex.req, ex.backend, f); }
  awaitable<Failure> send(UpConn& c) {
    return up.send_request(c, ex.req, ex.backend, ex.body, !ex.body.has_body(), ex.pool.request_trailers);
  }
  awaitable<Failure> relay(std::unique_ptr<UpConn>& c, bool& got_bytes) {
    return up.relay_response(ex.x, c, ex.pool, ex.backend, ex.req, ex.sink, got_bytes);
  }
  bool replayable() const { return ex.body.replayable(); }
  void retrying(const UpConn*) { ex.body.rewind(); }

  HttpUpstream& up;
};

awaitable<Failure> HttpUpstream::exchange(ExchangeContext x, const PoolSpec& pool, BackendRuntime& backend,
                                          const ForwardRequest& req, BodySource& body, ResponseSink& sink) {
  return exchange_over_connection(Use(*this, Exchange{x, pool, backend, req, body, sink}));
}

// GET <health.path> on a fresh connection; the status must be health.expect.
awaitable<bool> HttpUpstream::check(ExchangeContext x, PoolRuntime& pool_rt, BackendRuntime& backend,
                                    std::string& why) {
  const PoolSpec& pool = *pool_rt.spec;
  UpConn c(x.io().get_executor());
  Failure f = co_await connect_backend(c.sock, backend.spec, pool.health.timeout);
  if (f) {
    why = f.detail;
    co_return false;
  }
  std::string host = backend.spec.is_unix ? "localhost" : backend.spec.host + ":" + std::to_string(backend.spec.port);
  std::string req = "GET " + pool.health.path + " HTTP/1.1\r\nHost: " + host +
                    "\r\nUser-Agent: cutover-health-check\r\nConnection: close\r\n\r\n";
  error_code ec;
  c.deadline.arm(pool.health.timeout);
  co_await asio::async_write(c.sock, asio::buffer(req), redirect_error(use_awaitable, ec));
  c.deadline.disarm();
  if (ec) {
    why = "send: " + ec.message();
    co_return false;
  }
  http1::ResponseHead rh;
  http1::ParseError perr;
  while (true) {
    auto st = http1::parse_response_head(std::string_view(c.buf.data() + c.begin, c.end - c.begin), kMaxResponseHead,
                                         false, rh, perr);
    if (st == http1::ParseStatus::complete) break;
    if (st == http1::ParseStatus::error) {
      why = std::string(perr.reason);
      co_return false;
    }
    if (co_await read_more(c, pool.health.timeout, ec) == 0) {
      why = ec == asio::error::timed_out ? "no answer within health.timeout" : "connection closed";
      co_return false;
    }
  }
  if (rh.status != pool.health.expect) {
    why = "status " + std::to_string(rh.status) + ", expected " + std::to_string(pool.health.expect);
    co_return false;
  }
  co_return true;
}

}  // namespace

std::shared_ptr<Upstream> make_http_upstream() { return std::make_shared<HttpUpstream>(); }

}  // namespace cutover::http_backend
