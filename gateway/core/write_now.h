// Writing without suspending. A response or a request head almost always fits in the
// socket's send buffer, so the hot path sends it with one plain sendmsg and awaits an Asio
// write only for what is left. An awaited write costs a coroutine frame, an operation and
// a trip through the scheduler even when the data goes out at once; this costs none.
#pragma once
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstddef>

#include "core/asio.h"

namespace cutover {

// Sends what the socket takes now; returns the byte count. `ec` is set only for a real
// error (EAGAIN is not one: the rest is left for an awaited write). The socket must be in
// non-blocking mode (socket.non_blocking(true)), so a full send buffer never blocks.
template <class Socket, size_t N>
size_t write_now(Socket& s, const std::array<asio::const_buffer, N>& bufs, error_code& ec) {
  size_t total = asio::buffer_size(bufs);
  if (total == 0) return 0;
  // One buffer (or one non-empty one): send(2), cheaper in the kernel than Asio's sendmsg.
  const asio::const_buffer* only = nullptr;
  for (const auto& b : bufs)
    if (b.size() == total) only = &b;
  if (only) {
    while (true) {
      ssize_t n = ::send(s.native_handle(), only->data(), only->size(), MSG_NOSIGNAL);
      if (n >= 0) return size_t(n);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) ec = error_code(errno, asio::error::get_system_category());
      return 0;
    }
  }
  size_t n = s.write_some(bufs, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
  return n;
}

// Drops the first `n` bytes from a buffer array (what write_now already sent).
template <size_t N>
void drop_front(std::array<asio::const_buffer, N>& bufs, size_t n) {
  for (auto& b : bufs) {
    size_t k = std::min(n, b.size());
    b += k;
    n -= k;
  }
}

}  // namespace cutover
