// lighttpd's substitution language for url.rewrite-* and url.redirect (keyvalue.c):
// $N / %N raw captures, ${N} / %{N} encoded, ${esc:N} and friends, ${url.*}, ${qsa},
// $$ and %%. Compiled once at config load, expanded per request.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/regex.h"
#include "rewrite/url.h"

namespace cutover {

// What a replacement can refer to besides the rule's own captures.
struct UrlParts {
  std::string_view scheme = "http";
  std::string_view authority;  // lowercased Host, port included
  std::string_view target;     // current path?query
  std::string_view host = {};  // the Host field as sent, lowercased (port included): [[rewrite]] host
};

class Replacement {
 public:
  // Parses `text`; on error returns false with a message and the byte offset.
  bool parse(std::string_view text, std::string& error, size_t& offset);
  bool empty() const { return pieces_.empty(); }  // "" means: stop rewriting
  std::string expand(const Captures& rule, const Captures* cond, const UrlParts& url) const;
  const std::string& text() const { return text_; }

 private:
  enum class Kind { literal, rule_cap, cond_cap, scheme, authority, port, path, query, qsa };
  struct Piece {
    Kind kind;
    std::string literal;
    int n = 0;
    url::Encoding enc = url::Encoding::raw;
  };
  std::vector<Piece> pieces_;
  std::string text_;
};

}  // namespace cutover
