#include "proxy/response_policy.h"

#include <optional>

#include "http1/parser.h"
#include "rewrite/url.h"

namespace cutover {

std::string ResponsePolicy::value_of(const http1::Field& f, const http1::RequestHead& req) const {
  std::optional<std::string> mapped;
  if (map) {
    if (http1::iequals(f.name, "location") || http1::iequals(f.name, "content-location"))
      mapped = map_response_uri(*map, f.value, *map_state);
    else if (http1::iequals(f.name, "set-cookie"))
      mapped = map_set_cookie(*map, f.value, *map_state);
  }
  std::string_view value = mapped ? std::string_view(*mapped) : f.value;
  UrlParts u{"http", req.host, req.target, {}};
  if (rewrites)
    for (const FieldRewrite& rw : *rewrites) {
      Captures c;
      if (http1::iequals(f.name, rw.name) && rw.match.match(value, &c)) {
        std::string v = rw.to.expand(c, nullptr, u);
        if (http1::safe_in_message(v)) return v;  // else the field stays as the backend sent it
        break;
      }
    }
  return std::string(value);
}

}  // namespace cutover
