// Scenario: X-Sendfile from the libfcgi app. A pool with `x_sendfile` directories sends the
// file the app names instead of the app's body — with validators, ranges and the app's
// own fields — and refuses anything outside those directories, symlinks included. A pool
// without it passes the header on untouched.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

using namespace e2e;

namespace {

struct Sendfile {
  Sendfile() {
    dir = temp_dir();
    ::mkdir((dir + "/files").c_str(), 0755);
    write_file(dir + "/files/report.txt", "quarterly numbers: 1 2 3 4 5\n");
    write_file(dir + "/secret.txt", "not for clients\n");
    ::symlink((dir + "/secret.txt").c_str(), (dir + "/files/escape.txt").c_str());
    app = std::make_unique<FcgiApp>(dir);
    gw = std::make_unique<Gateway>(dir, R"toml(
[server]
listen = ["127.0.0.1:{{PORT}}"]

[pools.files]
protocol = "fastcgi"
backends = [")toml" + app->address() + R"toml("]
x_sendfile = [")toml" + dir + R"toml(/files/"]

[pools.plain]
protocol = "fastcgi"
backends = [")toml" + app->address() + R"toml("]

[[routes]]
name = "plain"
match = { prefix = "/plain" }
forward = "plain"
fastcgi = { key = "/plain" }

[[routes]]
name = "files"
forward = "files"
fastcgi = { key = "" }
)toml");
  }
  std::string dir;
  std::unique_ptr<FcgiApp> app;
  std::unique_ptr<Gateway> gw;
};

TEST(FcgiSendfile, TheNamedFileIsSentLikeAStaticFile) {
  Sendfile s;
  std::string url = "/sendfile?path=" + s.dir + "/files/report.txt";
  auto r = fetch(s.gw->port, "GET", url);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << s.gw->proc->log();
  EXPECT_EQ(r->body, "quarterly numbers: 1 2 3 4 5\n");
  EXPECT_EQ(r->header("Content-Length"), "29");
  EXPECT_EQ(r->header("Content-Type"), "text/plain; charset=utf-8");  // the app's
  EXPECT_EQ(r->header("Cache-Control"), "private");                   // the app's
  EXPECT_EQ(r->header("X-Sendfile"), "");
  std::string etag = r->header("ETag");
  EXPECT_FALSE(etag.empty());
  auto part = fetch(s.gw->port, "GET", url, "", {"Range: bytes=0-9"});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "quarterly ");
  auto same = fetch(s.gw->port, "GET", url, "", {"If-None-Match: " + etag});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  auto head = fetch(s.gw->port, "HEAD", url);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("Content-Length"), "29");
}

TEST(FcgiSendfile, NothingOutsideTheDirectories) {
  Sendfile s;
  for (const std::string& path : {s.dir + "/secret.txt", s.dir + "/files/../secret.txt", s.dir + "/files/escape.txt",
                                  std::string("files/report.txt"), std::string("/etc/passwd")}) {
    auto r = fetch(s.gw->port, "GET", "/sendfile?path=" + path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_EQ(r->body.find("not for clients"), std::string::npos);
    EXPECT_EQ(r->body.find("root:"), std::string::npos);
  }
  EXPECT_NE(s.gw->proc->log().find("X-Sendfile: " + s.dir + "/secret.txt is outside the pool's x_sendfile directories"),
            std::string::npos)
      << s.gw->proc->log();
  auto missing = fetch(s.gw->port, "GET", "/sendfile?path=" + s.dir + "/files/none.txt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(FcgiSendfile, APoolWithoutItPassesTheHeaderOn) {
  Sendfile s;
  auto r = fetch(s.gw->port, "GET", "/plain/sendfile?path=" + s.dir + "/files/report.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "the app's own body\n");
  EXPECT_EQ(r->header("X-Sendfile"), s.dir + "/files/report.txt");
}

}  // namespace
