// Scenario: Debian's fcgiwrap running shell CGI scripts behind cutover, as under
// lighttpd's `"/cgi-bin" => (check-local)`: the variables a script sees, request bodies
// (sized and chunked) on its stdin, Status and Location, and its stderr in cutover's error
// log, never in the response.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "harness.h"

using namespace e2e;

namespace {

struct Fcgiwrap {
  Fcgiwrap() {
    dir = temp_dir();
    std::string bin = dir + "/cgi-bin";
    ::mkdir(bin.c_str(), 0755);
    script(bin + "/env.sh", "echo 'Content-Type: text/plain'\necho\nenv | sort\n");
    script(bin + "/post.sh", "echo 'Content-Type: text/plain'\necho\necho \"length=$CONTENT_LENGTH\"\n"
                             "head -c \"$CONTENT_LENGTH\" | md5sum | cut -d' ' -f1\n");
    script(bin + "/status.sh", "echo 'Status: 404 Nothing Here'\necho 'Content-Type: text/plain'\necho\necho gone\n");
    script(bin + "/location.sh", "echo 'Location: https://example.org/new'\necho\n");
    script(bin + "/stderr.sh", "echo 'shell script complains' >&2\necho 'Content-Type: text/plain'\necho\necho fine\n");
    socket = dir + "/fcgiwrap.sock";
    // -f: the scripts' stderr goes over FastCGI (STDERR records), as lighttpd would log it.
    // -c 1: no preforked children, which would outlive the process the test stops.
    wrap = std::make_unique<Process>(std::vector<std::string>{"/usr/sbin/fcgiwrap", "-f", "-c", "1", "-s", "unix:" + socket},
                                     dir + "/fcgiwrap.log");
    wait_until([&] { return ::access(socket.c_str(), F_OK) == 0; }, 2000);
    gw = std::make_unique<Gateway>(dir, "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n\n"
                                        "[pools.cgi]\nprotocol = \"fastcgi\"\nbackends = [\"unix:" + socket + "\"]\n\n"
                                        "[[routes]]\nname = \"cgi\"\nmatch = { prefix = \"/cgi-bin/\" }\nforward = \"cgi\"\n"
                                        "fastcgi = { key = \"/cgi-bin/\", docroot = \"" + dir + "\", check_local = true }\n");
  }
  static void script(const std::string& path, const std::string& text) {
    write_file(path, "#!/bin/sh\n" + text);
    ::chmod(path.c_str(), 0755);
  }
  std::string dir, socket;
  std::unique_ptr<Process> wrap;
  std::unique_ptr<Gateway> gw;
};

TEST(Fcgiwrap, ScriptSeesLighttpdsVariables) {
  Fcgiwrap f;
  auto r = fetch(f.gw->port, "GET", "/cgi-bin/env.sh/more/info?q=a%2Fb", "", {"Host: cgi.test:8080", "X-Forwarded-Proto: https"});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body << f.gw->proc->log() << f.wrap->log();
  auto v = parse_vars(r->body);
  EXPECT_EQ(v["SCRIPT_NAME"], "/cgi-bin/env.sh");
  EXPECT_EQ(v["PATH_INFO"], "/more/info");
  EXPECT_EQ(v["SCRIPT_FILENAME"], f.dir + "/cgi-bin/env.sh");
  EXPECT_EQ(v["REQUEST_URI"], "/cgi-bin/env.sh/more/info?q=a%2Fb");
  EXPECT_EQ(v["QUERY_STRING"], "q=a%2Fb");
  EXPECT_EQ(v["SERVER_NAME"], "cgi.test");
  EXPECT_EQ(v["HTTP_HOST"], "cgi.test:8080");
  EXPECT_EQ(v["HTTP_X_FORWARDED_PROTO"], "https");
  EXPECT_EQ(v["SERVER_PROTOCOL"], "HTTP/1.1");
  EXPECT_EQ(v["REQUEST_METHOD"], "GET");
  auto missing = fetch(f.gw->port, "GET", "/cgi-bin/none.sh");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);  // check_local: fcgiwrap is not asked
}

TEST(Fcgiwrap, BodiesReachTheScriptsStdin) {
  Fcgiwrap f;
  auto md5 = [&](const std::string& data) {
    write_file(f.dir + "/body.bin", data);
    auto [code, out] = run_program(f.dir, {"md5sum", f.dir + "/body.bin"});
    return out.substr(0, 32);
  };
  std::string body(100000, 'b');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = char('a' + i % 26);
  auto sized = fetch(f.gw->port, "POST", "/cgi-bin/post.sh", body);
  ASSERT_TRUE(sized);
  EXPECT_EQ(sized->body, "length=100000\n" + md5(body) + "\n");
  Client c(f.gw->port);
  ASSERT_TRUE(c.send("POST /cgi-bin/post.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"));
  auto chunked = c.read();
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->body, "length=12\n" + md5("hello, world") + "\n");
}

TEST(Fcgiwrap, StatusLocationAndStderr) {
  Fcgiwrap f;
  auto st = fetch(f.gw->port, "GET", "/cgi-bin/status.sh");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 404);
  EXPECT_EQ(st->reason, "Nothing Here");
  EXPECT_EQ(st->body, "gone\n");
  auto loc = fetch(f.gw->port, "GET", "/cgi-bin/location.sh");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->status, 302);
  EXPECT_EQ(loc->header("Location"), "https://example.org/new");
  auto err = fetch(f.gw->port, "GET", "/cgi-bin/stderr.sh", "", {"X-Request-Id: lb-7f3a"});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->body, "fine\n");
  std::string log = f.gw->proc->log();
  EXPECT_NE(log.find("(pool cgi, route cgi, GET /cgi-bin/stderr.sh, request lb-7f3a) stderr: shell script complains"), std::string::npos) << log;
}

}  // namespace
