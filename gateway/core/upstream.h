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

#include "balance/balancer.h"
#include "core/asio.h"
#include "core/buffer_pool.h"
#include "core/deadline.h"
#include "core/failure.h"
#include "core/runtime.h"
#include "core/wake.h"
#include "http1/message.h"

namespace cutover {

// A read buffer whose growth leaves the new bytes uninitialised (a 16 KiB memset per new
// backend connection showed in FastCGI profiles, where every request opens one).
class ReadBuffer {
 public:
  char* data() { return p_.get(); }
  const char* data() const { return p_.get(); }
  size_t size() const { return n_; }
  void resize(size_t n) {  // keeps the first min(n, size()) bytes
    auto q = n == kReadBufBytes ? take_read_buffer() : std::make_unique_for_overwrite<char[]>(n);
    if (n_) std::memcpy(q.get(), p_.get(), std::min(n, n_));
    release();
    p_ = std::move(q);
    n_ = n;
  }
  // Gives the memory back (an idle connection holds no buffer).
  void release() {
    if (n_ == kReadBufBytes) give_read_buffer(std::move(p_));
    p_.reset();
    n_ = 0;
  }
  ~ReadBuffer() { release(); }
  ReadBuffer() = default;
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;

 private:
  std::unique_ptr<char[]> p_;
  size_t n_ = 0;
};

// One idle or busy connection to a backend, with its read buffer.
struct UpConn {
  explicit UpConn(asio::any_io_executor ex) : sock(ex), deadline(sock) {}
  ~UpConn() {
    if (slot) slot->fetch_sub(1, std::memory_order_relaxed);
  }
  UpConn(const UpConn&) = delete;
  UpConn& operator=(const UpConn&) = delete;
  // A counted slot this connection holds while open (BackendRuntime::kept), or null.
  std::shared_ptr<std::atomic<int>> slot;
  UpSocket sock;
  Deadline deadline;
  ReadBuffer buf;
  size_t begin = 0, end = 0;
  uint32_t requests = 0;
  int64_t idle_since = 0;
  std::string out;                    // request bytes being written; capacity reused
  std::vector<http1::Field> fields;   // response fields being relayed; capacity reused
  std::vector<http1::Field> head_fields;  // the parsed response head's; capacity reused
};

// Whether a connection that finished its exchange may wait in the cache for the next one:
// fully read, the pool caches idle connections, and its backend neither has its process
// going away (rolling restart) nor was retired by a reload (nothing would take it again).
inline bool may_cache(const UpConn& c, const PoolSpec& pool, const BackendRuntime& b) {
  return c.begin == c.end && pool.keepalive_idle > 0 && b.process_up.load(std::memory_order_relaxed) &&
         !b.retired.load(std::memory_order_relaxed);
}

// What ConnCache::take found wrong with the idle connections it dropped.
struct TakeReport {
  // Closed by the backend after a single request (a FastCGI app that ignores KEEP_CONN).
  int closed_after_one = 0;
  // Bytes the backend sent after its complete answer, while the connection was idle (a
  // body to a HEAD, 204 or 304, a second response): served to the next request, they
  // would answer it with another request's bytes.
  int stray = 0;
  size_t stray_bytes = 0;
};

// Per-thread cache of idle upstream connections, keyed by BackendRuntime::id.
class ConnCache {
 public:
  // An idle connection that is still open and has nothing unread on it, or nullptr. Every
  // one is probed (a non-blocking peek), whatever its idle time. `report`, when given,
  // says what was dropped and why.
  std::unique_ptr<UpConn> take(size_t backend, int64_t now, Duration idle_timeout, TakeReport* report = nullptr);
  void put(size_t backend, std::unique_ptr<UpConn> c, size_t max_idle, int64_t now);
  // Closes the idle connections to one backend (its process is being stopped), or all.
  void drop(size_t backend) { idle_.erase(backend); }
  // Closes the longest idle connection to one backend, if there is one.
  void drop_one(size_t backend) {
    auto it = idle_.find(backend);
    if (it != idle_.end() && !it->second.empty()) it->second.erase(it->second.begin());
  }
  void clear() { idle_.clear(); }
  // Closes the idle connections to every backend `live` does not hold.
  template <class Pred>
  void keep_only(Pred live) {
    for (auto it = idle_.begin(); it != idle_.end();) it = live(it->first) ? std::next(it) : idle_.erase(it);
  }
  size_t idle_count(size_t backend) const {
    auto it = idle_.find(backend);
    return it == idle_.end() ? 0 : it->second.size();
  }

 private:
  std::unordered_map<size_t, std::vector<std::unique_ptr<UpConn>>> idle_;
};

// Reads more bytes into the connection's buffer (growing or compacting it); returns the
// count, 0 with ec on EOF, error or timeout (ec == timed_out).
awaitable<size_t> read_more(UpConn& c, Duration timeout, error_code& ec);
// read_more in two halves, for hot paths that save its coroutine frame:
//   size_t n = co_await read_op(c, timeout, ec); n = read_done(c, n, ec);
// read_op is not a coroutine: it returns Asio's own operation, to be awaited at once.
awaitable<size_t> read_op(UpConn& c, Duration timeout, error_code& ec);
size_t read_done(UpConn& c, size_t n, error_code& ec);

// An idle connection leaves this loop for another (detach), or arrives from one (adopt:
// null when the socket cannot be taken, and the handed connection is closed).
HandedConn detach(std::unique_ptr<UpConn> c);
std::unique_ptr<UpConn> adopt(asio::any_io_executor ex, HandedConn h);

struct ThreadContext;

// ConnCache::take for `backend` on this thread, logging a backend that sent bytes after its
// answer (a protocol error: the connection is closed, never reused).
std::unique_ptr<UpConn> take_idle(ThreadContext& tc, const PoolSpec& pool, const BackendRuntime& backend,
                                  int* closed_after_one = nullptr);
// Logs bytes left in a connection's buffer after a complete answer (the connection is not
// cached): `what` names the answer ("204 to GET /x").
void log_stray_bytes(const PoolSpec& pool, const BackendRuntime& backend, size_t n, const std::string& what);

// Opens a connection (TCP with TCP_NODELAY, or unix socket) within `timeout`.
awaitable<Failure> connect_backend(UpSocket& sock, const BackendSpec& b, Duration timeout);

struct ThreadContext {
  ThreadContext(asio::io_context& io, Runtime& rt, uint64_t seed) : io(io), rt(rt), rng(seed) {
    adopt(rt.current());
  }
  // Switches this thread to a new snapshot (on reload); requests in flight keep theirs.
  void adopt(std::shared_ptr<const Snapshot> s) {
    balance.assign(s->pools.size(), BalanceState{});
    // A backend the new snapshot does not carry over (its address or weight changed) gets
    // a new id, and its idle connections would never be taken again, yet a kept FastCGI
    // one holds an app process: close them.
    conns.keep_only([&s](size_t id) {
      for (auto& p : s->pools)
        for (auto& b : p->backends)
          if (b->id == id) return true;
      return false;
    });
    snap = std::move(s);
  }
  asio::io_context& io;
  Runtime& rt;
  std::shared_ptr<const Snapshot> snap;  // the current snapshot, as this thread sees it
  ConnCache conns;
  Rng rng;
  std::vector<BalanceState> balance;  // per pool
  std::vector<BackendLoad> loads;     // scratch for the balancer, reused per request
  // Compare copies of this thread waiting for the route's concurrency cap; a copy that ends
  // here wakes the oldest.
  std::deque<asio::steady_timer*> mirror_waiters;
  // The client connections of this thread (registered once per connection, not per
  // request); a drain closes those waiting for their next request.
  // An intrusive list: a parked connection costs no allocation for its entry.
  struct Client {
    tcp::socket* sock;
    bool idle = false;
    Client* prev = nullptr;
    Client* next = nullptr;
  };
  Client* clients = nullptr;
  void add_client(Client* c) {
    c->next = clients;
    if (clients) clients->prev = c;
    clients = c;
  }
  void remove_client(Client* c) {
    (c->prev ? c->prev->next : clients) = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = nullptr;
  }
  void close_idle_clients() {
    for (Client* c = clients; c; c = c->next) {
      error_code ignored;
      if (c->idle) c->sock->cancel(ignored);
    }
  }
};

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
  virtual awaitable<Failure> exchange(ThreadContext& tc, const PoolSpec& pool,
                                      BackendRuntime& backend, const ForwardRequest& req,
                                      BodySource& body, ResponseSink& sink) = 0;
  // Whether an idle connection goes along with a slot handed to a request on another
  // thread (a FastCGI pool whose every request rides a kept connection: without it, the
  // request would find every kept connection idle on the first thread).
  virtual bool conn_follows_slot(const PoolSpec&) const { return false; }
  // One active health check (pool.health): true when the backend answered as expected;
  // `why` says what went wrong otherwise.
  virtual awaitable<bool> check(ThreadContext& tc, PoolRuntime& pool, BackendRuntime& backend,
                                std::string& why) = 0;
  // What the adapter keeps per backend (BackendRuntime::adapter), made with the backend.
  virtual std::unique_ptr<BackendState> backend_state() const { return nullptr; }
};

// A request of `pool` on this thread gave back its in-flight slot (or a slot may have come
// free otherwise): hands what is free to the pool's queue, oldest first, whichever thread
// each waiter is on. Waiters on this thread run at once, up to their next suspension,
// before the caller goes on: the caller must hold nothing they need. `self`: the caller's
// own place in the queue, if it has one. One atomic load when nobody waits.
void serve_queue(ThreadContext& tc, PoolRuntime& pool, const PoolQueue::Waiter* self = nullptr);

// Protocol registry: the executable registers the backends it links ("http", "fastcgi").
void register_upstream(const std::string& protocol, std::shared_ptr<Upstream> u);
Upstream* find_upstream(std::string_view protocol);

}  // namespace cutover
