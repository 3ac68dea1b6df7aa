// File reads that never stall an event loop: data already in the page cache is read (or
// sent) in place; data that would wait for the disk is read on a small blocking pool, the
// way nginx's `aio threads` does. Residency is probed with preadv2(RWF_NOWAIT).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "core/asio.h"

namespace cutover::file_io {

// True when the byte at `off` can be read without waiting for the disk.
bool cached(int fd, uint64_t off);

// Reads exactly `len` bytes at `off`, appended to `out`; false on error or a short file.
awaitable<bool> read_at(int fd, uint64_t off, size_t len, std::string& out);

// sendfile(2) of [off, off+len) to a non-blocking socket. Chunks whose last byte is not
// cached are sent from the blocking pool (the socket side never blocks: EAGAIN returns
// and this waits for writability on the loop). `timeout_ms` bounds each wait for the
// client. False on error, timeout or a file that shrank.
awaitable<bool> send_file(tcp::socket& sock, int fd, uint64_t off, uint64_t len, int64_t timeout_ms);

// Runs on the blocking pool; tests and `cutover` share one pool of 2 threads per process.
asio::any_io_executor blocking_executor();

// At shutdown, while the event loops still run: waits for the blocking pool's work to
// finish, so no completion reaches an event loop that is gone. The pool is not used after.
void finish_blocking();

}  // namespace cutover::file_io

namespace cutover {

// Runs f() on the blocking pool (CPU-heavy or disk-bound work: password hashes, cold
// reads) and resumes the caller on its own executor. `f` is taken by reference and must
// be a named object: g++ 12 destroys temporaries in a co_await expression twice.
template <class F>
awaitable<std::invoke_result_t<F&>> run_blocking(F& f) {
  using R = std::invoke_result_t<F&>;
  co_return co_await asio::co_spawn(
      file_io::blocking_executor(), [&f]() -> awaitable<R> { co_return f(); }, asio::use_awaitable);
}

}  // namespace cutover
