#include "fcgi_adapter/cgi_params.h"

#include <sys/stat.h>

#include "http1/message.h"
#include "rewrite/url.h"

namespace cutover::fcgi {

const std::string* CgiParams::get(std::string_view name) const {
  for (auto& [k, v] : vars)
    if (k == name) return &v;
  return nullptr;
}

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
  out.vars.reserve(32 + r.headers.size());  // the fixed variables plus one per header: no regrowth
  // Built in place: no temporary strings to move (this runs for every FastCGI request).
  auto set = [&](auto&& name, auto&& value) {
    out.vars.emplace_back(std::forward<decltype(name)>(name), std::forward<decltype(value)>(value));
  };
  std::string path = url::decode(url::path_of(r.target));
  std::string script_name;
  std::optional<std::string> path_info;
  if (m.check_local) {
    // The script is the first leading part of the path that is a regular file under the
    // docroot, the rest PATH_INFO; or the whole path names a directory. None: 404 before
    // the app is ever contacted. Prefix keys too: lighttpd checks the file system before
    // any key splits the path.
    bool found = false;
    for (size_t pos = 1; pos <= path.size() && stat; ++pos) {
      if (pos != path.size() && path[pos] != '/') continue;
      PathKind kind = stat(m.docroot + path.substr(0, pos));
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
  std::string docroot = m.docroot;
  std::string url_path = path;
  for (const CgiRewrite& rw : m.rewrites) {
    const std::string& in = rw.var == CgiRewrite::Var::docroot ? docroot : url_path;
    Captures caps;
    if (!rw.match->match(in, &caps)) continue;
    std::string v = rw.to->expand(caps, nullptr, UrlParts{"http", {}, r.target, {}});
    switch (rw.var) {
      case CgiRewrite::Var::script_name: script_name = url_path = std::move(v); break;
      case CgiRewrite::Var::path_info: path_info = std::move(v); break;
      case CgiRewrite::Var::docroot: docroot = std::move(v); break;
    }
  }
  std::string filename = docroot + (script_name.empty() && m.fix_root_scriptname ? "/" : script_name);
  if (m.broken_scriptfilename) filename += path_info ? *path_info : "/";  // lighttpd's quirk: a trailing '/'
  set("SCRIPT_NAME", script_name);
  if (path_info) {
    set("PATH_INFO", *path_info);
    if (!path_info->empty()) set("PATH_TRANSLATED", docroot + *path_info);
  }
  set("SCRIPT_FILENAME", filename);
  set("DOCUMENT_ROOT", docroot);
  std::string request_uri(r.original_target);
  if (!m.strip_request_uri.empty()) {
    std::string prefix = m.strip_request_uri;
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (request_uri.size() > prefix.size() && request_uri.compare(0, prefix.size(), prefix) == 0 &&
        request_uri[prefix.size()] == '/')
      request_uri.erase(0, prefix.size());
  }
  set("REQUEST_URI", request_uri);
  if (r.rewritten) set("REDIRECT_URI", r.target);
  set("QUERY_STRING", url::query_of(r.target));
  set("REQUEST_METHOD", r.method);
  set("REDIRECT_STATUS", std::to_string(r.redirect_status));
  set("SERVER_PROTOCOL", r.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
  set("GATEWAY_INTERFACE", "CGI/1.1");
  set("SERVER_SOFTWARE", "cutover");
  set("SERVER_NAME", r.server_name.empty() ? std::string() : http1::normalized_host(r.server_name));
  set("SERVER_ADDR", r.server_addr);
  set("SERVER_PORT", std::to_string(r.server_port));
  set("REMOTE_ADDR", r.remote_addr);
  set("REMOTE_PORT", std::to_string(r.remote_port));
  if (!r.remote_user.empty()) {
    set("REMOTE_USER", r.remote_user);
    set("AUTH_TYPE", "Basic");
  }
  // As lighttpd 1.4.69 sends them (seen in tests/e2e/migrate_lighttpd_test.cc): the scheme
  // always, CONTENT_LENGTH always (0 without a body), and the client's Content-Length field
  // also as HTTP_CONTENT_LENGTH like any other field.
  set("REQUEST_SCHEME", r.https ? "https" : "http");
  if (r.https) set("HTTPS", "on");
  set("CONTENT_LENGTH", std::to_string(r.content_length ? *r.content_length : 0));
  const size_t first_field = out.vars.size();  // only HTTP_* variables after this can merge
  for (auto& [name, value] : r.headers) {
    std::string var;
    var.reserve(5 + name.size());
    var = "HTTP_";
    for (char c : name) var += c == '-' ? '_' : char(c >= 'a' && c <= 'z' ? c - 32 : c);
    std::string_view upper = std::string_view(var).substr(5);
    if (upper == "CONTENT_TYPE") {
      set("CONTENT_TYPE", value);
      continue;
    }
    // httpoxy: a client's Proxy header must never become HTTP_PROXY.
    if (upper == "PROXY") continue;
    if (upper == "HOST" && !value.empty()) {
      set(std::move(var), http1::normalized_host(value));
      continue;
    }
    bool merged = false;
    for (size_t i = first_field; i < out.vars.size(); ++i)
      if (auto& [k, v] = out.vars[i]; k == var) {
        v += ", ";
        v += value;
        merged = true;
      }
    if (!merged) set(std::move(var), value);
  }
  for (auto& [k, v] : m.extra) set(k, v);
  return out;
}

}  // namespace cutover::fcgi
