// The client side of one connection: buffered reads with timeouts, the request body as a
// BodySource, and the response framed for the client as a ResponseSink.
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
#include "proxy/response_policy.h"
#include "route/proxy_map.h"

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
  // server's, or the current request's route's (set_request_limits).
  Duration body_timeout() const { return body_timeout_; }
  void set_request_limits(Duration body_timeout, Duration send_timeout) {
    body_timeout_ = body_timeout;
    send_timeout_ = send_timeout;
  }
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
class RequestBody final : public BodySource {
 public:
  RequestBody(Downstream& d, const http1::RequestHead& h, uint64_t max_bytes);
  bool has_body() const override { return framing_ != http1::Framing::none; }
  std::optional<uint64_t> length() const override;
  awaitable<std::string_view> read(error_code& ec) override;
  bool replayable() const override { return !socket_read_; }
  void rewind() override;
  // Reads and discards what is left, up to `limit` bytes; false if the connection must close.
  awaitable<bool> discard(uint64_t limit);
  bool complete() const { return done_; }
  bool too_large() const { return too_large_; }
  // The route's max_body_bytes replaces the server's before the body is read (0: none).
  void set_max_bytes(uint64_t n) { max_bytes_ = n; }

 private:
  awaitable<bool> ensure_continue();
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

// The response to the current request, framed for this client.
class ClientResponse final : public ResponseSink {
 public:
  // `draining`, when given and set by the time the head is written, closes the connection.
  ClientResponse(Downstream& d, const http1::RequestHead& h, bool keep_alive,
                 const std::atomic<bool>* draining = nullptr);
  void start(const ResponseStart& r) override;
  void append_expiry(const ResponseStart& r);
  awaitable<bool> body(std::string_view data) override;
  awaitable<bool> finish() override;
  int body_now(std::string_view data) override;
  int finish_now() override;
  // The body from a file, after start() with a content length: small ranges go out with
  // the head in one write, larger ones by sendfile. Nothing is sent for HEAD.
  awaitable<bool> send_file(int fd, uint64_t off, uint64_t len);
  awaitable<void> tunnel(UpSocket& up, std::string_view up_leftover) override;
  bool started() const override { return started_; }
  bool retract() override;
  bool hand_off(Handoff h) override {
    if (started_ || handoff_) return false;
    handoff_ = std::move(h);
    return true;
  }
  // What an app handed over (a local redirect, a file to send), once.
  std::optional<Handoff> take_handoff() {
    std::optional<Handoff> h = std::move(handoff_);
    handoff_.reset();
    return h;
  }
  // A field of cutover's own for this response (the rollout's Set-Cookie), before start().
  void add_field(std::string_view name, std::string_view value) {
    extra_.append(name).append(": ").append(value).append("\r\n");
  }

  // An error cutover answers itself goes to this path instead, once per request (lighttpd's
  // error handlers): `on_404` takes 403 and 404 (as lighttpd's error-handler-404 does),
  // `any` every status >= 400 but 401. Null: off.
  void catch_errors(const std::string* on_404, const std::string* any) {
    on_404_ = on_404 && !on_404->empty() ? on_404 : nullptr;
    on_error_ = any && !any->empty() ? any : nullptr;
  }
  // The handler for `status`, when one applies and none ran yet (it will not run twice).
  const std::string* error_handler_for(int status) {
    if (caught_ || status < 400 || status == 401 || started_ || handoff_) return nullptr;
    // lighttpd 1.4.69 (response.c): error-handler, when set, comes before error-handler-404.
    const std::string* h = on_error_ ? on_error_ : (status == 404 || status == 403) ? on_404_ : nullptr;
    if (h) caught_ = true;
    return h;
  }
  // Backend fields whose values are rewritten (rewrite_response.headers), before start().
  void rewrite_fields(const std::vector<FieldRewrite>* r) { policy_.rewrites = r && !r->empty() ? r : nullptr; }
  // Location, Content-Location and Set-Cookie mapped back (proxy.header maps), before start().
  void map_fields(const ProxyMap* m, const ProxyMapState* st) {
    policy_.map = m && !m->empty() ? m : nullptr;
    policy_.map_state = st;
  }
  // The fields this response gets added or replaced (response_headers), before start().
  void edit_fields(const HeaderEdits* e) { policy_.edits = e && !e->empty() ? e : nullptr; }
  // The Server field an answer without one gets ("": none); a view into the config.
  void server_tag(std::string_view t) { server_tag_ = t; }
  // Caching fields by path or type (lighttpd's mod_expire), for 200/204/206 answers to GET
  // and HEAD that carry no Cache-Control; `path` the decoded path after the rewrites.
  void expires(const statics::ExpireList* urls, const statics::ExpireList* types, std::string_view path) {
    expire_on_ = (urls && !urls->empty()) || (types && !types->empty());
    expire_urls_ = urls;
    expire_types_ = types;
    expire_path_ = path;
  }

  bool keep_alive() const { return keep_alive_; }
  void force_close() { keep_alive_ = false; }
  int status() const { return status_; }
  uint64_t body_bytes() const { return body_bytes_; }
  bool tunnelled() const { return tunnelled_; }

 private:
  Downstream& d_;
  const http1::RequestHead& req_;
  bool keep_alive_;
  const std::atomic<bool>* draining_;
  bool started_ = false;
  bool wrote_ = false;  // some of the response went to the client's socket
  bool keep_alive_asked_ = false;  // keep_alive_ before start() changed it
  bool chunked_ = false;
  bool has_body_ = true;
  bool tunnelled_ = false;
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  std::string& head_;  // pending until the first body write (the connection's buffer)
  std::string extra_;
  ResponsePolicy policy_;  // the respond phase's field policy (proxy/response_policy.h)
  std::string_view server_tag_;
  const statics::ExpireList *expire_urls_ = nullptr, *expire_types_ = nullptr;
  bool expire_on_ = false;
  std::string_view expire_path_;
  const std::string* on_404_ = nullptr;
  const std::string* on_error_ = nullptr;
  bool caught_ = false;
  std::optional<Handoff> handoff_;
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

// A short generated response (errors, redirects): status line, Date, text body.
awaitable<bool> send_simple(ClientResponse& out, int status, std::string_view body,
                            std::vector<http1::Field> extra = {});

const char* reason_phrase(int status);

}  // namespace cutover
