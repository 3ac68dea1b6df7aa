#include "fcgi_adapter/cgi_params.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "http1/message.h"
#include "rewrite/url.h"

namespace cutover::fcgi {

std::optional<std::string_view> CgiParams::get(std::string_view name) const {
  for (auto& [k, v] : vars)
    if (k == name) return v;
  return std::nullopt;
}

// Collects the variables as offsets into one growing buffer (no zero-filling, no capacity
// checks beyond one per variable); views are made at the end, when it no longer moves.
class VarsBuilder {
 public:
  VarsBuilder(CgiParams& out, size_t vars, size_t bytes) : out_(out), cap_(bytes) {
    entries_.reserve(vars);
    out_.text_.reset(new char[cap_]);
  }
  // A value in up to three parts (a docroot and a path), joined.
  [[gnu::always_inline]] void set(std::string_view name, std::string_view value, std::string_view more = {},
                                  std::string_view last = {}) {
    size_t len = value.size() + more.size() + last.size();
    entries_.push_back({size_, name.size(), size_ + name.size(), len});
    char* q = room(name.size() + len);
    copy(q, name);
    copy(q += name.size(), value);
    copy(q += value.size(), more);
    copy(q + more.size(), last);
  }
  // An HTTP_* variable for a header field, its name written straight into the buffer.
  std::string_view start_http_name(std::string_view field) {
    name_at_ = size_;
    char* q = room(5 + field.size());
    std::memcpy(q, "HTTP_", 5);
    for (size_t i = 0; i < field.size(); ++i) {
      char c = field[i];
      q[5 + i] = c == '-' ? '_' : char(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    return std::string_view(q, 5 + field.size());
  }
  void drop_http_name() { size_ = name_at_; }
  void finish_http(std::string_view value) {
    entries_.push_back({name_at_, size_ - name_at_, size_, value.size()});
    copy(room(value.size()), value);
  }
  // Whether a variable from `first` on is named `name`.
  bool named(size_t first, std::string_view name) const {
    for (size_t i = first; i < entries_.size(); ++i)
      if (std::string_view(out_.text_.get() + entries_[i].name_at, entries_[i].name_len) == name) return true;
    return false;
  }
  // Appends ", more" to the value of every variable from `first` on named `name`.
  void merge(size_t first, std::string_view name, std::string_view more) {
    for (size_t i = first; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      if (std::string_view(out_.text_.get() + e.name_at, e.name_len) != name) continue;
      if (e.value_at + e.value_len != size_) {  // not last: move the value to the end first
        char* q = room(e.value_len);
        std::memmove(q, out_.text_.get() + e.value_at, e.value_len);
        e.value_at = size_t(q - out_.text_.get());
      }
      char* q = room(2 + more.size());
      std::memcpy(q, ", ", 2);
      copy(q + 2, more);
      e.value_len += 2 + more.size();
    }
  }
  size_t size() const { return entries_.size(); }
  void finish() {
    const char* base = out_.text_.get();
    out_.vars.reserve(entries_.size());
    for (const Entry& e : entries_)
      out_.vars.emplace_back(std::string_view(base + e.name_at, e.name_len), std::string_view(base + e.value_at, e.value_len));
  }

 private:
  struct Entry {
    size_t name_at, name_len, value_at, value_len;
  };
  static void copy(char* to, std::string_view v) {
    if (!v.empty()) std::memcpy(to, v.data(), v.size());  // (an empty view's data may be null)
  }
  // n more bytes at the end (grown when the estimate was short: rewrites, long merges).
  char* room(size_t n) {
    if (cap_ - size_ < n) {
      size_t cap = std::max(2 * cap_, size_ + n);
      std::unique_ptr<char[]> bigger(new char[cap]);
      std::memcpy(bigger.get(), out_.text_.get(), size_);
      out_.text_ = std::move(bigger);
      cap_ = cap;
    }
    char* q = out_.text_.get() + size_;
    size_ += n;
    return q;
  }
  CgiParams& out_;
  size_t cap_, size_ = 0;
  std::vector<Entry> entries_;
  size_t name_at_ = 0;
};

std::pair<std::string, std::optional<std::string>> split_prefix(std::string_view key, std::string_view path,
                                                               bool fix_root_scriptname) {
  if (key == "/" && fix_root_scriptname) return {"", std::string(path)};
  if (path.size() > key.size()) {
    size_t slash = path.find('/', key.size());
    if (slash != std::string_view::npos) return {std::string(path.substr(0, slash)), std::string(path.substr(slash))};
  }
  return {std::string(path), std::nullopt};
}

PathKind stat_path(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return PathKind::none;
  return S_ISREG(st.st_mode) ? PathKind::file : S_ISDIR(st.st_mode) ? PathKind::directory : PathKind::none;
}


CgiParams cgi_params(const Mount& m, const CgiRequest& r, const StatPath& stat) {
  CgiParams out;
  // Enough room for the usual variables without regrowth: the paths appear in several of
  // them, each header once more with its HTTP_ name.
  size_t bytes = 512 + 6 * r.target.size() + r.original_target.size() + 4 * m.docroot.size();
  for (auto& [name, value] : r.headers) bytes += 5 + name.size() + value.size();
  for (auto& [k, v] : m.extra) bytes += k.size() + v.size();
  VarsBuilder vars(out, 32 + r.headers.size() + m.extra.size(), bytes);
  auto set = [&](std::string_view name, std::string_view value) { vars.set(name, value); };
  std::string path = url::decode(url::path_of(r.target));
  std::string script_name;
  std::optional<std::string> path_info;
  if (m.check_local) {
    // The script is the first leading part of the path that is a regular file under the
    // docroot, the rest PATH_INFO; or the whole path names a directory. None: 404 before
    // the app is ever contacted. Prefix keys too: lighttpd checks the file system before
    // any key splits the path.
    bool found = false;
    std::string_view root = m.check_root.empty() ? m.docroot : m.check_root;
    for (size_t pos = 1; pos <= path.size() && stat; ++pos) {
      if (pos != path.size() && path[pos] != '/') continue;
      PathKind kind = stat(std::string(root).append(path, 0, pos));
      if (kind == PathKind::file || (kind == PathKind::directory && pos == path.size())) {
        script_name = path.substr(0, pos);
        if (pos < path.size()) path_info = path.substr(pos);
        found = true;
        break;
      }
    }
    if (!found) {
      out.status = 404;
      return out;
    }
  } else if (!m.key.empty() && m.key.front() == '/') {
    std::tie(script_name, path_info) = split_prefix(m.key, path, m.fix_root_scriptname);
  } else {
    script_name = path;  // no split for extension or empty keys
  }
  std::string_view docroot = m.docroot;
  std::string docroot_rewritten, url_path = m.rewrites.empty() ? std::string() : path;
  for (const CgiRewrite& rw : m.rewrites) {
    std::string in(rw.var == CgiRewrite::Var::docroot ? docroot : std::string_view(url_path));
    Captures caps;
    if (!rw.match->match(in, &caps)) continue;
    std::string v = rw.to->expand(caps, nullptr, UrlParts{"http", {}, r.target, {}});
    switch (rw.var) {
      case CgiRewrite::Var::script_name: script_name = url_path = std::move(v); break;
      case CgiRewrite::Var::path_info: path_info = std::move(v); break;
      case CgiRewrite::Var::docroot: docroot = docroot_rewritten = std::move(v); break;
    }
  }
  set("SCRIPT_NAME", script_name);
  if (path_info) {
    set("PATH_INFO", *path_info);
    if (!path_info->empty()) vars.set("PATH_TRANSLATED", docroot, *path_info);
  }
  // lighttpd's quirk with broken_scriptfilename: PATH_INFO or a trailing '/' after it.
  std::string_view after = !m.broken_scriptfilename ? std::string_view() : path_info ? std::string_view(*path_info) : "/";
  vars.set("SCRIPT_FILENAME", docroot, script_name.empty() && m.fix_root_scriptname ? "/" : std::string_view(script_name), after);
  set("DOCUMENT_ROOT", docroot);
  std::string_view request_uri = r.original_target;
  if (!m.strip_request_uri.empty()) {
    std::string_view prefix = m.strip_request_uri;
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (request_uri.size() > prefix.size() && request_uri.substr(0, prefix.size()) == prefix &&
        request_uri[prefix.size()] == '/')
      request_uri.remove_prefix(prefix.size());
  }
  set("REQUEST_URI", request_uri);
  if (r.rewritten) set("REDIRECT_URI", r.target);
  set("QUERY_STRING", url::query_of(r.target));
  set("REQUEST_METHOD", r.method);
  set("REDIRECT_STATUS", std::to_string(r.redirect_status));
  set("SERVER_PROTOCOL", r.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
  set("GATEWAY_INTERFACE", "CGI/1.1");
  set("SERVER_SOFTWARE", "cutover");
  // The session normalised the authority already (settle_host): built again only for a
  // Host a rule rewrote.
  if (http1::is_normalized_host(r.server_name)) set("SERVER_NAME", r.server_name);
  else set("SERVER_NAME", http1::normalized_host(r.server_name));
  set("SERVER_ADDR", r.server_addr);
  set("SERVER_PORT", std::to_string(r.server_port));
  set("REMOTE_ADDR", r.remote_addr);
  set("REMOTE_PORT", std::to_string(r.remote_port));
  if (!r.remote_user.empty()) {
    set("REMOTE_USER", r.remote_user);
    set("AUTH_TYPE", r.auth_type);
  }
  // As lighttpd 1.4.69 sends them (seen in tests/e2e/migrate_lighttpd_test.cc): the scheme
  // always, CONTENT_LENGTH always (0 without a body), and the client's Content-Length field
  // also as HTTP_CONTENT_LENGTH like any other field.
  set("REQUEST_SCHEME", r.https ? "https" : "http");
  if (r.https) set("HTTPS", "on");
  set("CONTENT_LENGTH", std::to_string(r.content_length ? *r.content_length : 0));
  const size_t first_field = vars.size();  // only HTTP_* variables after this can merge
  for (auto& [name, value] : r.headers) {
    // A name with '_' would turn into the same variable as its '-' twin (X_Forwarded_For
    // and X-Forwarded-For, Content_Type and Content-Type): never passed, whatever the
    // server keeps for HTTP backends (server.underscores_in_headers), as Apache does.
    if (name.find('_') != std::string_view::npos) continue;
    std::string_view var = vars.start_http_name(name);
    std::string_view upper = var.substr(5);
    if (upper == "CONTENT_TYPE") {
      vars.drop_http_name();
      set("CONTENT_TYPE", value);
      continue;
    }
    // httpoxy: a client's Proxy header must never become HTTP_PROXY.
    if (upper == "PROXY") {
      vars.drop_http_name();
      continue;
    }
    if (upper == "HOST" && !value.empty()) {
      if (http1::is_normalized_host(value)) vars.finish_http(value);
      else vars.finish_http(http1::normalized_host(value));
      continue;
    }
    if (vars.named(first_field, var)) {  // a repeated field: one variable, values joined
      std::string name_copy(var);  // merge() may move the buffer the name is in
      vars.drop_http_name();
      vars.merge(first_field, name_copy, value);
      continue;
    }
    vars.finish_http(value);
  }
  for (auto& [k, v] : m.extra) set(k, v);
  vars.finish();
  return out;
}

}  // namespace cutover::fcgi
