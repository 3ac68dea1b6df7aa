// Layer 2 of the adapter: the CGI variables a FastCGI app receives, exactly as lighttpd 1.4
// computes them (lighttpd-semantics.md §4.5, the verified table). Pure: the file system is
// asked only through the given probe.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rewrite/regex.h"
#include "rewrite/replacement.h"

namespace cutover::fcgi {

// lighttpd 1.5's proxy-core.rewrite-request "_scriptname" / "_pathinfo" / "_docroot": a
// whole-string regex replacement of one variable, applied in the configured order after the
// mount's own split. SCRIPT_NAME and PATH_INFO read the URL path (a SCRIPT_NAME rewrite
// becomes the path later entries read); DOCUMENT_ROOT reads the docroot.
struct CgiRewrite {
  enum class Var { script_name, path_info, docroot } var;
  const Regex* match;
  const Replacement* to;
};

// How the app is mounted on a route (lighttpd's fastcgi.server key and per-host options).
// Views: the text is the config's (or the caller's), which outlives the request.
struct Mount {
  std::string_view key;            // "/app", "/", "" or an extension such as ".php"
  std::string_view docroot;        // DOCUMENT_ROOT and the base of SCRIPT_FILENAME
  bool check_local = false;        // the script must exist under check_root (extension keys)
  std::string_view check_root;     // "": docroot (lighttpd looks under the server's, whatever docroot says)
  bool fix_root_scriptname = false;
  bool broken_scriptfilename = false;
  std::string_view strip_request_uri;  // a prefix removed from REQUEST_URI when followed by '/'
  std::vector<std::pair<std::string_view, std::string_view>> extra;  // per-route params
  std::vector<CgiRewrite> rewrites;  // point into the config, which outlives the request
};

struct CgiRequest {
  std::string_view method;
  std::string_view original_target;   // as the client sent it: REQUEST_URI
  std::string_view target;            // after normalisation and rewrites: path?query
  bool rewritten = false;             // then REDIRECT_URI = target
  int redirect_status = 200;          // REDIRECT_STATUS: an error handler gets the error's status
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::optional<uint64_t> content_length;  // exact (bodies of unknown length are spooled first)
  std::string_view server_name, server_addr, remote_addr;
  std::string_view remote_user;  // auth passed: REMOTE_USER, AUTH_TYPE
  std::string_view auth_type = "Basic";  // "Basic" or "Digest"
  uint16_t server_port = 0, remote_port = 0;
  bool https = false;
  int version_minor = 1;
};

// What a check_local lookup finds at a path (injected: tests fake the file system).
enum class PathKind { none, file, directory };
using StatPath = std::function<PathKind(const std::string& path)>;
PathKind stat_path(const std::string& path);  // the real file system

// The variables in the order they are sent. This is built for every FastCGI request, so
// their text lives in one buffer owned here rather than in a string each; `vars` are views
// into it. A CgiParams moves (the buffer stays where it is) but does not copy.
struct CgiParams {
  std::vector<std::pair<std::string_view, std::string_view>> vars;
  int status = 0;  // 404 when a check_local script does not exist (the app is not called)
  std::optional<std::string_view> get(std::string_view name) const;

  CgiParams() = default;
  CgiParams(CgiParams&&) = default;
  CgiParams& operator=(CgiParams&&) = default;
  CgiParams(const CgiParams&) = delete;
  CgiParams& operator=(const CgiParams&) = delete;

 private:
  friend class VarsBuilder;
  std::unique_ptr<char[]> text_;
};

CgiParams cgi_params(const Mount& m, const CgiRequest& r, const StatPath& stat);

// SCRIPT_NAME / PATH_INFO for a prefix key (lighttpd's split rule); PATH_INFO nullopt = unset.
std::pair<std::string, std::optional<std::string>> split_prefix(std::string_view key, std::string_view path,
                                                               bool fix_root_scriptname);

}  // namespace cutover::fcgi
