#include "config/config.h"
#include "config/worker_template.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace cutover;

namespace {

const char* kGood = R"toml(
[server]
listen = ["127.0.0.1:8080", "[::1]:8081"]
header_timeout = "5s"
max_body_bytes = "10MiB"

[[rewrite]]
match = "^/static.*"
to = "$0"
[[rewrite]]
match = "(.*)"
to = "/proxy$1"

[pools.warp]
balancer = "round-robin"
backends = ["127.0.0.1:3001", { address = "127.0.0.1:3002", weight = 3 }, "unix:/run/app.sock"]
disable_time = "500ms"

[[routes]]
name = "static"
match = { prefix = "/static" }
static = { root = "/srv/http" }

[[routes]]
name = "api"
match = { regex = "^/proxy/api/", host = "Example.org", methods = ["GET", "POST"] }
rewrite_request = { uri = ["^/proxy(.*)", "$1"] }
forward = "warp"
)toml";

// Loads `text` and returns the error message ("" if it loaded).
std::string error_of(const std::string& text) {
  try {
    load_config_text(text, "t.toml");
    return "";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

std::string with_route(const std::string& route) {
  return "[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nbackends = [\"127.0.0.1:2\"]\n" + route;
}

}  // namespace

TEST(Config, LoadsTheFullExample) {
  auto c = load_config_text(kGood, "good.toml");
  ASSERT_EQ(c->server.listen.size(), 2u);
  EXPECT_EQ(c->server.listen[1].host, "::1");
  EXPECT_EQ(c->server.listen[1].port, 8081);
  EXPECT_EQ(c->server.header_timeout, Duration(5000));
  EXPECT_EQ(c->server.max_body_bytes, 10u << 20);
  ASSERT_EQ(c->rewrites.size(), 2u);
  EXPECT_EQ(c->rewrites[1].origin, "good.toml:10:1");
  ASSERT_EQ(c->pools.size(), 1u);
  const PoolSpec& p = c->pools[0];
  EXPECT_EQ(p.balancer, BalancerKind::round_robin);
  ASSERT_EQ(p.backends.size(), 3u);
  EXPECT_EQ(p.backends[1].weight, 3u);
  EXPECT_TRUE(p.backends[2].is_unix);
  EXPECT_EQ(p.backends[2].path, "/run/app.sock");
  EXPECT_EQ(p.disable_time, Duration(500));
  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_EQ(c->routes[1].hosts[0], "example.org");
  EXPECT_TRUE(c->routes[1].uri_match.has_value());
  EXPECT_NE(describe(*c).find("2. api"), std::string::npos);
}

TEST(Config, ErrorsNameFileLineColumnAndWhatWasExpected) {
  struct Case {
    std::string text;
    std::string expect;  // substring of the message, position included
  } cases[] = {
      {"[server]\nlisten = [\"127.0.0.1:1\"]\nlisen = 3\n", "t.toml:3:1: unknown key 'lisen' in server; did you mean 'listen'?"},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\nfrobnicate = 3\n", "t.toml:3:1: unknown key 'frobnicate' in server (expected one of:"},
      {"[server]\nlisten = 8080\n", "t.toml:2:10: server.listen: expected a list of strings"},
      {"[server]\nlisten = [\"localhost:80\"]\n", "t.toml:2:11: listen: \"localhost\" is not a numeric IP"},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\nheader_timeout = \"5 parsecs\"\n", "t.toml:3:18: server.header_timeout: expected a duration"},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\n[server\n", "t.toml:3:"},
      {"listen = 1\n", "t.toml:1:1: missing [server] table"},
      {with_route("[[routes]]\nname = \"r\"\nforward = \"nope\"\n"), "t.toml:7:11: forward: unknown pool \"nope\" (defined pools: p)"},
      {with_route("[[routes]]\nname = \"r\"\nmatch = { regex = \"^/a(\" }\nforward = \"p\"\n"), "t.toml:7:24: invalid regex \"^/a(\": missing closing parenthesis"},
      {with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\n[[routes]]\nname = \"r\"\nforward = \"p\"\n"), "duplicate route name \"r\""},
      {with_route("[[routes]]\nname = \"r\"\n"), "expected exactly one action"},
      {with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nstatic = { root = \"/\" }\n"), "expected exactly one action"},
      {with_route("[[rewrite]]\nmatch = \"x\"\nto = \"/${bogus}\"\n"), "t.toml:7:8: invalid replacement"},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nbackends = []\n", "t.toml:4:12: pools.p.backends: expected a non-empty list"},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nbackends = [\"127.0.0.1:2\"]\nbalancer = \"fastest\"\n", "t.toml:5:12: balancer: expected \"sqf\", \"round-robin\""},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nbackends = [\"127.0.0.1:2\", \"127.0.0.1:2\"]\n", "listed twice"},
      {"[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nbackends = [\"127.0.0.1:2\"]\nretries = \"3\"\n", "t.toml:5:11: pools.p.retries: expected an integer"},
  };
  for (auto& c : cases) {
    std::string err = error_of(c.text);
    EXPECT_NE(err.find(c.expect), std::string::npos) << "got: " << err << "\nwanted: " << c.expect;
  }
}

TEST(Config, UnitsParse) {
  Duration d;
  EXPECT_TRUE(parse_duration("250ms", d));
  EXPECT_EQ(d, Duration(250));
  EXPECT_TRUE(parse_duration("2m", d));
  EXPECT_EQ(d, Duration(120000));
  EXPECT_FALSE(parse_duration("2", d));
  EXPECT_FALSE(parse_duration("s", d));
  uint64_t n;
  EXPECT_TRUE(parse_size("64KiB", n));
  EXPECT_EQ(n, 65536u);
  EXPECT_TRUE(parse_size("1GB", n));
  EXPECT_EQ(n, 1000000000u);
  EXPECT_FALSE(parse_size("1 MiB", n));
}

namespace {
std::string with_workers(const std::string& pool) {
  return "[server]\nlisten = [\"127.0.0.1:1\"]\n" + pool;
}
}  // namespace

TEST(Config, WorkersDeriveTheBackends) {
  auto c = load_config_text(with_workers("[pools.w.workers]\ncommand = [\"w\", \"--port\", \"{port}\"]\nports = \"3001-3003\"\n"
                                         "[pools.f]\nprotocol = \"fastcgi\"\n[pools.f.workers]\ncommand = \"app.cgi\"\n"
                                         "socket = \"/run/app-{index}.sock\"\ncount = 2\nstop_signal = \"QUIT\"\n"
                                         "[pools.s]\nprotocol = \"fastcgi\"\n[pools.s.workers]\ncommand = \"php-cgi\"\n"
                                         "socket = \"/run/php.sock\"\ncount = 4\nsurge = true\n"),
                            "t.toml");
  ASSERT_EQ(c->pools.size(), 3u);
  const PoolSpec& w = *c->find_pool("w");
  ASSERT_EQ(w.backends.size(), 3u);
  EXPECT_EQ(w.backends[2].address, "127.0.0.1:3003");
  EXPECT_EQ(w.backends[2].worker_index, 2);
  EXPECT_EQ(w.workers->count, 3);
  const PoolSpec& f = *c->find_pool("f");
  ASSERT_EQ(f.backends.size(), 2u);
  EXPECT_EQ(f.backends[1].address, "unix:/run/app-1.sock");
  EXPECT_EQ(f.workers->stop_signal, 3);
  const PoolSpec& s = *c->find_pool("s");
  ASSERT_EQ(s.backends.size(), 1u) << "one shared socket, one backend";
  EXPECT_EQ(s.workers->count, 4);
  EXPECT_TRUE(s.workers->shared_socket());
}

TEST(Config, WorkerErrorsArePositioned) {
  struct Case {
    std::string text, expect;
  } cases[] = {
      {with_workers("[pools.w.workers]\nports = [1]\n"), "t.toml:3:1: workers.command is required"},
      {with_workers("[pools.w.workers]\ncommand = []\nports = [1]\n"), "t.toml:4:11: workers.command: expected a non-empty list"},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\n"), "workers: give ports = \"3001-3005\""},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\nports = \"3005-3001\"\n"), "t.toml:5:9: workers.ports: expected a list of ports or a range"},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\nsocket = \"/s\"\n"), "t.toml:5:10: workers.socket: only for protocol = \"fastcgi\""},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\nports = [1, 2]\ncount = 3\n"), "t.toml:6:9: workers.count: 3 differs from the 2 ports"},
      {with_workers("[pools.w]\nbackends = [\"127.0.0.1:2\"]\n[pools.w.workers]\ncommand = \"w\"\nports = [1]\n"), "t.toml:4:12: backends: a pool with [workers]"},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\nports = [1]\nstop_signal = \"TERMINATE\"\n"), "t.toml:6:15: workers.stop_signal: expected TERM"},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\nports = [1]\nsurge = true\n"), "workers.surge: only for FastCGI workers sharing one socket"},
      {with_workers("[pools.w.workers]\ncommand = \"w\"\nports = [1]\nrestart = 1\n"), "t.toml:6:1: unknown key 'restart' in pools.w.workers"},
  };
  for (auto& c : cases) {
    std::string err = error_of(c.text);
    EXPECT_NE(err.find(c.expect), std::string::npos) << "got: " << err << "\nwanted: " << c.expect;
  }
}

TEST(Config, FastcgiKeepConnAndSendfile) {
  auto shared = [](const std::string& extra) {
    return with_workers("[pools.w]\nprotocol = \"fastcgi\"\n" + extra +
                        "[pools.w.workers]\ncommand = \"a\"\nsocket = \"/tmp/a.sock\"\ncount = 4\n");
  };
  // Supervised processes on one socket: all kept, as many in flight as there are processes;
  // with more in flight allowed, all but one kept.
  EXPECT_EQ(load_config_text(shared(""), "t.toml")->pools[0].keep_conn, 4);
  EXPECT_EQ(load_config_text(shared(""), "t.toml")->pools[0].max_conns, 4u);
  EXPECT_EQ(load_config_text(shared("max_conns = 8\n"), "t.toml")->pools[0].keep_conn, 3);
  EXPECT_EQ(load_config_text(shared("keep_conn = 0\n"), "t.toml")->pools[0].keep_conn, 0);
  // All four when no more may be in flight: every request then rides a kept connection.
  EXPECT_EQ(load_config_text(shared("keep_conn = 4\nmax_conns = 4\n"), "t.toml")->pools[0].keep_conn, 4);
  EXPECT_EQ(load_config_text(shared("keep_conn = 4\nmax_conns = 2\n"), "t.toml")->pools[0].keep_conn, 4);
  EXPECT_EQ(load_config_text(shared("keep_conn = 4\n"), "t.toml")->pools[0].keep_conn, 4);  // max_conns defaults to 4
  auto listed = load_config_text(with_workers("[pools.w]\nprotocol = \"fastcgi\"\nbackends = [\"unix:/a\"]\n"
                                              "x_sendfile = [\"/srv/files/\"]\n"), "t.toml");
  EXPECT_EQ(listed->pools[0].keep_conn, 0);  // processes unknown: a connection per request
  EXPECT_EQ(listed->pools[0].x_sendfile, std::vector<std::string>{"/srv/files"});
  struct Case {
    std::string text, expect;
  } cases[] = {
      {shared("keep_conn = 4\nmax_conns = 8\n"), "t.toml:5:13: keep_conn: 4 kept connections would hold all 4 process(es) behind each backend; at most 3, or 4 with max_conns = 4 or less"},
      {shared("keep_conn = 4\nmax_conns = 5\n"), "t.toml:5:13: keep_conn: 4 kept connections would hold all 4 process(es)"},
      {shared("keep_conn = 5\nmax_conns = 4\n"), "t.toml:5:13: keep_conn: 5 kept connections would hold all 4 process(es)"},
      {with_workers("[pools.w]\nprotocol = \"fastcgi\"\nkeep_conn = 1\n[pools.w.workers]\ncommand = \"a\"\nsocket = \"/s-{index}\"\ncount = 2\n"),
       "keep_conn: 1 kept connections would hold all 1 process(es) behind each backend; at most 0"},
      {with_workers("[pools.w]\nbackends = [\"127.0.0.1:1\"]\nkeep_conn = 1\n"), "t.toml:5:13: keep_conn: only for protocol = \"fastcgi\""},
      {with_workers("[pools.w]\nprotocol = \"fastcgi\"\nbackends = [\"unix:/a\"]\nx_sendfile = [\"files\"]\n"),
       "t.toml:6:15: x_sendfile: expected absolute directories"},
  };
  for (auto& c : cases) {
    std::string err = error_of(c.text);
    EXPECT_NE(err.find(c.expect), std::string::npos) << "got: " << err << "\nwanted: " << c.expect;
  }
}

TEST(Config, LogLevel) {
  EXPECT_EQ(load_config_text(with_workers("log_level = \"warn\"\n"), "t.toml")->server.log_level, 2);
  EXPECT_EQ(load_config_text(with_workers(""), "t.toml")->server.log_level, 1);
  std::string err = error_of(with_workers("log_level = \"loud\"\n"));
  EXPECT_NE(err.find("t.toml:3:13: server.log_level: expected \"debug\", \"info\", \"warn\" or \"error\""), std::string::npos) << err;
}

TEST(Config, WorkerTemplates) {
  EXPECT_EQ(expand_worker_template("tmp/log/{port}_errors.log", 2, 3003, ""), "tmp/log/3003_errors.log");
  EXPECT_EQ(expand_worker_template("/run/app-{index}.sock", 0, 0, ""), "/run/app-0.sock");
  EXPECT_EQ(expand_worker_template("{socket}:{index}:{x}{", 1, 0, "/s"), "/s:1:{x}{");
}

TEST(Config, RolloutSplitByWeights) {
  std::string base = "[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.legacy]\nbackends = [\"127.0.0.1:2\"]\n"
                     "[pools.warp]\nbackends = [\"127.0.0.1:3\"]\n[[routes]]\nname = \"r\"\nforward = \"legacy\"\n"
                     "[routes.rollout]\nto = \"warp\"\n";
  auto c = load_config_text(base + "split = { legacy = 90, warp = 10 }\n", "t.toml");
  EXPECT_EQ(stage::describe(c->routes[0].rollout->initial), "canary 10%");
  c = load_config_text(base + "split = { legacy = 0, warp = 1 }\n", "t.toml");
  EXPECT_EQ(stage::describe(c->routes[0].rollout->initial), "new");
  EXPECT_NE(error_of(base + "split = { legacy = 90, other = 10 }\n").find("t.toml:12:32: rollout.split: \"other\" is neither"), std::string::npos)
      << error_of(base + "split = { legacy = 90, other = 10 }\n");
  EXPECT_NE(error_of(base + "split = { legacy = 90, warp = 10 }\nstage = \"shadow\"\n").find("give either split or stage"),
            std::string::npos);
}

namespace cutover {
namespace {

TEST(Config, StaticAndAuth) {
  std::string pw = ::testing::TempDir() + "/cfg-htpasswd";
  { std::ofstream(pw) << "u:{SHA}cRQ3iPZN/cUFUyAxdC91S5hcXvA=\n"; }
  auto c = load_config_text(with_route("[[routes]]\nname = \"s\"\nmatch = { prefix = \"/s/\" }\n"
                                       "static = { alias = \"/srv/x/\", index = [\"index.html\"], listing = \"json\", "
                                       "exclude_extensions = [\".PHP\", \"~\"], expires = \"1h\", mime = { \".foo\" = \"x/foo\" } }\n"
                                       "[[auth]]\nprefix = \"/s/p\"\nhtpasswd = \"" + pw + "\"\nrequire = \"user=u|user=v\"\n"),
                            "t.toml");
  const StaticSpec& s = c->routes[0].static_files;
  EXPECT_TRUE(s.alias);
  EXPECT_EQ(s.root, "/srv/x");
  EXPECT_EQ(s.alias_prefix, "/s/");
  EXPECT_TRUE(s.listing && s.listing_json);
  EXPECT_EQ(s.exclude_extensions, (std::vector<std::string>{".php", "~"}));
  EXPECT_EQ(s.expires->count(), 3600000);
  EXPECT_EQ(s.mime->type_of("a.FOO"), "x/foo");
  ASSERT_EQ(c->auth.size(), 1u);
  EXPECT_EQ(c->auth[0].require.users, (std::vector<std::string>{"u", "v"}));
  EXPECT_EQ(c->auth[0].realm, "Restricted");
  EXPECT_EQ(c->auth[0].problem, "");
  auto missing = load_config_text(with_route("[[routes]]\nname = \"s\"\nstatic = { root = \"/a\" }\n[[auth]]\nprefix = \"/p\"\nhtpasswd = \"/nonexistent\"\n"), "t.toml");
  EXPECT_EQ(missing->auth[0].problem, "t.toml:10:12: auth.htpasswd: cannot read /nonexistent (from here)");
  EXPECT_NE(describe(*missing).find("WARNING t.toml:10:12"), std::string::npos) << describe(*missing);
}

TEST(Config, StaticAndAuthErrorsArePositioned) {
  std::string pw = ::testing::TempDir() + "/cfg-htpasswd";
  { std::ofstream(pw) << "u:{SHA}cRQ3iPZN/cUFUyAxdC91S5hcXvA=\n"; }
  std::string route = "[[routes]]\nname = \"s\"\nmatch = { prefix = \"/s\" }\n";
  struct Case {
    std::string text, expect;
  } cases[] = {
      {with_route(route + "static = { index = [\"i\"] }\n"), "t.toml:8:10: static: root or alias is required"},
      {with_route(route + "static = { root = \"/a\", alias = \"/b\" }\n"), "t.toml:8:33: static: give either root"},
      {with_route(route + "static = { root = \"/a\", listing = \"yes\" }\n"), "t.toml:8:35: static.listing: expected true, false or \"json\""},
      {with_route(route + "static = { root = \"/a\", index = [\"a/b\"] }\n"), "t.toml:8:34: static.index: expected file names"},
      {with_route(route + "static = { root = \"/a\", dotfile = true }\n"), "unknown key 'dotfile' in routes.s.static"},
      {with_route(route + "static = { root = \"/a\" }\n[[auth]]\nprefix = \"p\"\nhtpasswd = \"" + pw + "\"\n"),
       "t.toml:9:1: auth.prefix: expected a path prefix"},
      {with_route(route + "static = { root = \"/a\" }\n[[auth]]\nprefix = \"/p\"\nhtpasswd = \"" + pw + "\"\nrequire = \"admins\"\n"),
       "t.toml:12:11: auth.require: expected \"valid-user\""},
      {with_route(route + "static = { root = \"/a\" }\n[[auth]]\nprefix = \"/p\"\nhtpasswd = \"" + pw + "\"\nrequire = \"group=g\"\n"),
       "auth.require names a group: set auth.groups"},
      {with_route(route + "static = { root = \"/a\" }\n[[auth]]\nprefix = \"/p\"\nhtpasswd = \"" + pw + "\"\nrealm = \"a\\\"b\"\n"),
       "auth.realm: quotes and backslashes are not allowed"},
  };
  for (auto& c : cases) {
    std::string err = error_of(c.text);
    EXPECT_NE(err.find(c.expect), std::string::npos) << "got: " << err << "\nwanted: " << c.expect;
  }
}

}  // namespace
}  // namespace cutover

TEST(Config, RouteLimitsOverrideTheServerAndThePool) {
  auto c = load_config_text(with_route("[[routes]]\nname = \"upload\"\nforward = \"p\"\nmax_body_bytes = \"100MiB\"\n"
                                       "body_timeout = \"5m\"\nsend_timeout = \"2m\"\nkeepalive_timeout = \"5s\"\n"
                                       "read_timeout = \"10m\"\nfirst_byte_timeout = \"30s\"\n"
                                       "[[routes]]\nname = \"rest\"\nforward = \"p\"\n"),
                            "t.toml");
  const RouteSpec& up = c->routes[0];
  EXPECT_EQ(*up.limits.max_body_bytes, 100u << 20);
  EXPECT_EQ(up.limits.body_timeout->count(), 300000);
  EXPECT_EQ(up.limits.send_timeout->count(), 120000);
  EXPECT_EQ(up.limits.keepalive_timeout->count(), 5000);
  UpstreamTimeouts t = up.limits.upstream(c->pools[0].timeouts);
  EXPECT_EQ(t.read.count(), 600000);
  EXPECT_EQ(t.first_byte.count(), 30000);
  EXPECT_EQ(t.connect, c->pools[0].timeouts.connect);  // not overridden: the pool's
  EXPECT_FALSE(c->routes[1].limits.max_body_bytes);
  EXPECT_EQ(c->routes[1].limits.upstream(c->pools[0].timeouts), c->pools[0].timeouts);

  std::string err = error_of(with_route("[[routes]]\nname = \"s\"\nstatic = { root = \"/srv\" }\nread_timeout = \"1s\"\n"));
  EXPECT_NE(err.find("t.toml:8:16: read_timeout: only for a route that forwards"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nbody_timeout = 5\n"));
  EXPECT_NE(err.find("t.toml:8:16: routes.body_timeout: expected a duration"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nmax_header_bytes = \"1MiB\"\n"));
  EXPECT_NE(err.find("t.toml:8:20: max_header_bytes: expected 1KiB up to the server's max_header_bytes (65536)"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nmax_header_count = 101\n"));
  EXPECT_NE(err.find("t.toml:8:20: routes.max_header_count: expected a value from 1 to 100"), std::string::npos) << err;
  EXPECT_EQ(*load_config_text(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nmax_header_count = 20\n"), "t.toml")
                 ->routes[0].limits.max_header_count, 20u);
}

TEST(Config, HeaderCountAndAccessLogTemplate) {
  auto c = load_config_text(with_workers("max_header_count = 20\naccess_log_format = \"$remote_addr $status\"\n"), "t.toml");
  EXPECT_EQ(c->server.max_header_count, 20u);
  EXPECT_FALSE(c->server.access_log_format.is_json());
  std::string err = error_of(with_workers("max_header_count = 0\n"));
  EXPECT_NE(err.find("t.toml:3:20: server.max_header_count: expected a value from 1 to 10000"), std::string::npos) << err;
  err = error_of(with_workers("access_log_format = \"$remote_addr $stauts\"\n"));
  EXPECT_NE(err.find("t.toml:3:35: server.access_log_format: unknown variable $stauts"), std::string::npos) << err;
}

TEST(Config, HeaderEditsRouteKeysReplaceTheServers) {
  auto c = load_config_text(
      "[server]\nlisten = [\"127.0.0.1:1\"]\n"
      "request_headers = { add = { \"X-A\" = \"1\" }, set = { \"X-B\" = \"2\" } }\n"
      "response_headers = { add = { \"X-Frame-Options\" = \"DENY\" } }\n"
      "[pools.p]\nbackends = [\"127.0.0.1:2\"]\n"
      "[[routes]]\nname = \"r\"\nforward = \"p\"\nrequest_headers = { add = { \"X-C\" = \"3\" } }\n"
      "[[routes]]\nname = \"s\"\nforward = \"p\"\n",
      "t.toml");
  const RouteSpec& r = c->routes[0];
  ASSERT_EQ(r.request_headers.add.size(), 1u);
  EXPECT_EQ(r.request_headers.add[0].first, "X-C");  // the route's add replaces the server's
  ASSERT_EQ(r.request_headers.set.size(), 1u);
  EXPECT_EQ(r.request_headers.set[0].first, "X-B");  // the server's set stays
  EXPECT_EQ(r.response_headers.add[0].second, "DENY");
  EXPECT_EQ(c->routes[1].request_headers.add[0].first, "X-A");
  struct Case {
    std::string text, expect;
  } cases[] = {
      {"response_headers = { set = { \"Content-Length\" = \"1\" } }\n", "t.toml:3:30: server.response_headers.set: Content-Length frames the message"},
      {"request_headers = { add = { \"Bad Name\" = \"1\" } }\n", "t.toml:3:29: server.request_headers.add: \"Bad Name\" is not a header field name"},
      {"request_headers = { add = { \"X\" = 1 } }\n", "t.toml:3:35: server.request_headers.add.X: expected a string"},
      {"request_headers = { append = { \"X\" = \"1\" } }\n", "t.toml:3:21: unknown key 'append' in server.request_headers"},
      {"response_headers = { set = { \"Host\" = \"x\" } }\n", "Host frames the message"},
  };
  for (auto& k : cases) {
    std::string err = error_of(with_workers(k.text));
    EXPECT_NE(err.find(k.expect), std::string::npos) << "got: " << err << "\nwanted: " << k.expect;
  }
}

TEST(Config, ErrorHandlers) {
  auto c = load_config_text(with_workers("error_handler_404 = \"/index.php\"\nerror_handler = \"/error.php?x=1\"\n"), "t.toml");
  EXPECT_EQ(c->server.error_handler_404, "/index.php");
  EXPECT_EQ(c->server.error_handler, "/error.php?x=1");
  std::string err = error_of(with_workers("error_handler_404 = \"index.php\"\n"));
  EXPECT_NE(err.find("t.toml:3:21: server.error_handler_404: expected a path such as \"/index.php\""), std::string::npos) << err;
}

TEST(Config, FieldRewrites) {
  auto c = load_config_text(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\n"
                                       "rewrite_request = { headers = { \"Host\" = [\".*\", \"in.ternal\"] } }\n"
                                       "rewrite_response = { headers = { \"Location\" = [\"^http://in\\\\.ternal(.*)$\", \"https://www.example.org$1\"] } }\n"),
                            "t.toml");
  ASSERT_EQ(c->routes[0].request_field_rewrites.size(), 1u);
  EXPECT_EQ(c->routes[0].request_field_rewrites[0].name, "Host");
  ASSERT_EQ(c->routes[0].response_field_rewrites.size(), 1u);
  EXPECT_TRUE(c->routes[0].response_field_rewrites[0].match.match("http://in.ternal/x"));
  auto l = load_config_text(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\n"
                                       "rewrite_request = { headers = { \"Host\" = [[\"^a$\", \"b\"], [\".*\", \"c\"]] } }\n"),
                            "t.toml");
  ASSERT_EQ(l->routes[0].request_field_rewrites.size(), 2u);  // in order: the first match applies
  EXPECT_EQ(l->routes[0].request_field_rewrites[1].match.pattern(), ".*");
  std::string err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nrewrite_response = { headers = { \"Location\" = \"x\" } }\n"));
  EXPECT_NE(err.find("t.toml:8:47: rewrite_response.headers.Location: expected [\"regex\", \"replacement\"]"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nrewrite_request = { headers = { \"X\" = [\"(\", \"y\"] } }\n"));
  EXPECT_NE(err.find("invalid regex \"(\""), std::string::npos) << err;
}

TEST(Config, HeaderRules) {
  auto c = load_config_text(with_workers("[[headers]]\nmatch = { host = \"a.example\", regex = \"^/x\" }\n"
                                         "response_headers = { add = { \"X-A\" = \"1\" } }\n"),
                            "t.toml");
  ASSERT_EQ(c->header_rules.size(), 1u);
  const HeaderRule& r = c->header_rules[0];
  EXPECT_TRUE(r.response_add);
  EXPECT_FALSE(r.response_set || r.request_add || r.request_set);
  EXPECT_EQ(r.when.hosts, std::vector<std::string>{"a.example"});
  std::string err = error_of(with_workers("[[headers]]\nmatch = { prefix = \"/x\" }\n"));
  EXPECT_NE(err.find("t.toml:3:1: headers: give request_headers, response_headers, fastcgi_env, server_tag, an error handler or expire_*"), std::string::npos) << err;
  err = error_of(with_workers("[[headers]]\nmatch = { regex = \"(\" }\nresponse_headers = { add = { \"X\" = \"1\" } }\n"));
  EXPECT_NE(err.find("invalid regex"), std::string::npos) << err;
}

TEST(Config, DenySuffixes) {
  auto c = load_config_text(with_workers("deny_suffixes = [\"~\", \".inc\"]\n"), "t.toml");
  EXPECT_EQ(c->server.deny_suffixes, (std::vector<std::string>{"~", ".inc"}));
  std::string err = error_of(with_workers("deny_suffixes = \".inc\\\"\n"));
  EXPECT_FALSE(err.empty());
}

TEST(Config, CgiRewritesOnlyForFastcgiRoutesInOrder) {
  auto fc = [](const std::string& route) {
    return "[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.p]\nprotocol = \"fastcgi\"\nbackends = [\"127.0.0.1:2\"]\n" + route;
  };
  auto c = load_config_text(fc("[[routes]]\nname = \"trac\"\nforward = \"p\"\n"
                               "rewrite_request = { cgi = [[\"PATH_INFO\", \"^/trac(.*)\", \"$1\"], [\"SCRIPT_NAME\", \".*\", \"/trac\"]] }\n"),
                            "t.toml");
  ASSERT_EQ(c->routes[0].fastcgi.rewrites.size(), 2u);
  EXPECT_EQ(c->routes[0].fastcgi.rewrites[0].var, "PATH_INFO");
  EXPECT_EQ(c->routes[0].fastcgi.rewrites[1].var, "SCRIPT_NAME");
  std::string err = error_of(fc("[[routes]]\nname = \"r\"\nforward = \"p\"\nrewrite_request = { cgi = [[\"QUERY_STRING\", \"a\", \"b\"]] }\n"));
  EXPECT_NE(err.find("t.toml:9:29: rewrite_request.cgi: \"QUERY_STRING\": expected SCRIPT_NAME, PATH_INFO or DOCUMENT_ROOT"), std::string::npos) << err;
  err = error_of(fc("[[routes]]\nname = \"r\"\nforward = \"p\"\nrewrite_request = { cgi = [\"PATH_INFO\", \"a\", \"b\"] }\n"));
  EXPECT_NE(err.find("t.toml:9:28: rewrite_request.cgi: expected [\"VARIABLE\", \"regex\", \"replacement\"]"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nrewrite_request = { cgi = [[\"PATH_INFO\", \"a\", \"b\"]] }\n"));
  EXPECT_NE(err.find("rewrite_request.cgi: only for a route that forwards to a pool with protocol = \"fastcgi\""), std::string::npos) << err;
}

TEST(Config, ProxyMapOnlyForHttpRoutes) {
  auto c = load_config_text(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\n"
                                       "map = { urlpath = [[\"/proxy/\", \"/\"], [\"/a\", \"/b\"]], host_response = [[\"b.internal\", \"-\"]] }\n"),
                            "t.toml");
  ASSERT_EQ(c->routes[0].map.urlpath.size(), 2u);
  EXPECT_EQ(c->routes[0].map.urlpath[1].first, "/a");
  EXPECT_EQ(c->routes[0].map.host_response[0].second, "-");
  std::string err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nmap = { urlpath = [\"/proxy/\", \"/\"] }\n"));
  EXPECT_NE(err.find("t.toml:8:20: map.urlpath: expected [\"from\", \"to\"]"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\nmap = { hosts = [] }\n"));
  EXPECT_NE(err.find("t.toml:8:9"), std::string::npos) << err;
  err = error_of(with_route("[[routes]]\nname = \"s\"\nstatic = { root = \"/srv\" }\nmap = { urlpath = [[\"/a\", \"/b\"]] }\n"));
  EXPECT_NE(err.find("map: only for a route that forwards to an HTTP pool"), std::string::npos) << err;
}

TEST(Config, DenyRules) {
  auto c = load_config_text(with_route("[[routes]]\nname = \"r\"\nforward = \"p\"\n"
                                       "[[deny]]\nmatch = { prefix = \"/admin\", when = [{ client_ip = [\"10.0.0.0/8\"], negate = true }] }\nsuffixes = [\"\"]\n"
                                       "[[deny]]\nsuffixes = [\".inc\", \"~\"]\n"),
                            "t.toml");
  ASSERT_EQ(c->deny_rules.size(), 2u);
  EXPECT_EQ(c->deny_rules[0].when.prefix, "/admin");
  ASSERT_EQ(c->deny_rules[0].when.when.size(), 1u);
  EXPECT_TRUE(c->deny_rules[0].when.when[0].negate);
  EXPECT_EQ(c->deny_rules[1].suffixes, (std::vector<std::string>{".inc", "~"}));
  std::string err = error_of(with_route("[[deny]]\nmatch = { prefix = \"/x\" }\n"));
  EXPECT_NE(err.find("t.toml:5:1: deny: give suffixes"), std::string::npos) << err;
  err = error_of(with_route("[[deny]]\nsuffixes = [\"\"]\nmatch = { when = [{ client_ip = [\"10.0.0.0/40\"] }] }\n"));
  EXPECT_NE(err.find("t.toml:7:34: client_ip: \"10.0.0.0/40\": the prefix length must be 0 to 32"), std::string::npos) << err;
}

TEST(Config, FastcgiEnvOnTheServerAndInRules) {
  auto c = load_config_text(with_route("[[headers]]\nmatch = { prefix = \"/api\" }\nfastcgi_env = { set = { APP_ENV = \"api\" } }\n"), "t.toml");
  ASSERT_EQ(c->header_rules.size(), 1u);
  EXPECT_TRUE(c->header_rules[0].env_set);
  EXPECT_FALSE(c->header_rules[0].env_add);
  EXPECT_EQ(c->header_rules[0].fastcgi_env.set[0].second, "api");
  auto s = load_config_text("[server]\nlisten = [\"127.0.0.1:1\"]\nfastcgi_env = { add = { TZ = \"UTC\" } }\n", "t.toml");
  ASSERT_EQ(s->server.fastcgi_env.add.size(), 1u);
  EXPECT_EQ(s->server.fastcgi_env.add[0].first, "TZ");
  std::string err = error_of("[server]\nlisten = [\"127.0.0.1:1\"]\nfastcgi_env = { add = { \"A B\" = \"x\" } }\n");
  EXPECT_NE(err.find("\"A B\" is not a header field name"), std::string::npos) << err;
}

TEST(Config, LimitRules) {
  auto c = load_config_text(with_route("[[limits]]\nmatch = { prefix = \"/upload\" }\nmax_body_bytes = \"100MiB\"\n"), "t.toml");
  ASSERT_EQ(c->limit_rules.size(), 1u);
  EXPECT_EQ(c->limit_rules[0].max_body_bytes, 100u << 20);
  EXPECT_EQ(c->limit_rules[0].when.prefix, "/upload");
  std::string err = error_of(with_route("[[limits]]\nmatch = { prefix = \"/x\" }\n"));
  EXPECT_NE(err.find("t.toml:5:1: limits: give max_body_bytes"), std::string::npos) << err;
}

// request_trailers is an HTTP pool's: a FastCGI pool has nowhere to send trailers.
TEST(Config, RequestTrailersOnlyForHttpPools) {
  EXPECT_EQ(error_of(with_route("request_trailers = true\n")).find("request_trailers"), std::string::npos);
  auto c = load_config_text(with_route("request_trailers = true\n"), "t.toml");
  ASSERT_EQ(c->pools.size(), 1u);
  EXPECT_TRUE(c->pools[0].request_trailers);
  std::string err = error_of("[server]\nlisten = [\"127.0.0.1:1\"]\n[pools.f]\nprotocol = \"fastcgi\"\nbackends = [\"127.0.0.1:2\"]\n"
                             "request_trailers = true\n");
  EXPECT_NE(err.find("t.toml:6:20: request_trailers: only for protocol = \"http\""), std::string::npos) << err;
}
