#include "fcgi_adapter/cgi_response.h"

#include "http1/message.h"

namespace cutover::fcgi {

size_t find_head_end(std::string_view text, size_t& skip) {
  size_t crlf = text.find("\r\n\r\n");
  size_t lf = text.find("\n\n");
  if (lf != std::string_view::npos && (crlf == std::string_view::npos || lf < crlf)) {
    skip = 2;
    return lf;
  }
  skip = 4;
  return crlf;
}

bool parse_cgi_head(std::string_view text, CgiHead& out) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (http1::iequals(name, "status")) {
      if (value.size() < 3) return false;
      int s = 0;
      for (int i = 0; i < 3; ++i) {
        if (value[size_t(i)] < '0' || value[size_t(i)] > '9') return false;
        s = s * 10 + (value[size_t(i)] - '0');
      }
      if (s < 100) return false;
      if (value.size() > 3 && value[3] != ' ') return false;
      out.status = s;
      out.reason = std::string(value.size() > 4 ? value.substr(4) : "");
      out.has_status = true;
      continue;
    }
    if (http1::iequals(name, "content-length") || http1::is_hop_by_hop(name)) continue;  // re-framed
    if (http1::iequals(name, "location")) out.location = std::string(value);
    out.fields.emplace_back(std::string(name), std::string(value));
  }
  if (!out.location.empty() && !out.has_status) out.status = 302;
  return true;
}

}  // namespace cutover::fcgi
