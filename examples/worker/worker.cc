// A Warp-style HTTP worker for the demo, the tests and the benchmarks (cpp-httplib).
//   example-worker --port 3001 [--host 127.0.0.1] [--name v1] [--threads 64]
// Pages: /  hello with the port | /echo  the request as text (POST: the body too)
//        /slow?ms=N | /large?bytes=N (streamed) | /sink (POST, counts a streamed body)
//        /status/N | /health | /chunked?parts=N | /header?name=N&value=V (sets a response field)
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "shop.h"

namespace {

std::string g_name = "worker";
int g_port = 0;

std::string describe_request(const httplib::Request& req) {
  std::string out;
  out += "worker: " + g_name + " port " + std::to_string(g_port) + "\n";
  out += "method: " + req.method + "\n";
  out += "target: " + req.target + "\n";
  out += "path: " + req.path + "\n";
  std::string q;
  auto qpos = req.target.find('?');
  if (qpos != std::string::npos) q = req.target.substr(qpos + 1);
  out += "query: " + q + "\n";
  out += "remote: " + req.remote_addr + "\n";
  for (auto& [k, v] : req.headers) {
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
    out += "header: " + k + ": " + v + "\n";
  }
  return out;
}

// Debian's cpp-httplib is a compiled library that listens with a backlog of 5: a burst of
// new connections from a proxy overflows it and each dropped SYN costs a 1 s retransmit.
// Calling listen() again on the bound socket raises the backlog.
void raise_listen_backlog(int port) {
  for (int fd = 3; fd < 1024; ++fd) {
    int accepting = 0;
    socklen_t len = sizeof accepting;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting) continue;
    sockaddr_storage ss{};
    socklen_t sl = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sl) != 0) continue;
    int p = ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                    : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    if (p == port) ::listen(fd, 4096);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 3001;
  int threads = 64;
  bool echo_all = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> std::string {
      std::string f = flag;
      if (a.rfind(f + "=", 0) == 0) return a.substr(f.size() + 1);
      if (a == f && i + 1 < argc) return argv[++i];
      return {};
    };
    if (a.rfind("--port", 0) == 0 || a.rfind("-p", 0) == 0) {
      std::string v = a.rfind("-p=", 0) == 0 ? a.substr(3) : value(a.rfind("--port", 0) == 0 ? "--port" : "-p");
      port = std::atoi(v.c_str());
    } else if (a.rfind("--host", 0) == 0) {
      host = value("--host");
    } else if (a.rfind("--name", 0) == 0) {
      g_name = value("--name");
    } else if (a.rfind("--threads", 0) == 0) {
      threads = std::atoi(value("--threads").c_str());
    } else if (a == "--echo-all") {
      echo_all = true;
    } else {
      std::fprintf(stderr, "usage: example-worker --port N [--host ADDR] [--name NAME] [--threads N] [--echo-all]\n");
      return 2;
    }
  }

  httplib::Server svr;
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(60);
  // Each kept-alive connection holds a pool thread: keep plenty.
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };

  // --echo-all: every path answers who got it, what was asked and for which Host
  // (differential tests); ?location=URL sets a Location field on the answer, and
  // ?set-cookie=V and ?content-location=URL the fields of those names.
  if (echo_all) {
    auto who = [](const httplib::Request& req, httplib::Response& res) {
      if (req.has_param("location")) res.set_header("Location", req.get_param_value("location"));
      if (req.has_param("content-location")) res.set_header("Content-Location", req.get_param_value("content-location"));
      if (req.has_param("set-cookie")) res.set_header("Set-Cookie", req.get_param_value("set-cookie"));
      res.set_content("worker: " + g_name + "\nmethod: " + req.method + "\ntarget: " + req.target + "\nhost: " +
                          req.get_header_value("Host") + "\n",
                      "text/plain");
    };
    svr.Get(".*", who);
    svr.Post(".*", who);
  }
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello from " + g_name + " on port " + std::to_string(g_port) + "\n", "text/plain");
  });
  svr.Get("/health", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
  svr.Get("/shop/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(shop::index_html(), "text/html; charset=utf-8");
  });
  svr.Get(R"(/shop/items/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    std::string item = shop::item_json(std::atoi(req.matches[1].str().c_str()), true);
    if (item.empty()) {
      res.status = 404;
      res.set_content("{\"error\":\"no such item\"}\n", "application/json");
    } else {
      res.set_content(item, "application/json");
    }
  });
  svr.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(describe_request(req), "text/plain");
  });
  svr.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(describe_request(req) + "body-length: " + std::to_string(req.body.size()) + "\n\n" + req.body,
                    "text/plain");
  });
  svr.Get("/slow", [](const httplib::Request& req, httplib::Response& res) {
    int ms = req.has_param("ms") ? std::atoi(req.get_param_value("ms").c_str()) : 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    res.set_content("slept " + std::to_string(ms) + " ms on port " + std::to_string(g_port) + "\n", "text/plain");
  });
  svr.Get("/large", [](const httplib::Request& req, httplib::Response& res) {
    size_t total = req.has_param("bytes") ? std::strtoull(req.get_param_value("bytes").c_str(), nullptr, 10) : 1 << 20;
    res.set_content_provider(total, "application/octet-stream",
                             [total](size_t offset, size_t length, httplib::DataSink& sink) {
                               static const std::string block(64 * 1024, 'x');
                               size_t n = std::min({length, block.size(), total - offset});
                               return sink.write(block.data(), n);
                             });
  });
  svr.Get("/chunked", [](const httplib::Request& req, httplib::Response& res) {
    int parts = req.has_param("parts") ? std::atoi(req.get_param_value("parts").c_str()) : 5;
    res.set_chunked_content_provider("text/plain", [parts](size_t, httplib::DataSink& sink) {
      for (int i = 0; i < parts; ++i) {
        std::string s = "part " + std::to_string(i) + "\n";
        if (!sink.write(s.data(), s.size())) return false;
      }
      sink.done();
      return true;
    });
  });
  svr.Post("/sink", [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader) {
    size_t total = 0;
    reader([&](const char*, size_t n) {
      total += n;
      return true;
    });
    res.set_content("received " + std::to_string(total) + " bytes\n", "text/plain");
  });
  svr.Get("/header", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header(req.get_param_value("name"), req.get_param_value("value"));
    res.set_content("header set\n", "text/plain");
  });
  svr.Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    res.status = std::atoi(req.matches[1].str().c_str());
    res.set_content("status " + req.matches[1].str() + "\n", "text/plain");
  });

  if (port == 0) {
    g_port = svr.bind_to_any_port(host);
  } else {
    g_port = svr.bind_to_port(host, port) ? port : -1;
  }
  if (g_port <= 0) {
    std::fprintf(stderr, "example-worker: cannot listen on %s:%d: %s\n", host.c_str(), port, std::strerror(errno));
    return 1;
  }
  raise_listen_backlog(g_port);
  std::printf("listening on %s:%d\n", host.c_str(), g_port);
  std::fflush(stdout);
  // SIGTERM/SIGINT: stop accepting, finish the requests in hand, exit 0.
  sigset_t stop_sigs;
  sigemptyset(&stop_sigs);
  sigaddset(&stop_sigs, SIGTERM);
  sigaddset(&stop_sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_sigs, nullptr);  // before the server's threads exist
  std::thread([&svr, stop_sigs] {
    int sig;
    sigwait(&stop_sigs, &sig);
    svr.stop();
  }).detach();
  return svr.listen_after_bind() ? 0 : 1;
}
