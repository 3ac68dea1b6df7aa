#include "harness.h"

#include <atomic>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace e2e {

using namespace std::chrono;

std::string temp_dir() {
  char tmpl[] = "/tmp/cutover-e2e.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream o(path, std::ios::binary);
  o << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string wait_for_lines(const std::string& path, size_t n) {
  for (int i = 0; i < 100; ++i) {
    std::string t = read_file(path);
    if (size_t(std::count(t.begin(), t.end(), '\n')) >= n) return t;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return read_file(path);
}

Process::Process(std::vector<std::string> argv, std::string log_path) : log_(std::move(log_path)) {
  int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_);
  // Everything the child needs is built before fork(): the test process has threads, and a
  // malloc in the child can wait forever on a lock another thread held at the fork (seen
  // under ASan: the child hung before exec, "cutover did not start" with an empty log).
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    execvp(args[0], args.data());
    _exit(127);
  }
  ::close(fd);
}

Process::~Process() {
  if (pid_ > 0 && running()) {
    ::kill(pid_, SIGTERM);
    if (wait_exit(milliseconds(3000)) == -1 && running()) {
      ::kill(pid_, SIGKILL);
      wait_exit(milliseconds(3000));
    }
  }
}

bool Process::running() {
  if (reaped_) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    status_ = st;
    return false;
  }
  return r == 0;
}

void Process::kill(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

int Process::wait_exit(milliseconds timeout) {
  auto end = steady_clock::now() + timeout;
  while (running()) {
    if (steady_clock::now() > end) return -1;
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return 128 + WTERMSIG(status_);
}

std::optional<std::string> Process::wait_for(const std::string& marker, milliseconds timeout) {
  auto end = steady_clock::now() + timeout;
  while (steady_clock::now() < end) {
    std::string text = log();
    size_t p = text.find(marker);
    if (p != std::string::npos) {
      size_t start = p + marker.size();
      size_t nl = text.find('\n', start);
      if (nl != std::string::npos) return text.substr(start, nl - start);
    }
    if (!running()) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return std::nullopt;
}

size_t Process::rss_kib() {
  std::string status = read_file("/proc/" + std::to_string(pid_) + "/status");
  size_t p = status.find("VmRSS:");
  if (p == std::string::npos) return 0;
  return std::stoul(status.substr(p + 6));
}

Worker::Worker(const std::string& dir, const std::string& name, std::vector<std::string> extra_args) {
  std::string log = dir + "/worker-" + name + ".log";
  std::vector<std::string> argv{WORKER_BIN, "--port", "0", "--name", name};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  proc = std::make_unique<Process>(argv, log);
  auto line = proc->wait_for("listening on 127.0.0.1:", seconds(10));
  if (!line) throw std::runtime_error("worker did not start: " + proc->log());
  port = std::stoi(*line);
}

FcgiApp::FcgiApp(const std::string& dir, const std::string& name, std::vector<std::string> extra_args) {
  socket = dir + "/" + name + ".sock";
  std::vector<std::string> argv{APP_BIN, "--socket", socket, "--name", name};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  proc = std::make_unique<Process>(argv, dir + "/app-" + name + ".log");
  if (!proc->wait_for("listening on ", seconds(10))) throw std::runtime_error("app.cgi did not start: " + proc->log());
}

std::string allow_root_if_root(std::string cfg) {
  size_t at = cfg.find("[server]\n");
  if (::geteuid() != 0 || at == std::string::npos) return cfg;
  std::string server = cfg.substr(at, cfg.find("\n[", at + 1) - at);  // the [server] table's own lines
  if (server.find("allow_root") != std::string::npos || server.find("\nuser = ") != std::string::npos) return cfg;
  cfg.insert(at + 9, "allow_root = true  # the tests run as root in CI\n");
  return cfg;
}

Gateway::Gateway(const std::string& dir, const std::string& config_toml) {
  std::string cfg = allow_root_if_root(config_toml);
  // Each gateway's control socket in its test's directory (not /run/cutover), one per
  // gateway: two may serve configs of the same directory.
  static std::atomic<int> gateways{0};
  if (size_t at = cfg.find("[server]\n"); at != std::string::npos && cfg.find("\ncontrol = ") == std::string::npos)
    cfg.insert(at + 9, "control = \"" + dir + "/control-" + std::to_string(++gateways) + ".sock\"\n");
  for (size_t p; (p = cfg.find("{{PORT}}")) != std::string::npos;) cfg.replace(p, 8, "0");
  write_file(dir + "/cutover.toml", cfg);
  proc = std::make_unique<Process>(
      std::vector<std::string>{CUTOVER_BIN, "serve", "-c", dir + "/cutover.toml"}, dir + "/cutover.log");
  auto line = proc->wait_for("listening on http://127.0.0.1:", seconds(10));
  if (!line)
    throw std::runtime_error(std::string("cutover did not start (") + (proc->running() ? "still running, silent" : "exited") +
                             "): " + proc->log());
  port = std::stoi(*line);
}

Gateway::~Gateway() {
  if (!proc) return;
  proc->kill(SIGTERM);
  proc->wait_exit(seconds(5));
  std::string log = proc->log();
  for (const char* bad : {"AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
    if (log.find(bad) != std::string::npos) ADD_FAILURE() << "cutover reported " << bad << ":\n" << log;
  }
}

std::string Response::header(const std::string& name) const {
  for (auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return "";
}

size_t Response::count(const std::string& name) const {
  size_t n = 0;
  for (auto& [k, v] : headers) n += strcasecmp(k.c_str(), name.c_str()) == 0;
  return n;
}

Client::Client(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

bool Client::send(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += size_t(n);
  }
  return true;
}

bool Client::fill(steady_clock::time_point deadline) {
  auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
  if (left <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, int(left)) <= 0) return false;
  char tmp[65536];
  ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) return false;
  buf_.append(tmp, size_t(n));
  return true;
}

std::optional<Response> Client::read(bool head, milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) return std::nullopt;
  Response r;
  std::istringstream lines(buf_.substr(0, end));
  std::string line;
  std::getline(lines, line);
  if (line.size() < 12) return std::nullopt;
  r.status = std::stoi(line.substr(9, 3));
  r.reason = line.size() > 13 ? line.substr(13) : "";
  if (!r.reason.empty() && r.reason.back() == '\r') r.reason.pop_back();
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t c = line.find(':');
    if (c == std::string::npos) continue;
    std::string v = line.substr(c + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    r.headers.emplace_back(line.substr(0, c), v);
  }
  buf_.erase(0, end + 4);
  bool no_body = head || r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
  if (no_body) return r;
  std::string te = r.header("Transfer-Encoding");
  std::string cl = r.header("Content-Length");
  if (!te.empty()) {
    while (true) {
      size_t nl;
      while ((nl = buf_.find("\r\n")) == std::string::npos)
        if (!fill(deadline)) return std::nullopt;
      size_t size = std::stoul(buf_.substr(0, nl), nullptr, 16);
      buf_.erase(0, nl + 2);
      if (size == 0) {
        while ((nl = buf_.find("\r\n")) == std::string::npos)
          if (!fill(deadline)) return std::nullopt;
        buf_.erase(0, nl + 2);  // no trailers expected
        break;
      }
      while (buf_.size() < size + 2)
        if (!fill(deadline)) return std::nullopt;
      r.body.append(buf_, 0, size);
      buf_.erase(0, size + 2);
    }
  } else if (!cl.empty()) {
    size_t n = std::stoul(cl);
    while (buf_.size() < n)
      if (!fill(deadline)) return std::nullopt;
    r.body = buf_.substr(0, n);
    buf_.erase(0, n);
  } else {
    while (fill(deadline)) {
    }
    r.body = buf_;
    buf_.clear();
    r.closed = true;
  }
  return r;
}

bool Client::peer_closed(milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, int(timeout.count())) <= 0) return false;
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK) <= 0;
}

std::string Client::read_all(milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (fill(deadline)) {
  }
  std::string out = buf_;
  buf_.clear();
  return out;
}

std::string one_pool_config(const std::vector<std::string>& backends, const std::string& pool_extra,
                            const std::string& server_extra) {
  std::string list;
  for (auto& b : backends) list += (list.empty() ? "\"" : ", \"") + b + "\"";
  return "[server]\nlisten = [\"127.0.0.1:{{PORT}}\"]\n" + server_extra + "[pools.app]\nbackends = [" + list + "]\n" +
         pool_extra + "[[routes]]\nname = \"all\"\nforward = \"app\"\n";
}

std::optional<Response> fetch(int port, const std::string& method, const std::string& target,
                              const std::string& body, const std::vector<std::string>& extra) {
  Client c(port);
  if (!c.connected()) return std::nullopt;
  bool own_host = false;  // a caller may name the Host itself
  for (auto& h : extra) own_host = own_host || strncasecmp(h.c_str(), "host:", 5) == 0;
  // What curl sends: the address and port it connects to.
  std::string req = method + " " + target + " HTTP/1.1\r\n" + (own_host ? "" : "Host: 127.0.0.1:" + std::to_string(port) + "\r\n");
  for (auto& h : extra) req += h + "\r\n";
  if (!body.empty()) req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  if (!c.send(req)) return std::nullopt;
  return c.read(method == "HEAD");
}

std::map<std::string, std::string> parse_vars(const std::string& body) {
  std::map<std::string, std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::multimap<std::string, std::string> parse_echo(const std::string& body) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) break;
    size_t c = line.find(": ");
    if (c == std::string::npos) continue;
    std::string k = line.substr(0, c), v = line.substr(c + 2);
    if (k == "header") {
      size_t c2 = v.find(": ");
      out.emplace("header:" + v.substr(0, c2), c2 == std::string::npos ? "" : v.substr(c2 + 2));
    } else {
      out.emplace(k, v);
    }
  }
  return out;
}

}  // namespace e2e

namespace e2e {

ScriptedBackend::ScriptedBackend(Responder respond) : respond_(std::move(respond)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 128) != 0)
    throw std::runtime_error("scripted backend: bind/listen failed");
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      conns_.emplace_back([this, fd] { serve(fd); });
    }
  });
}

ScriptedBackend::~ScriptedBackend() {
  stop_ = true;
  thread_.join();
  for (auto& t : conns_) t.join();
  ::close(listen_fd_);
}

std::string ScriptedBackend::received() {
  std::lock_guard<std::mutex> g(mu_);
  return received_;
}

void ScriptedBackend::serve(int fd) {
  std::string buf;
  char tmp[16384];
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 50);
    if (r == 0) continue;
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
      ++closed_;
      break;
    }
    buf.append(tmp, size_t(n));
    {
      std::lock_guard<std::mutex> g(mu_);
      received_.append(tmp, size_t(n));
    }
    size_t end;
    bool closed = false;
    if (raw_) {
      ++requests_;
      std::string reply = respond_(buf, fd);
      buf.clear();
      if (reply == "<close>") break;
      if (!reply.empty()) ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      continue;
    }
    while ((end = buf.find("\r\n\r\n")) != std::string::npos) {
      std::string head = buf.substr(0, end + 4);
      buf.erase(0, end + 4);
      ++requests_;
      std::string reply = respond_(head, fd);
      if (reply == "<close>") {
        closed = true;
        break;
      }
      if (!reply.empty()) ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    if (closed) break;
  }
  ::close(fd);
}

std::pair<int, std::string> run_cutover(const std::string& dir, std::vector<std::string> args) {
  static std::atomic<int> n{0};
  args.insert(args.begin(), CUTOVER_BIN);
  std::string out = dir + "/cutover-cli-" + std::to_string(++n) + ".out";
  Process p(args, out);
  int code = p.wait_exit(std::chrono::seconds(120));
  return {code, read_file(out)};
}

std::string basic_auth_field(const std::string& user, const std::string& password) {
  static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = user + ":" + password, out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int k = 18; k >= 0; k -= 6) out.push_back(kAlpha[(v >> k) & 63]);
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (i + 1 < in.size() ? (unsigned char)in[i + 1] << 8 : 0);
    out.push_back(kAlpha[v >> 18]);
    out.push_back(kAlpha[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlpha[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return "Authorization: Basic " + out;
}

std::pair<int, std::string> run_program(const std::string& dir, std::vector<std::string> argv) {
  static std::atomic<int> n{0};
  std::string out = dir + "/program-" + std::to_string(++n) + ".out";
  Process p(argv, out);
  int code = p.wait_exit(std::chrono::seconds(120));
  return {code, read_file(out)};
}

int Gateway::admin_port() {
  auto line = proc->wait_for("admin API on http://127.0.0.1:", seconds(10));
  return line ? std::atoi(line->c_str()) : 0;
}

double Gateway::metric(const std::string& series) {
  int admin = admin_port();
  if (admin == 0) return -1;
  auto r = fetch(admin, "GET", "/metrics");
  if (!r || r->status != 200) return -1;
  double sum = 0;
  bool seen = false;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series, 0) != 0 || line.size() <= series.size()) continue;
    char next = line[series.size()];
    if (next != ' ' && next != '{') continue;
    size_t sp = line.rfind(' ');
    sum += std::atof(line.c_str() + sp + 1);
    seen = true;
  }
  return seen ? sum : -1;
}

bool wait_until(const std::function<bool()>& cond, int ms) {
  auto deadline = steady_clock::now() + milliseconds(ms);
  while (steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return cond();
}

void pace(std::chrono::milliseconds ms) {
  if (ms.count() > 0) std::this_thread::sleep_for(ms);
}

bool unix_accepts(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string noisy_json_answer(const std::string& head, bool candidate, uint64_t n) {
  std::string path = head.substr(4, head.find(' ', 4) - 4);
  int item = std::atoi(path.c_str() + path.rfind('/') + 1);
  if (candidate && item == 13) return "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  int price = candidate && item % 5 == 0 ? 11 : 10;
  std::string body = "{\"item\":" + std::to_string(item) + ",\"name\":\"kettle " + std::to_string(item) + "\",\"price\":" +
                     std::to_string(price) + ",\"generated_at\":\"2026-12-01T10:" + std::to_string(10 + n % 50) + ":" +
                     std::to_string(10 + (n * 7) % 50) + "." + std::to_string(n * 7919 % 1000) + "Z\",\"request_id\":\"" +
                     std::to_string(n * 2654435761u % 1000000007u) + "\"}";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace e2e
