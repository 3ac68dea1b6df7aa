// One request at a time per connection. A connection is kept (KEEP_CONN) only while the
// backend's kept connections stay under pool.keep_conn, which stays below the processes
// behind the address: a kept connection holds a libfcgi process, and one process must stay
// free to accept the next new connection (nginx's fastcgi_keep_conn stalls on exactly this).
// Or keep_conn equals the processes and max_conns is no higher (rides_kept): then no new
// connection is opened without a keep slot reserved for it.
// The body goes as STDIN with an exact CONTENT_LENGTH (a chunked body is spooled first);
// STDOUT is parsed as a CGI response and streamed to the client; STDERR goes to the error
// log, never into the response.
#include "fcgi_adapter/fcgi_upstream.h"
#include "fcgi_adapter/mount.h"


#include <cstdlib>
#include <optional>

#include "core/connector.h"
#include "core/log.h"
#include "core/write_now.h"
#include "fcgi_adapter/cgi_params.h"
#include "fcgi_adapter/cgi_response.h"
#include "fcgi_adapter/codec.h"
#include "fcgi_adapter/spool.h"
#include "rewrite/url.h"

namespace cutover::fcgi {
namespace {

using asio::redirect_error;
using asio::use_awaitable;

constexpr uint16_t kId = 1;
constexpr size_t kMaxCgiHead = 64 * 1024;
constexpr size_t kSpoolMemory = 1 << 20;             // a chunked upload above this goes to a temp file
constexpr uint64_t kSpoolMaxUnlimited = 1ull << 30;  // its cap when server.max_body_bytes is 0
constexpr int kKeepConnStrikes = 3;

std::string spool_dir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// What one request sends, made once and sent again as is on a retry.
struct Prepared {
  CgiParams params;
  std::optional<Spool> spool;  // a body of unknown length, complete
};

// Which request a stderr line belongs to: pool, route, method and target as the client
// sent them, and the client's X-Request-Id when it has one (from a load balancer in front).
std::string request_context(const PoolSpec& pool, const ForwardRequest& req) {
  const http1::RequestHead& h = *req.head;
  std::string out = "pool " + pool.name + ", route " + req.route->name + ", " + std::string(h.method) + " " + std::string(h.target);
  for (auto& f : h.fields)
    if (http1::iequals(f.name, "x-request-id")) out += ", request " + std::string(f.value.substr(0, 128));
  return out;
}

// What this adapter keeps per backend, for every thread (BackendRuntime::adapter).
struct KeptConns final : BackendState {
  // Connections open with KEEP_CONN (pool.keep_conn caps it). Shared with the connections
  // themselves, which give their slot back when closed, even after a reload.
  std::shared_ptr<std::atomic<int>> kept = std::make_shared<std::atomic<int>>(0);
  // Kept connections the app closed right after their first request, in a row. An app that
  // ignores KEEP_CONN this way stops being asked (kKeepConnStrikes).
  std::atomic<int> strikes{0};
};

KeptConns& kept_state(BackendRuntime& backend) {
  // Made with every backend of a fastcgi pool (FcgiUpstream::backend_state).
  return static_cast<KeptConns&>(*backend.adapter);
}

class FcgiUpstream final : public Upstream {
 public:
  std::unique_ptr<BackendState> backend_state() const override { return std::make_unique<KeptConns>(); }

  awaitable<Failure> exchange(ExchangeContext x, const PoolSpec& pool, BackendRuntime& backend,
                              const ForwardRequest& req, BodySource& body, ResponseSink& sink) override {
    Prepared p;
    if (Failure f = co_await prepare(req, body, p)) co_return f;
    if (p.params.status) co_return co_await answer_locally(p.params.status, sink);
    co_return co_await exchange_over_connection(Use(*this, Exchange{x, pool, backend, req, body, sink}, p));
  }

 private:
  // One exchange over the connection the connector gives (core/connector.h), with the
  // FastCGI ways: in a pool whose requests ride kept connections, a kept one (from another
  // loop if need be) before a new one, and its keep slot.
  struct Use : ConnectionUse {
    Use(FcgiUpstream& up, const Exchange& e, Prepared& p) : ConnectionUse(e), up(up), p(p) { custom_wait = rides_kept(e.pool); }
    awaitable<Failure> send(UpConn& c) { return up.send_request(c, ex.req.timeouts.write, p, ex.body); }
    awaitable<Failure> relay(std::unique_ptr<UpConn>& c, bool& got_bytes) {
      return up.relay_response(ex.x, c, ex.pool, ex.backend, ex.req, ex.sink, got_bytes);
    }
    bool replayable() const { return p.spool || ex.body.replayable(); }
    // A kept connection the app closed as we used it (php-fpm recycling a child at
    // pm.max_requests): the retry goes on a fresh one.
    void retrying(const UpConn* failed) {
      if (failed) note_early_close(ex.backend, failed->requests);
      if (!p.spool) ex.body.rewind();
    }
    // Every request of the pool rides a kept connection: one idle on another loop is
    // asked for, or a keep slot reserved, before a new one is connected.
    awaitable<Failure> when_none_idle(std::unique_ptr<UpConn>& c) {
      bool timed_out = false;
      c = co_await wait_for_kept(ex.x, ex.pool, ex.backend, ex.req.timeouts.connect, reserved, timed_out);
      if (timed_out)
        co_return Failure{FailureKind::connect_timeout, false,
                          "all " + std::to_string(ex.pool.keep_conn) + " kept connections stayed busy for connect_timeout"};
      co_return Failure{};
    }
    void before_connect(UpConn& c) { c.slot = std::move(reserved); }  // released by the connection, also if the connect fails
    void connected(UpConn& c) {
      if (!c.slot) c.slot = take_keep_slot(ex.pool, ex.backend);
    }
    // A kept connection found closed while idle, after one request, is the same evidence
    // as one that fails when used (see note_early_close); with several threads it is
    // often the only one, as a request reuses a connection only on the thread keeping it.
    void closed_idle(int n) {
      for (int i = 0; i < n; ++i) note_early_close(ex.backend, 1);
    }

    FcgiUpstream& up;
    Prepared& p;
    std::shared_ptr<std::atomic<int>> reserved;  // a keep slot wait_for_kept reserved
  };

  // The CGI variables and, for a body of unknown length, the spooled body.
  awaitable<Failure> prepare(const ForwardRequest& req, BodySource& body, Prepared& p) {
    const http1::RequestHead& h = *req.head;
    if (body.has_body() && !body.length()) {
      p.spool.emplace(kSpoolMemory, spool_dir());
      while (true) {
        error_code ec;
        std::string_view piece = co_await body.read(ec);
        if (ec == asio::error::invalid_argument) co_return Failure{FailureKind::bad_request_body, false, "malformed chunked body"};
        if (ec == asio::error::message_size || p.spool->size() + piece.size() > kSpoolMaxUnlimited)
          co_return Failure{FailureKind::request_too_large, false, "chunked body over the body limit"};
        if (ec) co_return Failure{FailureKind::client_gone, false, ec.message()};
        if (piece.empty()) break;
        std::string error;
        if (!p.spool->append(piece, error)) {
          log::error("fastcgi: " + error);
          co_return Failure{FailureKind::request_too_large, false, error};
        }
      }
    }
    CgiRequest cr;
    cr.method = h.method;
    cr.original_target = req.original_target;
    cr.target = req.target;
    cr.rewritten = req.rewritten;
    cr.redirect_status = req.redirect_status;
    for (auto& f : h.fields) cr.headers.emplace_back(f.name, f.value);
    if (p.spool) cr.content_length = p.spool->size();
    else if (body.has_body()) cr.content_length = *body.length();
    std::string_view host = h.host;
    if (!host.empty() && host.front() == '[') host = host.substr(0, host.find(']') + 1);  // [::1]:8080
    else host = host.substr(0, host.find(':'));
    cr.server_name = host;
    cr.server_addr = req.server_addr;
    cr.server_port = req.server_port;
    cr.remote_addr = req.client_ip;
    cr.https = req.scheme == "https";  // a trusted proxy in front terminated TLS
    cr.remote_port = req.client_port;
    cr.remote_user = req.remote_user;
    if (!req.auth_type.empty()) cr.auth_type = req.auth_type;
    cr.version_minor = h.version_minor;
    Mount m = mount_for(*req.route);
    if (req.backend_env) {
      for (auto& e : req.backend_env->add) m.extra.push_back(e);
      for (auto& e : req.backend_env->set) {
        std::erase_if(m.extra, [&e](const auto& x) { return x.first == e.first; });
        m.extra.push_back(e);
      }
    }
    p.params = cgi_params(m, cr, stat_path);
    co_return Failure{};
  }

  // check_local: no such script, so the app is not called.
  static awaitable<Failure> answer_locally(int status, ResponseSink& sink) {
    std::vector<http1::Field> fields{{"Content-Type", "text/plain"}};
    ResponseStart rs;
    rs.status = status;
    rs.fields = &fields;
    rs.content_length = 10;
    sink.start(rs);
    if (!co_await sink.body("not found\n") || !co_await sink.finish())
      co_return Failure{FailureKind::client_gone, false, "client gone"};
    co_return Failure{};
  }

  // X-Sendfile (or lighttpd's X-LIGHTTPD-send-file) in a 200 answer of a pool that allows
  // it: the gateway sends that file with the app's other fields; the app's body is dropped.
  static bool hand_off_file(const CgiHead& cgi, const PoolSpec& pool, ResponseSink& sink) {
    if (cgi.status != 200) return false;
    Handoff h{Handoff::Kind::send_file, {}, {}, &pool.x_sendfile};
    for (auto& [n, v] : cgi.fields) {
      if (http1::iequals(n, "x-sendfile") || http1::iequals(n, "x-lighttpd-send-file")) h.target = v;
      else h.fields.emplace_back(n, v);
    }
    return !h.target.empty() && sink.hand_off(std::move(h));
  }

  // A new connection asks to be kept while the backend has a free keep slot (and has not
  // shown that it closes kept connections anyway): the backend's slot counter with one slot
  // taken, or null.
  static std::shared_ptr<std::atomic<int>> take_keep_slot(const PoolSpec& pool, BackendRuntime& backend) {
    if (pool.keep_conn <= 0 || kept_state(backend).strikes.load(std::memory_order_relaxed) >= kKeepConnStrikes) return nullptr;
    if (kept_state(backend).kept->fetch_add(1, std::memory_order_relaxed) < pool.keep_conn) return kept_state(backend).kept;
    kept_state(backend).kept->fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }

  // Every request rides a kept connection when no more may be in flight than are kept
  // (max_conns <= keep_conn). keep_conn may then be as many as the processes behind the
  // socket: a connection is opened only on a keep slot reserved first, so it never waits
  // in the backlog behind processes that kept connections hold (the keep-conn trap).
  bool conn_follows_slot(const PoolSpec& pool) const override { return rides_kept(pool); }

  static bool rides_kept(const PoolSpec& pool) {
    return pool.keep_conn > 0 && pool.max_conns > 0 && pool.max_conns <= uint32_t(pool.keep_conn) &&
           pool.keepalive_idle > 0;
  }

  // For a request that holds an in-flight slot in a rides_kept pool: an idle connection of
  // this thread, or null with a keep slot reserved in `reserved` (connect then). With every
  // slot taken and none idle here, one is idle on another thread (no more are in flight
  // than kept), so the other threads are asked to hand one over: it arrives in this
  // thread's cache. `timed_out` when neither came within `timeout` (the app is stuck).
  static awaitable<std::unique_ptr<UpConn>> wait_for_kept(ExchangeContext x, const PoolSpec& pool,
                                                          BackendRuntime& backend, Duration timeout,
                                                          std::shared_ptr<std::atomic<int>>& reserved, bool& timed_out) {
    int64_t give_up = x.now() + timeout.count(), ask_at = 0;
    std::optional<asio::steady_timer> t;
    while (true) {
      if (auto c = x.take_idle(pool, backend)) co_return c;
      if (kept_state(backend).strikes.load(std::memory_order_relaxed) >= kKeepConnStrikes) co_return nullptr;
      if ((reserved = take_keep_slot(pool, backend))) co_return nullptr;
      int64_t now = x.now();
      if (now >= give_up) {
        timed_out = true;
        co_return nullptr;
      }
      // Again now and then: the one asked first may have been busy at that moment.
      if (now >= ask_at) {
        x.ask_for_idle(pool, backend);
        ask_at = now + 20;
      }
      if (!t) t.emplace(x.io());
      t->expires_after(std::chrono::milliseconds(2));
      error_code ec;
      co_await t->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  static void note_early_close(BackendRuntime& backend, uint32_t requests_before) {
    if (requests_before != 1) return;
    if (kept_state(backend).strikes.fetch_add(1, std::memory_order_relaxed) + 1 == kKeepConnStrikes)
      log::warn("backend " + backend.spec.address +
                ": closes kept connections after each request (ignores KEEP_CONN); using a connection per request");
  }

  // BEGIN_REQUEST, PARAMS and STDIN; small requests go out in one write.
  awaitable<Failure> send_request(UpConn& c, Duration write_timeout, const Prepared& p, BodySource& body) {
    std::string& out = c.out;
    out.clear();
    append_begin_request(out, kId, Role::responder, c.slot != nullptr);
    append_params(out, kId, p.params.vars);
    bool sent_any = false;
    auto send = [&]() -> awaitable<Failure> {
      error_code ec;
      c.deadline.arm(write_timeout);
      co_await asio::async_write(c.sock, asio::buffer(out), redirect_error(use_awaitable, ec));
      c.deadline.disarm();
      if (c.deadline.fired()) co_return Failure{FailureKind::timeout, true, "sending the request timed out"};
      if (ec) co_return Failure{FailureKind::reset_before_response, sent_any, "send: " + ec.message()};
      sent_any = true;
      out.clear();
      co_return Failure{};
    };
    if (p.spool) {
      std::string buf, error;
      for (uint64_t off = 0; off < p.spool->size();) {
        std::string_view piece = p.spool->read(off, 4 * kMaxContent, buf, error);
        if (piece.empty()) co_return Failure{FailureKind::request_too_large, sent_any, error};
        append_stream(out, Type::stdin_, kId, piece);
        off += piece.size();
        if (out.size() >= 16384)
          if (Failure f = co_await send()) co_return f;
      }
    } else if (body.has_body()) {
      while (true) {
        error_code ec;
        std::string_view piece = co_await body.read(ec);
        if (ec == asio::error::invalid_argument) co_return Failure{FailureKind::bad_request_body, sent_any, "malformed body"};
        if (ec) co_return Failure{FailureKind::client_gone, sent_any, ec.message()};
        if (piece.empty()) break;
        append_stream(out, Type::stdin_, kId, piece);
        if (out.size() >= 16384)
          if (Failure f = co_await send()) co_return f;
      }
    }
    append_stream(out, Type::stdin_, kId, {});
    // The last (for most requests the only) write, without suspending where it goes at once.
    error_code ec;
    std::array<asio::const_buffer, 1> bufs{asio::buffer(out)};
    size_t n = write_now(c.sock, bufs, ec);
    if (ec) co_return Failure{FailureKind::reset_before_response, sent_any, "send: " + ec.message()};
    out.erase(0, n);
    if (out.empty()) co_return Failure{};
    sent_any = sent_any || n > 0;
    co_return co_await send();
  }

  // The response: STDOUT records carry a CGI response; END_REQUEST closes it. The body
  // parsed from one read goes to the client in one write; a response that arrives whole
  // (END_REQUEST in the same read) goes with a Content-Length instead of chunked. A
  // connection asked to be kept goes back to the thread's cache.
  awaitable<Failure> relay_response(ExchangeContext x, std::unique_ptr<UpConn>& c, const PoolSpec& pool,
                                    BackendRuntime& backend, const ForwardRequest& req, ResponseSink& sink,
                                    bool& got_bytes) {
    std::string head;     // STDOUT until the blank line
    std::string pending;  // body bytes parsed from the current read, not yet passed on
    bool head_done = false;
    bool handed_off = false;  // the app named another resource: its body is dropped
    std::vector<http1::Field>& fields = c->fields;
    fields.clear();
    CgiHead cgi;
    ResponseStart rs;
    rs.fields = &fields;
    // Passes `pending` on without suspending where the client takes it at once: 1 done,
    // 0 client gone, -1 the caller awaits sink.body(pending) (ResponseSink::body_now).
    auto flush_now = [&]() -> int {
      if (!head_done || handed_off) return 1;
      if (!sink.started()) sink.start(rs);
      if (pending.empty()) return 1;
      int r = sink.body_now(pending);
      if (r >= 0) pending.clear();
      return r;
    };
    while (true) {
      Record rec;
      auto st = parse_record(std::string_view(c->buf.data() + c->begin, c->end - c->begin), rec);
      if (st == ParseStatus::error) co_return Failure{FailureKind::bad_response, true, "not a FastCGI record (version)"};
      if (st == ParseStatus::incomplete) {
        int flushed = flush_now();
        if (flushed < 0) {
          flushed = co_await sink.body(pending);
          pending.clear();
        }
        if (!flushed) co_return Failure{FailureKind::client_gone, true, "client gone"};
        error_code ec;
        size_t n = co_await read_op(*c, req.timeouts.silence_limit(got_bytes), ec);
        n = read_done(*c, n, ec);
        if (n == 0) {
          if (ec == asio::error::timed_out) co_return Failure{FailureKind::timeout, true, req.timeouts.silence_limit_name(got_bytes)};
          co_return Failure{got_bytes ? FailureKind::bad_response : FailureKind::reset_before_response, true,
                            got_bytes ? "connection closed before END_REQUEST" : "connection closed before any response"};
        }
        got_bytes = true;
        continue;
      }
      std::string_view content = rec.content;
      if (rec.type == Type::stdout_ && !content.empty()) {
        if (head_done) {
          if (!handed_off) pending.append(content);
        } else {
          head.append(content);
          size_t skip = 0;
          size_t end = find_head_end(head, skip);
          if (end == std::string::npos && head.size() > kMaxCgiHead)
            co_return Failure{FailureKind::bad_response, true, "CGI response head too large"};
          if (end != std::string::npos) {
            if (!parse_cgi_head(std::string_view(head).substr(0, end), cgi))
              co_return Failure{FailureKind::bad_response, true, "malformed CGI response head"};
            head_done = true;
            if (req.times) req.times->head = x.now();
            if (cgi.local_redirect()) handed_off = sink.hand_off(Handoff{Handoff::Kind::local_redirect, cgi.location, {}, nullptr});
            else if (!pool.x_sendfile.empty()) handed_off = hand_off_file(cgi, pool, sink);
            if (!handed_off) {
              for (auto& [n, v] : cgi.fields) fields.push_back({n, v});
              rs.status = cgi.status;
              rs.reason = cgi.reason;
              rs.has_body = cgi.status != 204 && cgi.status != 304;
              pending.assign(std::string_view(head).substr(end + skip));
            }
          }
        }
      } else if (rec.type == Type::stderr_ && !content.empty()) {
        std::string_view text = content;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        log::warn("backend " + backend.spec.address + " (" + request_context(pool, req) + ") stderr: " + std::string(text));
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
    ++c->requests;
    if (!sink.started() && !handed_off && rs.has_body) rs.content_length = pending.size();  // all of it is here
    int finished = flush_now();
    if (finished < 0) finished = co_await sink.body(pending);
    // Finished before the connection is cached: the head's fields live in it.
    if (finished && !handed_off) {
      finished = sink.finish_now();
      if (finished < 0) finished = co_await sink.finish();
    }
    if (c->begin != c->end)  // records after END_REQUEST: the connection cannot be trusted
      log_stray_bytes(pool, backend, c->end - c->begin, "after END_REQUEST for " + std::string(req.head->method) + " " +
                                                            std::string(req.target));
    if (c->slot) {
      if (c->requests > 1) kept_state(backend).strikes.store(0, std::memory_order_relaxed);
      if (may_cache(*c, pool, backend))
        x.keep(pool, backend, std::move(c));
    }
    if (!finished) co_return Failure{FailureKind::client_gone, true, "client gone"};
    co_return Failure{};
  }

 public:
  // A health check is a real request for health.path, answered as the app answers it.
  // In a rides_kept pool it goes like a request: an in-flight slot first, then a kept
  // connection, so it never opens one that no process is free to accept.
  awaitable<bool> check(ExchangeContext x, PoolRuntime& pool_rt, BackendRuntime& backend, std::string& why) override {
    const PoolSpec& pool = *pool_rt.spec;
    std::unique_ptr<UpConn> kept_conn;
    std::shared_ptr<std::atomic<int>> reserved;
    struct Counted {  // the check's slot; given back, a request queued behind it goes on
      ExchangeContext x;
      PoolRuntime& pool;
      InFlight slot;
      ~Counted() {
        slot.release();
        x.slot_freed(pool);
      }
    } check_slot{x, pool_rt, InFlight(backend)};
    InFlight& counted = check_slot.slot;
    if (rides_kept(pool)) {
      int64_t give_up = x.now() + pool.health.timeout.count();
      asio::steady_timer t(x.io());
      while (!counted.acquire(pool.max_conns)) {
        if (x.now() >= give_up) {
          why = "all " + std::to_string(pool.max_conns) + " max_conns stayed busy for health.timeout";
          co_return false;
        }
        t.expires_after(std::chrono::milliseconds(2));
        error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      bool timed_out = false;
      Duration left(std::max<int64_t>(0, give_up - x.now()));
      kept_conn = co_await wait_for_kept(x, pool, backend, left, reserved, timed_out);
      if (timed_out) {
        why = "all " + std::to_string(pool.keep_conn) + " kept connections stayed busy for health.timeout";
        co_return false;
      }
    }
    if (!kept_conn) {
      kept_conn = std::make_unique<UpConn>(x.io().get_executor());
      kept_conn->slot = std::move(reserved);
      if (Failure f = co_await connect_backend(kept_conn->sock, backend.spec, pool.health.timeout)) {
        why = f.detail;
        co_return false;
      }
    }
    UpConn& c = *kept_conn;
    std::string out;
    append_begin_request(out, kId, Role::responder, c.slot != nullptr);
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
        size_t skip = 0;
        size_t end = find_head_end(head, skip);
        CgiHead cgi;
        if (end == std::string::npos || !parse_cgi_head(std::string_view(head).substr(0, end), cgi)) {
          why = "malformed CGI response";
          co_return false;
        }
        if (cgi.status != pool.health.expect) {
          why = "status " + std::to_string(cgi.status) + ", expected " + std::to_string(pool.health.expect);
          co_return false;
        }
        ++c.requests;
        if (c.slot && may_cache(c, pool, backend)) x.keep(pool, backend, std::move(kept_conn));
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
