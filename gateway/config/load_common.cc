// Regexes and replacements in any section, with the column of the error inside the string.
#include "config/load_parts.h"

namespace cutover::config_load {

Regex compile_regex(Reader& r, const std::string& pattern, const toml::node& n) {
  std::string err;
  size_t off = 0;
  auto re = Regex::compile(pattern, err, off);
  if (!re) r.fail(n, "invalid regex \"" + pattern + "\": " + err + " at offset " + std::to_string(off), kAfterQuote + off);
  return std::move(*re);
}

Replacement parse_replacement(Reader& r, const std::string& text, const toml::node& n) {
  Replacement rep;
  std::string err;
  size_t off = 0;
  if (!rep.parse(text, err, off)) r.fail(n, "invalid replacement \"" + text + "\": " + err, kAfterQuote + off);
  return rep;
}

}  // namespace cutover::config_load
