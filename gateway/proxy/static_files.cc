#include "proxy/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "rewrite/url.h"

namespace cutover {
namespace {

bool safe_path(std::string_view p) {
  if (p.empty() || p.front() != '/') return false;
  if (p.find('\0') != std::string_view::npos || p.find('\\') != std::string_view::npos) return false;
  // Any segment that is "..", or starts with '.', is refused (dotfiles are hidden).
  size_t i = 0;
  while ((i = p.find('/', i)) != std::string_view::npos) {
    ++i;
    if (i < p.size() && p[i] == '.') return false;
  }
  return true;
}

std::string http_time(time_t t) {
  tm g;
  gmtime_r(&t, &g);
  char buf[40];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &g);
  return buf;
}

}  // namespace

std::string_view mime_type(std::string_view name) {
  static const struct {
    std::string_view ext, type;
  } kTypes[] = {{".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
                {".css", "text/css"},                  {".js", "text/javascript"},
                {".json", "application/json"},         {".txt", "text/plain; charset=utf-8"},
                {".png", "image/png"},                 {".jpg", "image/jpeg"},
                {".jpeg", "image/jpeg"},               {".gif", "image/gif"},
                {".svg", "image/svg+xml"},             {".ico", "image/x-icon"},
                {".pdf", "application/pdf"},           {".xml", "application/xml"},
                {".wasm", "application/wasm"},         {".woff2", "font/woff2"}};
  for (auto& t : kTypes)
    if (name.size() >= t.ext.size() && name.substr(name.size() - t.ext.size()) == t.ext) return t.type;
  return "application/octet-stream";
}

awaitable<void> serve_static(const RouteSpec& route, const http1::RequestHead& head,
                             const std::string& target, const std::string& path,
                             ClientResponse& out) {
  if (head.method != "GET" && head.method != "HEAD") {
    std::vector<http1::Field> extra{http1::Field{"Allow", "GET, HEAD"}};  // named: g++ 12 rejects brace temporaries in co_await
    co_await send_simple(out, 405, "method not allowed\n", std::move(extra));
    co_return;
  }
  if (!safe_path(path)) {
    co_await send_simple(out, 404, "not found\n");
    co_return;
  }
  std::string file = route.static_root + path;
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) {
    co_await send_simple(out, 404, "not found\n");
    co_return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (path.back() != '/') {
      std::string loc = std::string(url::path_of(target)) + "/";
      if (url::has_query(target)) loc.append("?").append(url::query_of(target));
      std::vector<http1::Field> extra{http1::Field{"Location", loc}};  // named: g++ 12 rejects brace temporaries in co_await
      co_await send_simple(out, 301, "moved\n", std::move(extra));
      co_return;
    }
    bool found = false;
    for (const std::string& idx : route.index_files) {
      std::string candidate = file + idx;
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        file = candidate;
        found = true;
        break;
      }
    }
    if (!found) {
      co_await send_simple(out, 403, "directory listing not enabled\n");
      co_return;
    }
  }
  if (!S_ISREG(st.st_mode)) {
    co_await send_simple(out, 403, "forbidden\n");
    co_return;
  }
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    co_await send_simple(out, 403, "forbidden\n");
    co_return;
  }
  std::vector<http1::Field> fields;
  std::string lm = http_time(st.st_mtime);
  fields.push_back({"Content-Type", mime_type(file)});
  fields.push_back({"Last-Modified", lm});
  ResponseStart rs;
  rs.status = 200;
  rs.fields = &fields;
  rs.content_length = uint64_t(st.st_size);
  out.start(rs);
  bool ok = true;
  std::vector<char> buf(64 * 1024);
  off_t off = 0;
  while (ok && head.method != "HEAD" && off < st.st_size) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n <= 0) {
      out.force_close();  // the file shrank under us: the client must not wait for more
      break;
    }
    off += n;
    ok = co_await out.body(std::string_view(buf.data(), size_t(n)));
  }
  ::close(fd);
  if (ok) co_await out.finish();
  else out.force_close();
}

}  // namespace cutover
