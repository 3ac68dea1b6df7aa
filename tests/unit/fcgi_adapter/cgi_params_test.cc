// lighttpd-semantics.md §4.5, the verified table: one test row per table row.
#include "fcgi_adapter/cgi_params.h"

#include <gtest/gtest.h>

using namespace cutover::fcgi;

namespace {

const std::string kRoot = "/srv/http";

struct Row {
  const char* name;
  Mount mount;
  const char* original;  // REQUEST_URI
  const char* target;    // after normalisation/rewrite
  const char* script_name;  // nullptr: 404
  const char* path_info;    // nullptr: unset
};

Mount mount(const char* key, bool check_local = false) {
  Mount m;
  m.key = key;
  m.docroot = kRoot;
  m.check_local = check_local;
  return m;
}

// Files that exist under the docroot for the check-local rows.
PathKind exists(const std::string& p) {
  if (p == kRoot + "/index.php" || p == kRoot + "/app.fcgi") return PathKind::file;
  return p == kRoot + "/dir" ? PathKind::directory : PathKind::none;
}

CgiParams run(const Mount& m, const char* original, const char* target) {
  CgiRequest r;
  r.method = "GET";
  r.original_target = original;
  r.target = target;
  r.rewritten = std::string_view(original) != std::string_view(target);
  return cgi_params(m, r, exists);
}

void PrintTo(const Row& r, std::ostream* os) { *os << r.name; }

class Table : public ::testing::TestWithParam<Row> {};

TEST_P(Table, ScriptNameAndPathInfo) {
  const Row& row = GetParam();
  CgiParams p = run(row.mount, row.original, row.target);
  if (!row.script_name) {
    EXPECT_EQ(p.status, 404);
    return;
  }
  ASSERT_EQ(p.status, 0);
  ASSERT_TRUE(p.get("SCRIPT_NAME"));
  EXPECT_EQ(*p.get("SCRIPT_NAME"), row.script_name);
  if (row.path_info) {
    ASSERT_TRUE(p.get("PATH_INFO"));
    EXPECT_EQ(*p.get("PATH_INFO"), row.path_info);
  } else {
    EXPECT_FALSE(p.get("PATH_INFO"));
  }
}

Mount fix_root() {
  Mount m = mount("/");
  m.fix_root_scriptname = true;
  return m;
}

INSTANTIATE_TEST_SUITE_P(
    Lighttpd, Table,
    ::testing::Values(
        Row{"php_pathinfo", mount(".php", true), "/index.php/foo/bar?x=1", "/index.php/foo/bar?x=1", "/index.php", "/foo/bar"},
        Row{"php_missing", mount(".php", true), "/nonexist.php", "/nonexist.php", nullptr, nullptr},
        Row{"prefix_exact", mount("/app"), "/app", "/app", "/app", nullptr},
        Row{"prefix_slash", mount("/app"), "/app/", "/app/", "/app", "/"},
        Row{"prefix_deep", mount("/app"), "/app/foo/bar?q=1", "/app/foo/bar?q=1", "/app", "/foo/bar"},
        Row{"prefix_no_boundary", mount("/app"), "/application/x", "/application/x", "/application", "/x"},
        Row{"prefix_decoded", mount("/app"), "/app/a%20b/c%2Fd", "/app/a%20b/c/d", "/app", "/a b/c/d"},
        Row{"trailing_slash_key", mount("/pref/"), "/pref/foo/bar", "/pref/foo/bar", "/pref/foo", "/bar"},
        Row{"trailing_slash_exact", mount("/pref/"), "/pref/", "/pref/", "/pref/", nullptr},
        Row{"root_key", mount("/"), "/foo/bar", "/foo/bar", "/foo", "/bar"},
        Row{"root_fix", fix_root(), "/foo/bar?z=1", "/foo/bar?z=1", "", "/foo/bar"},
        Row{"empty_key", mount(""), "/foo/bar", "/foo/bar", "/foo/bar", nullptr},
        Row{"fcgi_local", mount(".fcgi", true), "/app.fcgi/extra", "/app.fcgi/extra", "/app.fcgi", "/extra"},
        Row{"fcgi_not_local", mount(".fcgi", true), "/x/y.fcgi/z", "/x/y.fcgi/z", nullptr, nullptr},
        // check_local with a prefix key: the file system splits, as lighttpd does (verified
        // in tests/e2e/migrate_lighttpd_test.cc); an existing directory is the whole path.
        Row{"prefix_local_file", mount("/", true), "/app.fcgi/extra", "/app.fcgi/extra", "/app.fcgi", "/extra"},
        Row{"prefix_local_dir", mount("/dir", true), "/dir", "/dir", "/dir", nullptr},
        Row{"prefix_local_missing", mount("/dir", true), "/dir/x/y", "/dir/x/y", nullptr, nullptr},
        Row{"rewritten_django", mount("/django.fcgi"), "/dj/foo/bar?x=1", "/django.fcgi/foo/bar?x=1", "/django.fcgi", "/foo/bar"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CgiParams, PhpPathTranslatedAndFilename) {
  CgiParams p = run(mount(".php", true), "/index.php/foo/bar?x=1", "/index.php/foo/bar?x=1");
  EXPECT_EQ(*p.get("PATH_TRANSLATED"), kRoot + "/foo/bar");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), kRoot + "/index.php");
  EXPECT_EQ(*p.get("QUERY_STRING"), "x=1");
  EXPECT_EQ(*p.get("REQUEST_URI"), "/index.php/foo/bar?x=1");
  EXPECT_FALSE(p.get("REDIRECT_URI"));  // not rewritten
}

TEST(CgiParams, FixRootScriptnameFilename) {
  CgiParams p = run(fix_root(), "/foo/bar?z=1", "/foo/bar?z=1");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), kRoot + "/");
  EXPECT_EQ(*p.get("QUERY_STRING"), "z=1");
}

TEST(CgiParams, RemoteDocroot) {
  Mount m = mount("/dr");
  m.docroot = "/srv/remote";
  CgiParams p = run(m, "/dr/x/y", "/dr/x/y");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), "/srv/remote/dr");
  EXPECT_EQ(*p.get("DOCUMENT_ROOT"), "/srv/remote");
  EXPECT_EQ(*p.get("PATH_INFO"), "/x/y");
}

// The entry's docroot is what the app is told; the file check stays under check_root.
TEST(CgiParams, CheckLocalLooksUnderCheckRoot) {
  Mount m = mount(".php", true);
  m.docroot = "/remote/app";
  m.check_root = kRoot;
  CgiParams p = run(m, "/index.php/x", "/index.php/x");
  ASSERT_EQ(p.status, 0);
  EXPECT_EQ(*p.get("SCRIPT_NAME"), "/index.php");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), "/remote/app/index.php");
  m.check_root = {};
  EXPECT_EQ(run(m, "/index.php/x", "/index.php/x").status, 404);  // nothing under /remote/app
}

TEST(CgiParams, StripRequestUri) {
  Mount m = mount("/app");
  m.strip_request_uri = "/app/";
  CgiParams p = run(m, "/app/admin/x", "/app/admin/x");
  EXPECT_EQ(*p.get("REQUEST_URI"), "/admin/x");
  EXPECT_EQ(*p.get("SCRIPT_NAME"), "/app");
  EXPECT_EQ(*p.get("PATH_INFO"), "/admin/x");
}

TEST(CgiParams, RewrittenRequestKeepsTheOriginalRequestUri) {
  CgiParams p = run(mount("/django.fcgi"), "/dj/foo/bar?x=1", "/django.fcgi/foo/bar?x=1");
  EXPECT_EQ(*p.get("REQUEST_URI"), "/dj/foo/bar?x=1");
  EXPECT_EQ(*p.get("REDIRECT_URI"), "/django.fcgi/foo/bar?x=1");
  EXPECT_EQ(*p.get("QUERY_STRING"), "x=1");
}

TEST(CgiParams, BrokenScriptFilenameQuirk) {
  Mount m = mount(".php5", false);
  m.broken_scriptfilename = true;
  CgiParams p = run(m, "/x.php5", "/x.php5");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), kRoot + "/x.php5/");  // lighttpd's trailing '/'
}

TEST(CgiParams, HeadersBecomeHttpVariablesExceptProxy) {
  CgiRequest r;
  r.method = "POST";
  r.original_target = r.target = "/app/x";
  r.headers = {{"User-Agent", "ua"}, {"X-Multi", "a"}, {"x-multi", "b"}, {"Proxy", "http://evil:1"},
               {"Content-Type", "text/plain"}, {"Content-Length", "3"}};
  r.content_length = 3;
  r.remote_addr = "10.0.0.1";
  r.remote_port = 5555;
  r.https = true;
  CgiParams p = cgi_params(mount("/app"), r, exists);
  EXPECT_EQ(*p.get("HTTP_USER_AGENT"), "ua");
  EXPECT_EQ(*p.get("HTTP_X_MULTI"), "a, b");
  EXPECT_FALSE(p.get("HTTP_PROXY"));
  EXPECT_FALSE(p.get("HTTP_CONTENT_TYPE"));
  EXPECT_EQ(*p.get("CONTENT_TYPE"), "text/plain");
  EXPECT_EQ(*p.get("CONTENT_LENGTH"), "3");
  EXPECT_EQ(*p.get("REQUEST_METHOD"), "POST");
  EXPECT_EQ(*p.get("REDIRECT_STATUS"), "200");
  EXPECT_EQ(*p.get("GATEWAY_INTERFACE"), "CGI/1.1");
  EXPECT_EQ(*p.get("REMOTE_ADDR"), "10.0.0.1");
  EXPECT_EQ(*p.get("REMOTE_PORT"), "5555");
  EXPECT_EQ(*p.get("HTTPS"), "on");
  EXPECT_EQ(*p.get("REQUEST_SCHEME"), "https");
  EXPECT_EQ(*p.get("HTTP_CONTENT_LENGTH"), "3");  // lighttpd passes the field on too
  r.content_length.reset();
  r.headers.clear();
  r.https = false;
  CgiParams get = cgi_params(mount("/app"), r, exists);
  EXPECT_EQ(*get.get("CONTENT_LENGTH"), "0");
  EXPECT_EQ(*get.get("REQUEST_SCHEME"), "http");
  EXPECT_FALSE(get.get("HTTP_CONTENT_LENGTH"));
}

// A field repeated with others in between (and spelled X_Trace once, which names the same
// variable) becomes one variable with the values in order; the ones in between stay whole,
// and the variables still read right after the CgiParams is moved (they view its buffer).
TEST(CgiParams, RepeatedFieldsApartMergeIntoOneVariable) {
  CgiRequest r;
  r.method = "GET";
  r.original_target = r.target = "/app/x";
  r.headers = {{"X-Trace", "one"}, {"Accept", "*/*"}, {"x-trace", "two"}, {"Cookie", std::string_view("c=1")},
               {"X-TRACE", "three"}, {"Accept", "text/html"}};
  CgiParams p = cgi_params(mount("/app"), r, exists);
  CgiParams moved = std::move(p);
  EXPECT_EQ(*moved.get("HTTP_X_TRACE"), "one, two, three");
  EXPECT_EQ(*moved.get("HTTP_ACCEPT"), "*/*, text/html");
  EXPECT_EQ(*moved.get("HTTP_COOKIE"), "c=1");
  EXPECT_EQ(*moved.get("SCRIPT_NAME"), "/app");
  size_t traces = 0;
  for (auto& [name, value] : moved.vars) traces += name == "HTTP_X_TRACE";
  EXPECT_EQ(traces, 1u);
}

// A name with '_' would become the same variable as its '-' twin: it is never passed, so a
// client cannot add to X-Forwarded-For, set a second CONTENT_TYPE or pose as a header the
// gateway sets.
TEST(CgiParams, UnderscoredNamesNeverCollideWithOtherVariables) {
  CgiRequest r;
  r.method = "POST";
  r.original_target = r.target = "/app/x";
  r.content_length = 2;
  r.headers = {{"Content-Type", "text/plain"}, {"Content_Type", "text/html"}, {"X-Forwarded-For", "1.2.3.4"},
               {"X_Forwarded_For", "6.6.6.6"}, {"X_Remote_User", "admin"}};
  CgiParams p = cgi_params(mount("/app"), r, exists);
  size_t types = 0;
  for (auto& [name, value] : p.vars) types += name == "CONTENT_TYPE";
  EXPECT_EQ(types, 1u);
  EXPECT_EQ(*p.get("CONTENT_TYPE"), "text/plain");
  EXPECT_EQ(*p.get("HTTP_X_FORWARDED_FOR"), "1.2.3.4");
  EXPECT_FALSE(p.get("HTTP_X_REMOTE_USER"));
}

}  // namespace

namespace {

cutover::Regex re(const char* p) {
  std::string err;
  size_t off = 0;
  auto r = cutover::Regex::compile(p, err, off);
  EXPECT_TRUE(r) << err;
  return *r;
}
cutover::Replacement repl(const char* t) {
  cutover::Replacement r;
  std::string err;
  size_t off = 0;
  EXPECT_TRUE(r.parse(t, err, off)) << err;
  return r;
}

}  // namespace

// lighttpd 1.5 proxy-core.rewrite-request "_scriptname" / "_pathinfo" (the Trac recipe):
// SCRIPT_NAME becomes the mount and PATH_INFO the rest, SCRIPT_FILENAME follows.
TEST(CgiParams, ScriptNameAndPathInfoRewrites) {
  auto sn_re = re("^(/trac)(/.*)?$"), pi_re = re("^/trac(/.*)?$");
  auto sn_to = repl("$1"), pi_to = repl("$1");
  Mount m = mount("");
  m.rewrites = {{CgiRewrite::Var::script_name, &sn_re, &sn_to}, {CgiRewrite::Var::path_info, &pi_re, &pi_to}};
  CgiParams p = run(m, "/trac/wiki/Start?x=1", "/trac/wiki/Start?x=1");
  ASSERT_TRUE(p.get("SCRIPT_NAME") && p.get("PATH_INFO") && p.get("SCRIPT_FILENAME"));
  EXPECT_EQ(*p.get("SCRIPT_NAME"), "/trac");
  // In order: the SCRIPT_NAME rewrite became the path the PATH_INFO rule reads, so it gets "".
  EXPECT_EQ(*p.get("PATH_INFO"), "");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), kRoot + "/trac");

  // PATH_INFO first: it reads the whole path.
  m.rewrites = {{CgiRewrite::Var::path_info, &pi_re, &pi_to}, {CgiRewrite::Var::script_name, &sn_re, &sn_to}};
  p = run(m, "/trac/wiki/Start", "/trac/wiki/Start");
  EXPECT_EQ(*p.get("SCRIPT_NAME"), "/trac");
  EXPECT_EQ(*p.get("PATH_INFO"), "/wiki/Start");
  ASSERT_TRUE(p.get("PATH_TRANSLATED"));
  EXPECT_EQ(*p.get("PATH_TRANSLATED"), kRoot + "/wiki/Start");

  // No match: the mount's own values stay.
  p = run(m, "/other/x", "/other/x");
  EXPECT_EQ(*p.get("SCRIPT_NAME"), "/other/x");
  EXPECT_FALSE(p.get("PATH_INFO"));
}

TEST(CgiParams, DocrootRewriteMovesScriptFilename) {
  auto d_re = re("^/srv/(.*)$");
  auto d_to = repl("/mnt/$1");
  Mount m = mount("/app");
  m.rewrites = {{CgiRewrite::Var::docroot, &d_re, &d_to}};
  CgiParams p = run(m, "/app/x", "/app/x");
  EXPECT_EQ(*p.get("DOCUMENT_ROOT"), "/mnt/http");
  EXPECT_EQ(*p.get("SCRIPT_FILENAME"), "/mnt/http/app");
  EXPECT_EQ(*p.get("PATH_TRANSLATED"), "/mnt/http/x");
}

// lighttpd normalises the Host before the app sees it: lowercase, no trailing dot, the port kept.
TEST(CgiParams, HostIsNormalisedAsLighttpdDoes) {
  CgiRequest r;
  r.method = "GET";
  r.original_target = r.target = "/x";
  r.server_name = "WWW.Example.ORG.";
  r.headers = {{"Host", "WWW.Example.ORG.:8080"}};
  CgiParams p = cgi_params(mount("/x"), r, exists);
  ASSERT_TRUE(p.get("HTTP_HOST") && p.get("SERVER_NAME"));
  EXPECT_EQ(*p.get("HTTP_HOST"), "www.example.org:8080");
  EXPECT_EQ(*p.get("SERVER_NAME"), "www.example.org");
  r.headers = {{"Host", "[::1]:81"}};
  r.server_name = "[::1]";
  p = cgi_params(mount("/x"), r, exists);
  EXPECT_EQ(*p.get("HTTP_HOST"), "[::1]:81");
}
