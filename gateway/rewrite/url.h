// URL text helpers: lighttpd-style target normalisation and the encodings used by
// rewrite substitutions. Pure functions.
#pragma once
#include <string>
#include <string_view>

namespace cutover::url {

// Normalises a request target the way lighttpd 1.4.54+ does by default: decodes %XX of
// unreserved characters (and %2F in the path), upper-cases other escapes, removes dot
// segments and collapses "//". Returns false for a target that must be refused (an
// encoded NUL or control character in the path, a bad escape).
bool normalize_target(std::string_view target, std::string& out);

std::string_view path_of(std::string_view target);   // before '?'
std::string_view query_of(std::string_view target);  // after '?', empty if none
bool has_query(std::string_view target);

// Fully percent-decodes; invalid escapes are kept literally.
std::string decode(std::string_view s);

enum class Encoding { raw, psnde, esc, escnde, tolower, toupper, b64u_enc, b64u_dec };
std::string encode(std::string_view s, Encoding e);

}  // namespace cutover::url
