// HTTP/1 behind the downstream seam (proxy/stream.h): the connection's buffered reads with
// timeouts (Downstream), the request body de-framed (Http1Body) and the answer framed
// (Http1Response): length, chunked or close, 100 Continue, keep-alive, upgrades.
#pragma once
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/asio.h"
#include "core/deadline.h"
#include "core/upstream.h"
#include "http1/chunked.h"
#include "http1/message.h"
#include "proxy/stream.h"

namespace cutover {

class Downstream {
 public:
  Downstream(tcp::socket sock, const ServerSpec& s);
  ~Downstream();

  tcp::socket& socket() { return sock_; }
  // The socket back, for a connection parked between requests (nothing may be buffered).
  tcp::socket release() { return std::move(sock_); }
  // Unparsed bytes already read.
  std::string_view buffered() const { return {buf_ + begin_, end_ - begin_}; }
  void consume(size_t n) { begin_ += n; }
  // Read position; reset_to() is valid only while no fill() happened since position().
  size_t position() const { return begin_; }
  void reset_to(size_t pos) { begin_ = pos; }
  // Reads more; returns 0 with ec on EOF, error or timeout (ec == timed_out). `bulk`: a
  // body is expected, so read into a full-size buffer rather than the small one.
  awaitable<size_t> fill(Duration timeout, error_code& ec, bool bulk = false);
  // fill in two halves, for hot paths that save its coroutine frame:
  //   size_t n = co_await d.fill_op(timeout, ec); n = d.filled(n, ec);
  // fill_op is not a coroutine: it returns Asio's own operation, to be awaited at once.
  awaitable<size_t> fill_op(Duration timeout, error_code& ec, bool bulk = false);
  size_t filled(size_t n, error_code& ec);
  awaitable<bool> write(std::string_view a, std::string_view b = {});
  // What the socket takes now, without waiting (core/write_now.h): bytes of a, then b.
  size_t write_now(std::string_view a, std::string_view b, error_code& ec);
  awaitable<bool> send_file(int fd, uint64_t off, uint64_t len);
  // The client may pause this long while sending a body / stop reading this long: the
  // server's, or the current request's route's.
  Duration body_timeout() const { return body_timeout_; }
  void set_body_timeout(Duration d) { body_timeout_ = d; }
  void set_send_timeout(Duration d) { send_timeout_ = d; }
  // Scratch for the response head being written; kept across requests so that its
  // capacity is reused (one response at a time per connection).
  std::string& head_buffer() { return head_buf_; }

 private:
  tcp::socket sock_;
  Deadline deadline_;
  Duration body_timeout_, send_timeout_;
  // Reads start in a small inline buffer (a request head usually fits, like nginx's
  // client_header_buffer_size); a pooled 16 KiB buffer is taken only for bodies and large
  // heads, and given back when drained. So an idle keep-alive client costs ~1 KiB, and
  // waiting for the next request needs no extra syscall.
  void use_small();
  void grow();
  std::string head_buf_;
  static constexpr size_t kSmall = 1024;
  char small_[kSmall];
  std::unique_ptr<char[]> big_;
  char* buf_ = small_;
  size_t cap_ = kSmall;
  size_t begin_ = 0, end_ = 0;
};

// The current request's body, read from the client on demand.
class Http1Body final : public RequestStream {
 public:
  Http1Body(Downstream& d, const http1::RequestHead& h, uint64_t max_bytes);
  bool has_body() const override { return framing_ != http1::Framing::none; }
  std::optional<uint64_t> length() const override;
  awaitable<std::string_view> read(error_code& ec) override;
  bool replayable() const override { return !socket_read_; }
  void rewind() override;
  awaitable<bool> discard(uint64_t limit) override;
  bool complete() const override { return done_; }
  bool too_large() const override { return too_large_; }
  void set_max_bytes(uint64_t n) override { max_bytes_ = n; }
  void set_body_timeout(Duration d) override { d_.set_body_timeout(d); }
  const std::vector<http1::Field>* trailers() const override { return trailers_.empty() ? nullptr : &trailers_; }

 private:
  awaitable<bool> ensure_continue();
  std::vector<http1::Field> trailers_;  // views into dec_'s trailer text
  Downstream& d_;
  http1::Framing framing_;
  uint64_t length_ = 0, left_ = 0;
  uint64_t max_bytes_;
  uint64_t total_ = 0;
  bool expect_continue_;
  bool continue_sent_ = false;
  bool socket_read_ = false;
  bool done_;
  bool too_large_ = false;
  http1::ChunkedDecoder dec_;
  // A second decoder that runs ahead of dec_ over every byte already buffered, so that a
  // framing error anywhere in what has arrived is found before any of it goes on: the
  // backend never gets the good prefix of a body the client then gets a 400 for.
  http1::ChunkedDecoder ahead_;
  size_t ahead_checked_ = 0;  // bytes at the front of the buffer ahead_ has seen
  size_t start_;  // buffer position of the body's first byte, for rewind()
};

// The answer to the current request, framed as HTTP/1 for this client.
class Http1Response final : public ResponseStream {
 public:
  // `draining`, when given and set by the time the head is written, closes the connection.
  Http1Response(Downstream& d, const http1::RequestHead& h, bool keep_alive,
                const std::atomic<bool>* draining = nullptr);
  void start(const ResponseStart& r) override;
  awaitable<bool> body(std::string_view data) override;
  awaitable<bool> finish() override;
  int body_now(std::string_view data) override;
  int finish_now() override;
  // Small ranges go out with the head in one write, larger ones by sendfile.
  awaitable<bool> send_file(int fd, uint64_t off, uint64_t len) override;
  awaitable<void> tunnel(UpSocket& up, std::string_view up_leftover) override;
  // Written in the last chunk, to a client that sent TE: trailers; a length-framed or
  // HTTP/1.0 answer has nowhere for them.
  void trailers(const std::vector<http1::Field>& t) override;
  bool retract() override;
  void set_send_timeout(Duration d) override { d_.set_send_timeout(d); }

 private:
  Downstream& d_;
  const std::atomic<bool>* draining_;
  bool wrote_ = false;  // some of the response went to the client's socket
  bool chunked_ = false;
  bool has_body_ = true;
  std::string& head_;  // pending until the first body write (the connection's buffer)
  std::string trailer_block_;  // the trailers' lines, for the last chunk
  // Framed bytes not yet sent (views into head_ and the caller's data), and whether the
  // chunk's CRLF is still owed after them.
  struct Pending {
    std::string_view a, b;
    bool crlf_after = false;
  };
  std::optional<Pending> pending_;
  int send_pending_now();
  void sent_pending();
  awaitable<bool> flush_pending();
};

}  // namespace cutover
