#include "proxy/static_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <chrono>
#include <unordered_map>
#include <ctime>

#include "core/file_io.h"
#include "core/log.h"
#include "http1/time_text.h"
#include "rewrite/url.h"
#include "static/listing.h"
#include "static/path.h"
#include "static/validators.h"

namespace cutover {
namespace {

using http1::Field;

// An fd closed when the request is done with it (unless the open-file cache owns it).
struct Fd {
  int fd = -1;
  bool owned = true;
  Fd() = default;
  explicit Fd(int f, bool own = true) : fd(f), owned(own) {}
  Fd(Fd&& o) noexcept : fd(o.fd), owned(o.owned) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd = o.fd;
      owned = o.owned;
      o.fd = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0 && owned) ::close(fd);
    fd = -1;
  }
  explicit operator bool() const { return fd >= 0; }
};

// Opens `rel` under `dir`. Without follow_symlinks, the kernel refuses a symlink anywhere
// on the way and anything that resolves outside `dir` (openat2 RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS): the check and the open are one step, so nothing can swap a
// component in between.
int open_under(int dir, const std::string& rel, int flags, bool follow) {
  const char* p = rel.empty() ? "." : rel.c_str();
  flags |= O_CLOEXEC | O_NOCTTY | O_NONBLOCK;  // O_NONBLOCK: a FIFO must not hang the loop
  if (follow) return ::openat(dir, p, flags);
  open_how how{};
  how.flags = uint64_t(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return int(::syscall(SYS_openat2, dir, p, &how, sizeof how));
}

// The root directory, opened once per thread and re-checked against its path once a second
// (so a deploy that switches a symlinked root is seen within a second). Not closed.
int root_fd(const std::string& root) {
  struct Entry {
    int fd;
    dev_t dev;
    ino_t ino;
    int64_t checked_ms;
  };
  thread_local std::unordered_map<std::string, Entry> cache;
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch()).count();
  auto it = cache.find(root);
  if (it != cache.end() && now - it->second.checked_ms < 1000) return it->second.fd;
  struct stat st;
  bool exists = ::stat(root.c_str(), &st) == 0;
  if (it != cache.end()) {
    if (exists && st.st_dev == it->second.dev && st.st_ino == it->second.ino) {
      it->second.checked_ms = now;
      return it->second.fd;
    }
    ::close(it->second.fd);
    cache.erase(it);
  }
  if (!exists) return -1;
  int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  cache.emplace(root, Entry{fd, st.st_dev, st.st_ino, now});
  return fd;
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Open regular files kept per thread for `ttl` (server.file_cache; lighttpd's stat cache
// keeps a second too): a hot file costs no open/fstat/close. After ttl the path is opened
// again under the same rules, so a replaced or removed file is seen within ttl. Entries
// unused for 10 s are closed (a deleted file's space is given back).
class OpenFileCache {
 public:
  // A cached fd (not owned by the caller) and its stat, or -1 with errno from the open.
  int open(int root, const std::string& rel, bool follow, int64_t ttl_ms, struct stat& st) {
    int64_t now = steady_ms();
    sweep(now);
    key_.assign(reinterpret_cast<const char*>(&root), sizeof root).append(1, follow ? 'f' : 'n').append(rel);
    auto it = map_.find(key_);
    if (it != map_.end()) {
      if (now - it->second.opened_ms < ttl_ms) {
        it->second.used_ms = now;
        st = it->second.st;
        return it->second.fd;
      }
      ::close(it->second.fd);
      map_.erase(it);
    }
    int fd = open_under(root, rel, O_RDONLY, follow);
    if (fd < 0) return -1;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      errno = EACCES;
      return -1;
    }
    if (!S_ISREG(st.st_mode) || map_.size() >= kMax) {
      owned_ = true;  // the caller closes this one
      return fd;
    }
    map_.emplace(key_, Entry{fd, st, now, now});
    return fd;
  }
  // True when the last open() returned an fd the caller must close.
  bool take_owned() {
    bool o = owned_;
    owned_ = false;
    return o;
  }

 private:
  struct Entry {
    int fd;
    struct stat st;
    int64_t opened_ms, used_ms;
  };
  void sweep(int64_t now) {
    if (now - swept_ms_ < 1000) return;
    swept_ms_ = now;
    for (auto it = map_.begin(); it != map_.end();) {
      if (now - it->second.used_ms > 10000) {
        ::close(it->second.fd);
        it = map_.erase(it);
      } else {
        ++it;
      }
    }
  }
  static constexpr size_t kMax = 4096;
  std::unordered_map<std::string, Entry> map_;
  std::string key_;
  int64_t swept_ms_ = 0;
  bool owned_ = false;
};

// Opens `rel` under `root` through the thread's cache when server.file_cache is on.
Fd open_file(int root, const std::string& rel, bool follow, int64_t ttl_ms, struct stat& st, bool& stat_ok) {
  stat_ok = false;
  if (ttl_ms <= 0) return Fd(open_under(root, rel, O_RDONLY, follow));
  thread_local OpenFileCache cache;
  int fd = cache.open(root, rel, follow, ttl_ms, st);
  if (fd < 0) return Fd();
  stat_ok = true;
  return Fd(fd, cache.take_owned());
}

// Last-Modified text: the same file's date is formatted once.
const std::string& last_modified_text(time_t t) {
  thread_local time_t last = -1;
  thread_local std::string text;
  if (t != last) {
    text = statics::http_date(t);
    last = t;
  }
  return text;
}

// The ETag of the file served last on this thread, kept: a hot file formats it once.
std::string_view etag_text(const struct stat& st) {
  thread_local struct {
    ino_t ino = 0;
    off_t size = -1;
    timespec mtime{};
    std::string text;
  } last;
  if (st.st_ino != last.ino || st.st_size != last.size || st.st_mtim.tv_sec != last.mtime.tv_sec ||
      st.st_mtim.tv_nsec != last.mtime.tv_nsec) {
    last.text = statics::make_etag(uint64_t(st.st_ino), uint64_t(st.st_size), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    last.ino = st.st_ino;
    last.size = st.st_size;
    last.mtime = st.st_mtim;
  }
  return last.text;
}

bool accepts(const http1::RequestHead& head, std::string_view coding) {
  for (const Field& f : head.fields) {
    if (!http1::iequals(f.name, "accept-encoding")) continue;
    std::string_view v = f.value;
    while (!v.empty()) {
      size_t comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      size_t semi = item.find(';');
      std::string_view name = item.substr(0, semi);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      bool zero = false;
      if (semi != std::string_view::npos) {
        std::string_view params = item.substr(semi + 1);
        size_t q = params.find("q=");
        if (q != std::string_view::npos) {
          std::string_view qv = params.substr(q + 2);
          zero = qv.substr(0, 1) == "0" && qv.find_first_of("123456789") == std::string_view::npos;
        }
      }
      if (http1::iequals(name, coding) && !zero) return true;
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::string_view field(const http1::RequestHead& head, std::string_view name) {
  for (const Field& f : head.fields)
    if (http1::iequals(f.name, name)) return f.value;
  return {};
}

bool excluded(const StaticSpec& s, std::string_view name) { return statics::excluded_name(s.exclude_extensions, name); }

// Cache-Control / Expires of the route.
void cache_fields(const StaticSpec& s, std::vector<Field>& fields, std::string& expires_text, std::string& max_age) {
  if (!s.cache_control.empty()) fields.push_back({"Cache-Control", s.cache_control});
  if (s.expires) {
    time_t at = time(nullptr) + time_t(s.expires->count() / 1000);
    expires_text = statics::http_date(at);
    fields.push_back({"Expires", expires_text});
    if (s.cache_control.empty()) {
      max_age = "max-age=" + std::to_string(s.expires->count() / 1000);
      fields.push_back({"Cache-Control", max_age});
    }
  }
}

std::vector<statics::DirEntry> read_dir(int dirfd, const StaticSpec& s) {
  std::vector<statics::DirEntry> out;
  int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return out;
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return out;
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (name.front() == '.' && !s.dotfiles) continue;
    struct stat st;
    if (::fstatat(dirfd, e->d_name, &st, s.follow_symlinks ? 0 : AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;  // symlinks (when not followed), sockets...
    if (S_ISREG(st.st_mode) && excluded(s, name)) continue;
    out.push_back({std::string(name), S_ISDIR(st.st_mode), uint64_t(st.st_size), st.st_mtime});
  }
  ::closedir(d);
  return out;
}

awaitable<void> refuse(ResponseStream& out, int status, const char* body) {
  co_await send_simple(out, status, body);
}

// A method files do not take (statics::method_answer): nginx's way 405 with what they do
// take; lighttpd's OPTIONS 200 with Allow and no body, as lighttpd answers a request no
// module handled, and anything else 501 (its response.c).
awaitable<void> answer_other_method(int status, ResponseStream& out) {
  if (status == 405) {
    std::vector<Field> extra{Field{"Allow", "GET, HEAD"}};  // named: g++ 12 rejects brace temporaries in co_await
    co_await send_simple(out, 405, "method not allowed\n", std::move(extra));
  } else if (status == 200) {
    co_await answer_options(out);
  } else if (status == 403) {
    co_await refuse(out, 403, "forbidden\n");
  } else {
    co_await send_simple(out, status, "not implemented\n");
  }
}



// Step 5 of serving a file, shared with X-Sendfile: validators (ETag, Last-Modified),
// preconditions (304/412), ranges (206, multipart, 416), then the body by sendfile.
struct FileAnswer {
  std::string_view type;        // Content-Type
  bool etag = true;
  std::string_view encoding;    // Content-Encoding of a precompressed sibling
  bool vary = false;            // Vary: Accept-Encoding
  const std::vector<Field>* extra = nullptr;  // caching fields; an app's own fields
  bool ranges = true;           // off: Range is ignored and no Accept-Ranges is sent
};

awaitable<void> answer_file(const http1::RequestHead& head, int fd, const struct stat& st, const FileAnswer& a,
                            ResponseStream& out) {
  // Views into per-thread text: used before this coroutine next suspends (start() copies them).
  std::string_view etag = a.etag ? etag_text(st) : std::string_view();
  const std::string& last_modified = last_modified_text(st.st_mtime);
  statics::Conditions cond{field(head, "if-match"),          field(head, "if-none-match"),
                           field(head, "if-modified-since"), field(head, "if-unmodified-since"),
                           field(head, "if-range"),          field(head, "range")};
  statics::FileFacts facts{etag, st.st_mtime, uint64_t(st.st_size)};
  std::vector<Field> fields;
  fields.reserve(12 + (a.extra ? a.extra->size() : 0));
  fields.push_back({"Date", utc_text<kHttpDate>(time(nullptr))});
  int pre = statics::evaluate_preconditions(cond, facts, true);
  if (pre == 304) {
    // The type the 200 would have, as lighttpd sends it (clients and caches that revalidate
    // keep it; RFC 9110 15.4.5 allows it).
    if (!a.type.empty()) fields.push_back({"Content-Type", a.type});
    if (!etag.empty()) fields.push_back({"ETag", etag});
    fields.push_back({"Last-Modified", last_modified});
    if (a.extra) fields.insert(fields.end(), a.extra->begin(), a.extra->end());
    if (a.vary) fields.push_back({"Vary", "Accept-Encoding"});
    ResponseStart rs;
    rs.status = 304;
    rs.fields = &fields;
    rs.has_body = false;
    out.start(rs);
    co_await out.finish();
    co_return;
  }
  if (pre == 412) {
    co_await refuse(out, 412, "precondition failed\n");
    co_return;
  }
  std::vector<statics::ByteRange> ranges;
  statics::RangeOutcome ro = a.ranges ? statics::evaluate_range(cond, facts, ranges) : statics::RangeOutcome::full;
  if (ro == statics::RangeOutcome::unsatisfiable) {
    std::string cr = "bytes */" + std::to_string(st.st_size);
    std::vector<Field> extra{Field{"Content-Range", cr}};
    co_await send_simple(out, 416, "range not satisfiable\n", std::move(extra));
    co_return;
  }
  fields.push_back({"Last-Modified", last_modified});
  if (!etag.empty()) fields.push_back({"ETag", etag});
  if (a.ranges) fields.push_back({"Accept-Ranges", "bytes"});
  if (a.extra) fields.insert(fields.end(), a.extra->begin(), a.extra->end());
  if (!a.encoding.empty()) fields.push_back({"Content-Encoding", a.encoding});
  if (a.vary) fields.push_back({"Vary", "Accept-Encoding"});
  const std::string_view type = a.type;
  ResponseStart rs;
  rs.fields = &fields;
  rs.file_mtime = int64_t(st.st_mtime);
  if (ro == statics::RangeOutcome::full) {
    fields.push_back({"Content-Type", type});
    rs.status = 200;
    rs.content_length = uint64_t(st.st_size);
    out.start(rs);
    if (co_await out.send_file(fd, 0, uint64_t(st.st_size))) co_await out.finish();
    else out.force_close();
    co_return;
  }
  rs.status = 206;
  if (ranges.size() == 1) {
    std::string cr = "bytes " + std::to_string(ranges[0].first) + "-" + std::to_string(ranges[0].last) + "/" +
                     std::to_string(st.st_size);
    fields.push_back({"Content-Type", type});
    fields.push_back({"Content-Range", cr});
    rs.content_length = ranges[0].length();
    out.start(rs);
    if (co_await out.send_file(fd, ranges[0].first, ranges[0].length())) co_await out.finish();
    else out.force_close();
    co_return;
  }
  // Several ranges: multipart/byteranges, its length known before the first byte.
  char boundary[40];
  std::snprintf(boundary, sizeof boundary, "cutover%016llx", (unsigned long long)(st.st_ino ^ uint64_t(st.st_mtim.tv_nsec) ^ uint64_t(time(nullptr))));
  std::vector<std::string> part_heads;
  uint64_t total = 0;
  for (auto& r : ranges) {
    part_heads.push_back("\r\n--" + std::string(boundary) + "\r\nContent-Type: " + std::string(type) + "\r\nContent-Range: bytes " +
                         std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + std::to_string(st.st_size) +
                         "\r\n\r\n");
    total += part_heads.back().size() + r.length();
  }
  std::string tail = "\r\n--" + std::string(boundary) + "--\r\n";
  total += tail.size();
  std::string ctype = "multipart/byteranges; boundary=" + std::string(boundary);
  fields.push_back({"Content-Type", ctype});
  rs.content_length = total;
  out.start(rs);
  bool ok = true;
  for (size_t i = 0; ok && i < ranges.size(); ++i) {
    ok = co_await out.body(part_heads[i]);
    if (ok) ok = co_await out.send_file(fd, ranges[i].first, ranges[i].length());
  }
  if (ok) ok = co_await out.body(tail);
  if (ok) co_await out.finish();
  else out.force_close();
}


}  // namespace

awaitable<void> serve_static(const RouteSpec& route, const http1::RequestHead& head, const std::string& target,
                             const std::string& path, int64_t file_cache_ms, ResponseStream& out) {
  const StaticSpec& s = route.static_files;
  // 1. Where the path points, refused on its text alone when it could leave the root.
  std::string rel, why;
  bool dir_hint = false;
  statics::PathRules rules{s.alias ? std::string_view(s.alias_prefix) : std::string_view(), s.dotfiles};
  if (!statics::resolve(path, rules, rel, dir_hint, why)) {
    log::info("static " + route.name + ": refused " + std::string(head.target) + ": " + why);
    co_await refuse(out, 404, "not found\n");
    co_return;
  }
  // 2. Open it under the root, the file system checked in the same step.
  int root = root_fd(s.root);
  if (root < 0) {
    log::error("static " + route.name + ": cannot open root " + s.root + ": " + strerror(errno));
    co_await refuse(out, 500, "static root unavailable\n");
    co_return;
  }
  struct stat st;
  bool have_stat = false;
  Fd file = open_file(root, rel, s.follow_symlinks, file_cache_ms, st, have_stat);
  if (!file && errno == ENOTDIR && s.pathinfo) {
    // lighttpd's path info for files: "/doc.html/extra" serves doc.html (the first leading
    // part that is a regular file; static-file.disable-pathinfo turns it off).
    int saved = errno;
    for (size_t cut = rel.find('/'); cut != std::string::npos; cut = rel.find('/', cut + 1)) {
      std::string lead = rel.substr(0, cut);
      struct stat lst;
      bool lstat_ok = false;
      Fd f = open_file(root, lead, s.follow_symlinks, file_cache_ms, lst, lstat_ok);
      if (!f) break;
      if (!lstat_ok && ::fstat(f.fd, &lst) != 0) break;
      if (S_ISREG(lst.st_mode)) {
        file = std::move(f);
        st = lst;
        have_stat = true;
        rel = lead;
        dir_hint = false;
        break;
      }
    }
    if (!file) errno = saved;
  }
  if (!file) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR || e == ENAMETOOLONG) co_await refuse(out, 404, "not found\n");
    else if (e == ELOOP || e == EXDEV) co_await refuse(out, 403, "forbidden\n");  // a symlink, not allowed here
    else co_await refuse(out, 403, "forbidden\n");
    co_return;
  }
  if (!have_stat && ::fstat(file.fd, &st) != 0) {
    co_await refuse(out, 403, "forbidden\n");
    co_return;
  }
  std::string name = rel;  // for the content type and exclusions
  if (S_ISDIR(st.st_mode)) {
    if (!dir_hint && !rel.empty()) {
      // A directory without its trailing slash: relative links inside it need one.
      std::string loc = std::string(url::path_of(head.target)) + "/";
      if (url::has_query(head.target)) loc.append("?").append(url::query_of(head.target));
      std::vector<Field> extra{Field{"Location", loc}};
      co_await send_simple(out, 301, "moved\n", std::move(extra));
      co_return;
    }
    Fd index;
    for (const std::string& idx : s.index_files) {
      Fd f(open_under(file.fd, idx, O_RDONLY, s.follow_symlinks));
      struct stat ist;
      if (f && ::fstat(f.fd, &ist) == 0 && S_ISREG(ist.st_mode)) {
        index = std::move(f);
        st = ist;
        name = idx;
        break;
      }
    }
    if (!index) {
      if (s.lighttpd_methods && head.method != "GET" && head.method != "HEAD") {
        co_await answer_other_method(statics::unhandled_answer(head.method), out);
        co_return;
      }
      if (!s.listing) {
        co_await refuse(out, 403, "directory listing not enabled\n");
        co_return;
      }
      std::vector<statics::DirEntry> entries = read_dir(file.fd, s);
      std::string_view query = url::query_of(target);
      bool json = s.listing_json && (query.find("format=json") != std::string_view::npos ||
                                     field(head, "accept").find("application/json") != std::string_view::npos);
      statics::ListingOrder order = statics::listing_order(query);
      statics::sort_entries(entries, order);
      std::string shown = path;
      std::string body = json ? statics::render_listing_json(shown, entries)
                              : statics::render_listing_html(shown, entries, order, shown != "/" && !(s.alias && rel.empty()));
      std::vector<Field> fields;
      fields.push_back({"Date", utc_text<kHttpDate>(time(nullptr))});
      fields.push_back({"Content-Type", json ? "application/json" : "text/html; charset=utf-8"});
      fields.push_back({"Cache-Control", "no-cache"});
      if (s.listing_json) fields.push_back({"Vary", "Accept"});
      ResponseStart rs;
      rs.status = 200;
      rs.fields = &fields;
      rs.content_length = body.size();
      out.start(rs);
      if (co_await out.body(body)) co_await out.finish();
      co_return;
    }
    file = std::move(index);
  } else if (dir_hint) {
    co_await refuse(out, 404, "not found\n");  // "/file.txt/": not a directory
    co_return;
  }
  if (!S_ISREG(st.st_mode)) {
    co_await refuse(out, 403, "forbidden\n");
    co_return;
  }
  // After the file is known to exist, as lighttpd: a POST to a missing file is 404.
  if (int status = statics::method_answer(s.lighttpd_methods, head.method)) {
    co_await answer_other_method(status, out);
    co_return;
  }
  // 3. Never the source of what a backend should run (.php...).
  if (excluded(s, name)) {
    co_await refuse(out, 403, "forbidden\n");
    co_return;
  }
  const std::string& type = s.mime->type_of(name);
  // 4. A precompressed sibling, when the client takes it.
  std::string_view encoding;
  bool vary = false;
  if (s.precompressed) {
    vary = true;
    std::string base = name == rel ? rel : (rel.empty() ? name : rel + "/" + name);
    for (std::string_view coding : {std::string_view("br"), std::string_view("gzip")}) {
      if (!accepts(head, coding)) continue;
      std::string sib = base + (coding == "br" ? ".br" : ".gz");
      Fd f(open_under(root, sib, O_RDONLY, s.follow_symlinks));
      struct stat cst;
      if (f && ::fstat(f.fd, &cst) == 0 && S_ISREG(cst.st_mode)) {
        file = std::move(f);
        st = cst;
        encoding = coding;
        break;
      }
    }
  }
  // 5. Validators, preconditions, ranges.
  std::vector<Field> extra;
  std::string expires_text, max_age;
  cache_fields(s, extra, expires_text, max_age);
  FileAnswer answer{type, s.etag, encoding, vary, &extra, s.ranges};
  co_await answer_file(head, file.fd, st, answer, out);
}

awaitable<void> serve_sent_file(const Handoff& h, const http1::RequestHead& head, ResponseStream& out) {
  char resolved[PATH_MAX];
  bool inside = false;
  bool absolute = !h.target.empty() && h.target.front() == '/';
  if (absolute && ::realpath(h.target.c_str(), resolved)) {
    std::string_view real(resolved);
    for (const std::string& root : *h.roots) {
      char root_real[PATH_MAX];
      std::string_view r = ::realpath(root.c_str(), root_real) ? std::string_view(root_real) : std::string_view(root);
      if (real.size() > r.size() && real.compare(0, r.size(), r) == 0 && (r == "/" || real[r.size()] == '/')) inside = true;
    }
  } else if (absolute && (errno == ENOENT || errno == ENOTDIR)) {
    log::warn("X-Sendfile: " + h.target + " does not exist (for " + std::string(head.method) + " " + std::string(head.target) + ")");
    co_await refuse(out, 404, "not found\n");
    co_return;
  }
  if (!inside) {
    log::error("X-Sendfile: " + h.target + " is outside the pool's x_sendfile directories (for " + std::string(head.method) +
               " " + std::string(head.target) + "); answering 403");
    co_await refuse(out, 403, "forbidden\n");
    co_return;
  }
  Fd file(::open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (!file || ::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    log::warn("X-Sendfile: " + h.target + " is not a readable file (for " + std::string(head.target) + ")");
    co_await refuse(out, file ? 403 : 404, file ? "forbidden\n" : "not found\n");
    co_return;
  }
  // The app's fields, but the validators and framing are the file's.
  std::string_view type = "application/octet-stream";
  std::vector<Field> extra;
  for (auto& [n, v] : h.fields) {
    if (http1::iequals(n, "content-type")) type = v;
    else if (!http1::iequals(n, "etag") && !http1::iequals(n, "last-modified") && !http1::iequals(n, "accept-ranges"))
      extra.push_back({n, v});
  }
  FileAnswer answer{type, true, {}, false, &extra};
  co_await answer_file(head, file.fd, st, answer, out);
}

}  // namespace cutover
