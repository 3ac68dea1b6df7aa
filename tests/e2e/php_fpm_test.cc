// Scenario: Debian's php-fpm behind cutover, as behind lighttpd's `".php" => (check-local)`:
// $_SERVER as PHP sees it, uploads of every framing (exact CONTENT_LENGTH, a chunked one
// spooled to a file, multipart into $_FILES), Status/Location/stderr, and the nginx user's
// classic 502: php-fpm recycling children at pm.max_requests = 5 while cutover keeps
// connections open — under load, no request may fail.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

// A body PHP can check by itself: byte i is i % 251.
std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char(i % 251);
  return s;
}

constexpr const char* kCheckPattern = R"php(function check($b) {
  for ($i = 0, $n = strlen($b); $i < $n; ++$i) if (ord($b[$i]) != $i % 251) return "mismatch at $i";
  return "pattern ok";
}
)php";

struct PhpFpm {
  PhpFpm() {
    dir = temp_dir();
    www = dir + "/www";
    ::mkdir(www.c_str(), 0755);
    write_file(www + "/env.php", R"php(<?php
header("Content-Type: text/plain");
$keys = array_keys($_SERVER); sort($keys);
foreach ($keys as $k) if (is_string($_SERVER[$k])) echo "$k=", $_SERVER[$k], "\n";
)php");
    write_file(www + "/upload.php", std::string("<?php\n") + kCheckPattern + R"php(
header("Content-Type: text/plain");
$in = file_get_contents("php://input");
echo "CONTENT_LENGTH=", $_SERVER["CONTENT_LENGTH"] ?? "-", "\n";
echo "input=", strlen($in), " ", check($in), "\n";
foreach ($_FILES as $name => $f) echo "file $name=", $f["size"], " ", check(file_get_contents($f["tmp_name"])), "\n";
)php");
    write_file(www + "/status.php", "<?php header('Status: 201 Made'); header('X-Test: yes'); echo 'made';\n");
    write_file(www + "/redirect.php", "<?php header('Location: http://example.org/moved'); \n");
    write_file(www + "/stderr.php", "<?php error_log('php says hello on stderr'); echo 'body only';\n");
    write_file(www + "/hello.php", "<?php echo 'hello from php ', getmypid(), \"\\n\";\n");
    socket = dir + "/fpm.sock";
    write_file(dir + "/fpm.conf", "[global]\npid = " + dir + "/fpm.pid\nerror_log = /proc/self/fd/2\ndaemonize = no\n\n"
               "[app]\nlisten = " + socket + "\npm = static\npm.max_children = 4\npm.max_requests = 5\n"
               "clear_env = no\ncatch_workers_output = yes\n");
    // -R: the tests may run as root; -n: no php.ini, the defaults are the same everywhere.
    fpm = std::make_unique<Process>(std::vector<std::string>{"/usr/sbin/php-fpm8.2", "-F", "-R", "-n", "-y", dir + "/fpm.conf"},
                                    dir + "/fpm.log");
    if (!fpm->wait_for("ready to handle connections", std::chrono::seconds(10)))
      throw std::runtime_error("php-fpm did not start: " + fpm->log());
    gw = std::make_unique<Gateway>(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\nthreads = 2\n\n"
                                        "[pools.php]\nprotocol = \"fastcgi\"\nbackends = [\"unix:" + socket + "\"]\n"
                                        "keep_conn = 3  # pm.max_children - 1\n\n"
                                        "[[routes]]\nname = \"php\"\nmatch = { regex = \"\\\\.php(/|$)\" }\nforward = \"php\"\n"
                                        "fastcgi = { key = \".php\", docroot = \"" + www + "\", check_local = true }\n");
  }
  std::string dir, www, socket;
  std::unique_ptr<Process> fpm;
  std::unique_ptr<Gateway> gw;
};

TEST(PhpFpm, ServerVariablesAsPhpSeesThem) {
  PhpFpm p;
  auto r = fetch(p.gw->port, "GET", "/env.php/extra/path?x=1&y=%20", "", {"Host: php.test", "Proxy: evil", "X-Custom: 7"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body << p.gw->proc->log();
  auto v = parse_vars(r->body);
  EXPECT_EQ(v["SCRIPT_NAME"], "/env.php");
  EXPECT_EQ(v["PATH_INFO"], "/extra/path");
  EXPECT_EQ(v["SCRIPT_FILENAME"], p.www + "/env.php");
  EXPECT_EQ(v["PATH_TRANSLATED"], p.www + "/extra/path");
  EXPECT_EQ(v["DOCUMENT_ROOT"], p.www);
  EXPECT_EQ(v["PHP_SELF"], "/env.php/extra/path");
  EXPECT_EQ(v["REQUEST_URI"], "/env.php/extra/path?x=1&y=%20");
  EXPECT_EQ(v["QUERY_STRING"], "x=1&y=%20");
  EXPECT_EQ(v["REQUEST_METHOD"], "GET");
  EXPECT_EQ(v["SERVER_NAME"], "php.test");
  EXPECT_EQ(v["HTTP_HOST"], "php.test");
  EXPECT_EQ(v["HTTP_X_CUSTOM"], "7");
  EXPECT_EQ(v.count("HTTP_PROXY"), 0u);  // httpoxy
  EXPECT_EQ(v["GATEWAY_INTERFACE"], "CGI/1.1");
  EXPECT_EQ(v["REDIRECT_STATUS"], "200");
  EXPECT_EQ(v["REMOTE_ADDR"], "127.0.0.1");
  // check_local: a script that does not exist never reaches php-fpm.
  auto missing = fetch(p.gw->port, "GET", "/missing.php");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(PhpFpm, UploadsOfEveryFraming) {
  PhpFpm p;
  std::string body = pattern(300000);
  auto sized = fetch(p.gw->port, "POST", "/upload.php", body, {"Content-Type: application/octet-stream"});
  ASSERT_TRUE(sized);
  EXPECT_EQ(sized->body, "CONTENT_LENGTH=300000\ninput=300000 pattern ok\n") << p.gw->proc->log();

  // Chunked, 3 MB: spooled (past the 1 MiB memory part, into a temporary file) so php-fpm
  // gets the CONTENT_LENGTH it needs.
  std::string big = pattern(3000000);
  Client c(p.gw->port);
  ASSERT_TRUE(c.send("POST /upload.php HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"));
  for (size_t off = 0; off < big.size(); off += 100000) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%zx\r\n", std::min<size_t>(100000, big.size() - off));
    ASSERT_TRUE(c.send(hex + big.substr(off, 100000) + "\r\n"));
  }
  ASSERT_TRUE(c.send("0\r\n\r\n"));
  auto chunked = c.read(false, std::chrono::seconds(30));
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->body, "CONTENT_LENGTH=3000000\ninput=3000000 pattern ok\n");

  std::string file = pattern(200000);
  std::string multipart = "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.bin\"\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n" + file + "\r\n--XyZ--\r\n";
  auto form = fetch(p.gw->port, "POST", "/upload.php", multipart, {"Content-Type: multipart/form-data; boundary=XyZ"});
  ASSERT_TRUE(form);
  EXPECT_NE(form->body.find("file doc=200000 pattern ok\n"), std::string::npos) << form->body;
}

TEST(PhpFpm, StatusLocationAndStderr) {
  PhpFpm p;
  auto st = fetch(p.gw->port, "GET", "/status.php");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 201);
  EXPECT_EQ(st->reason, "Made");
  EXPECT_EQ(st->header("X-Test"), "yes");
  EXPECT_EQ(st->body, "made");
  auto loc = fetch(p.gw->port, "GET", "/redirect.php");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->status, 302);
  EXPECT_EQ(loc->header("Location"), "http://example.org/moved");
  auto err = fetch(p.gw->port, "GET", "/stderr.php");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->body, "body only");
  std::string log = p.gw->proc->log();
  EXPECT_NE(log.find("(pool php, route php, GET /stderr.php) stderr: "), std::string::npos) << log;
  EXPECT_NE(log.find("php says hello on stderr"), std::string::npos) << log;
}

TEST(PhpFpm, ChildrenRecycledAtMaxRequestsUnderLoadFailNothing) {
  PhpFpm p;
  // 4 children x 5 requests each: 800 requests recycle about 160 children, each closing a
  // connection cutover keeps. Every request must still succeed.
  std::atomic<int> ok{0}, failed{0};
  std::mutex mu;
  std::string first_failure;
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&] {
      Client c(p.gw->port);
      for (int i = 0; i < 100; ++i) {
        auto r = c.send("GET /hello.php HTTP/1.1\r\nHost: h\r\n\r\n") ? c.read(false, std::chrono::seconds(10)) : std::nullopt;
        if (!r || r->status != 200 || r->body.rfind("hello from php ", 0) != 0) {
          ++failed;
          std::lock_guard<std::mutex> lock(mu);
          if (first_failure.empty()) first_failure = r ? std::to_string(r->status) + " " + r->body : "no response";
          return;
        }
        ++ok;
      }
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0) << first_failure << "\n" << p.gw->proc->log();
  EXPECT_EQ(ok.load(), 800);
  EXPECT_EQ(p.gw->proc->log().find("[error]"), std::string::npos) << p.gw->proc->log();
}

}  // namespace
