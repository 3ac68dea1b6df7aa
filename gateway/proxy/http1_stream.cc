#include "proxy/http1_stream.h"

#include "core/buffer_pool.h"
#include "core/file_io.h"

#include <cstring>

#include "core/deadline.h"
#include "core/inq_read.h"
#include "core/write_now.h"
#include "http1/parser.h"

namespace cutover {
using namespace std::string_view_literals;
namespace {
constexpr size_t kReadBuf = kReadBufBytes;
using asio::redirect_error;
using asio::use_awaitable;

}  // namespace

Downstream::Downstream(tcp::socket sock, const ServerSpec& s)
    : sock_(std::move(sock)), deadline_(sock_), body_timeout_(s.body_timeout), send_timeout_(s.send_timeout) {
  error_code ec;
  if (!sock_.non_blocking()) sock_.non_blocking(true, ec);  // for write_now; awaited operations are unaffected
}

Downstream::~Downstream() { use_small(); }

void Downstream::use_small() {
  if (big_) {
    if (cap_ == kReadBuf) give_read_buffer(std::move(big_));
    big_.reset();
  }
  buf_ = small_;
  cap_ = kSmall;
  begin_ = end_ = 0;
}

// Makes room at the end of the buffer: compacts, moves to a pooled buffer, or doubles
// (only a large request head can need more than 16 KiB; the caller bounds it).
void Downstream::grow() {
  if (begin_ > 0) {
    std::memmove(buf_, buf_ + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (end_ < cap_) return;
  }
  size_t want = buf_ == small_ ? kReadBuf : cap_ * 2;
  std::unique_ptr<char[]> next = want == kReadBuf ? take_read_buffer() : std::unique_ptr<char[]>(new char[want]);
  std::memcpy(next.get(), buf_ + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  if (big_ && cap_ == kReadBuf) give_read_buffer(std::move(big_));
  big_ = std::move(next);
  buf_ = big_.get();
  cap_ = want;
}

awaitable<size_t> Downstream::fill_op(Duration timeout, error_code& ec, bool bulk) {
  if (begin_ == end_) {
    use_small();
    if (bulk) grow();
  } else if (end_ == cap_) {
    grow();
  }
  deadline_.arm(timeout);
  return async_read_some_inq(sock_, asio::buffer(buf_ + end_, cap_ - end_), redirect_error(use_awaitable, ec));
}

size_t Downstream::filled(size_t n, error_code& ec) {
  deadline_.disarm();
  if (deadline_.fired()) ec = asio::error::timed_out;
  if (!ec && n == 0) ec = asio::error::eof;
  end_ += n;
  return n;
}

awaitable<size_t> Downstream::fill(Duration timeout, error_code& ec, bool bulk) {
  size_t n = co_await fill_op(timeout, ec, bulk);
  co_return filled(n, ec);
}

size_t Downstream::write_now(std::string_view a, std::string_view b, error_code& ec) {
  std::array<asio::const_buffer, 2> bufs{asio::buffer(a.data(), a.size()), asio::buffer(b.data(), b.size())};
  return cutover::write_now(sock_, bufs, ec);
}

awaitable<bool> Downstream::write(std::string_view a, std::string_view b) {
  error_code ec;
  std::array<asio::const_buffer, 2> bufs{asio::buffer(a.data(), a.size()), asio::buffer(b.data(), b.size())};
  drop_front(bufs, cutover::write_now(sock_, bufs, ec));
  if (ec) co_return false;
  if (asio::buffer_size(bufs) == 0) co_return true;
  deadline_.arm(send_timeout_);
  co_await asio::async_write(sock_, bufs, redirect_error(use_awaitable, ec));
  deadline_.disarm();
  co_return !ec;
}

awaitable<bool> Downstream::send_file(int fd, uint64_t off, uint64_t len) {
  co_return co_await file_io::send_file(sock_, fd, off, len, send_timeout_.count());
}

// ---- request body ----

Http1Body::Http1Body(Downstream& d, const http1::RequestHead& h, uint64_t max_bytes)
    : d_(d), framing_(h.framing), length_(h.content_length), left_(h.content_length),
      max_bytes_(max_bytes), expect_continue_(h.expect_continue),
      done_(h.framing == http1::Framing::none), start_(d.position()) {}

std::optional<uint64_t> Http1Body::length() const {
  if (framing_ == http1::Framing::chunked) return std::nullopt;
  return length_;
}

void Http1Body::rewind() {
  d_.reset_to(start_);
  left_ = length_;
  total_ = 0;
  done_ = framing_ == http1::Framing::none;
  dec_ = http1::ChunkedDecoder();
  ahead_ = http1::ChunkedDecoder();
  trailers_.clear();
  ahead_checked_ = 0;
}

awaitable<bool> Http1Body::ensure_continue() {
  if (!expect_continue_ || continue_sent_) co_return true;
  continue_sent_ = true;
  // The client waits for this before sending the body (unless it already started).
  if (!d_.buffered().empty()) co_return true;
  co_return co_await d_.write("HTTP/1.1 100 Continue\r\n\r\n");
}

awaitable<std::string_view> Http1Body::read(error_code& ec) {
  if (done_) co_return std::string_view();
  if (!co_await ensure_continue()) {
    ec = asio::error::broken_pipe;
    co_return std::string_view();
  }
  while (true) {
    std::string_view in = d_.buffered();
    if (framing_ == http1::Framing::length) {
      if (!in.empty()) {
        size_t n = size_t(std::min<uint64_t>(left_, in.size()));
        d_.consume(n);
        left_ -= n;
        total_ += n;
        if (left_ == 0) done_ = true;
        co_return in.substr(0, n);
      }
    } else {
      if (in.size() > ahead_checked_ && !ahead_.done()) {
        std::string_view more = in.substr(ahead_checked_), ignored;
        http1::ChunkedDecoder::Status a;
        do a = ahead_.step(more, ignored);
        while (a == http1::ChunkedDecoder::Status::data);
        if (a == http1::ChunkedDecoder::Status::error) {
          ec = asio::error::invalid_argument;
          co_return std::string_view();
        }
        ahead_checked_ = in.size() - more.size();
      }
      std::string_view rest = in;
      std::string_view data;
      auto st = dec_.step(rest, data);
      d_.consume(in.size() - rest.size());
      ahead_checked_ -= std::min(ahead_checked_, in.size() - rest.size());
      if (st == http1::ChunkedDecoder::Status::error) {
        ec = asio::error::invalid_argument;
        co_return std::string_view();
      }
      if (st == http1::ChunkedDecoder::Status::done) {
        done_ = true;
        if (!dec_.trailer_text().empty()) http1::parse_trailer_fields(dec_.trailer_text(), trailers_);
        co_return std::string_view();
      }
      if (st == http1::ChunkedDecoder::Status::data) {
        total_ += data.size();
        if (max_bytes_ && total_ > max_bytes_) {
          too_large_ = true;
          ec = asio::error::message_size;
          co_return std::string_view();
        }
        co_return data;
      }
    }
    socket_read_ = true;
    size_t n = co_await d_.fill(d_.body_timeout(), ec, true);
    if (n == 0) {
      if (!ec) ec = asio::error::eof;
      co_return std::string_view();
    }
  }
}

awaitable<bool> Http1Body::discard(uint64_t limit) {
  if (done_) co_return true;
  // Never wait for a body the client holds back until it sees 100 Continue.
  if (expect_continue_ && !continue_sent_) co_return false;
  uint64_t seen = 0;
  while (!done_) {
    error_code ec;
    std::string_view piece = co_await read(ec);
    if (ec) co_return false;
    seen += piece.size();
    if (seen > limit) co_return false;
  }
  co_return true;
}

// ---- response ----

Http1Response::Http1Response(Downstream& d, const http1::RequestHead& h, bool keep_alive,
                             const std::atomic<bool>* draining)
    : ResponseStream(h, keep_alive), d_(d), draining_(draining), head_(d.head_buffer()) {
  head_.clear();
}

void Http1Response::start(const ResponseStart& r) {
  started_as(r);
  if (draining_ && draining_->load(std::memory_order_relaxed)) keep_alive_ = false;
  has_body_ = r.has_body && req_.method != "HEAD";
  head_.clear();
  head_.append(req_.version_minor == 0 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv)
      .append(std::to_string(r.status))
      .append(" "sv)
      .append(r.reason.empty() ? std::string_view(reason_phrase(r.status)) : r.reason)
      .append("\r\n"sv);
  each_field(r, [this](std::string_view n, std::string_view v) { http1::append_field_line(head_, n, v); });
  if (r.status == 101) {
    head_.append("\r\n"sv);
    return;
  }
  if (r.content_length && (has_body_ || req_.method == "HEAD")) {
    head_.append("Content-Length: "sv).append(std::to_string(*r.content_length)).append("\r\n"sv);
  } else if (has_body_) {
    if (req_.version_minor >= 1) {
      chunked_ = true;
      head_.append("Transfer-Encoding: chunked\r\n"sv);
    } else {
      keep_alive_ = false;  // HTTP/1.0: the body ends when the connection does
    }
  }
  if (!keep_alive_) head_.append("Connection: close\r\n"sv);
  else if (req_.version_minor == 0) head_.append("Connection: keep-alive\r\n"sv);
  head_.append("\r\n"sv);
}

int Http1Response::body_now(std::string_view data) {
  if (pending_) return -1;
  if (data.empty() || !has_body_) return 1;
  body_bytes_ += data.size();
  Pending p;
  if (chunked_) {
    char hex[20];
    int n = std::snprintf(hex, sizeof hex, "%zx\r\n", data.size());
    head_.append(hex, size_t(n));
    if (data.size() <= 4096) {
      head_.append(data).append("\r\n");
      p = {head_, {}, false};
    } else {
      p = {head_, data, true};  // the chunk's CRLF goes out with the next write
    }
  } else if (!head_.empty() && data.size() <= 4096) {
    head_.append(data);  // a small body goes with the head in one buffer: one send(2)
    p = {head_, {}, false};
  } else {
    p = {head_, data, false};
  }
  pending_ = p;
  return send_pending_now();
}

void Http1Response::trailers(const std::vector<http1::Field>& t) {
  if (!chunked_ || !req_.te_trailers) return;  // only to a client that said it takes them (TE: trailers)
  trailer_block_.clear();
  for (const http1::Field& f : t) http1::append_field_line(trailer_block_, f.name, f.value);
}

int Http1Response::finish_now() {
  if (pending_) return -1;
  if (chunked_) {
    head_.append("0\r\n"sv).append(trailer_block_).append("\r\n"sv);
    chunked_ = false;  // the last chunk is framed once, even if this write waits
  }
  if (head_.empty()) return 1;
  pending_ = Pending{head_, {}, false};
  return send_pending_now();
}

bool Http1Response::retract() {
  if (wrote_) return false;
  if (!started_) return true;
  unstart();
  chunked_ = false;
  trailer_block_.clear();
  has_body_ = true;
  pending_.reset();
  head_.clear();
  return true;
}

int Http1Response::send_pending_now() {
  wrote_ = true;
  error_code ec;
  size_t n = d_.write_now(pending_->a, pending_->b, ec);
  if (ec) return 0;
  size_t in_a = std::min(n, pending_->a.size());
  pending_->a.remove_prefix(in_a);
  pending_->b.remove_prefix(n - in_a);
  if (!pending_->a.empty() || !pending_->b.empty()) return -1;
  sent_pending();
  return 1;
}

void Http1Response::sent_pending() {
  bool crlf = pending_->crlf_after;
  pending_.reset();
  head_.clear();
  if (crlf) head_ = "\r\n";
}

awaitable<bool> Http1Response::flush_pending() {
  wrote_ = true;
  bool ok = co_await d_.write(pending_->a, pending_->b);
  sent_pending();
  co_return ok;
}

awaitable<bool> Http1Response::body(std::string_view data) {
  int r = body_now(data);
  if (r >= 0) co_return r == 1;
  co_return co_await flush_pending();
}

awaitable<bool> Http1Response::finish() {
  int r = finish_now();
  if (r >= 0) co_return r == 1;
  co_return co_await flush_pending();
}

awaitable<bool> Http1Response::send_file(int fd, uint64_t off, uint64_t len) {
  if (!has_body_ || len == 0) co_return true;
  wrote_ = true;
  body_bytes_ += len;
  // Up to 32 KiB: copied behind the head, one write (cheaper than write + sendfile).
  if (len <= 32 * 1024) {
    if (!co_await file_io::read_at(fd, off, size_t(len), head_)) co_return false;
    bool ok = co_await d_.write(head_);
    head_.clear();
    co_return ok;
  }
  if (!head_.empty()) {
    if (!co_await d_.write(head_)) co_return false;
    head_.clear();
  }
  co_return co_await d_.send_file(fd, off, len);
}

awaitable<void> Http1Response::tunnel(UpSocket& up, std::string_view up_leftover) {
  tunnelled_ = true;
  wrote_ = true;
  keep_alive_ = false;
  if (!co_await d_.write(head_, up_leftover)) co_return;
  head_.clear();
  auto ex = d_.socket().get_executor();
  error_code ec;
  std::string_view early = d_.buffered();
  if (!early.empty()) {
    co_await asio::async_write(up, asio::buffer(early.data(), early.size()), redirect_error(use_awaitable, ec));
    d_.consume(early.size());
    if (ec) co_return;
  }
  // Client -> backend runs as its own coroutine; backend -> client runs here. When either
  // direction ends, both sockets are shut down so the other ends too.
  asio::steady_timer other_done(ex, asio::steady_timer::time_point::max());
  bool other_finished = false;
  tcp::socket& client = d_.socket();
  asio::co_spawn(
      ex,
      [&]() -> awaitable<void> {
        std::vector<char> b(16 * 1024);
        error_code e;
        while (true) {
          size_t n = co_await client.async_read_some(asio::buffer(b), redirect_error(use_awaitable, e));
          if (e || n == 0) break;
          co_await asio::async_write(up, asio::buffer(b.data(), n), redirect_error(use_awaitable, e));
          if (e) break;
        }
        up.shutdown(asio::socket_base::shutdown_send, e);
      },
      [&](std::exception_ptr) {
        other_finished = true;
        other_done.cancel();
      });
  std::vector<char> b(16 * 1024);
  while (true) {
    size_t n = co_await up.async_read_some(asio::buffer(b), redirect_error(use_awaitable, ec));
    if (ec || n == 0) break;
    co_await asio::async_write(client, asio::buffer(b.data(), n), redirect_error(use_awaitable, ec));
    if (ec) break;
  }
  client.shutdown(asio::socket_base::shutdown_send, ec);
  if (!other_finished) {
    // The backend is done; give the client a moment to finish, then cut it off.
    asio::steady_timer grace(ex, std::chrono::seconds(5));
    grace.async_wait([&](const error_code& e) {
      if (!e && !other_finished) {
        error_code ignored;
        client.cancel(ignored);
        up.cancel(ignored);
      }
    });
    co_await other_done.async_wait(redirect_error(use_awaitable, ec));
    grace.cancel();
  }
}

}  // namespace cutover
