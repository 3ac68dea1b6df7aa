// End-to-end harness: starts real processes (the cutover binary, example workers) on
// ephemeral loopback ports, waits until they are ready, talks raw HTTP to them, and stops
// exactly the processes it started, by pid.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace e2e {

std::string temp_dir();  // a fresh directory under /tmp, removed by nobody (small files only)
void write_file(const std::string& path, const std::string& text);
// The file's text once it holds at least `n` lines (a log written in the background), or
// what it holds after 5 s.
std::string wait_for_lines(const std::string& path, size_t n);
std::string read_file(const std::string& path);

class Process {
 public:
  // Starts argv[0] with stdout+stderr appended to `log_path`.
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_; }
  std::string log() const { return read_file(log_); }
  // Waits for a log line containing `marker`; returns the text after it up to the line end.
  std::optional<std::string> wait_for(const std::string& marker, std::chrono::milliseconds timeout);
  bool running();
  void kill(int sig);
  int wait_exit(std::chrono::milliseconds timeout);  // exit code, or -1
  size_t rss_kib();

 private:
  pid_t pid_ = -1;
  std::string log_;
  bool reaped_ = false;
  int status_ = 0;
};

// An example worker (examples/worker) on an ephemeral port.
struct Worker {
  explicit Worker(const std::string& dir, const std::string& name = "w", std::vector<std::string> extra_args = {});
  std::unique_ptr<Process> proc;
  int port = 0;
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

// The legacy libfcgi example app (examples/app) on a unix socket in `dir`.
struct FcgiApp {
  explicit FcgiApp(const std::string& dir, const std::string& name = "legacy", std::vector<std::string> extra_args = {});
  std::unique_ptr<Process> proc;
  std::string socket;
  std::string address() const { return "unix:" + socket; }
};

// The cutover binary serving `config_toml` ({{PORT}} is replaced by 0: the port it picks).
// Tests run as root in CI, where cutover refuses to start without server.user: a config
// with a [server] table and no user gets allow_root = true (when running as root).
std::string allow_root_if_root(std::string cfg);

struct Gateway {
  Gateway(const std::string& dir, const std::string& config_toml);
  // Stops cutover and fails the test if a sanitizer reported anything in its log.
  ~Gateway();
  // The admin listener's port (server.admin = "127.0.0.1:0"), from the log; 0 if none.
  int admin_port();
  // The value of a /metrics series from the admin API ("name" sums every label set,
  // "name{labels}" one), or -1 when it is not there.
  double metric(const std::string& series);
  std::unique_ptr<Process> proc;
  int port = 0;
};

struct Response {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool closed = false;  // the server closed the connection after it
  std::string header(const std::string& name) const;  // first match, case-insensitive
  size_t count(const std::string& name) const;
};

class Client {
 public:
  explicit Client(int port);
  ~Client();
  bool send(const std::string& data);
  // Reads one response. `head` = the request was HEAD (no body). nullopt on timeout/EOF.
  std::optional<Response> read(bool head = false, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Everything until the peer closes (or timeout).
  std::string read_all(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool connected() const { return fd_ >= 0; }
  // True when the peer closes the connection (EOF or reset) within `timeout`.
  bool peer_closed(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buf_;
};

// The commonest scenario config: one listener, a pool "app" of `backends` and a route "all"
// forwarding everything to it; `pool_extra` / `server_extra` are TOML lines added to
// [pools.app] / [server].
std::string one_pool_config(const std::vector<std::string>& backends, const std::string& pool_extra = "",
                            const std::string& server_extra = "");

// Runs `cutover ARGS...` to the end (up to 2 minutes): its exit code and output.
std::pair<int, std::string> run_cutover(const std::string& dir, std::vector<std::string> args);

// Runs any program (argv[0] looked up in PATH) to the end: its exit code and output.
std::pair<int, std::string> run_program(const std::string& dir, std::vector<std::string> argv);

// Polls `cond` every 20 ms until it holds (true) or `ms` pass (its last value). The way a
// test waits for an event; no test sleeps to order events.
bool wait_until(const std::function<bool()>& cond, int ms = 8000);

// A peer's own pace, never an ordering: a backend that takes its time, a client that trickles
// bytes or reads slowly. The only other sleep in the tests is wait_until's poll.
void pace(std::chrono::milliseconds ms);

// True when a unix socket at `path` accepts a connection now.
bool unix_accepts(const std::string& path);

// How much the gateway's RSS may grow while a large body streams through it: bounded,
// whatever the body's size (its own size, which ASan's builds make ~140 MiB, is not
// counted: the growth is measured from the RSS just before the body).
#ifdef __SANITIZE_ADDRESS__
constexpr size_t kStreamingRssGrowthKiB = 96 * 1024;  // ASan's shadow memory and its 16 MiB quarantine
#else
constexpr size_t kStreamingRssGrowthKiB = 32 * 1024;
#endif

// A loopback port nothing listens on right now (bound to 0, then released).
int free_port();

// One request on a new connection.
std::optional<Response> fetch(int port, const std::string& method, const std::string& target,
                              const std::string& body = "",
                              const std::vector<std::string>& extra_headers = {});

// "Authorization: Basic ..." for user:password.
std::string basic_auth_field(const std::string& user, const std::string& password);

// "NAME=value" lines (a CGI variable dump) as a map; other lines are skipped.
std::map<std::string, std::string> parse_vars(const std::string& body);

// Fields of the worker's /echo answer ("header: Name: value" lines etc.).
std::multimap<std::string, std::string> parse_echo(const std::string& body);

}  // namespace e2e

namespace e2e {

// A raw TCP backend run by the test itself, for behaviour no real server shows on demand:
// it records what arrives and answers each request head with `reply` (or with what
// `respond` returns). Runs on its own thread; stops in the destructor.
class ScriptedBackend {
 public:
  using Responder = std::function<std::string(const std::string& request_head, int fd)>;
  explicit ScriptedBackend(Responder respond);
  // raw: `respond` gets whatever bytes arrived (each read), not HTTP heads: a fake of any
  // protocol (FastCGI).
  ScriptedBackend(Responder respond, bool raw) : ScriptedBackend(std::move(respond)) { raw_ = raw; }
  ~ScriptedBackend();
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  int closed() const { return closed_.load(); }  // connections whose peer (cutover) closed them
  std::string received();

 private:
  void serve(int fd);
  int listen_fd_ = -1;
  int port_ = 0;
  Responder respond_;
  std::atomic<bool> raw_{false};
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0}, requests_{0}, closed_{0};
  std::mutex mu_;
  std::string received_;
  std::thread thread_;
  std::vector<std::thread> conns_;
};

// A JSON service for compare tests: /items/N answers the item with a fresh timestamp and
// request id from `n` (noise in every answer); the candidate side says price 11 instead of
// 10 for every N divisible by 5 and 404 for N = 13 (six real differences in 1..26).
std::string noisy_json_answer(const std::string& request_head, bool candidate, uint64_t n);

}  // namespace e2e
