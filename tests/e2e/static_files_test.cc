// Static files as lighttpd served them: validators and ranges (checked with curl), the
// path safety list, the directory listing. Its own directory tree, config and checks.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <thread>

#include "harness.h"

namespace e2e {
namespace {

struct Site {
  std::string dir = temp_dir();
  std::string www = dir + "/www";
  std::string big;  // 1 MiB + 17 bytes of noise
  Site() {
    for (const char* d : {"/www", "/www/sub", "/www/list", "/www/list/zdir", "/outside", "/www/assets"})
      ::mkdir((dir + d).c_str(), 0755);
    write_file(www + "/a.txt", "hello, static world\n");
    write_file(www + "/sub/index.html", "<p>sub index</p>\n");
    write_file(www + "/x.php", "<?php echo 'source'; ?>\n");
    write_file(www + "/a.txt~", "SECRET backup copy\n");
    write_file(www + "/.env", "SECRET=dotfile\n");
    write_file(dir + "/outside/secret.txt", "SECRET-OUTSIDE\n");
    write_file(dir + "/secret.txt", "SECRET-OUTSIDE\n");
    ::symlink((dir + "/outside/secret.txt").c_str(), (www + "/link.txt").c_str());
    ::symlink((dir + "/outside").c_str(), (www + "/linkdir").c_str());
    write_file(www + "/list/b.txt", std::string(300, 'b'));
    write_file(www + "/list/<b>&.txt", std::string(100, 'x'));
    write_file(www + "/list/c d.txt", std::string(200, 'c'));
    write_file(www + "/list/.hidden", "h");
    write_file(www + "/assets/app.js", "console.log('plain')\n");
    write_file(www + "/assets/app.js.gz", "GZIPPED-BYTES");
    std::mt19937 rng(7);
    big.resize((1 << 20) + 17);
    for (char& c : big) c = char(rng());
    write_file(www + "/big.bin", big);
  }
  std::string config() const {
    return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
           "[[routes]]\nname = \"site\"\nmatch = { prefix = \"/\" }\n"
           "static = { root = \"" + www + "\", index = [\"index.html\"], listing = \"json\", "
           "exclude_extensions = [\".php\", \"~\"], precompressed = true, cache_control = \"public, max-age=60\" }\n";
  }
};

// curl, output and headers: returns {status line code, headers+body text}.
std::string curl(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"curl", "-s", "--max-time", "10"});
  auto [code, out] = run_program(dir, args);
  EXPECT_EQ(code, 0) << out;
  return out;
}

std::string header_of(const std::string& text, const std::string& name) {
  std::string lower = text;
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  std::string key = "\n" + name + ": ";
  for (char& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
  size_t p = lower.find(key);
  if (p == std::string::npos) return "";
  size_t start = p + key.size(), end = text.find('\r', start);
  return text.substr(start, end - start);
}

int status_of(const std::string& text) {
  return text.size() > 12 ? std::atoi(text.c_str() + 9) : 0;
}

TEST(StaticFiles, ConditionalGetsAndRangesWithCurl) {
  Site s;
  Gateway gw(s.dir, s.config());
  std::string url = "http://127.0.0.1:" + std::to_string(gw.port) + "/a.txt";
  std::string full = curl(s.dir, {"-i", url});
  EXPECT_EQ(status_of(full), 200) << full;
  EXPECT_NE(full.find("\r\n\r\nhello, static world\n"), std::string::npos);
  std::string etag = header_of(full, "ETag"), lm = header_of(full, "Last-Modified");
  ASSERT_FALSE(etag.empty());
  ASSERT_FALSE(lm.empty());
  EXPECT_EQ(header_of(full, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header_of(full, "Cache-Control"), "public, max-age=60");
  EXPECT_EQ(header_of(full, "Accept-Ranges"), "bytes");

  std::string r304 = curl(s.dir, {"-i", "-H", "If-None-Match: " + etag, url});
  EXPECT_EQ(status_of(r304), 304) << r304;
  EXPECT_EQ(header_of(r304, "ETag"), etag);
  EXPECT_EQ(header_of(r304, "Content-Type"), "text/plain; charset=utf-8") << "the 200's type, as lighttpd sends it";
  EXPECT_EQ(r304.substr(r304.find("\r\n\r\n") + 4), "");
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-H", "If-Modified-Since: " + lm, url})), 304);
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-H", "If-None-Match: \"stale\"", url})), 200);
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-H", "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT", url})), 200);
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-H", "If-Match: \"stale\"", url})), 412);
  // curl's own conditional: -z DATE sends If-Modified-Since.
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-z", lm, url})), 304);

  std::string part = curl(s.dir, {"-i", "-r", "0-4", url});
  EXPECT_EQ(status_of(part), 206) << part;
  EXPECT_EQ(header_of(part, "Content-Range"), "bytes 0-4/20");
  EXPECT_EQ(part.substr(part.find("\r\n\r\n") + 4), "hello");
  std::string suffix = curl(s.dir, {"-i", "-r", "-6", url});
  EXPECT_EQ(suffix.substr(suffix.find("\r\n\r\n") + 4), "world\n");
  std::string multi = curl(s.dir, {"-i", "-r", "0-4,7-12", url});
  EXPECT_EQ(status_of(multi), 206);
  EXPECT_NE(header_of(multi, "Content-Type").find("multipart/byteranges; boundary="), std::string::npos);
  EXPECT_NE(multi.find("Content-Range: bytes 0-4/20\r\n\r\nhello\r\n"), std::string::npos) << multi;
  EXPECT_NE(multi.find("Content-Range: bytes 7-12/20\r\n\r\nstatic\r\n"), std::string::npos) << multi;
  std::string boundary = header_of(multi, "Content-Type").substr(header_of(multi, "Content-Type").find('=') + 1);
  EXPECT_NE(multi.find("--" + boundary + "--"), std::string::npos);
  std::string unsat = curl(s.dir, {"-i", "-r", "100-200", url});
  EXPECT_EQ(status_of(unsat), 416);
  EXPECT_EQ(header_of(unsat, "Content-Range"), "bytes */20");
  // If-Range: a current validator gets the range, a stale one the whole file.
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-r", "0-4", "-H", "If-Range: " + etag, url})), 206);
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-r", "0-4", "-H", "If-Range: \"stale\"", url})), 200);
  EXPECT_EQ(status_of(curl(s.dir, {"-i", "-r", "0-4", "-H", "If-Range: " + lm, url})), 206);

  std::string head = curl(s.dir, {"-I", url});
  EXPECT_EQ(status_of(head), 200);
  EXPECT_EQ(header_of(head, "Content-Length"), "20");

  // A large file, sent by sendfile, arrives whole; a range from its middle too.
  std::string big_url = "http://127.0.0.1:" + std::to_string(gw.port) + "/big.bin";
  curl(s.dir, {"-o", s.dir + "/big.out", big_url});
  EXPECT_TRUE(read_file(s.dir + "/big.out") == s.big);
  curl(s.dir, {"-o", s.dir + "/big.part", "-r", "600000-899999", big_url});
  EXPECT_TRUE(read_file(s.dir + "/big.part") == s.big.substr(600000, 300000));

  // Precompressed sibling for a client that takes gzip; the plain file otherwise.
  std::string js = "http://127.0.0.1:" + std::to_string(gw.port) + "/assets/app.js";
  std::string gz = curl(s.dir, {"-i", "-H", "Accept-Encoding: gzip", js});
  EXPECT_EQ(header_of(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header_of(gz, "Vary"), "Accept-Encoding");
  EXPECT_EQ(header_of(gz, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(gz.substr(gz.find("\r\n\r\n") + 4), "GZIPPED-BYTES");
  std::string plain = curl(s.dir, {"-i", "-H", "Accept-Encoding: gzip;q=0, br", js});
  EXPECT_EQ(header_of(plain, "Content-Encoding"), "");
  EXPECT_EQ(plain.substr(plain.find("\r\n\r\n") + 4), "console.log('plain')\n");

  // Directories: slash redirect keeps the query; index file; POST refused.
  std::string dir = curl(s.dir, {"-i", "http://127.0.0.1:" + std::to_string(gw.port) + "/sub?x=1"});
  EXPECT_EQ(status_of(dir), 301);
  EXPECT_EQ(header_of(dir, "Location"), "/sub/?x=1");
  auto idx = fetch(gw.port, "GET", "/sub/");
  ASSERT_TRUE(idx);
  EXPECT_EQ(idx->body, "<p>sub index</p>\n");
  EXPECT_EQ(idx->header("Content-Type"), "text/html; charset=utf-8");
  auto post = fetch(gw.port, "POST", "/a.txt", "x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->header("Allow"), "GET, HEAD");
}

TEST(StaticFiles, NoTraversalEncodingReachesOutsideTheRoot) {
  Site s;
  Gateway gw(s.dir, s.config());
  // Each must not be answered with a file from outside the root, a dotfile or PHP source.
  const std::vector<std::string> attempts = {
      "/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
      "/%2E%2E/secret.txt", "/..%5csecret.txt", "/..%5c..%5csecret.txt", "/%252e%252e/secret.txt",
      "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
      "/..;/secret.txt", "/%c0%ae%c0%ae/secret.txt", "/%c0%af../secret.txt", "/..%c0%afsecret.txt",
      "/%u002e%u002e/secret.txt", "/..%00/secret.txt", "/a.txt%00.html", "/%00../secret.txt",
      "/....//secret.txt", "/..././secret.txt", "/sub/..%2f..%2fsecret.txt", "/%2f..%2fsecret.txt",
      "//../secret.txt", "/link.txt", "/linkdir/secret.txt", "/.env", "/%2eenv", "/sub/.%2e/.%2e/secret.txt",
      "/x.php", "/x.PHP", "/x.php/", "/x.php%00", "/..%255c..%255csecret.txt", "/list/.hidden",
      "/%2e%2e%5c%2e%2e%5csecret.txt", "/a.txt~", "/a.txt%7e", "/sub%2f..%2f..%2fsecret.txt", "/www/../secret.txt",
      "http://127.0.0.1/../secret.txt"};
  ASSERT_GE(attempts.size(), 30u);
  for (const std::string& t : attempts) {
    Client c(gw.port);
    ASSERT_TRUE(c.send("GET " + t + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << t;
    EXPECT_NE(r->status, 200) << t << " -> " << r->body;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << t;
    EXPECT_EQ(r->body.find("<?php"), std::string::npos) << t;
  }
  // A raw backslash, a NUL and a control character in the request line itself.
  for (std::string t : {std::string("/..\\secret.txt"), std::string("/a\0b", 4), std::string("/a\x01")}) {
    Client c(gw.port);
    ASSERT_TRUE(c.send("GET " + t + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read();
    if (r) {
      EXPECT_NE(r->status, 200);
      EXPECT_EQ(r->body.find("SECRET"), std::string::npos);
    }
  }
  // The same symlinks are served once the route allows them.
  std::string cfg = s.config();
  cfg.replace(cfg.find("precompressed"), 0, "follow_symlinks = true, ");
  Gateway gw2(temp_dir(), cfg);
  auto r = fetch(gw2.port, "GET", "/link.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "SECRET-OUTSIDE\n");
}

TEST(StaticFiles, ListingIsEscapedSortedAndHasJson) {
  Site s;
  Gateway gw(s.dir, s.config());
  auto r = fetch(gw.port, "GET", "/list/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "text/html; charset=utf-8");
  const std::string& h = r->body;
  EXPECT_EQ(h.find("<b>&"), std::string::npos) << "raw name in the page";
  size_t esc = h.find("&lt;b&gt;&amp;.txt"), b = h.find(">b.txt<"), cd = h.find(">c d.txt<"), z = h.find(">zdir/<");
  ASSERT_NE(esc, std::string::npos) << h;
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(cd, std::string::npos);
  ASSERT_NE(z, std::string::npos);
  EXPECT_LT(z, esc);  // directories first
  EXPECT_LT(esc, b);
  EXPECT_LT(b, cd);
  EXPECT_NE(h.find("href=\"%3Cb%3E%26.txt\""), std::string::npos);
  EXPECT_NE(h.find("href=\"../\""), std::string::npos);
  EXPECT_EQ(h.find(".hidden"), std::string::npos);
  auto by_size = fetch(gw.port, "GET", "/list/?sort=size&order=desc");
  ASSERT_TRUE(by_size);
  EXPECT_LT(by_size->body.find(">b.txt<"), by_size->body.find(">c d.txt<"));
  EXPECT_LT(by_size->body.find(">c d.txt<"), by_size->body.find("&lt;b&gt;&amp;.txt"));
  auto json = fetch(gw.port, "GET", "/list/?format=json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->header("Content-Type"), "application/json");
  EXPECT_NE(json->body.find("{\"name\":\"<b>&.txt\",\"type\":\"file\",\"size\":100,"), std::string::npos) << json->body;
  // A directory with neither index nor listing: 403.
  std::string cfg = s.config();
  cfg.replace(cfg.find("listing = \"json\""), 16, "listing = false");
  Gateway gw2(temp_dir(), cfg);
  auto denied = fetch(gw2.port, "GET", "/list/");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
}

TEST(StaticFiles, AliasExpiresBrotliAndMimeOverrides) {
  Site s;
  write_file(s.www + "/assets/app.js.br", "BROTLI-BYTES");
  write_file(s.www + "/assets/site.webmanifest", "{}");
  std::string cfg = "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n"
                    "[[routes]]\nname = \"assets\"\nmatch = { prefix = \"/static/\" }\n"
                    "static = { alias = \"" + s.www + "/assets/\", precompressed = true, expires = \"2h\", "
                    "mime = { \".webmanifest\" = \"application/manifest+json\" } }\n";
  Gateway gw(s.dir, cfg);
  auto r = fetch(gw.port, "GET", "/static/app.js", "", {"Accept-Encoding: gzip, br"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "BROTLI-BYTES");  // br preferred over gzip
  EXPECT_EQ(r->header("Content-Encoding"), "br");
  EXPECT_EQ(r->header("Cache-Control"), "max-age=7200");
  EXPECT_FALSE(r->header("Expires").empty());
  auto m = fetch(gw.port, "GET", "/static/site.webmanifest");
  EXPECT_EQ(m->header("Content-Type"), "application/manifest+json");
  EXPECT_EQ(fetch(gw.port, "GET", "/static/a.txt")->status, 404);   // a.txt is in www, not in assets
  EXPECT_EQ(fetch(gw.port, "GET", "/static/../a.txt")->status, 404);
  EXPECT_EQ(fetch(gw.port, "GET", "/a.txt")->status, 404);          // no route
}

TEST(StaticFiles, ChangedFilesAreSeenWithinTheFileCacheTime) {
  Site s;
  Gateway gw(s.dir, s.config());  // server.file_cache: 1s by default
  EXPECT_EQ(fetch(gw.port, "GET", "/a.txt")->body, "hello, static world\n");
  std::string old_etag = fetch(gw.port, "GET", "/a.txt")->header("ETag");
  // A deploy's atomic replace, then an in-place rewrite, then a removal.
  write_file(s.www + "/a.txt.new", "second version\n");
  ASSERT_EQ(::rename((s.www + "/a.txt.new").c_str(), (s.www + "/a.txt").c_str()), 0);
  auto seen = [&](const std::string& want_body, int want_status) {
    return wait_until([&] {
      auto r = fetch(gw.port, "GET", "/a.txt");
      return r && r->status == want_status && (want_status != 200 || r->body == want_body);
    }, 3000);
  };
  EXPECT_TRUE(seen("second version\n", 200));
  // Each thread's cache keeps an answer up to a second: every thread comes to the new ETag.
  EXPECT_TRUE(wait_until([&] {
    for (int i = 0; i < 4; ++i)
      if (fetch(gw.port, "GET", "/a.txt")->header("ETag") == old_etag) return false;
    return true;
  }, 3000));
  write_file(s.www + "/a.txt", "third, longer version\n");
  EXPECT_TRUE(seen("third, longer version\n", 200));
  ::unlink((s.www + "/a.txt").c_str());
  EXPECT_TRUE(seen("", 404));
  // Off: every request opens the file.
  std::string cfg = s.config();
  cfg.replace(cfg.find("[[routes]]"), 0, "file_cache = \"0s\"\n");
  Gateway gw2(temp_dir(), cfg);
  write_file(s.www + "/b.txt", "one\n");
  EXPECT_EQ(fetch(gw2.port, "GET", "/b.txt")->body, "one\n");
  write_file(s.www + "/b.txt.new", "two\n");
  ::rename((s.www + "/b.txt.new").c_str(), (s.www + "/b.txt").c_str());
  EXPECT_EQ(fetch(gw2.port, "GET", "/b.txt")->body, "two\n");
}

}  // namespace
}  // namespace e2e
