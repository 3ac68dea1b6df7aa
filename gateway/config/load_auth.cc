// [[auth]]: areas, schemes, user files, the failed-login limiter.
#include "config/load_parts.h"

namespace cutover::config_load {

void parse_auth(Reader& r, AuthSpec& a) {
  auto prefix = r.str("prefix");
  if (!prefix || prefix->empty() || prefix->front() != '/') r.fail_here("auth.prefix: expected a path prefix such as \"/static/private\"");
  a.prefix = *prefix;
  if (auto v = r.str("realm")) {
    if (v->find('"') != std::string::npos || v->find('\\') != std::string::npos)
      r.fail(*r.get("realm"), "auth.realm: quotes and backslashes are not allowed");
    a.realm = *v;
  }
  if (auto v = r.boolean("refuse")) a.refuse = *v;
  // The user file, by its format: htpasswd hashes, lighttpd's plain "user:password", or
  // htdigest "user:realm:md5".
  const char* file_key = nullptr;
  for (auto [key, format] : {std::pair{"htpasswd", auth::FileFormat::htpasswd}, std::pair{"plain", auth::FileFormat::plain},
                             std::pair{"htdigest", auth::FileFormat::htdigest}})
    if (auto f = r.str(key)) {
      if (file_key) r.fail(*r.get(key), std::string("auth.") + key + ": give one user file (" + file_key + " is given too)");
      file_key = key;
      a.htpasswd = *f;
      a.format = format;
    }
  if (!file_key && !a.refuse)
    r.fail_here("auth.htpasswd: the password file is required (make one with `htpasswd -B -c FILE USER`; or plain, htdigest; or refuse = true)");
  // Unreadable files do not stop the config (the area then refuses every login and says so):
  // relative paths depend on the working directory, which `check` may not share with `serve`.
  if (file_key && ::access(a.htpasswd.c_str(), R_OK) != 0)
    a.problem = where(r.file(), r.get(file_key)->source()) + ": auth." + file_key + ": cannot read " + a.htpasswd + " (from here)";
  if (auto v = r.str("scheme")) {
    if (*v == "basic") a.scheme = auth::Scheme::basic;
    else if (*v == "digest") a.scheme = auth::Scheme::digest;
    else r.fail(*r.get("scheme"), "auth.scheme: expected \"basic\" or \"digest\"");
  }
  if (a.scheme == auth::Scheme::digest && a.format == auth::FileFormat::htpasswd)
    r.fail(*r.get("scheme"), "auth.scheme: digest needs the password (plain) or its MD5 (htdigest): an htpasswd hash cannot check a digest");
  if (const toml::node* n = r.get("algorithm")) {
    if (a.scheme != auth::Scheme::digest) r.fail(*n, "auth.algorithm: only for scheme = \"digest\"");
    a.algorithms = 0;
    std::vector<std::pair<std::string, const toml::node*>> names;
    if (n->is_string()) names.push_back({*r.str("algorithm"), n});
    else names = r.str_list("algorithm");
    for (auto& [name, node] : names) {
      if (name == "MD5") a.algorithms |= uint8_t(auth::DigestAlgorithm::md5);
      else if (name == "SHA-256") a.algorithms |= uint8_t(auth::DigestAlgorithm::sha256);
      else r.fail(*node, "auth.algorithm: expected \"MD5\" or \"SHA-256\" (or a list of them)");
    }
    if (!a.algorithms) r.fail(*n, "auth.algorithm: give at least one");
    if (a.format == auth::FileFormat::htdigest && (a.algorithms & uint8_t(auth::DigestAlgorithm::sha256)))
      r.fail(*n, "auth.algorithm: an htdigest file holds MD5 only: SHA-256 needs a plain file");
  }
  if (auto v = r.str("nonce_secret")) a.nonce_secret = *v;
  if (auto v = r.boolean("ignore_case")) a.ignore_case = *v;
  if (const toml::table* m = r.table("match")) parse_match(r, *m, "auth.match", a.when);
  if (auto v = r.str("groups")) {
    a.groups = *v;
    if (::access(a.groups.c_str(), R_OK) != 0 && a.problem.empty())
      a.problem = where(r.file(), r.get("groups")->source()) + ": auth.groups: cannot read " + a.groups + " (from here)";
  }
  if (auto v = r.str("require")) a.require_text = *v;
  std::string why;
  if (!auth::parse_requirement(a.require_text, a.require, why)) r.fail(r.get("require") ? *r.get("require") : *r.get("prefix"), "auth." + why);
  if (!a.require.groups.empty() && a.groups.empty()) r.fail(*r.get("require"), "auth.require names a group: set auth.groups to the group file");
  if (auto v = r.integer("max_failures", 0, 1000000)) a.max_failures = uint32_t(*v);
  r.duration("failure_window", a.failure_window);
  r.duration("block_time", a.block_time);
  r.finish();
}

// The server's and pools' limits, overridden for one route. The head is read before the
// route is known, so header_timeout stays server-wide and a route's head limits can only be
// lower than the server's (an API that takes small heads, say).

}  // namespace cutover::config_load
