// The request phases on fake streams (proxy/stream.h): no socket, no HTTP/1 framing. Each
// test parses a head, runs serve() to completion on an io_context, and reads what the fake
// answer recorded: what any framing (HTTP/1 now, HTTP/2 next) would be asked to write.
#include "proxy/session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "config/config.h"
#include "http1/parser.h"

namespace cutover {
namespace {

// A request body from a string, read in one piece.
class FakeBody final : public RequestStream {
 public:
  explicit FakeBody(std::string data) : data_(std::move(data)) {}
  bool has_body() const override { return !data_.empty(); }
  std::optional<uint64_t> length() const override { return data_.size(); }
  awaitable<std::string_view> read(error_code& ec) override {
    if (max_ && data_.size() > max_) {
      ec = asio::error::message_size;
      co_return std::string_view();
    }
    std::string_view out = read_ ? std::string_view() : std::string_view(data_);
    read_ = true;
    co_return out;
  }
  bool replayable() const override { return !read_; }
  void rewind() override { read_ = false; }
  awaitable<bool> discard(uint64_t) override {
    read_ = true;
    co_return true;
  }
  bool complete() const override { return read_ || data_.empty(); }
  bool too_large() const override { return false; }
  void set_max_bytes(uint64_t n) override { max_ = n; }
  void set_body_timeout(Duration d) override { body_timeout = d; }
  Duration body_timeout{0};

 private:
  std::string data_;
  bool read_ = false;
  uint64_t max_ = 0;
};

// An answer that records what the framing would write: status, the fields in order, body.
class FakeResponse final : public ResponseStream {
 public:
  FakeResponse(const http1::RequestHead& h) : ResponseStream(h, h.keep_alive) {}
  void start(const ResponseStart& r) override {
    started_as(r);
    fields.clear();
    each_field(r, [this](std::string_view n, std::string_view v) { fields.emplace_back(n, v); });
    length = r.content_length;
    ++starts;
  }
  awaitable<bool> body(std::string_view d) override {
    body_bytes_ += d.size();
    text.append(d);
    co_return true;
  }
  awaitable<bool> finish() override {
    finished = true;
    co_return true;
  }
  awaitable<bool> send_file(int fd, uint64_t off, uint64_t len) override {
    std::string b(len, '\0');
    ssize_t n = pread(fd, b.data(), len, off_t(off));
    if (n != ssize_t(len)) co_return false;
    body_bytes_ += len;
    text.append(b);
    co_return true;
  }
  awaitable<void> tunnel(UpSocket&, std::string_view) override { co_return; }
  void set_send_timeout(Duration d) override { send_timeout = d; }

  std::string field(std::string_view name) const {
    for (auto& [n, v] : fields)
      if (http1::iequals(n, name)) return v;
    return "<none>";
  }
  std::vector<std::pair<std::string, std::string>> fields;
  std::optional<uint64_t> length;
  std::string text;
  bool finished = false;
  int starts = 0;
  Duration send_timeout{0};
};

struct Served {
  int status = 0;
  bool keep_alive = true;
  std::string body;
  std::map<std::string, std::string> fields;  // lower-case names, last value
  Duration body_timeout{0}, send_timeout{0};
  std::string field(const std::string& n) const {
    auto it = fields.find(n);
    return it == fields.end() ? "<none>" : it->second;
  }
};

// Runs one request through the phases of a session on `cfg`.
class Phases {
 public:
  explicit Phases(const std::string& cfg_text)
      : rt_(load_config_text("[server]\nlisten = [\"127.0.0.1:1\"]\n" + cfg_text, "session.toml")), tc_(io_, rt_, 7) {
    ConnFacts facts;
    facts.peer_ip = "10.0.0.9";
    facts.peer_port = 5555;
    facts.server_ip = "127.0.0.1";
    facts.server_port = 8080;
    session_ = make_session(tc_, facts);
  }

  Served serve(std::string raw, std::string body = "") {
    http1::RequestHead head;
    http1::ParseError err;
    raw_ = std::move(raw);
    EXPECT_EQ(http1::parse_request_head(raw_, 1 << 16, head, err, 100), http1::ParseStatus::complete);
    EXPECT_TRUE(http1::validate_request(head, err)) << err.reason;
    FakeBody in(std::move(body));
    FakeResponse out(head);
    bool done = false;
    asio::co_spawn(io_, [&]() -> awaitable<void> {
      co_await cutover::serve(*session_, head, in, out);
      done = true;
    }, asio::detached);
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
    EXPECT_TRUE(done);
    EXPECT_EQ(out.starts, 1);  // one answer per request
    EXPECT_TRUE(out.finished || out.text.size() == out.length.value_or(0));
    Served s{out.status(), out.keep_alive(), out.text, {}, in.body_timeout, out.send_timeout};
    for (auto& [n, v] : out.fields) {
      std::string l(n);
      for (char& c : l) c = char(std::tolower(static_cast<unsigned char>(c)));
      s.fields[l] = v;
    }
    return s;
  }

 private:
  asio::io_context io_;
  Runtime rt_;
  ThreadContext tc_;
  SessionPtr session_;
  std::string raw_;
};

// The redirect action with the server's fields: Location from the captures, the
// server's response_headers and Server tag, and a Date the phases add.
TEST(SessionPhases, ARedirectRouteAnswersWithTheServersFields) {
  Phases p(R"(server_tag = "cutover-test"
response_headers = { set = { "X-Frame-Options" = "DENY" } }
[[routes]]
name = "old"
match = { regex = "^/old/(.*)$" }
redirect = { to = "/new/$1", code = 301 }
)");
  Served s = p.serve("GET /old/page?q=1 HTTP/1.1\r\nHost: example.org\r\n\r\n");
  EXPECT_EQ(s.status, 301);
  EXPECT_EQ(s.field("location"), "/new/page");  // a route's regex reads the path
  EXPECT_EQ(s.field("x-frame-options"), "DENY");
  EXPECT_EQ(s.field("server"), "cutover-test");
  EXPECT_NE(s.field("date"), "<none>");
  EXPECT_TRUE(s.keep_alive);
}

// Deny, then no route: 403 and 404 are the phases' own answers, and the connection stays.
TEST(SessionPhases, DenyAndNoRoute) {
  Phases p(R"(deny_suffixes = [".inc"]
[[routes]]
name = "old"
match = { prefix = "/old" }
redirect = { to = "/new", code = 302 }
)");
  EXPECT_EQ(p.serve("GET /old/x.inc HTTP/1.1\r\nHost: a\r\n\r\n").status, 403);
  Served none = p.serve("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(none.status, 404);
  EXPECT_TRUE(none.keep_alive);
  EXPECT_EQ(p.serve("GET /old/x HTTP/1.1\r\nHost: a\r\n\r\n").status, 302);  // the session goes on
}

// Host is settled once (lowercase, no trailing dot, no :80) before the rules see it, so a
// host-matched deny cannot be bypassed by spelling the host differently.
TEST(SessionPhases, TheSettledHostIsWhatRulesMatch) {
  Phases p(R"([[deny]]
match = { host = ["admin.example"] }
suffixes = [""]
[[routes]]
name = "all"
match = { prefix = "/" }
redirect = { to = "/x", code = 302 }
)");
  EXPECT_EQ(p.serve("GET / HTTP/1.1\r\nHost: admin.example\r\n\r\n").status, 403);
  EXPECT_EQ(p.serve("GET / HTTP/1.1\r\nHost: ADMIN.Example.:80\r\n\r\n").status, 403);
  EXPECT_EQ(p.serve("GET http://admin.example/ HTTP/1.1\r\nHost: other\r\n\r\n").status, 403);
  EXPECT_EQ(p.serve("GET / HTTP/1.1\r\nHost: other.example\r\n\r\n").status, 302);
}

// The route's limits reach the streams: its max_body_bytes refuses an announced body (and
// the connection closes, the body unread); its timeouts are what the framing applies.
TEST(SessionPhases, TheRoutesLimitsReachTheStreams) {
  Phases p(R"([[routes]]
name = "up"
match = { prefix = "/up" }
redirect = { to = "/done", code = 303 }
max_body_bytes = 10
body_timeout = "3s"
send_timeout = "4s"
)");
  Served big = p.serve("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", "01234567890");
  EXPECT_EQ(big.status, 413);
  EXPECT_FALSE(big.keep_alive);
  Served ok = p.serve("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n", "ab");
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(ok.body_timeout, Duration(3000));
  EXPECT_EQ(ok.send_timeout, Duration(4000));
}

// An auth area that admits nobody answers 403 before any action; one with a password file
// asks with 401 and a challenge.
TEST(SessionPhases, AuthComesBeforeTheAction) {
  std::filesystem::path users = std::filesystem::temp_directory_path() / ("session_test_users_" + std::to_string(getpid()));
  std::ofstream(users) << "ann:secret\n";
  Phases p(R"([[routes]]
name = "all"
match = { prefix = "/" }
redirect = { to = "/x", code = 302 }
[[auth]]
prefix = "/closed"
refuse = true
[[auth]]
prefix = "/private"
realm = "inside"
plain = ")" + users.string() + R"("
)");
  EXPECT_EQ(p.serve("GET /closed/a HTTP/1.1\r\nHost: a\r\n\r\n").status, 403);
  Served ask = p.serve("GET /private/a HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(ask.status, 401);
  EXPECT_NE(ask.field("www-authenticate").find("inside"), std::string::npos);
  // ann:secret
  EXPECT_EQ(p.serve("GET /private/a HTTP/1.1\r\nHost: a\r\nAuthorization: Basic YW5uOnNlY3JldA==\r\n\r\n").status, 302);
  EXPECT_EQ(p.serve("GET /private/a HTTP/1.1\r\nHost: a\r\nAuthorization: Basic YW5uOndyb25n\r\n\r\n").status, 401);
  std::filesystem::remove(users);
}

// A static route sends the file through the stream's send_file, with its length and type;
// a missing file goes to the error handler, which the phases answer as a new GET.
TEST(SessionPhases, StaticFilesAndTheErrorHandler) {
  std::filesystem::path root = std::filesystem::temp_directory_path() / ("session_test_root_" + std::to_string(getpid()));
  std::filesystem::create_directories(root);
  std::ofstream(root / "hello.txt") << "hello, phases\n";
  Phases p(R"(error_handler_404 = "/moved-here"
[[routes]]
name = "handler"
match = { prefix = "/moved-here" }
redirect = { to = "/somewhere", code = 302 }
[[routes]]
name = "files"
match = { prefix = "/" }
static = { root = ")" + root.string() + R"(" }
)");
  Served f = p.serve("GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(f.status, 200);
  EXPECT_EQ(f.body, "hello, phases\n");
  EXPECT_EQ(f.field("content-type").substr(0, 10), "text/plain");
  Served head = p.serve("HEAD /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  Served missing = p.serve("GET /nothing.txt HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(missing.status, 302);  // the handler's own answer
  EXPECT_EQ(missing.field("location"), "/somewhere");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace cutover
