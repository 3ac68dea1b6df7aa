#include "core/upstream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <map>

#include "core/deadline.h"
#include "core/inq_read.h"

namespace cutover {

std::unique_ptr<UpConn> ConnCache::take(size_t backend, int64_t now, Duration idle_timeout, int* closed_after_one) {
  auto found = idle_.find(backend);
  if (found == idle_.end()) return nullptr;
  auto& v = found->second;
  while (!v.empty()) {
    std::unique_ptr<UpConn> c = std::move(v.back());
    v.pop_back();
    if (now - c->idle_since > idle_timeout.count()) continue;
    // A connection idle for a while may have been closed by the backend: it shows EOF
    // (or unexpected bytes) here. Recently used ones skip the syscall; the exchange
    // retries once on a fresh connection if one was closed after all.
    if (now - c->idle_since < 1000) return c;
    char b;
    ssize_t n = ::recv(c->sock.native_handle(), &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return c;
    if (n == 0 && c->requests == 1 && closed_after_one) ++*closed_after_one;
  }
  return nullptr;
}

void ConnCache::put(size_t backend, std::unique_ptr<UpConn> c, size_t max_idle, int64_t now) {
  auto& v = idle_[backend];
  if (v.size() >= max_idle) return;  // closing it is the cap
  c->idle_since = now;
  c->begin = c->end = 0;
  v.push_back(std::move(c));
}

awaitable<size_t> read_op(UpConn& c, Duration timeout, error_code& ec) {
  constexpr size_t kBufSize = 16 * 1024;
  if (c.buf.size() < kBufSize) c.buf.resize(kBufSize);
  if (c.begin == c.end) c.begin = c.end = 0;
  if (c.end == c.buf.size()) {
    if (c.begin > 0) {
      std::memmove(c.buf.data(), c.buf.data() + c.begin, c.end - c.begin);
      c.end -= c.begin;
      c.begin = 0;
    } else {
      c.buf.resize(c.buf.size() * 2);
    }
  }
  c.deadline.arm(timeout);
  return async_read_some_inq(c.sock, asio::buffer(c.buf.data() + c.end, c.buf.size() - c.end),
                             asio::redirect_error(asio::use_awaitable, ec));
}

size_t read_done(UpConn& c, size_t n, error_code& ec) {
  c.deadline.disarm();
  if (c.deadline.fired()) ec = asio::error::timed_out;
  if (!ec && n == 0) ec = asio::error::eof;
  c.end += n;
  return n;
}

awaitable<size_t> read_more(UpConn& c, Duration timeout, error_code& ec) {
  size_t n = co_await read_op(c, timeout, ec);
  co_return read_done(c, n, ec);
}

awaitable<Failure> connect_backend(UpSocket& sock, const BackendSpec& b, Duration timeout) {
  error_code ec;
  asio::generic::stream_protocol::endpoint ep;
  if (b.is_unix) {
    ep = asio::local::stream_protocol::endpoint(b.path);
  } else {
    ep = tcp::endpoint(asio::ip::make_address(b.host), b.port);
  }
  Deadline d(sock);
  d.arm(timeout);
  co_await sock.async_connect(ep, asio::redirect_error(asio::use_awaitable, ec));
  d.disarm();
  if (d.fired()) co_return Failure{FailureKind::connect_timeout, false, "connect timed out"};
  if (ec) co_return Failure{FailureKind::connect_refused, false, ec.message()};
  if (!b.is_unix) {
    int one = 1;
    ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    enable_inq(sock.native_handle());  // reads know when the socket is empty (core/inq_read.h)
  }
  sock.non_blocking(true, ec);  // for write_now (core/write_now.h)
  co_return Failure{};
}

namespace {
std::map<std::string, std::shared_ptr<Upstream>, std::less<>>& registry() {
  static std::map<std::string, std::shared_ptr<Upstream>, std::less<>> r;
  return r;
}
}  // namespace

void register_upstream(const std::string& protocol, std::shared_ptr<Upstream> u) {
  registry()[protocol] = std::move(u);
}

Upstream* find_upstream(std::string_view protocol) {
  auto it = registry().find(protocol);
  return it == registry().end() ? nullptr : it->second.get();
}

}  // namespace cutover
