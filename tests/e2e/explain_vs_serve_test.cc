// `cutover explain` and `cutover serve` make one request's decisions with the same code
// (route/plan.h): every request of the lighttpd differential corpus, on every translated
// config, is explained and then served, and what explain said — the status cutover answers
// itself, a redirect's Location, a file, or the target (HTTP) or CGI variables (FastCGI) the
// backend gets — is what the backend received and the client got.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"
#include "lighttpd_corpus.h"

namespace e2e {
namespace {

// The value after the last `key` (an error handler's pass comes after the first).
std::string line_after(const std::string& text, const std::string& key) {
  size_t p = text.rfind(key);
  if (p == std::string::npos) return "";
  size_t end = text.find('\n', p);
  return text.substr(p + key.size(), end - p - key.size());
}

TEST(ExplainVsServe, EveryCorpusRequestIsServedAsExplained) {
  Backends b;
  size_t compared = 0, skipped = 0;
  std::map<std::string, size_t> why_skipped;
  std::string diffs;
  for (const Case& c : kCorpus) {
    std::string dir = temp_dir();
    write_file(dir + "/lighttpd.conf", b.fill(c.conf, 8080));
    auto [code, out] = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "--allow-partial", "-o", dir + "/translated.toml"});
    ASSERT_EQ(code, 0) << c.name << ": " << out;
    std::string toml = read_file(dir + "/translated.toml");
    size_t l = toml.find("listen = [");
    ASSERT_NE(l, std::string::npos) << toml;
    toml.replace(l, toml.find('\n', l) - l, "listen = [\"127.0.0.1:{{PORT}}\"]");
    Gateway gw(dir, toml);  // writes dir/cutover.toml, which explain reads
    // One explain run for the config's requests (--requests), then each served.
    std::string list;
    for (const Request& r : kRequests) {
      list += r.method + "\t" + r.target + "\t" + r.host;
      std::istringstream fields(r.fields);
      for (std::string f; std::getline(fields, f);) {
        if (!f.empty() && f.back() == '\r') f.pop_back();
        if (!f.empty()) list += "\t" + f;
      }
      list += "\n";
    }
    write_file(dir + "/requests.tsv", list);
    auto [ecode, all] = run_cutover(dir, {"explain", "-c", dir + "/cutover.toml", "--requests", dir + "/requests.tsv"});
    std::vector<std::string> answers;
    for (size_t at = 0, sep; (sep = all.find("\n---\n", at)) != std::string::npos; at = sep + 5) answers.push_back(all.substr(at, sep + 1 - at));
    ASSERT_EQ(answers.size(), kRequests.size()) << c.name << ": " << all.substr(0, 2000);
    for (size_t ri = 0; ri < kRequests.size(); ++ri) {
      const Request& r = kRequests[ri];
      const std::string& said = answers[ri];
      bool credentials = r.fields.find("Authorization:") != std::string::npos;
      auto got = ask(gw.port, r);
      ASSERT_TRUE(got) << c.name << ": " << r.target;
      std::string what = c.name + ": " + r.method + " " + r.target + " (Host " + r.host + ")";
      std::string expect = line_after(said, "  expect:     ");
      if (expect.empty()) {
        ADD_FAILURE() << what << ": explain said nothing to expect:\n" << said;
        continue;
      }
      if (credentials && said.find("  auth:") != std::string::npos) {  // explain does not check passwords
        ++skipped;
        ++why_skipped["credentials"];
        continue;
      }
      ++compared;
      std::string limit = line_after(said, "  body limit: ");
      if (!limit.empty() && r.body.size() > std::stoull(limit)) expect = "413";
      bool bodiless = r.method == "HEAD" || r.fields.find("Range:") != std::string::npos;  // no whole body to read
      bool unechoed = r.method == "OPTIONS" || r.method == "DELETE";  // the echo worker (cpp-httplib) has no handler for them
      if (expect == "backend" && bodiless) {
        --compared, ++skipped;
        ++why_skipped["HEAD or Range to a backend"];
      } else if (expect == "backend" && unechoed) {
        --compared, ++skipped;
        ++why_skipped["OPTIONS or DELETE to a backend"];
      } else if (expect == "backend") {
        if (said.find("    answer:     404 (check_local") != std::string::npos) {
          if (got->status != 404) diffs += what + ": explain 404 (check_local), serve " + std::to_string(got->status) + "\n";
        } else if (said.find("    request:    ") != std::string::npos) {
          std::string t = line_after(said, "    request:    " + r.method + " ");
          t = t.substr(0, t.find("  Host: "));
          auto echo = parse_echo(got->body);
          auto it = echo.find("target");
          if (it == echo.end() || it->second != t)
            diffs += what + ": explain sends target " + t + ", the backend got " + (it == echo.end() ? "(no echo: " + got->body.substr(0, 80) + ")" : it->second) + "\n";
        } else {
          auto vars = parse_vars(got->body);
          for (const char* name : {"SCRIPT_NAME", "PATH_INFO", "REQUEST_URI", "QUERY_STRING", "SCRIPT_FILENAME", "DOCUMENT_ROOT"}) {
            std::string key = std::string("    ") + name + std::string(16 - std::string(name).size(), ' ');
            std::string v = line_after(said, key);
            std::string want = v == "(unset)" ? "" : v.substr(1, v.size() - 2);
            auto it = vars.find(name);
            std::string have = it == vars.end() ? "" : it->second;
            if (want != have) diffs += what + ": " + name + " explain \"" + want + "\", the app got \"" + have + "\"\n";
          }
        }
      } else if (expect == "file") {
        std::string file = line_after(said, "  static:     ");
        file = file.substr(0, file.find("  (alias"));
        std::ifstream in(file, std::ios::binary);
        struct stat st {};
        bool regular = ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode);
        if (!regular) {
          --compared, ++skipped;  // a directory (its index, a listing or a redirect), or path info
          ++why_skipped["a directory or path info"];
          if (::stat(file.c_str(), &st) != 0 && said.find("  pathinfo:") == std::string::npos && got->status != 404)
            diffs += what + ": explain names a missing file " + file + ", serve " + std::to_string(got->status) + "\n";
          continue;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        bool partial = r.fields.find("Range:") != std::string::npos && said.find("  ranges:     off") == std::string::npos;
        if (got->status != (partial ? 206 : 200) || (!partial && r.method == "GET" && got->body != ss.str()))
          diffs += what + ": explain serves " + file + ", serve " + std::to_string(got->status) + "\n";
      } else {
        int status = std::stoi(expect);
        std::string loc = expect.find(' ') == std::string::npos ? "" : expect.substr(expect.find(' ') + 1);
        if (status >= 300 && status < 400 && loc.find(' ') == std::string::npos) {
          if (got->status != status || location_path(got->header("Location")) != location_path(loc))
            diffs += what + ": explain " + expect + ", serve " + std::to_string(got->status) + " " + got->header("Location") + "\n";
        } else if (got->status != status) {
          diffs += what + ": explain " + expect + ", serve " + std::to_string(got->status) + "\n";
        }
      }
    }
  }
  std::cout << "[ explain vs serve ] " << kCorpus.size() << " configs x " << kRequests.size() << " requests: " << compared
            << " compared, " << skipped << " left to the differential:";
  for (auto& [why, n] : why_skipped) std::cout << " " << n << " " << why << ";";
  std::cout << "\n";
  EXPECT_GT(compared, kCorpus.size() * kRequests.size() / 2);
  EXPECT_TRUE(diffs.empty()) << diffs;
}

}  // namespace
}  // namespace e2e
