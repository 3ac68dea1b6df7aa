#include "core/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>

#include "core/log.h"
#include "core/time_text.h"

namespace cutover {
namespace {

constexpr size_t kMaxBacklog = 16u << 20;
constexpr size_t kWakeBytes = 256u << 10;  // a backlog this large is written at once

void append_quoted_json(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

// Combined-format fields are quoted; a quote or control byte inside is escaped.
void append_escaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
}

std::string_view or_dash(std::string_view s) { return s.empty() ? std::string_view("-") : s; }

void append_number(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, size_t(r.ptr - buf));
}

std::string_view clf_time(int64_t wall_ms) { return utc_text<kCommonLogTime>(time_t(wall_ms / 1000)); }

}  // namespace

void format_access(const AccessRecord& r, AccessLogFormat f, std::string& out) {
  if (f == AccessLogFormat::json) {
    time_t secs = time_t(r.wall_time_ms / 1000);
    tm t;
    gmtime_r(&secs, &t);
    char when[40];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &t);
    out += "{\"time\":\"";
    out += when;
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03dZ\"", int(r.wall_time_ms % 1000));
    out += ms;
    auto field = [&](const char* k, std::string_view v) {
      out += ",\"";
      out += k;
      out += "\":";
      append_quoted_json(out, v);
    };
    auto number = [&](const char* k, int64_t v) {
      out += ",\"";
      out += k;
      out += "\":";
      out += std::to_string(v);
    };
    field("client", r.client_ip);
    field("method", r.method);
    field("target", r.target);
    number("status", r.status);
    number("bytes", int64_t(r.bytes));
    field("referer", r.referer);
    field("user_agent", r.user_agent);
    field("route", r.route);
    field("pool", r.pool);
    field("backend", r.backend);
    number("upstream_status", r.upstream_status);
    number("upstream_ms", r.upstream_ms);
    number("retries", r.retries);
    number("queue_ms", r.queue_ms);
    number("total_ms", r.total_ms);
    out += "}\n";
    return;
  }
  // Combined format, then cutover's fields as key=value.
  out += r.client_ip;
  out += " - - [";
  out += clf_time(r.wall_time_ms);
  out += "] \"";
  append_escaped(out, r.method);
  out += ' ';
  append_escaped(out, r.target);
  out += r.version_minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ";
  append_number(out, r.status);
  out += ' ';
  append_number(out, int64_t(r.bytes));
  out += " \"";
  append_escaped(out, or_dash(r.referer));
  out += "\" \"";
  append_escaped(out, or_dash(r.user_agent));
  out += "\" route=";
  out += or_dash(r.route);
  out += " pool=";
  out += or_dash(r.pool);
  out += " backend=";
  out += or_dash(r.backend);
  out += " upstream_status=";
  if (r.upstream_status) append_number(out, r.upstream_status);
  else out += '-';
  out += " upstream_ms=";
  if (r.upstream_ms >= 0) append_number(out, r.upstream_ms);
  else out += '-';
  out += " retries=";
  append_number(out, r.retries);
  out += " queue_ms=";
  append_number(out, r.queue_ms);
  out += " total_ms=";
  append_number(out, r.total_ms);
  out += '\n';
}

AccessLog::AccessLog(std::string path, AccessLogFormat format) : path_(std::move(path)), format_(format) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) log::error("access log " + path_ + ": cannot open (" + std::strerror(errno) + "); not logging requests");
  thread_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void AccessLog::write(const AccessRecord& r) {
  thread_local std::string line;
  line.clear();
  format_access(r, format_, line);
  // The writer wakes by itself every 100 ms; waking it for each line would cost a futex
  // call and a context switch per request (measured: a third of the throughput).
  bool wake = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (pending_.size() + line.size() > kMaxBacklog) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    pending_ += line;
    wake = pending_.size() >= kWakeBytes && pending_.size() - line.size() < kWakeBytes;
  }
  if (wake) cv_.notify_one();
}

void AccessLog::run() {
  std::string batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(100), [this] { return stop_ || pending_.size() >= kWakeBytes || reopen_; });
      batch.swap(pending_);
      if (stop_ && batch.empty()) return;
    }
    if (reopen_.exchange(false)) {
      int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
        log::info("access log " + path_ + " reopened");
      } else {
        log::error("access log " + path_ + ": cannot reopen (" + std::strerror(errno) + "); still writing to the old file");
      }
    }
    size_t off = 0;
    while (fd_ >= 0 && off < batch.size()) {
      ssize_t n = ::write(fd_, batch.data() + off, batch.size() - off);
      if (n <= 0) break;
      off += size_t(n);
    }
    batch.clear();
  }
}

}  // namespace cutover
