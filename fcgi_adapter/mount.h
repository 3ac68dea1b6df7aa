// A route's FastCGI mount (config) as the CGI-variable mapping takes it.
#pragma once
#include "config/config.h"
#include "fcgi_adapter/cgi_params.h"

namespace cutover::fcgi {

inline Mount mount_for(const RouteSpec& r) {
  Mount m;
  m.key = r.fastcgi.key;
  m.docroot = r.fastcgi.docroot;
  m.check_local = r.fastcgi.check_local;
  m.check_root = r.fastcgi.check_root;
  m.fix_root_scriptname = r.fastcgi.fix_root_scriptname;
  m.broken_scriptfilename = r.fastcgi.broken_scriptfilename;
  m.strip_request_uri = r.fastcgi.strip_request_uri;
  m.extra.assign(r.fastcgi.params.begin(), r.fastcgi.params.end());
  for (auto& rw : r.fastcgi.rewrites) {
    auto var = rw.var == "SCRIPT_NAME" ? CgiRewrite::Var::script_name
               : rw.var == "PATH_INFO" ? CgiRewrite::Var::path_info
                                       : CgiRewrite::Var::docroot;
    m.rewrites.push_back({var, &rw.match, &rw.to});
  }
  return m;
}

}  // namespace cutover::fcgi
