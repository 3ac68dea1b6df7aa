// Differential at scale: random lighttpd configs (host, url and request-field conditions,
// nested to depth 3, else chains; url.redirect, url.access-deny, setenv.add-response-header
// and proxy.server to an HTTP backend at every level) and requests, run against the real
// lighttpd 1.4.69 and against cutover on what `cutover migrate` made of each. Where migrate
// says the translation is complete, every answer must have the same status, Location path,
// X-Block field (which block's setenv) and, for a 200, body (the file, or the backend's
// line naming the request it got); wherever lighttpd refuses (401/403/404), cutover must
// refuse too, whatever the report says.
//
// Bounded in `make test` (a fixed seed, CUTOVER_DIFF_CONFIGS configs, 24 by default);
// `make difffuzz` runs more with random seeds. A config that fails is kept under
// ARTIFACT_DIR/difffuzz/ with its requests and answers; copied into tests/difffuzz/ it is
// replayed first by every run from then on (the six there are what this test found).
#include <gtest/gtest.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

using namespace e2e;

namespace {

struct Gen {
  std::mt19937 rng;
  explicit Gen(uint32_t seed) : rng(seed) {}
  int pick(int n) { return int(rng() % uint32_t(n)); }
  template <class T>
  const T& one(const std::vector<T>& v) { return v[size_t(pick(int(v.size())))]; }

  const std::vector<std::string> hosts = {"a.example", "b.example", "c.example"};
  const std::vector<std::string> dirs = {"/p1", "/p2", "/p3"};

  // lighttpd refuses two blocks with the same condition under the same parent that set the
  // same key ("Duplicate config variable"): each condition text is used once per parent.
  std::set<std::string> used;
  std::string condition(const std::string& parent) {
    for (int tries = 0; tries < 12; ++tries) {
      std::string c = any_condition();
      if (used.insert(parent + "|" + c).second) return c;
    }
    return "$HTTP[\"querystring\"] =~ \"z=" + std::to_string(used.size()) + "\"";
  }
  std::string any_condition() {
    switch (pick(9)) {
      case 0: return "$HTTP[\"host\"] == \"" + one(hosts) + "\"";
      case 1: return "$HTTP[\"host\"] != \"" + one(hosts) + "\"";
      case 2: return "$HTTP[\"url\"] =^ \"" + one(dirs) + "\"";
      case 3: return "$HTTP[\"url\"] == \"" + one(dirs) + "/page\"";
      case 4: return "$HTTP[\"url\"] =~ \"\\\\.txt$\"";
      case 5: return "$HTTP[\"url\"] !~ \"^" + one(dirs) + "\"";
      case 6: return "$HTTP[\"useragent\"] =~ \"bot\"";
      case 7: return "$HTTP[\"querystring\"] =~ \"(^|&)x=1\"";
      default: return "$HTTP[\"url\"] =$ \"/page\"";
    }
  }
  std::string backend = "127.0.0.1:1";  // host:port of the HTTP backend proxy.server names
  std::string users, htpasswd;          // the plain and htpasswd user files (jan:jan, ann:ann)
  std::string auth_backend(const std::string& indent) {
    return pick(2) ? indent + "auth.backend = \"plain\"\n" + indent + "auth.backend.plain.userfile = \"" + users + "\"\n"
                   : indent + "auth.backend = \"htpasswd\"\n" + indent + "auth.backend.htpasswd.userfile = \"" + htpasswd + "\"\n";
  }
  std::string settings(const std::string& indent, int id) {
    std::string out;
    int n = pick(4);
    for (int i = 0; i < n; ++i) {
      switch (pick(7)) {
        case 4:
          out += indent + "auth.require = ( \"" + one(std::vector<std::string>{"", "/p1", "/p2/"}) + "\" => ( \"method\" => \"" +
                 (pick(4) ? "basic" : "digest") + "\", \"realm\" => \"r" + std::to_string(pick(2)) + "\", \"require\" => \"" +
                 one(std::vector<std::string>{"valid-user", "user=jan", "user=ann|group=g"}) + "\" ) )\n";
          break;
        case 5: out += auth_backend(indent); break;
        case 6: out += indent + "server.error-handler-404 = \"" + one(std::vector<std::string>{"/file.txt", "/index.html"}) + "\"\n"; break;
        case 0: out += indent + "url.redirect = ( \"^/(.*)$\" => \"/r" + std::to_string(id) + "/$1\" )\n"; break;
        case 1: out += indent + "url.access-deny = ( \"" + (pick(3) == 0 ? std::string("") : std::string(".txt")) + "\" )\n"; break;
        case 2: out += indent + "setenv.add-response-header = ( \"X-Block\" => \"b" + std::to_string(id) + "\" )\n"; break;
        default:
          out += indent + "proxy.server = ( \"" + one(std::vector<std::string>{"", "/p1", "/p3"}) + "\" => (( \"host\" => \"127.0.0.1\", \"port\" => " +
                 backend.substr(backend.find(':') + 1) + " )) )\n";
      }
    }
    // one value per key and block, as lighttpd requires
    std::string seen, dedup;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) {
      std::string k = l.substr(l.find_first_not_of(' '), l.find(" = ") - l.find_first_not_of(' '));
      if (seen.find("|" + k + "|") != std::string::npos) continue;
      seen += "|" + k + "|";
      dedup += l + "\n";
    }
    return dedup;
  }
  std::string block(int depth, const std::string& indent, int& id, const std::string& parent = "") {
    std::string cond = condition(parent);
    std::string out = indent + cond + " {\n" + settings(indent + "  ", ++id);
    if (depth < 3 && pick(2)) out += block(depth + 1, indent + "  ", id, parent + "/" + cond);
    out += indent + "}\n";
    int links = pick(3);
    for (int i = 0; i < links; ++i) {
      bool bare = i == links - 1 && pick(2);
      std::string link = bare ? std::string("else") : condition(parent);
      out += indent + "else " + (bare ? std::string() : link + " ") + "{\n" + settings(indent + "  ", ++id);
      if (depth < 3 && pick(3) == 0) out += block(depth + 1, indent + "  ", id, parent + "/" + link);  // lighttpd: every bare else is one context
      out += indent + "}\n";
      if (bare) break;
    }
    return out;
  }
  std::string config() {
    used.clear();
    // mod_auth first: lighttpd then asks for credentials before any other module answers, as
    // cutover always does (after mod_redirect or mod_access it would let them answer first).
    std::string out = "server.modules = (\"mod_auth\", \"mod_authn_file\", \"mod_redirect\", \"mod_access\", \"mod_setenv\", \"mod_proxy\")\n";
    int id = 0;
    if (pick(2)) out += auth_backend("");
    if (pick(2)) out += "url.redirect = ( \"^/p1/(.*)$\" => \"/global/$1\" )\n";
    if (pick(3) == 0) out += "url.access-deny = ( \"~\" )\n";
    if (pick(3) == 0) out += "proxy.server = ( \"/p2\" => (( \"host\" => \"127.0.0.1\", \"port\" => " + backend.substr(backend.find(':') + 1) + " )) )\n";
    int blocks = 1 + pick(3);
    for (int i = 0; i < blocks; ++i) out += block(1, "", id);
    return out;
  }
};

struct Ask {
  std::string target, host, agent = {}, authorization = {};
};

std::vector<Ask> requests() {
  std::vector<Ask> out;
  for (std::string host : {"a.example", "b.example", "c.example", "127.0.0.1"})
    for (std::string target : {"/", "/p1/page", "/p2/x.txt", "/p3/y", "/file.txt", "/p1/page?x=1"})
      out.push_back({target, host, ""});
  out.push_back({"/p2/page", "a.example", "Googlebot"});
  out.push_back({"/file.txt", "b.example", "somebot/1"});
  // Credentials: right (jan, ann), a wrong password, one that does not decode.
  for (std::string host : {"a.example", "127.0.0.1"}) {
    out.push_back({"/p1/page", host, "", basic_auth_field("jan", "jan")});
    out.push_back({"/p2/x.txt", host, "", basic_auth_field("ann", "ann")});
    out.push_back({"/p1/page", host, "", basic_auth_field("jan", "nope")});
  }
  out.push_back({"/p2/x.txt", "b.example", "", "Authorization: Basic ="});
  return out;
}

std::string location_path(const std::string& loc) {
  if (loc.rfind("http://", 0) != 0) return loc;
  size_t slash = loc.find('/', 7);
  return slash == std::string::npos ? "/" : loc.substr(slash);
}

TEST(MigrateGenerated, RandomConfigsAnswerLikeLighttpdAndNeverMoreOpen) {
  const char* n_env = std::getenv("CUTOVER_DIFF_CONFIGS");
  const char* seed_env = std::getenv("CUTOVER_DIFF_SEED");
  int configs = n_env ? std::atoi(n_env) : 24;
  uint32_t seed = seed_env ? uint32_t(std::strtoul(seed_env, nullptr, 10)) : 20261201u;
  Gen g(seed);
  // The HTTP backend proxy.server sends requests to: it says what it was asked.
  ScriptedBackend app([](const std::string& head, int) {
    std::string body = "backend: " + head.substr(0, head.find("\r\n")) + "\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  });
  g.backend = app.address();
  std::string docroot = temp_dir() + "/www";
  ::mkdir(docroot.c_str(), 0755);
  for (const char* d : {"/p1", "/p2", "/p3"}) ::mkdir((docroot + d).c_str(), 0755);
  for (const char* f : {"/index.html", "/file.txt", "/p1/page", "/p2/x.txt", "/p2/page", "/p3/y"}) write_file(docroot + f, std::string(f) + "\n");
  std::string files = temp_dir();
  g.users = files + "/users";
  g.htpasswd = files + "/htpasswd";
  write_file(g.users, "jan:jan\nann:ann\n");
  for (auto [user, create] : {std::pair{"jan", "-bcm"}, std::pair{"ann", "-bm"}}) {
    auto [code, out] = run_program(files, {"htpasswd", create, g.htpasswd, user, user});
    ASSERT_EQ(code, 0) << out;
  }
  size_t exact_configs = 0, compared = 0, differing = 0, opener = 0, lighttpd_refused = 0, refused_alike = 0;
  size_t general_configs = 0, general_compared = 0, general_differing = 0, denied_for_500 = 0;
  std::string report;
  // First the kept regressions (tests/difffuzz/*.conf: configs that once differed), then new ones.
  std::vector<std::string> kept;
  if (DIR* d = ::opendir((std::string(SOURCE_DIR) + "/tests/difffuzz").c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::string n = e->d_name; n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0)
        kept.push_back(read_file(std::string(SOURCE_DIR) + "/tests/difffuzz/" + n));
    ::closedir(d);
  }
  for (int c = -int(kept.size()); c < configs; ++c) {
    std::string dir = temp_dir();
    int lport = free_port();
    // Kept configs name the backend's port as {BACKEND_PORT} (artifacts are written so).
    std::string port_text = g.backend.substr(g.backend.find(':') + 1);
    std::string body = c < 0 ? kept[size_t(-c - 1)] : g.config();
    for (size_t p; (p = body.find("{BACKEND_PORT}")) != std::string::npos;) body.replace(p, 14, port_text);
    auto keepable = [&](std::string text) {
      for (size_t p = 0; (p = text.find("\"port\" => " + port_text, p)) != std::string::npos;) text.replace(p + 11, port_text.size(), "{BACKEND_PORT}");
      return text;
    };
    std::string conf = "server.document-root = \"" + docroot + "\"\nserver.bind = \"127.0.0.1\"\nserver.port = " +
                       std::to_string(lport) + "\nserver.errorlog = \"" + dir + "/lighttpd.err\"\nindex-file.names = (\"index.html\")\n" + body;
    write_file(dir + "/lighttpd.conf", conf);
    auto [code, out] = run_cutover(dir, {"migrate", dir + "/lighttpd.conf", "-o", dir + "/cutover.toml"});
    if (code == 1 && out.find("lighttpd refuses to start") != std::string::npos) {  // so must lighttpd
      Process lt({"/usr/sbin/lighttpd", "-tt", "-f", dir + "/lighttpd.conf"}, dir + "/lighttpd-tt.log");
      EXPECT_NE(lt.wait_exit(std::chrono::seconds(10)), 0) << "migrate refused what lighttpd accepts:\n" << conf << out;
      ++refused_alike;
      continue;
    }
    ASSERT_TRUE(code == 0 || code == 3) << "config " << c << ":\n" << conf << out;
    bool complete = code == 0;
    exact_configs += complete;
    std::string toml = read_file(dir + "/cutover.toml");
    size_t l = toml.find("listen = [");
    ASSERT_NE(l, std::string::npos) << toml;
    toml.replace(l, toml.find('\n', l) - l, "listen = [\"127.0.0.1:{{PORT}}\"]");
    Process lighttpd({"/usr/sbin/lighttpd", "-D", "-f", dir + "/lighttpd.conf"}, dir + "/lighttpd.log");
    if (!wait_until([&] { return Client(lport).connected() || !lighttpd.running(); }) || !lighttpd.running()) {
      ++lighttpd_refused;  // a shape lighttpd itself rejects (it names it in its log); nothing to compare
      std::string keep = std::string(ARTIFACT_DIR) + "/difffuzz";
      ::mkdir(keep.c_str(), 0755);
      write_file(keep + "/seed" + std::to_string(seed) + "-config" + std::to_string(c) + "-lighttpd-refused.conf",
                 keepable(body) + "\n# lighttpd:\n# " + read_file(dir + "/lighttpd.log"));
      continue;
    }
    Gateway gw(dir, toml);
    // The same config through the general compiler alone (no shape shortcuts): where both
    // are complete, it must answer like lighttpd too, so the shapes are proven equal to it.
    auto [gcode, gout] = run_cutover(dir, {"migrate", "--general", dir + "/lighttpd.conf", "-o", dir + "/general.toml"});
    std::unique_ptr<Gateway> general;
    if (gcode == 0 && complete) {
      std::string gt = read_file(dir + "/general.toml");
      size_t gl = gt.find("listen = [");
      gt.replace(gl, gt.find('\n', gl) - gl, "listen = [\"127.0.0.1:{{PORT}}\"]");
      general = std::make_unique<Gateway>(dir, gt);
      ++general_configs;
    }
    std::string diffs;
    for (const Ask& a : requests()) {
      std::vector<std::string> fields = {"Host: " + a.host};
      if (!a.agent.empty()) fields.push_back("User-Agent: " + a.agent);
      if (!a.authorization.empty()) fields.push_back(a.authorization);
      auto lt = fetch(lport, "GET", a.target, "", fields);
      auto co = fetch(gw.port, "GET", a.target, "", fields);
      ASSERT_TRUE(lt && co) << a.target;
      if (general) {
        auto ge = fetch(general->port, "GET", a.target, "", fields);
        ASSERT_TRUE(ge) << a.target;
        ++general_compared;
        bool denied_500 = lt->status == 500 && ge->status == 403 && gout.find("lighttpd answers 500") != std::string::npos;
        if (!denied_500 && (ge->status != lt->status || location_path(ge->header("Location")) != location_path(lt->header("Location")) ||
            ge->header("X-Block") != lt->header("X-Block") || (lt->status == 200 && lt->body != ge->body))) {
          ++general_differing;
          diffs += "  GENERAL GET " + a.target + " Host " + a.host + ": lighttpd " + std::to_string(lt->status) + " " +
                   location_path(lt->header("Location")) + ", cutover --general " + std::to_string(ge->status) + " " +
                   location_path(ge->header("Location")) + "\n";
        }
      }
      ++compared;
      std::string what = "GET " + a.target + " Host " + a.host + (a.agent.empty() ? "" : " UA " + a.agent) + ": lighttpd " +
                         std::to_string(lt->status) + " " + location_path(lt->header("Location")) + ", cutover " +
                         std::to_string(co->status) + " " + location_path(co->header("Location"));
      bool refused = lt->status == 401 || lt->status == 403 || lt->status == 404;
      // Where lighttpd answers 500 for an auth area it cannot check (no backend, digest over
      // htpasswd), the translation denies (403) and its report says so.
      bool misconfigured = lt->status == 500 && co->status == 403 && out.find("lighttpd answers 500") != std::string::npos;
      if (misconfigured) {
        ++denied_for_500;
      } else if (refused && co->status < 400) {
        ++opener;
        diffs += "  MORE OPEN " + what + "\n";
      } else if (complete && (lt->status != co->status || location_path(lt->header("Location")) != location_path(co->header("Location")) ||
                              lt->header("X-Block") != co->header("X-Block") || (lt->status == 200 && lt->body != co->body))) {
        what += " (X-Block lighttpd \"" + lt->header("X-Block") + "\", cutover \"" + co->header("X-Block") + "\"" +
                (lt->body != co->body ? "; bodies lighttpd \"" + lt->body.substr(0, 80) + "\", cutover \"" + co->body.substr(0, 80) + "\"" : "") + ")";
        ++differing;
        diffs += "  " + what + "\n";
      }
    }
    if (!diffs.empty()) {
      std::string keep = std::string(ARTIFACT_DIR) + "/difffuzz";
      ::mkdir(keep.c_str(), 0755);
      std::string name = keep + "/seed" + std::to_string(seed) + "-config" + std::to_string(c);
      write_file(name + ".conf", keepable(body));
      write_file(name + ".answers", diffs + "\n--- report\n" + out);
      report += "config " + std::to_string(c) + (complete ? " (complete)" : " (partial)") + ":\n" + body + diffs;
    }
  }
  std::cout << "[ difffuzz ] seed " << seed << ": " << kept.size() << " kept + " << configs << " configs (" << exact_configs << " complete) x "
            << requests().size() << " requests = " << compared << " answers; " << differing << " differ, " << opener
            << " more open than lighttpd; " << refused_alike << " configs refused by both; " << lighttpd_refused
            << " refused by lighttpd alone; --general: " << general_configs << " complete configs, " << general_compared
            << " answers, " << general_differing << " differ; " << denied_for_500 << " answers lighttpd's 500 denied\n";
  // migrate keys blocks as lighttpd does (shared contexts, bare elses, simplified regexes): what
  // lighttpd refuses to start, migrate refuses too (counted above as refused by both).
  EXPECT_EQ(lighttpd_refused, 0u) << "configs lighttpd refuses and migrate translated: build/artifacts/difffuzz/*-lighttpd-refused.conf";
  EXPECT_EQ(opener, 0u) << report;
  EXPECT_EQ(differing, 0u) << report;
  EXPECT_EQ(general_differing, 0u) << report;
  EXPECT_GT(general_configs, 0u);
}

}  // namespace
