// The differential corpus of lighttpd configs and requests (real-world shapes), shared by
// the lighttpd differential (migrate_lighttpd_test.cc) and the explain-vs-serve test: the
// backends they run behind, the configs ({PORT} {DOCROOT} {ASSETS} {APP} {W1} {W2} {USERS}
// {HTPASSWD} filled in by Backends::fill), the requests.
#pragma once
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {

struct Backends {
  std::string dir = temp_dir();
  std::string docroot = dir + "/www";
  FcgiApp app{dir, "app", {"--env-always", "1"}};
  Worker w1{dir, "w1", {"--echo-all"}};
  Worker w2{dir, "w2", {"--echo-all"}};
  Backends() {
    for (const char* d : {"/www", "/www/static", "/www/sub", "/www/app", "/www/dir", "/assets"})
      ::mkdir((dir + d).c_str(), 0755);
    write_file(docroot + "/index.html", "<p>home</p>\n");
    write_file(docroot + "/static/hello.txt", "hello from a static file\n");
    write_file(docroot + "/staticky", "no segment boundary\n");
    write_file(docroot + "/sub/index.html", "<p>sub</p>\n");
    write_file(docroot + "/x.php", "<?php source ?>\n");
    write_file(docroot + "/index.php", "<?php front ?>\n");
    write_file(docroot + "/app/x.php", "<?php app ?>\n");
    write_file(docroot + "/dir/file.txt", "a file in a dir\n");
    write_file(docroot + "/notes.inc", "include source\n");
    write_file(docroot + "/backup.txt~", "backup\n");
    write_file(dir + "/assets/logo.txt", "an asset\n");
    write_file(dir + "/users", "jan:jan\nann:ann\n");  // lighttpd's plain backend
    auto [code, out] = run_program(dir, {"htpasswd", "-bcm", dir + "/htpasswd", "apr", "apr"});
    EXPECT_EQ(code, 0) << out;
  }
  std::string fill(std::string conf, int port) const {
    auto rep = [&](const std::string& k, const std::string& v) {
      for (size_t p; (p = conf.find(k)) != std::string::npos;) conf.replace(p, k.size(), v);
    };
    rep("{PORT}", std::to_string(port));
    rep("{DOCROOT}", docroot);
    rep("{ASSETS}", dir + "/assets/");
    rep("{APP}", app.socket);
    rep("{W1}", std::to_string(w1.port));
    rep("{W2}", std::to_string(w2.port));
    rep("{USERS}", dir + "/users");
    rep("{HTPASSWD}", dir + "/htpasswd");
    return conf;
  }
};

struct Request {
  std::string method, target, host = "127.0.0.1";
  std::string fields = "";  // more header lines, each ending in CRLF
  std::string body = "a=1";  // POST
};

// Every config gets these (and its own extra ones).
// Every request of the corpus, asked of every config.
extern const std::vector<Request> kRequests;

// What may differ between two correct answers: the listener's port and the server's name.
std::string normalize_body(const std::string& body);
// A Location's path (an absolute one's host dropped).
std::string location_path(const std::string& loc);
// One request on a new connection.
std::optional<Response> ask(int port, const Request& r);

struct Case {
  std::string name;
  std::string conf;  // placeholders: {PORT} {DOCROOT} {ASSETS} {APP} {W1} {W2}
};

extern const std::vector<Case> kCorpus;

}  // namespace e2e
