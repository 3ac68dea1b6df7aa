// Differential: for each lighttpd config of the corpus, the real lighttpd 1.4 runs the
// original and cutover runs what `cutover migrate` made of it, side by side on loopback,
// in front of the same FastCGI app (it prints its CGI variables for every request) and the
// same HTTP workers (they say who they are and what target they got). The same requests
// must get the same status, Location, chosen backend and body (CGI variables included).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <thread>

#include "harness.h"
#include "lighttpd_corpus.h"

namespace e2e {
namespace {

// Runs one config on both servers; returns the differences (empty: equivalent).
std::vector<std::string> differences(const Backends& b, const Case& c, size_t& compared) {
  std::string dir = temp_dir();
  int lport = free_port();
  std::string common = "server.bind = \"127.0.0.1\"\nserver.errorlog = \"" + dir + "/lighttpd.err\"\n";
  write_file(dir + "/lighttpd.conf", b.fill(c.conf, lport) + common);
  auto [code, out] = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "-o", dir + "/translated.toml"});
  EXPECT_TRUE(code == 0 || code == 3) << c.name << ": " << out;
  std::string toml = read_file(dir + "/translated.toml");
  size_t l = toml.find("listen = [");
  EXPECT_NE(l, std::string::npos) << toml;
  toml.replace(l, toml.find('\n', l) - l, "listen = [\"127.0.0.1:{{PORT}}\"]");
  Process lighttpd({"/usr/sbin/lighttpd", "-D", "-f", dir + "/lighttpd.conf"}, dir + "/lighttpd.log");
  EXPECT_TRUE(wait_until([&] { return Client(lport).connected(); }, 5000)) << "lighttpd did not start";
  Gateway gw(dir, toml);
  std::vector<std::string> diffs;
  compared = 0;
  for (const Request& r : kRequests) {
    // lighttpd cuts ranges out of backend answers too, cutover passes them on whole (the
    // report says so): ranges are asked of the config about them only.
    if (r.fields.rfind("Range:", 0) == 0 && c.name.find("ranges") == std::string::npos) continue;
    auto a = ask(lport, r), z = ask(gw.port, r);
    std::string what = c.name + ": " + r.method + " " + r.target + (r.host != "127.0.0.1" ? " (Host " + r.host + ")" : "") +
                       (r.fields.empty() ? "" : " (" + r.fields.substr(0, r.fields.size() - 2) + ")");
    if (!a || !z) {
      diffs.push_back(what + ": no answer from " + (a ? "cutover" : "lighttpd"));
      continue;
    }
    ++compared;
    if (a->status != z->status) {
      diffs.push_back(what + ": status lighttpd " + std::to_string(a->status) + ", cutover " + std::to_string(z->status) +
                      "\n  lighttpd: " + a->body.substr(0, 300) + "\n  cutover:  " + z->body.substr(0, 300));
      continue;
    }
    if (r.method == "OPTIONS" && a->status == 200 && a->header("Allow") != z->header("Allow"))
      diffs.push_back(what + ": Allow lighttpd \"" + a->header("Allow") + "\", cutover \"" + z->header("Allow") + "\"");
    // Fields setenv adds to answers (empty in the other configs).
    if (a->header("X-Frame-Options") != z->header("X-Frame-Options"))
      diffs.push_back(what + ": X-Frame-Options lighttpd \"" + a->header("X-Frame-Options") + "\", cutover \"" + z->header("X-Frame-Options") + "\"");
    // With a Host of its own, the whole Location (map-host-response maps its host).
    if (r.host != "127.0.0.1" && a->header("Location") != z->header("Location"))
      diffs.push_back(what + ": Location lighttpd " + a->header("Location") + ", cutover " + z->header("Location"));
    else if (location_path(a->header("Location")) != location_path(z->header("Location")))
      diffs.push_back(what + ": Location lighttpd " + a->header("Location") + ", cutover " + z->header("Location"));
    // Content types where the config gives lighttpd a table (without one it sends
    // application/octet-stream for every file; cutover reads /etc/mime.types, reported).
    if (c.conf.find("mimetype.assign") != std::string::npos && a->status < 300 && a->header("Content-Type") != z->header("Content-Type"))
      diffs.push_back(what + ": Content-Type lighttpd \"" + a->header("Content-Type") + "\", cutover \"" + z->header("Content-Type") + "\"");
    // mod_expire: max-age (a modification-based one counts down between the two requests).
    if (c.conf.find("expire.url") != std::string::npos) {
      auto age = [](const std::string& v) { return v.rfind("max-age=", 0) == 0 ? std::atol(v.c_str() + 8) : -1L; };
      long la = age(a->header("Cache-Control")), za = age(z->header("Cache-Control"));
      if ((la < 0) != (za < 0) || std::labs(la - za) > 2 || a->header("Expires").empty() != z->header("Expires").empty())
        diffs.push_back(what + ": Cache-Control lighttpd \"" + a->header("Cache-Control") + "\", cutover \"" + z->header("Cache-Control") + "\"");
    }
    // Ranges of files (lighttpd also cuts ranges out of backend answers, which cutover
    // passes on whole: not asked for here).
    if (r.fields.rfind("Range:", 0) == 0)
      for (const char* f : {"Accept-Ranges", "Content-Range"})
        if (a->header(f) != z->header(f)) diffs.push_back(what + ": " + f + " lighttpd \"" + a->header(f) + "\", cutover \"" + z->header(f) + "\"");
    for (const char* f : {"Set-Cookie", "Content-Location"})
      if (a->header(f) != z->header(f)) diffs.push_back(what + ": " + f + " lighttpd \"" + a->header(f) + "\", cutover \"" + z->header(f) + "\"");
    if (a->status < 300 && normalize_body(a->body) != normalize_body(z->body))
      diffs.push_back(what + ": body\n--- lighttpd\n" + normalize_body(a->body) + "--- cutover\n" + normalize_body(z->body));
  }
  return diffs;
}

TEST(MigrateVsLighttpd, TranslatedConfigsAnswerLikeLighttpd) {
  ASSERT_GE(kCorpus.size(), 12u);
  ASSERT_GE(kRequests.size(), 20u);
  Backends b;
  std::vector<std::string> all;
  size_t total = 0;
  for (const Case& c : kCorpus) {
    size_t compared = 0;
    auto d = differences(b, c, compared);
    EXPECT_GE(compared, 20u) << c.name;
    total += compared;
    all.insert(all.end(), d.begin(), d.end());
  }
  std::string text;
  for (auto& d : all) text += d + "\n";
  EXPECT_TRUE(all.empty()) << all.size() << " of " << total << " answers differ:\n" << text;
}

}  // namespace
}  // namespace e2e
