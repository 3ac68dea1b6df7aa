// A socket read that tells Asio's reactor when the socket is empty, so the next read waits
// for epoll instead of trying recv first and getting EAGAIN.
//
// Asio 1.74 tries every read at once (speculatively) after any readiness event, because it
// cannot tell "I drained the socket" from "a FIN is waiting behind the data": recv returns
// the data and says nothing of the FIN, and with edge-triggered epoll a FIN that came with
// the data brings no second event. nginx learns of it from EPOLLRDHUP, which Asio neither
// registers nor passes on. Linux's TCP_INQ gives the same knowledge on the read itself:
// recvmsg returns how many bytes are still queued, and 1 when only a FIN is (tcp_inq_hint).
// This read returns Asio's `done_and_exhausted` status exactly when that count is 0, and the
// reactor then skips the next speculative try; the flag is cleared under the descriptor's
// lock, so an arrival after the read still raises an event that sets it again. A socket
// without TCP_INQ (a unix socket) gets no count and reads exactly as Asio's own read does.
//
// Asio detail API (reactor_op, the socket's implementation); checked against Boost 1.74's
// epoll_reactor, whose start_op and perform_io honour `done_and_exhausted`.
#pragma once
#include "core/asio.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_cont_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>

#include <cerrno>
#include <cstring>

namespace cutover {

// Turns on TCP_INQ for a TCP socket (accepted sockets inherit it from their listener).
// Returns false where the socket has no such option (unix sockets): reads then work as before.
inline bool enable_inq(int fd) {
  int one = 1;
  return ::setsockopt(fd, IPPROTO_TCP, TCP_INQ, &one, sizeof one) == 0;
}

namespace inq_detail {

namespace ad = asio::detail;

// The socket's implementation is a protected member of basic_socket; a pointer to it may be
// formed through a derived class and applied to any socket.
template <class Protocol, class Executor>
struct ImplAccess : asio::basic_socket<Protocol, Executor> {
  static constexpr auto member() { return &ImplAccess::impl_; }
};

template <class Handler, class IoExecutor>
class InqRecvOp : public ad::reactor_op {
 public:
  BOOST_ASIO_DEFINE_HANDLER_PTR(InqRecvOp);
  bool speculating_ = false;  // wait_only: being performed inside start_op

  InqRecvOp(int fd, asio::mutable_buffer buf, Handler& handler, const IoExecutor& io_ex, bool wait_only = false)
      : ad::reactor_op(error_code(), &InqRecvOp::do_perform, &InqRecvOp::do_complete),
        fd_(fd),
        buf_(buf),
        wait_only_(wait_only),
        handler_(std::move(handler)),
        work_(handler_, io_ex) {}

  static status do_perform(ad::reactor_op* base) {
    auto* o = static_cast<InqRecvOp*>(base);
    // Waiting only. Performed on a readiness event: done, no syscall (the reader that follows
    // reads). Performed at once by start_op because the reactor saw an event since the last
    // exhausting read: that event may be stale (the speculative read took its data first),
    // so look, and wait on when nothing is there.
    if (o->wait_only_) {
      if (!o->speculating_) return done;
      o->speculating_ = false;
      char c;
      ssize_t n;
      do n = ::recv(o->fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      while (n < 0 && errno == EINTR);
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? not_done : done;
    }
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec iov{o->buf_.data(), o->buf_.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(o->fd_, &msg, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
      o->ec_ = error_code(errno, asio::error::get_system_category());
      o->bytes_transferred_ = 0;
      return done;
    }
    o->bytes_transferred_ = size_t(n);
    if (n == 0) {
      if (o->buf_.size() == 0) return done;
      o->ec_ = asio::error::eof;
      return done_and_exhausted;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ) {
        int inq;
        std::memcpy(&inq, CMSG_DATA(c), sizeof inq);
        return inq == 0 ? done_and_exhausted : done;
      }
    }
    return done;
  }

  static void do_complete(void* owner, ad::operation* base, const error_code&, size_t) {
    auto* o = static_cast<InqRecvOp*>(base);
    ptr p = {ad::addressof(o->handler_), o, o};
    ad::handler_work<Handler, IoExecutor> w(std::move(o->work_));
    // The handler may own the op's memory: move it out and free the op before the upcall.
    ad::binder2<Handler, error_code, size_t> handler(o->handler_, o->ec_, o->bytes_transferred_);
    p.h = ad::addressof(handler.handler_);
    p.reset();
    if (owner) {
      ad::fenced_block b(ad::fenced_block::half);
      w.complete(handler, handler.handler_);
    }
  }

 private:
  int fd_;
  asio::mutable_buffer buf_;
  bool wait_only_;
  Handler handler_;
  ad::handler_work<Handler, IoExecutor> work_;
};

// This thread's reactor: each event loop runs on one thread, so one lookup per thread.
inline ad::reactor& reactor_of(asio::execution_context& ctx) {
  thread_local asio::execution_context* cached_ctx = nullptr;
  thread_local ad::reactor* cached = nullptr;
  if (cached_ctx != &ctx) {
    cached = &asio::use_service<ad::reactor>(ctx);
    cached_ctx = &ctx;
  }
  return *cached;
}

// Starts an InqRecvOp on `s` for `handler`: a read into `b`, or (wait_only) a wait.
template <class Handler, class Protocol, class Executor>
void start(Handler handler, asio::basic_stream_socket<Protocol, Executor>* s, asio::mutable_buffer b, bool wait_only) {
  using Op = InqRecvOp<Handler, Executor>;
  auto& io = s->*ImplAccess<Protocol, Executor>::member();
  auto& impl = io.get_implementation();
  bool is_continuation = boost_asio_handler_cont_helpers::is_continuation(handler);
  typename Op::ptr p = {ad::addressof(handler), Op::ptr::allocate(handler), 0};
  p.p = new (p.v) Op(impl.socket_, b, handler, io.get_executor(), wait_only);
  ad::reactor& r = reactor_of(asio::query(io.get_executor(), asio::execution::context));
  Op* op = p.p;
  if ((impl.state_ & ad::socket_ops::non_blocking) ||
      ad::socket_ops::set_internal_non_blocking(impl.socket_, impl.state_, true, op->ec_)) {
    op->speculating_ = wait_only;
    r.start_op(ad::reactor::read_op, impl.socket_, impl.reactor_data_, op, is_continuation, true);
    op->speculating_ = false;  // still ours: queued, or posted to this very thread
  } else {
    r.post_immediate_completion(op, is_continuation);
  }
  p.v = p.p = 0;
}

}  // namespace inq_detail

// Like socket.async_read_some(buffer, token), for a stream socket.
template <class Protocol, class Executor, class Token>
auto async_read_some_inq(asio::basic_stream_socket<Protocol, Executor>& sock, asio::mutable_buffer buf,
                         Token&& token) {
  return asio::async_initiate<Token, void(error_code, size_t)>(
      [](auto handler, auto* s, asio::mutable_buffer b) { inq_detail::start(std::move(handler), s, b, false); }, token,
      &sock, buf);
}

// Completes when the socket has something to read (or an error, or EOF), reading nothing:
// a keep-alive connection waits for its next request this way without a buffer. Unlike
// Asio's async_wait(wait_read), which is never speculative and so misses data whose edge
// the reactor saw before the wait began, this one looks at once then (the reactor's flag
// is cleared only by a read that exhausted the socket, async_read_some_inq's).
template <class Protocol, class Executor, class Token>
auto async_wait_readable(asio::basic_stream_socket<Protocol, Executor>& sock, Token&& token) {
  return asio::async_initiate<Token, void(error_code, size_t)>(
      [](auto handler, auto* s) { inq_detail::start(std::move(handler), s, asio::mutable_buffer(), true); }, token, &sock);
}

}  // namespace cutover
