#include "core/file_io.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/asio/thread_pool.hpp>
#include <cerrno>

namespace cutover::file_io {
namespace {

constexpr uint64_t kChunk = 512 * 1024;

asio::thread_pool& pool() {
  // Never destroyed: work still queued at exit would otherwise be destroyed with handlers
  // that point into event loops already gone.
  static asio::thread_pool* p = new asio::thread_pool(2);
  return *p;
}


}  // namespace

asio::any_io_executor blocking_executor() { return pool().get_executor(); }

void finish_blocking() { pool().join(); }

bool cached(int fd, uint64_t off) {
  char b;
  iovec v{&b, 1};
  ssize_t n = ::preadv2(fd, &v, 1, off_t(off), RWF_NOWAIT);
  return n >= 0 || (errno != EAGAIN && errno != EOPNOTSUPP);  // other errors: the read will say
}

awaitable<bool> read_at(int fd, uint64_t off, size_t len, std::string& out) {
  size_t base = out.size();
  // First try: one read that refuses to wait for the disk (the common, cached case).
  thread_local char scratch[64 * 1024];
  if (len <= sizeof scratch) {
    iovec v{scratch, len};
    ssize_t n = ::preadv2(fd, &v, 1, off_t(off), RWF_NOWAIT);
    if (n == ssize_t(len)) {
      out.append(scratch, len);
      co_return true;
    }
    if (n > 0) {  // partly cached: keep what came, the pool reads the rest
      out.append(scratch, size_t(n));
      off += uint64_t(n);
      len -= size_t(n);
    } else if (n == 0 || (errno != EAGAIN && errno != EOPNOTSUPP)) {
      co_return false;
    }
  }
  out.resize(out.size() + len);
  char* dst = out.data() + out.size() - len;
  auto read_all = [fd, off, len, dst]() -> bool {
    size_t done = 0;
    while (done < len) {
      ssize_t n = ::pread(fd, dst + done, len - done, off_t(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += size_t(n);
    }
    return true;
  };
  bool ok = co_await run_blocking(read_all);
  if (!ok) out.resize(base);
  co_return ok;
}

awaitable<bool> send_file(tcp::socket& sock, int fd, uint64_t off, uint64_t len, int64_t timeout_ms) {
  error_code ec;
  sock.native_non_blocking(true, ec);
  if (ec) co_return false;
  int out_fd = sock.native_handle();
  asio::steady_timer timer(sock.get_executor());
  while (len > 0) {
    uint64_t chunk = std::min(len, kChunk - (off % kChunk));  // chunk edges at fixed offsets
    if (!cached(fd, off + chunk - 1)) {
      ::posix_fadvise(fd, off_t(off), off_t(std::min(len, 4 * kChunk)), POSIX_FADV_WILLNEED);
      // Cold: the pool waits for the disk. Sent there until the socket is full.
      auto cold_send = [out_fd, fd, off, chunk]() -> std::pair<ssize_t, int> {
        off_t o = off_t(off);
        ssize_t n = ::sendfile(out_fd, fd, &o, chunk);
        return {n, n < 0 ? errno : 0};
      };
      auto r = co_await run_blocking(cold_send);
      if (r.first > 0) {
        off += uint64_t(r.first), len -= uint64_t(r.first);
        continue;
      }
      if (r.first == 0) co_return false;  // the file shrank
      if (r.second != EAGAIN && r.second != EINTR) co_return false;
    } else {
      off_t o = off_t(off);
      ssize_t n = ::sendfile(out_fd, fd, &o, chunk);
      if (n > 0) {
        off += uint64_t(n), len -= uint64_t(n);
        continue;
      }
      if (n == 0) co_return false;
      if (errno == EINTR) continue;
      if (errno != EAGAIN) co_return false;
    }
    // The client's socket is full: wait until it drains (or the timeout).
    bool timed_out = false;
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait([&](error_code e) {
      if (!e) {
        timed_out = true;
        error_code ig;
        sock.cancel(ig);
      }
    });
    co_await sock.async_wait(tcp::socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
    timer.cancel();
    if (ec || timed_out) co_return false;
  }
  co_return true;
}

}  // namespace cutover::file_io
