// Caching fields by URL prefix or content type (lighttpd's mod_expire: expire.url and
// expire.mimetypes), pure: the "access plus 1 hours" syntax, the entry an answer gets, and
// the field it adds. Time is an argument.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cutover::statics {

struct ExpireSpec {
  bool modification = false;  // from the file's mtime, else from the time of the request
  int64_t seconds = 0;
};
// "(access|now|modification) [plus] {<num> (years|months|weeks|days|hours|minutes|seconds)}+",
// as lighttpd reads it (a year is 360 days, a month 30). nullopt with `why`.
std::optional<ExpireSpec> parse_expire(std::string_view text, std::string& why);

using ExpireList = std::vector<std::pair<std::string, ExpireSpec>>;  // prefix -> spec, first match
struct ExpireTable {
  ExpireList urls;       // path prefix
  ExpireList mimetypes;  // Content-Type prefix; "" for any
  bool empty() const { return urls.empty() && mimetypes.empty(); }
};
// The entry for an answer: the first url prefix of the path; else the first mimetype prefix
// of its Content-Type, else the mimetypes' "" entry. Null: none. (The two lists may come
// from different [[headers]] rules, each key from its own last matching one.)
const ExpireSpec* pick_expire(const ExpireList& urls, const ExpireList& mimetypes, std::string_view path,
                              std::string_view content_type);
inline const ExpireSpec* pick_expire(const ExpireTable& t, std::string_view path, std::string_view content_type) {
  return pick_expire(t.urls, t.mimetypes, path, content_type);
}

// The field to add (lighttpd sends one): "Cache-Control" "max-age=N" to HTTP/1.1, "Expires"
// and a date to HTTP/1.0. nullopt: a modification-based entry without a file time.
std::optional<std::pair<std::string, std::string>> expire_field(const ExpireSpec& e, int64_t now_s, std::optional<int64_t> mtime_s,
                                                                bool http10);

}  // namespace cutover::statics
