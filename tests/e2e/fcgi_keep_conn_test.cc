// Scenario: FastCGI connections kept open (KEEP_CONN) without falling into the keep-conn
// trap. A libfcgi process serves one connection at a time, so a kept connection holds a
// process; cutover keeps fewer than there are processes behind the socket and opens a
// connection per request beyond that, so concurrent load never waits on a connection no
// process will accept. An app that closes after every request anyway is noticed once,
// quietly, and then gets a connection per request. Also: a 1 GiB response and a chunked
// upload past the memory spool, both with bounded memory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <optional>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {


// Three app processes on one socket that cutover creates and supervises (keep_conn is
// then 2 by default), on a gateway with two threads.
std::string supervised_config(const std::string& dir, const std::string& pool_extra = "") {
  return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nthreads = 2\n\n"
         "[pools.legacy]\nprotocol = \"fastcgi\"\n" + pool_extra +
         "[pools.legacy.workers]\n"
         "command = [\"" APP_BIN "\", \"--name\", \"kept\"]\n"
         "socket = \"" + dir + "/app.sock\"\n"
         "count = 3\n\n"
         "[[routes]]\nname = \"legacy\"\nforward = \"legacy\"\n";
}

struct LoadResult {
  int ok = 0, failed = 0, reused = 0;
};

// `clients` keep-alive connections, each sending `each` requests one after another.
LoadResult load(int port, int clients, int each) {
  std::atomic<int> ok{0}, failed{0}, reused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&] {
      Client c(port);
      for (int i = 0; i < each; ++i) {
        auto r = c.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n") ? c.read(false, std::chrono::seconds(10)) : std::nullopt;
        if (!r || r->status != 200 || r->body.find("hello from kept") == std::string::npos) {
          ++failed;
          return;
        }
        ++ok;
        if (std::stoi(r->header("X-Conn-Requests")) > 1) ++reused;
      }
    });
  for (auto& t : threads) t.join();
  return {ok.load(), failed.load(), reused.load()};
}

TEST(FcgiKeepConn, ConnectionsAreKeptYetConcurrentLoadNeverStalls) {
  std::string dir = temp_dir();
  Gateway gw(dir, supervised_config(dir));
  // Sixteen clients at once against three processes: more requests than processes at
  // every moment, and two threads each with their own idle connections.
  LoadResult r = load(gw.port, 16, 40);
  EXPECT_EQ(r.failed, 0) << gw.proc->log();
  EXPECT_EQ(r.ok, 16 * 40);
  // How many land on a kept connection depends on timing (about a quarter to a half here;
  // fewer when the machine is loaded); without keeping it is none.
  EXPECT_GT(r.reused, r.ok / 10) << "connections were hardly kept";
  EXPECT_EQ(gw.proc->log().find("[error]"), std::string::npos) << gw.proc->log();
}

// keep_conn as high as the processes, which is safe only because max_conns is no higher:
// every request (and every health check) rides a kept connection, waiting in cutover's
// queue for one, and a connection is opened only on a free keep slot. With two threads an
// idle kept connection may sit on the other thread; it is closed there to free its process.
TEST(FcgiKeepConn, EveryProcessKeptWhenNoMoreAreInFlightThanKept) {
  std::string dir = temp_dir();
  Gateway gw(dir, supervised_config(dir, "keep_conn = 3\nmax_conns = 3\n"
                                         "health = { path = \"/status/200\", interval = \"50ms\", timeout = \"2s\" }\n"));
  ASSERT_TRUE(gw.proc->wait_for("is up: health check passed", std::chrono::seconds(5))) << gw.proc->log();
  LoadResult r = load(gw.port, 16, 40);
  EXPECT_EQ(r.failed, 0) << gw.proc->log();
  EXPECT_EQ(r.ok, 16 * 40);
  // Almost all on kept connections: new ones only where a thread took a process over.
  EXPECT_GT(r.reused, r.ok * 8 / 10) << "connections were not kept";
  std::string log = gw.proc->log();
  EXPECT_EQ(log.find("[error]"), std::string::npos) << log;
  EXPECT_EQ(log.find("health check failed"), std::string::npos) << log;
}

// A reload that changes the backend's weight makes it a new backend with its own keep
// slots; the kept connection of the old one must not stay open holding the app's only
// process, or the first request after the reload waits in the socket's backlog: neither
// when it is idle at the reload nor when a request is still on it.
TEST(FcgiKeepConn, ReloadThatReplacesTheBackendLetsGoOfItsKeptConnection) {
  std::string dir = temp_dir();
  FcgiApp app(dir, "kept");
  auto config = [&](int weight, int port) {
    std::string c = "[server]\nlisten = [\"127.0.0.1:" + std::to_string(port) + "\"]\nthreads = 1\nadmin = \"127.0.0.1:0\"\n"
                    "[pools.app]\nprotocol = \"fastcgi\"\nbackends = [{ address = \"" + app.address() +
                    "\", weight = " + std::to_string(weight) + " }]\nkeep_conn = 1\nmax_conns = 1\nread_timeout = \"20s\"\n"
                    "[[routes]]\nname = \"all\"\nforward = \"app\"\n";
    return c;
  };
  Gateway gw(dir, config(1, 0));
  for (int i = 1; i <= 2; ++i) {
    auto r = fetch(gw.port, "GET", "/hello");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("X-Conn-Requests"), std::to_string(i)) << "the connection was not kept";
  }
  for (int generation = 2; generation <= 3; ++generation) {
    // The second time, a request is on the kept connection while the reload happens: its
    // body comes in two halves, the reload between them.
    std::optional<Client> in_flight;
    if (generation == 3) {
      in_flight.emplace(gw.port);
      ASSERT_TRUE(in_flight->send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n12345"));
      ASSERT_TRUE(wait_until([&] { return gw.metric("cutover_backend_in_flight") == 1; })) << "it reached the app";
    }
    write_file(dir + "/cutover.toml.new", config(generation, gw.port));
    ::rename((dir + "/cutover.toml.new").c_str(), (dir + "/cutover.toml").c_str());
    gw.proc->kill(SIGHUP);
    ASSERT_TRUE(gw.proc->wait_for("(generation " + std::to_string(generation) + ")", std::chrono::seconds(5)))
        << gw.proc->log();
    ASSERT_TRUE(gw.proc->wait_for("generation " + std::to_string(generation) + " is served by every thread",
                                  std::chrono::seconds(5)));
    if (in_flight) {
      ASSERT_TRUE(in_flight->send("67890"));
      auto r = in_flight->read();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200);
    }
    Client next(gw.port);
    ASSERT_TRUE(next.send("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto r = next.read(false, std::chrono::seconds(5));  // not after the 20 s read_timeout
    ASSERT_TRUE(r) << "generation " << generation << ": waited in the app's backlog";
    EXPECT_EQ(r->status, 200) << gw.proc->log();
  }
}

TEST(FcgiKeepConn, KeepConnZeroIsAConnectionPerRequest) {
  std::string dir = temp_dir();
  Gateway gw(dir, supervised_config(dir, "keep_conn = 0\n"));
  LoadResult r = load(gw.port, 4, 20);
  EXPECT_EQ(r.failed, 0) << gw.proc->log();
  EXPECT_EQ(r.reused, 0);
}

TEST(FcgiKeepConn, KeepingEveryProcessWithMoreInFlightIsRefused) {
  std::string dir = temp_dir();
  std::string config = supervised_config(dir, "keep_conn = 3\nmax_conns = 6\n");
  config.replace(config.find("{{PORT}}"), 8, "0");
  write_file(dir + "/bad.toml", config);
  auto [code, out] = run_cutover(dir, {"check", "-c", dir + "/bad.toml"});
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("keep_conn: 3 kept connections would hold all 3 process(es) behind each backend; at most 2"),
            std::string::npos)
      << out;
}

TEST(FcgiKeepConn, AnAppThatClosesAnywayIsNoticedOnceAndServedWithoutErrors) {
  std::string dir = temp_dir();
  FcgiApp app(dir, "kept", {"--ignore-keep-conn", "1"});
  Gateway gw(dir, one_pool_config({app.address()}, "protocol = \"fastcgi\"\nkeep_conn = 1\nretries = 0\n"));
  for (int i = 0; i < 30; ++i) {
    auto r = fetch(gw.port, "GET", "/hello");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << gw.proc->log();
    EXPECT_EQ(r->header("X-Conn-Requests"), "1");
  }
  std::string log = gw.proc->log();
  size_t first = log.find("ignores KEEP_CONN");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("ignores KEEP_CONN", first + 1), std::string::npos) << "said more than once:\n" << log;
  EXPECT_EQ(log.find("[error]"), std::string::npos) << log;
}

TEST(FcgiKeepConn, GigabyteResponseAndSpooledUploadWithBoundedMemory) {
  std::string dir = temp_dir();
  Gateway gw(dir, supervised_config(dir));
  constexpr size_t kBody = 1u << 30;
  {
    Client c(gw.port);
    size_t base = gw.proc->rss_kib();
    ASSERT_TRUE(c.send("GET /large?bytes=" + std::to_string(kBody) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
    pace(std::chrono::milliseconds(300));  // a client slow to start reading: back-pressure
    size_t peak = 0, total = 0;
    std::vector<char> buf(1 << 16);
    while (total < kBody) {
      ssize_t n = ::recv(c.fd(), buf.data(), buf.size(), 0);
      if (n <= 0) break;
      total += size_t(n);
      if (total % (64u << 20) < buf.size()) peak = std::max(peak, gw.proc->rss_kib());
    }
    EXPECT_GE(total, kBody);  // plus the head and chunk framing
    EXPECT_GT(peak, 0u);
    EXPECT_LT(peak, base + kStreamingRssGrowthKiB) << "peak RSS " << peak << " KiB, " << base << " KiB before";
  }
  // 24 MiB chunked: past the 1 MiB memory spool, so it goes through a temporary file and
  // the app still sees an exact CONTENT_LENGTH.
  Client c(gw.port);
  size_t base = gw.proc->rss_kib();
  ASSERT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string piece(1 << 20, 'p');
  for (int i = 0; i < 24; ++i) ASSERT_TRUE(c.send("100000\r\n" + piece + "\r\n"));
  size_t peak = gw.proc->rss_kib();
  ASSERT_TRUE(c.send("0\r\n\r\n"));
  auto r = c.read(false, std::chrono::seconds(60));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.substr(0, 40), "method: POST\nbody-length: 25165824\n\npppp");
  EXPECT_EQ(r->body.size(), 36 + 25165824u);
  EXPECT_LT(peak, base + kStreamingRssGrowthKiB) << "peak RSS " << peak << " KiB, " << base << " KiB before";
}

}  // namespace
