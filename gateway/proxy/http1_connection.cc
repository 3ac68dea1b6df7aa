// One HTTP/1 connection: Http1Connection::run() reads each head (read_head), hands the
// request to the phases (serve(), proxy/session.h) through Http1Body and Http1Response, and
// decides what the connection does after the answer: the next request, a lingering close,
// or parking (run_session).
#include "proxy/http1_connection.h"

#include <algorithm>

#include "core/deadline.h"
#include "core/inq_read.h"
#include "core/log.h"
#include "http1/parser.h"
#include "proxy/http1_stream.h"
#include "proxy/session.h"

namespace cutover {
namespace {

constexpr int64_t kLingerMs = 5000;  // how long a closing connection reads what the client still sends
// A keep-alive client quiet this long is parked (run_session): its Http1Connection, Session
// and buffers are freed. Busy clients never are, so the request path pays nothing for it.
constexpr int64_t kParkAfterMs = 250;

// The requests of one connection that come without a pause; between two pauses the
// connection is parked (run_session) and this object does not exist.
class Http1Connection {
 public:
  Http1Connection(ThreadContext& tc, tcp::socket sock, const ConnFacts& facts, ThreadContext::Client& client)
      : tc_(tc), d_(std::move(sock), tc.snap->config->server), session_(make_session(tc, facts)),
        peer_ip_(facts.peer_ip), client_(client) {
    client_.sock = &d_.socket();
  }

  // The requests in a row. Returns how much longer to wait parked for the next request
  // (what is left of the keep-alive timeout) once the client has been quiet for
  // kParkAfterMs, or nullopt when the connection is closed.
  awaitable<std::optional<Duration>> run() {
    bool linger = false;  // the last answer closes with request body bytes still unread
    while (true) {
      http1::RequestHead head;
      HeadRead got = co_await read_head(head);
      if (got == HeadRead::park) co_return park_left_;
      if (got == HeadRead::close) break;
      // While draining, every answer closes its connection.
      Http1Response out(d_, head, head.keep_alive, &tc_.rt.draining);
      Http1Body body(d_, head, server().max_body_bytes);
      co_await serve(*session_, head, body, out);
      // The connection survives only if the response said keep-alive and the request body
      // was fully read (or is small enough to skip).
      if (out.tunnelled() || !out.keep_alive()) {
        linger = !out.tunnelled() && !body.complete();
        break;
      }
      if (!body.complete() && !co_await body.discard(kMaxSkippedBody)) {
        linger = true;
        break;
      }
    }
    error_code ec;
    if (linger) co_await linger_close();
    d_.socket().shutdown(tcp::socket::shutdown_both, ec);
    d_.socket().close(ec);
    co_return std::nullopt;
  }

  tcp::socket release_socket() { return d_.release(); }

 private:
  const ServerSpec& server() const { return tc_.snap->config->server; }

  // Lingering close (nginx's lingering_close, lighttpd does the same): closing a socket with
  // unread bytes sends a reset, which can destroy the answer (a 413) before the client reads
  // it. So the sending side is shut first and what the client still sends is read and
  // dropped, for a few seconds at most.
  awaitable<void> linger_close() {
    error_code ec;
    d_.socket().shutdown(tcp::socket::shutdown_send, ec);
    int64_t until = tc_.rt.clock() + kLingerMs;
    while (!ec && tc_.rt.clock() < until) {
      d_.consume(d_.buffered().size());
      if (co_await d_.fill(Duration(std::max<int64_t>(1, until - tc_.rt.clock())), ec, true) == 0) break;
    }
  }

  // Reads and validates one request head: ok, close the connection, or park it.
  enum class HeadRead { ok, close, park };
  awaitable<HeadRead> read_head(http1::RequestHead& head) {
    int64_t deadline = 0;
    while (true) {
      http1::ParseError err;
      auto st = http1::parse_request_head(d_.buffered(), server().max_header_bytes, head, err,
                                           server().max_header_count);
      if (st == http1::ParseStatus::complete && http1::validate_request(head, err)) {
        keep_head(head);
        d_.consume(head.head_bytes);
        co_return HeadRead::ok;
      }
      if (st != http1::ParseStatus::incomplete) {
        co_await refuse(err);
        co_return HeadRead::close;
      }
      // Waiting for a new request is the keep-alive timeout; once bytes arrived, the
      // whole head must come within header_timeout (slow clients cannot stretch it).
      Duration keepalive = idle_after(*session_).value_or(server().keepalive_timeout);
      Duration wait = std::min(keepalive, Duration(kParkAfterMs));  // then parked for the rest
      if (!d_.buffered().empty()) {
        int64_t now = tc_.rt.clock();
        if (deadline == 0) deadline = now + server().header_timeout.count();
        wait = Duration(std::max<int64_t>(1, deadline - now));
      }
      error_code ec;
      // Between requests the connection is idle: a drain may close it.
      bool idle = d_.buffered().empty();
      if (idle) {
        if (tc_.rt.draining.load(std::memory_order_relaxed)) co_return HeadRead::close;
        client_.idle = true;
      }
      size_t n = co_await d_.fill_op(wait, ec);
      n = d_.filled(n, ec);
      client_.idle = false;
      if (n == 0) {
        if (ec == asio::error::timed_out && idle && wait < keepalive) {
          park_left_ = keepalive - wait;
          co_return HeadRead::park;
        }
        if (ec == asio::error::timed_out && !d_.buffered().empty()) {
          http1::RequestHead dummy;
          dummy.version_minor = 1;
          Http1Response out(d_, dummy, false);
          co_await send_simple(out, 408, "request head not received in time\n");
        }
        co_return HeadRead::close;
      }
    }
  }

  // The head's views point into the read buffer, which reading the body reuses: copy the
  // head's bytes into storage the request owns and point the views there.
  void keep_head(http1::RequestHead& head) {
    const char* old_base = d_.buffered().data();
    head_store_.assign(old_base, head.head_bytes);
    const char* base = head_store_.data();
    auto move = [&](std::string_view& v) {
      if (v.data() >= old_base && v.data() + v.size() <= old_base + head.head_bytes)
        v = std::string_view(base + (v.data() - old_base), v.size());
    };
    http1::for_each_view(head, move);
  }

  // A request that cannot be parsed gets its 4xx/505 and the connection closes, as HTTP/1.1
  // only when its request line names HTTP/1.1, else as HTTP/1.0 (as lighttpd answers: a
  // client whose version is unknown, "RTSP/1.1" or none, is not assumed to speak 1.1).
  awaitable<void> refuse(const http1::ParseError& err) {
    http1::RequestHead h;
    std::string_view raw = d_.buffered();  // the head that failed to parse
    std::string_view line = raw.substr(0, raw.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    h.version_minor = line.size() >= 9 && line.substr(line.size() - 9) == " HTTP/1.1" ? 1 : 0;
    h.method = "GET";
    Http1Response out(d_, h, false);
    log::info("refused request from " + peer_ip_ + ": " + std::to_string(err.status) + " " +
              std::string(err.reason));
    co_await send_simple(out, err.status, std::string(err.reason) + "\n");
  }

  ThreadContext& tc_;
  Downstream d_;
  SessionPtr session_;
  std::string peer_ip_;     // for the log of a refused head
  std::string head_store_;  // the current request's head bytes (see keep_head)
  Duration park_left_{0};   // what is left of the keep-alive wait when parking
  ThreadContext::Client& client_;  // the connection's entry for a drain (run_session's)
};

}  // namespace

// One client connection: bursts of requests in a row, parked between them. A parked
// connection keeps only its socket, these facts and a wait (bench/memory.sh: an idle
// keep-alive client's cost), not the connection's buffers and the Session's request state.
awaitable<void> run_session(ThreadContext& tc, tcp::socket sock) {
  ConnFacts facts(sock);
  ThreadContext::Client client{&sock};
  tc.rt.sessions.fetch_add(1, std::memory_order_relaxed);
  tc.add_client(&client);
  struct Leave {
    ThreadContext& tc;
    ThreadContext::Client* client;
    ~Leave() {
      tc.remove_client(client);
      tc.rt.sessions.fetch_sub(1, std::memory_order_relaxed);
    }
  } leave{tc, &client};
  while (true) {
    auto conn = std::make_unique<Http1Connection>(tc, std::move(sock), facts, client);
    std::optional<Duration> idle = co_await conn->run();
    if (!idle) co_return;
    sock = conn->release_socket();
    conn.reset();
    // Parked until something comes (data, EOF or an error: the next connection's read learns
    // which), `idle` passes, or a drain cancels the wait.
    client.sock = &sock;
    error_code ec;
    if (!tc.rt.draining.load(std::memory_order_relaxed)) {
      Deadline deadline(sock);
      deadline.arm(*idle);
      client.idle = true;
      tc.rt.parked.fetch_add(1, std::memory_order_relaxed);
      co_await async_wait_readable(sock, asio::redirect_error(asio::use_awaitable, ec));
      tc.rt.parked.fetch_sub(1, std::memory_order_relaxed);
      client.idle = false;
      if (deadline.fired()) ec = asio::error::timed_out;
    } else {
      ec = asio::error::shut_down;
    }
    if (ec) {
      sock.shutdown(tcp::socket::shutdown_both, ec);
      sock.close(ec);
      co_return;
    }
  }
}


}  // namespace cutover
