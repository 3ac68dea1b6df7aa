// Connections to backends: one connection with its read buffer (UpConn), the per-thread
// cache of idle ones (ConnCache), reading into them, connecting, handing one to another
// event loop. Shared by every backend adapter (the connector's parts).
#pragma once
#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/asio.h"
#include "core/buffer_pool.h"
#include "core/deadline.h"
#include "core/failure.h"
#include "core/runtime.h"
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
  // Closes the connections to `backend` idle for longer than `idle_timeout` (the oldest
  // are first: put() appends); returns how many. So a burst's connections do not outlive
  // the pool's keepalive_timeout, and none waits in CLOSE_WAIT for a take() to find it.
  size_t sweep(size_t backend, int64_t now, Duration idle_timeout);
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


// Logs bytes left in a connection's buffer after a complete answer (the connection is not
// cached): `what` names the answer ("204 to GET /x").
void log_stray_bytes(const PoolSpec& pool, const BackendRuntime& backend, size_t n, const std::string& what);

// Opens a connection (TCP with TCP_NODELAY, or unix socket) within `timeout`.
awaitable<Failure> connect_backend(UpSocket& sock, const BackendSpec& b, Duration timeout);

}  // namespace cutover
