// The downstream seam: one request as the phases of its life see it, whatever framing
// carried it (HTTP/1 now: proxy/http1_stream.h; an HTTP/2 stream next). The framing reads
// the head, then hands Session::serve() the head, the body as a RequestStream (streamed,
// with its trailers: BodySource::trailers) and the answer as a ResponseStream (head,
// streamed body, trailers: ResponseSink::trailers). Everything the respond phase decides — which fields the
// client gets (ResponsePolicy), Date, Server, expiry, error handlers, what an app handed
// over — lives here, once; a framing only writes the head and the body its way.
#pragma once
#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/asio.h"
#include "core/upstream.h"
#include "http1/message.h"
#include "proxy/response_policy.h"
#include "route/proxy_map.h"

namespace cutover {

// Unread request body a framing reads and drops to keep a connection for the next request.
constexpr uint64_t kMaxSkippedBody = 1 << 20;

// The request's body as the client sends it, decoded (BodySource), with what the phases
// need besides: its limit, its pace, and skipping what nobody read.
class RequestStream : public BodySource {
 public:
  // Reads and discards what is left, up to `limit` bytes; false if the connection must close.
  virtual awaitable<bool> discard(uint64_t limit) = 0;
  virtual bool complete() const = 0;
  virtual bool too_large() const = 0;
  // The route's max_body_bytes replaces the server's before the body is read (0: none).
  virtual void set_max_bytes(uint64_t n) = 0;
  // How long the client may pause while sending the body (the route's body_timeout).
  virtual void set_body_timeout(Duration d) = 0;
};

// No body: a local redirect's GET.
class NoBody final : public RequestStream {
 public:
  bool has_body() const override { return false; }
  std::optional<uint64_t> length() const override { return 0; }
  awaitable<std::string_view> read(error_code&) override { co_return std::string_view(); }
  bool replayable() const override { return true; }
  void rewind() override {}
  awaitable<bool> discard(uint64_t) override { co_return true; }
  bool complete() const override { return true; }
  bool too_large() const override { return false; }
  void set_max_bytes(uint64_t) override {}
  void set_body_timeout(Duration) override {}
};

// The answer to the current request. The phases set its policy before start(); a framing
// implements start() (writing each_field()'s fields), the body and the rest.
class ResponseStream : public ResponseSink {
 public:
  ResponseStream(const http1::RequestHead& req, bool keep_alive) : req_(req), keep_alive_(keep_alive) {}

  // ---- framing: the subclass's ----
  // The body from a file, after start() with a content length. Nothing is sent for HEAD.
  virtual awaitable<bool> send_file(int fd, uint64_t off, uint64_t len) = 0;
  // How long the client may stop reading the answer (the route's send_timeout).
  virtual void set_send_timeout(Duration d) = 0;

  // ---- policy: set by the phases, before start() ----
  bool started() const override { return started_; }
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
  void add_field(std::string_view name, std::string_view value) { extra_.emplace_back(name, value); }

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

  // Whether the connection may carry another request after this answer (HTTP/1's
  // keep-alive; a multiplexing framing keeps the connection whatever this says).
  bool keep_alive() const { return keep_alive_; }
  void force_close() { keep_alive_ = false; }
  int status() const { return status_; }
  uint64_t body_bytes() const { return body_bytes_; }
  bool tunnelled() const { return tunnelled_; }
  // The Date field's value now, formatted at most once per second per thread.
  static std::string_view http_date();

 protected:
  // Each field the client gets in the head of `r`, as emit(name, value), in order: the
  // answer's own through the policy, cutover's own (add_field), the edits, then Date,
  // expiry and Server where the answer has none. Framing fields (length, chunked,
  // Connection) are the framing's.
  template <class Emit>
  void each_field(const ResponseStart& r, Emit&& emit) const {
    bool dated = false;  // RFC 9110 6.6.1: an answer forwarded without Date gets one
    bool tagged = server_tag_.empty();  // lighttpd's server.tag: only where the answer has no Server
    if (r.fields)
      for (const auto& f : *r.fields) {
        if (policy_.edits && policy_.replaces(f.name)) continue;
        dated = dated || (f.name.size() == 4 && http1::iequals(f.name, "date"));
        tagged = tagged || (f.name.size() == 6 && http1::iequals(f.name, "server"));
        if (policy_.edits_values()) emit(f.name, std::string_view(policy_.value_of(f, req_)));
        else emit(f.name, f.value);
      }
    for (const auto& [n, v] : extra_) emit(std::string_view(n), std::string_view(v));
    policy_.for_each_edit([&](std::string_view n, std::string_view v) {
      if (!v.empty()) emit(n, v);  // set to "": removed
      dated = dated || http1::iequals(n, "date");
      tagged = tagged || http1::iequals(n, "server");
    });
    if (!dated) emit(std::string_view("Date"), http_date());
    if (expire_on_ && (r.status == 200 || r.status == 204 || r.status == 206) && (req_.method == "GET" || req_.method == "HEAD"))
      if (auto f = expiry_field(r)) emit(std::string_view(f->first), std::string_view(f->second));
    if (!tagged) emit(std::string_view("Server"), server_tag_);
  }
  // lighttpd's mod_expire field for `r`, where the answer has no Cache-Control yet.
  std::optional<std::pair<std::string, std::string>> expiry_field(const ResponseStart& r) const;
  // start()'s part common to every framing; retract()'s undoing of it.
  void started_as(const ResponseStart& r) {
    started_ = true;
    keep_alive_asked_ = keep_alive_;
    status_ = r.status;
  }
  void unstart() {
    started_ = false;
    keep_alive_ = keep_alive_asked_;
    status_ = 0;
    body_bytes_ = 0;
  }

  const http1::RequestHead& req_;
  bool keep_alive_;
  bool started_ = false;
  bool tunnelled_ = false;
  int status_ = 0;
  uint64_t body_bytes_ = 0;

 private:
  bool keep_alive_asked_ = false;  // keep_alive_ before start() changed it
  std::vector<std::pair<std::string, std::string>> extra_;
  ResponsePolicy policy_;  // the respond phase's field policy (proxy/response_policy.h)
  std::string_view server_tag_;
  const statics::ExpireList *expire_urls_ = nullptr, *expire_types_ = nullptr;
  bool expire_on_ = false;
  std::string_view expire_path_;
  const std::string* on_404_ = nullptr;
  const std::string* on_error_ = nullptr;
  bool caught_ = false;
  std::optional<Handoff> handoff_;
};

// A short generated response (errors, redirects): status, Date, text body; or the error
// handler in effect, handed over instead.
awaitable<bool> send_simple(ResponseStream& out, int status, std::string_view body,
                            std::vector<http1::Field> extra = {});

// 200 with Allow: OPTIONS, GET, HEAD, POST and no body: the answer to OPTIONS * (the
// server as a whole), and lighttpd's to an OPTIONS no module handles.
awaitable<bool> answer_options(ResponseStream& out);

const char* reason_phrase(int status);

}  // namespace cutover
