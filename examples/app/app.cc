// The legacy app: a FastCGI responder written against libfcgi, like the app.cgi behind
// lighttpd. It serves the same pages as the example HTTP worker, plus /env (its CGI
// variables). It listens on fd 0 when started by a spawner (the FastCGI convention), or on
// --socket PATH / --port N itself.
//   app.cgi [--socket /run/app.sock | --port 9000] [--name legacy] [--env-always 1]
//           [--ignore-keep-conn 1] [--record FILE]
// --record appends each request's REQUEST_URI to FILE as it arrives (the order the app saw);
// /hold?path=FILE answers once FILE exists (at most 10 s), so a test can keep it busy.
#include <fcgiapp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "shop.h"
#include <vector>

namespace {

std::string param(FCGX_Request& r, const char* name) {
  const char* v = FCGX_GetParam(name, r.envp);
  return v ? v : "";
}

void respond(FCGX_Request& r, const std::string& status, const std::string& type, const std::string& body,
             const std::string& extra = "") {
  std::string head = (status.empty() ? "" : "Status: " + status + "\r\n") + "Content-Type: " + type + "\r\n" + extra + "\r\n";
  FCGX_PutStr(head.data(), int(head.size()), r.out);
  FCGX_PutStr(body.data(), int(body.size()), r.out);
}

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_busy = 0;  // a request is being answered

// SIGTERM: finish the request in hand, then exit (a supervisor's rolling restart relies on
// it); when idle, exit at once. (FCGX_ShutdownPending was used before: after a client had
// gone, libfcgi's close could then loop forever on a closed descriptor.)
void on_term(int) {
  if (!g_busy) _exit(0);
  g_stop = 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path, name = "legacy";
  bool env_always = false;  // every page prints its CGI variables (differential tests)
  bool ignore_keep_conn = false;  // close after every request, whatever the server asked
  int port = 0;
  int record_fd = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--socket") socket_path = argv[i + 1];
    else if (a == "--port") port = std::atoi(argv[i + 1]);
    else if (a == "--name") name = argv[i + 1];
    else if (a == "--env-always") env_always = std::string(argv[i + 1]) == "1";
    else if (a == "--ignore-keep-conn") ignore_keep_conn = std::string(argv[i + 1]) == "1";
    else if (a == "--record") record_fd = ::open(argv[i + 1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  FCGX_Init();
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  int fd = 0;  // the spawner's listening socket
  if (!socket_path.empty()) fd = FCGX_OpenSocket(socket_path.c_str(), 128);
  else if (port) fd = FCGX_OpenSocket((":" + std::to_string(port)).c_str(), 128);
  if (fd < 0) {
    std::fprintf(stderr, "app.cgi: cannot listen: %s\n", std::strerror(errno));
    return 1;
  }
  if (!socket_path.empty() || port) std::printf("listening on %s\n", socket_path.empty() ? std::to_string(port).c_str() : socket_path.c_str());
  std::fflush(stdout);
  FCGX_Request r;
  FCGX_InitRequest(&r, fd, 0);
  int conn_requests = 0;  // requests on the current connection (more than 1: it was kept)
  bool kept = false;
  while (!g_stop && FCGX_Accept_r(&r) >= 0) {
    g_busy = 1;
    conn_requests = kept ? conn_requests + 1 : 1;
    kept = r.keepConnection && !ignore_keep_conn;
    std::string path = param(r, "SCRIPT_NAME") + param(r, "PATH_INFO");
    std::string info = param(r, "PATH_INFO");
    std::string page = info.empty() ? param(r, "SCRIPT_NAME") : info;
    if (record_fd >= 0) {
      std::string line = param(r, "REQUEST_URI") + "\n";
      (void)!::write(record_fd, line.data(), line.size());
    }
    if (page == "/env" || env_always) {
      std::vector<std::string> vars;
      for (char** e = r.envp; *e; ++e) vars.emplace_back(*e);
      std::sort(vars.begin(), vars.end());
      std::string body = env_always ? "app: " + name + "\n" : "";
      for (auto& v : vars) body += v + "\n";
      respond(r, "", "text/plain", body);
    } else if (page == "/shop/" || page == "/shop") {
      respond(r, "", "text/html; charset=utf-8", shop::index_html());
    } else if (page.rfind("/shop/items/", 0) == 0) {
      std::string item = shop::item_json(std::atoi(page.c_str() + 12), false);
      if (item.empty()) respond(r, "404 Not Found", "application/json", "{\"error\":\"no such item\"}\n");
      else respond(r, "", "application/json", item);
    } else if (page == "/echo") {
      std::string body;
      char buf[65536];
      int n;
      while ((n = FCGX_GetStr(buf, sizeof buf, r.in)) > 0) body.append(buf, size_t(n));
      respond(r, "", "text/plain", "method: " + param(r, "REQUEST_METHOD") + "\nbody-length: " + std::to_string(body.size()) +
                                       "\n\n" + body);
    } else if (page.rfind("/status/", 0) == 0) {
      std::string code = page.substr(8);
      respond(r, code + " Custom", "text/plain", "status " + code + "\n");
    } else if (page == "/hold") {
      std::string q = param(r, "QUERY_STRING");
      std::string file = q.rfind("path=", 0) == 0 ? q.substr(5) : "";
      struct stat st;
      for (int i = 0; i < 5000 && ::stat(file.c_str(), &st) != 0; ++i) ::usleep(2000);
      respond(r, "", "text/plain", "held\n");
    } else if (page == "/redirect") {
      respond(r, "", "text/plain", "", "Location: http://example.org/elsewhere\r\n");
    } else if (page == "/goto") {
      // A CGI local redirect (RFC 3875 6.2.2): Location with a local path and no Status;
      // the gateway answers that path instead. goto?to=/path; goto?loop names itself.
      std::string q = param(r, "QUERY_STRING");
      std::string to = q.rfind("to=", 0) == 0 ? q.substr(3) : q == "loop" ? param(r, "REQUEST_URI") : "/";
      std::string head = "Location: " + to + "\r\n\r\n";
      FCGX_PutStr(head.data(), int(head.size()), r.out);
    } else if (page == "/sendfile") {
      // X-Sendfile: the gateway sends the file (when the pool allows it); this body is dropped.
      std::string q = param(r, "QUERY_STRING");
      std::string file = q.rfind("path=", 0) == 0 ? q.substr(5) : "";
      respond(r, "", "text/plain; charset=utf-8", "the app's own body\n",
              "X-Sendfile: " + file + "\r\nCache-Control: private\r\n");
    } else if (page == "/stderr") {
      FCGX_FPrintF(r.err, "something odd happened\n");
      respond(r, "", "text/plain", "logged\n");
    } else if (page == "/large") {
      long total = std::atol(param(r, "QUERY_STRING").c_str() + 6);  // bytes=N
      std::string head = "Content-Type: application/octet-stream\r\n\r\n";
      FCGX_PutStr(head.data(), int(head.size()), r.out);
      std::string block(65536, 'x');
      for (long sent = 0; sent < total; sent += long(block.size()))
        FCGX_PutStr(block.data(), int(std::min<long>(long(block.size()), total - sent)), r.out);
    } else {
      respond(r, "", "text/plain", "hello from " + name + " (pid " + std::to_string(getpid()) + ")\n",
              "X-Conn-Requests: " + std::to_string(conn_requests) + "\r\n");
    }
    if (ignore_keep_conn) r.keepConnection = 0;  // libfcgi then closes in FCGX_Finish_r
    FCGX_Finish_r(&r);
    g_busy = 0;
  }
  return 0;
}
