// Where a request path lands under a static root, decided on text alone (no I/O): the
// part after the route's prefix (alias) or the whole path (root), checked so that it
// cannot leave the root. The file system side (symlinks) is checked when opening.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace cutover::statics {

struct PathRules {
  std::string_view strip_prefix;  // alias: this prefix is removed first ("" for root)
  bool dotfiles = false;          // serve names starting with '.'
};

// `decoded` is the fully percent-decoded request path. On success `rel` is relative to the
// root ("" for the root itself, never starting with '/'), and `dir_hint` says the request
// named a directory (a trailing '/'). False: refused, with `why` for the log.
bool resolve(std::string_view decoded, const PathRules& rules, std::string& rel, bool& dir_hint,
             std::string& why);

// The extension of the last segment, lower-cased, with its dot (".php"); "" if none.
std::string extension_of(std::string_view name);

// static.exclude_extensions (lower-cased suffixes, lighttpd's rule): whether `name` ends in
// one, compared without case so that "X.PHP" is not served as source either.
bool excluded_name(const std::vector<std::string>& suffixes, std::string_view name);

// What a request method gets from an existing file: 0 served (GET, HEAD; POST too with
// lighttpd's methods), else the status of the answer: nginx's way 405 (Allow: GET, HEAD);
// lighttpd's (mod_staticfile, response.c) 200 with Allow for OPTIONS and 501 for the rest.
int method_answer(bool lighttpd_methods, std::string_view method);
// lighttpd's answer where no module takes the request (a directory without index that is
// not listed, or listed but not asked with GET or HEAD): OPTIONS 200, GET, HEAD and POST
// 403, any other method 501.
int unhandled_answer(std::string_view method);

// OPTIONS * asks about the server as a whole: cutover answers it, 200 with Allow.
inline bool server_options(std::string_view method, std::string_view target) { return method == "OPTIONS" && target == "*"; }

}  // namespace cutover::statics
