#include "core/upstream.h"

#include "core/thread_context.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <map>

#include "core/deadline.h"
#include "core/inq_read.h"
#include "core/log.h"

namespace cutover {

std::unique_ptr<UpConn> ConnCache::take(size_t backend, int64_t now, Duration idle_timeout, TakeReport* report) {
  auto found = idle_.find(backend);
  if (found == idle_.end()) return nullptr;
  auto& v = found->second;
  while (!v.empty()) {
    std::unique_ptr<UpConn> c = std::move(v.back());
    v.pop_back();
    if (now - c->idle_since > idle_timeout.count()) continue;
    // An idle connection must have nothing to read: EOF (the backend closed it) or bytes
    // (sent after its answer) both retire it. One recv per reuse, whatever the idle time:
    // late bytes come at any moment.
    char b[256];
    ssize_t n = ::recv(c->sock.native_handle(), b, sizeof b, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return c;
    if (!report) continue;
    if (n == 0 && c->requests == 1) ++report->closed_after_one;
    if (n > 0) ++report->stray, report->stray_bytes += size_t(n);
  }
  return nullptr;
}

size_t ConnCache::sweep(size_t backend, int64_t now, Duration idle_timeout) {
  auto found = idle_.find(backend);
  if (found == idle_.end()) return 0;
  auto& v = found->second;
  size_t n = 0;
  while (n < v.size() && now - v[n]->idle_since > idle_timeout.count()) ++n;
  v.erase(v.begin(), v.begin() + std::ptrdiff_t(n));
  return n;
}

void ConnCache::put(size_t backend, std::unique_ptr<UpConn> c, size_t max_idle, int64_t now) {
  auto& v = idle_[backend];
  if (v.size() >= max_idle) return;  // closing it is the cap
  c->idle_since = now;
  c->begin = c->end = 0;
  c->buf.release();  // its next read takes one again
  v.push_back(std::move(c));
}

void log_stray_bytes(const PoolSpec& pool, const BackendRuntime& backend, size_t n, const std::string& what) {
  log::error("backend " + backend.spec.address + " (pool " + pool.name + "): protocol error: " + std::to_string(n) +
             " bytes after its complete answer" + (what.empty() ? " (while idle)" : " (" + what + ")") +
             "; connection closed, not reused");
}

HandedConn detach(std::unique_ptr<UpConn> c) {
  HandedConn h;
  error_code ec;
  int family = c->sock.local_endpoint(ec).protocol().family();
  if (ec) return h;
  int fd = c->sock.release(ec);  // leaves this loop's reactor; the fd stays open
  if (ec) return h;
  h.fd = fd;
  h.family = family;
  h.slot = std::move(c->slot);
  h.requests = c->requests;
  return h;
}

std::unique_ptr<UpConn> adopt(asio::any_io_executor ex, HandedConn h) {
  auto c = std::make_unique<UpConn>(ex);
  error_code ec;
  c->sock.assign(asio::generic::stream_protocol(h.family, h.family == AF_UNIX ? 0 : IPPROTO_TCP), h.fd, ec);
  if (ec) return nullptr;  // h closes the fd
  h.fd = -1;
  c->sock.non_blocking(true, ec);  // for write_now, as connect_backend sets it
  c->slot = std::move(h.slot);
  c->requests = h.requests;
  return c;
}

namespace {
// What the pool's queue may hand out from this thread: a free slot on an available
// backend the waiter has not tried (the least busy), and, for a waiter on another loop in
// a pool whose slots need a connection, an idle one of this thread's.
class PoolGrant final : public PoolQueue::Grant {
 public:
  PoolGrant(ThreadContext& tc, PoolRuntime& pool) : tc_(tc), pool_(pool), now_(tc.rt.clock()) {}
  BackendRuntime* acquire_for(const PoolQueue::Waiter& w) override {
    uint32_t cap = pool_.spec->max_conns;
    while (true) {
      BackendRuntime* best = nullptr;
      uint32_t best_busy = 0;
      for (size_t i = 0; i < pool_.backends.size(); ++i) {
        BackendRuntime& b = *pool_.backends[i];
        uint32_t busy = b.in_flight.load();
        if (w.tried.has(i) || !b.available(now_) || (cap && busy >= cap)) continue;
        if (!best || busy < best_busy) best = &b, best_busy = busy;
      }
      if (!best) return nullptr;
      if (InFlight slot(*best); slot.acquire(cap)) {
        slot.forget();  // held for the waiter from now on
        return best;
      }
      // Another thread took that slot first: look again.
    }
  }
  bool any_room() override {
    uint32_t cap = pool_.spec->max_conns;
    for (auto& b : pool_.backends)
      if (b->available(now_) && (!cap || b->in_flight.load() < cap)) return true;
    return false;
  }
  HandedConn connection_for(BackendRuntime& b, const PoolQueue::Waiter&) override {
    if (!follows_) {
      Upstream* up = find_upstream(pool_.spec->protocol);
      follows_ = up && up->conn_follows_slot(*pool_.spec) ? 1 : -1;
    }
    if (follows_ < 0) return {};
    std::unique_ptr<UpConn> c = ExchangeContext(tc_).take_idle(*pool_.spec, b);
    return c ? detach(std::move(c)) : HandedConn{};
  }

 private:
  ThreadContext& tc_;
  PoolRuntime& pool_;
  int64_t now_;
  int follows_ = 0;  // 1: connections go with slots, -1: not, 0: not asked yet
};
}  // namespace

ExchangeContext::ExchangeContext(ThreadContext& tc) : tc_(&tc), rt_(&tc.rt) {}

asio::io_context& ExchangeContext::io() const { return tc_->io; }

std::unique_ptr<UpConn> ExchangeContext::take_idle(const PoolSpec& pool, const BackendRuntime& backend,
                                                   int* closed_after_one) const {
  TakeReport r;
  auto c = tc_->conns.take(backend.id, now(), pool.keepalive_timeout, &r);
  if (r.stray) log_stray_bytes(pool, backend, r.stray_bytes, "");
  if (closed_after_one) *closed_after_one += r.closed_after_one;
  return c;
}

void ExchangeContext::keep(const PoolSpec& pool, const BackendRuntime& backend, std::unique_ptr<UpConn> c) const {
  tc_->conns.put(backend.id, std::move(c), size_t(pool.keepalive_idle), now());
}

void ExchangeContext::ask_for_idle(const PoolSpec& pool, const BackendRuntime& backend) const {
  if (rt_->hand_idle_upstream) rt_->hand_idle_upstream(backend.id, tc_, size_t(pool.keepalive_idle));
}

void ExchangeContext::slot_freed(PoolRuntime& pool) const {
  if (!rt_->stopped.load()) serve_queue(*tc_, pool);
}

void serve_queue(ThreadContext& tc, PoolRuntime& pool, const PoolQueue::Waiter* self) {
  if (pool.queue.size() == 0) return;
  PoolGrant g(tc, pool);
  pool.queue.dispatch(g, &tc.io, self);
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
