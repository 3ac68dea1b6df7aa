// The head of a CGI response (RFC 3875 section 6) as a FastCGI app writes it on STDOUT:
// Status, Location and other fields, then a blank line. Pure, no I/O, fuzzed.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cutover::fcgi {

struct CgiHead {
  int status = 200;
  std::string reason;
  bool has_status = false;
  std::string location;  // the Location field, if any (also kept in `fields`)
  std::vector<std::pair<std::string, std::string>> fields;  // end-to-end fields, in order
  // RFC 3875 6.2.2: a local path in Location and no Status: the server answers the request
  // for that path instead (an internal redirect).
  bool local_redirect() const { return !has_status && !location.empty() && location.front() == '/'; }
};

// Where the head ends in `text` (the bytes of STDOUT so far): the offset of the blank line
// and, in `skip`, its length (CRLF CRLF or LF LF). npos while incomplete.
size_t find_head_end(std::string_view text, size_t& skip);

// Parses the head's lines (without the blank line). False for a line that is not a field or
// a malformed Status. Content-Length and hop-by-hop fields are dropped (the gateway frames
// the body); a Location without Status makes a 302 (RFC 3875 6.2.3/6.2.4).
bool parse_cgi_head(std::string_view text, CgiHead& out);

}  // namespace cutover::fcgi
