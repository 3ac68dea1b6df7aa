// Scenario: a FastCGI pool in front of the libfcgi example app (code the team did not
// write speaks the other side): CGI variables as lighttpd sets them, bodies both ways,
// Status and Location, stderr into the error log, and a killed app answered with 503 (no backend could take it) while
// the gateway keeps serving.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

struct FcgiSetup {
  FcgiSetup() {
    dir = temp_dir();
    app = std::make_unique<FcgiApp>(dir);
    gw = std::make_unique<Gateway>(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]
document_root = "/srv/http"

[[rewrite]]
match = "^/dj(/.*)$"
to = "/django.fcgi$1"

[pools.legacy]
protocol = "fastcgi"
backends = [")toml" + app->address() + R"toml("]
retries = 0

[[routes]]
name = "django"
match = { prefix = "/django.fcgi" }
forward = "legacy"

[[routes]]
name = "app"
match = { prefix = "/app" }
forward = "legacy"
fastcgi = { strip_request_uri = "/app/", params = { APP_ENV = "test" } }

# lighttpd 1.5's "_pathinfo", "_scriptname", "_docroot", in this order.
[[routes]]
name = "trac"
match = { regex = "^/trac" }
forward = "legacy"
rewrite_request = { cgi = [["PATH_INFO", "^/trac(/.*)?$", "$1"], ["SCRIPT_NAME", "^(/trac).*", "$1"], ["DOCUMENT_ROOT", "^/srv/(.*)$", "/mnt/$1"]] }
)toml");
  }
  std::string dir;
  std::unique_ptr<FcgiApp> app;
  std::unique_ptr<Gateway> gw;
};

TEST(FastcgiApp, CgiVariablesLikeLighttpd) {
  FcgiSetup s;
  auto r = fetch(s.gw->port, "GET", "/dj/env?x=1", "", {"Host: test.local", "X-Custom: c", "Proxy: http://evil:1"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto env = parse_vars(r->body);
  EXPECT_EQ(env["SCRIPT_NAME"], "/django.fcgi");
  EXPECT_EQ(env["PATH_INFO"], "/env");
  EXPECT_EQ(env["REQUEST_URI"], "/dj/env?x=1");
  EXPECT_EQ(env["REDIRECT_URI"], "/django.fcgi/env?x=1");
  EXPECT_EQ(env["QUERY_STRING"], "x=1");
  EXPECT_EQ(env["SCRIPT_FILENAME"], "/srv/http/django.fcgi");
  EXPECT_EQ(env["DOCUMENT_ROOT"], "/srv/http");
  EXPECT_EQ(env["PATH_TRANSLATED"], "/srv/http/env");
  EXPECT_EQ(env["REQUEST_METHOD"], "GET");
  EXPECT_EQ(env["HTTP_X_CUSTOM"], "c");
  EXPECT_EQ(env["HTTP_HOST"], "test.local");
  EXPECT_EQ(env["SERVER_NAME"], "test.local");
  EXPECT_EQ(env["SERVER_PORT"], std::to_string(s.gw->port));
  EXPECT_EQ(env["REMOTE_ADDR"], "127.0.0.1");
  EXPECT_EQ(env["REDIRECT_STATUS"], "200");
  EXPECT_EQ(env.count("HTTP_PROXY"), 0u);  // httpoxy

  auto a = parse_vars(fetch(s.gw->port, "GET", "/app/env")->body);
  EXPECT_EQ(a["SCRIPT_NAME"], "/app");
  EXPECT_EQ(a["REQUEST_URI"], "/env");  // strip_request_uri
  EXPECT_EQ(a["APP_ENV"], "test");
  EXPECT_EQ(a.count("REDIRECT_URI"), 0u);
}

TEST(FastcgiApp, CgiRewritesSetScriptNamePathInfoAndDocroot) {
  FcgiSetup s;
  auto r = fetch(s.gw->port, "GET", "/trac/env?v=2");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto env = parse_vars(r->body);
  EXPECT_EQ(env["SCRIPT_NAME"], "/trac");
  EXPECT_EQ(env["PATH_INFO"], "/env");
  EXPECT_EQ(env["DOCUMENT_ROOT"], "/mnt/http");
  EXPECT_EQ(env["SCRIPT_FILENAME"], "/mnt/http/trac");
  EXPECT_EQ(env["PATH_TRANSLATED"], "/mnt/http/env");
  EXPECT_EQ(env["REQUEST_URI"], "/trac/env?v=2");
  EXPECT_EQ(env["QUERY_STRING"], "v=2");
}

TEST(FastcgiApp, BodiesStatusLocationAndStderr) {
  FcgiSetup s;
  auto post = fetch(s.gw->port, "POST", "/app/echo", "hello fastcgi");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->body, "method: POST\nbody-length: 13\n\nhello fastcgi");
  Client c(s.gw->port);
  ASSERT_TRUE(c.send("POST /app/echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n"));
  auto chunked = c.read();
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->body, "method: POST\nbody-length: 7\n\nabcdefg");  // spooled: exact CONTENT_LENGTH
  auto st = fetch(s.gw->port, "GET", "/app/status/418");
  EXPECT_EQ(st->status, 418);
  EXPECT_EQ(st->reason, "Custom");
  EXPECT_EQ(st->body, "status 418\n");
  auto loc = fetch(s.gw->port, "GET", "/app/redirect");
  EXPECT_EQ(loc->status, 302);
  EXPECT_EQ(loc->header("Location"), "http://example.org/elsewhere");
  auto err = fetch(s.gw->port, "GET", "/app/stderr");
  EXPECT_EQ(err->body, "logged\n");  // stderr never reaches the response
  EXPECT_NE(s.gw->proc->log().find("(pool legacy, route app, GET /app/stderr) stderr: something odd happened"), std::string::npos);
  auto big = fetch(s.gw->port, "GET", "/app/large?bytes=5000000");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->body.size(), 5000000u);
}

TEST(FastcgiApp, LocalRedirectIsAnsweredInsideTheGateway) {
  FcgiSetup s;
  // RFC 3875 6.2.2: Location with a local path and no Status; the client gets the answer
  // for that path, asked as a GET without the body, never the redirect itself.
  auto r = fetch(s.gw->port, "POST", "/app/goto?to=/app/env?x=1", "form=data");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Location"), "");
  auto vars = parse_vars(r->body);
  EXPECT_EQ(vars["REQUEST_METHOD"], "GET");
  EXPECT_EQ(vars["PATH_INFO"], "/env");
  EXPECT_EQ(vars["QUERY_STRING"], "x=1");
  EXPECT_EQ(vars["CONTENT_LENGTH"], "0");
  EXPECT_EQ(vars.count("CONTENT_TYPE"), 0u);
  // Into another route: the rewrites and routes apply to the new path.
  auto dj = fetch(s.gw->port, "GET", "/app/goto?to=/dj/env");
  ASSERT_TRUE(dj);
  EXPECT_EQ(parse_vars(dj->body)["SCRIPT_NAME"], "/django.fcgi");
  // A redirect to itself is cut after a few hops.
  auto loop = fetch(s.gw->port, "GET", "/dj/goto?loop");
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->status, 500);
  EXPECT_NE(s.gw->proc->log().find("route django: more than 5 local redirects for GET /dj/goto?loop"), std::string::npos)
      << s.gw->proc->log();
  EXPECT_EQ(fetch(s.gw->port, "GET", "/app/")->status, 200);
}

TEST(FastcgiApp, AppKilledMidResponseCutsOnlyThatResponse) {
  FcgiSetup s;
  Client c(s.gw->port);
  ASSERT_TRUE(c.send("GET /app/large?bytes=2000000000 HTTP/1.1\r\nHost: h\r\n\r\n"));
  std::vector<char> buf(1 << 16);
  size_t got = 0;
  while (got < (1u << 20)) {
    ssize_t n = ::recv(c.fd(), buf.data(), buf.size(), 0);
    ASSERT_GT(n, 0);
    got += size_t(n);
  }
  s.app->proc->kill(SIGKILL);
  s.app->proc->wait_exit(std::chrono::seconds(5));
  // The client sees the chunked response end without its last chunk: a cut, not a
  // complete (short) answer.
  std::string rest = c.read_all(std::chrono::seconds(10));
  EXPECT_TRUE(rest.size() < 5 || rest.substr(rest.size() - 5) != "0\r\n\r\n");
  EXPECT_TRUE(c.peer_closed(std::chrono::seconds(2)));
  EXPECT_NE(s.gw->proc->log().find("backend " + s.app->address() + " (pool legacy): bad response: connection closed before END_REQUEST"),
            std::string::npos)
      << s.gw->proc->log();
  FcgiApp again(s.dir, "legacy");  // the same socket, a new process (the log file is shared:
  ASSERT_TRUE(wait_until([&] { return unix_accepts(again.socket); }, 2000));  // wait for the socket itself)
  auto r = fetch(s.gw->port, "GET", "/app/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(FastcgiApp, KilledAppIs503AndTheGatewayKeepsServing) {
  FcgiSetup s;
  ASSERT_EQ(fetch(s.gw->port, "GET", "/app/")->status, 200);
  s.app->proc->kill(SIGKILL);
  s.app->proc->wait_exit(std::chrono::seconds(5));
  auto r = fetch(s.gw->port, "GET", "/app/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);  // nothing accepts it: no backend could take the request
  EXPECT_FALSE(r->header("Retry-After").empty());
  EXPECT_NE(s.gw->proc->log().find("backend " + s.app->address() + " (pool legacy): connect failed"), std::string::npos)
      << s.gw->proc->log();
  FcgiApp again(s.dir, "legacy2");
  (void)again;
  EXPECT_EQ(fetch(s.gw->port, "GET", "/app/")->status, 503);  // the only backend is disabled for now
}

}  // namespace
