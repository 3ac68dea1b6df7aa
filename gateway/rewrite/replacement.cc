#include "rewrite/replacement.h"

namespace cutover {
namespace {

bool parse_encoding(std::string_view name, url::Encoding& e) {
  static const struct {
    std::string_view name;
    url::Encoding enc;
  } kNames[] = {{"esc", url::Encoding::esc},           {"escape", url::Encoding::esc},
                {"escnde", url::Encoding::escnde},     {"escpsnde", url::Encoding::psnde},
                {"noesc", url::Encoding::raw},         {"noescape", url::Encoding::raw},
                {"tolower", url::Encoding::tolower},   {"toupper", url::Encoding::toupper},
                {"encb64u", url::Encoding::b64u_enc},  {"decb64u", url::Encoding::b64u_dec}};
  for (auto& k : kNames)
    if (k.name == name) return e = k.enc, true;
  return false;
}

bool parse_number(std::string_view s, int& n) {
  if (s.empty() || s.size() > 2) return false;
  n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  return n < Captures::kMax;
}

}  // namespace

bool Replacement::parse(std::string_view text, std::string& error, size_t& offset) {
  text_ = std::string(text);
  pieces_.clear();
  auto literal = [&](char c) {
    if (pieces_.empty() || pieces_.back().kind != Kind::literal) pieces_.push_back({Kind::literal, {}});
    pieces_.back().literal += c;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c != '$' && c != '%') || i + 1 >= text.size()) {
      literal(c);
      continue;
    }
    char d = text[i + 1];
    Kind cap = c == '$' ? Kind::rule_cap : Kind::cond_cap;
    if (d == c) {  // $$ or %%
      literal(c);
      ++i;
    } else if (d >= '0' && d <= '9') {  // $N: one digit only, "$10" is $1 then '0'
      pieces_.push_back({cap, {}, d - '0', url::Encoding::raw});
      ++i;
    } else if (d == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        error = "unterminated ${...}";
        offset = i;
        return false;
      }
      std::string_view inner = text.substr(i + 2, close - i - 2);
      Piece p{cap, {}, 0, url::Encoding::psnde};
      size_t colon = inner.find(':');
      int n = 0;
      if (c == '$' && inner == "qsa") {
        p.kind = Kind::qsa;
      } else if (c == '$' && inner.substr(0, 4) == "url.") {
        std::string_view part = inner.substr(4);
        p.enc = url::Encoding::raw;
        if (part == "scheme") p.kind = Kind::scheme;
        else if (part == "authority") p.kind = Kind::authority;
        else if (part == "port") p.kind = Kind::port;
        else if (part == "path") p.kind = Kind::path;
        else if (part == "query") p.kind = Kind::query;
        else {
          error = "unknown substitution ${" + std::string(inner) + "}";
          offset = i;
          return false;
        }
      } else if (colon != std::string_view::npos && parse_encoding(inner.substr(0, colon), p.enc) &&
                 parse_number(inner.substr(colon + 1), n)) {
        p.n = n;
      } else if (parse_number(inner, n)) {
        p.n = n;
      } else {
        error = std::string("unknown substitution ") + c + "{" + std::string(inner) + "}";
        offset = i;
        return false;
      }
      pieces_.push_back(std::move(p));
      i = close;
    } else {  // "$x" with x neither digit nor '{' is literal
      literal(c);
    }
  }
  return true;
}

std::string Replacement::expand(const Captures& rule, const Captures* cond,
                                const UrlParts& u) const {
  std::string out;
  out.reserve(text_.size() + u.target.size());
  for (const Piece& p : pieces_) {
    switch (p.kind) {
      case Kind::literal:
        out += p.literal;
        break;
      case Kind::rule_cap:
        out += url::encode(rule.group(p.n), p.enc);
        break;
      case Kind::cond_cap:
        if (cond) out += url::encode(cond->group(p.n), p.enc);
        break;
      case Kind::scheme:
        out += u.scheme;
        break;
      case Kind::authority:
        out += u.authority;
        break;
      case Kind::port: {
        // Port from the authority, or the scheme's default.
        std::string_view a = u.authority;
        size_t colon = a.rfind(':');
        if (colon != std::string_view::npos && a.find(']', colon) == std::string_view::npos)
          out += a.substr(colon + 1);
        else
          out += u.scheme == "https" ? "443" : "80";
        break;
      }
      case Kind::path:
        out += url::path_of(u.target);
        break;
      case Kind::query:
        out += url::query_of(u.target);
        break;
      case Kind::qsa:
        if (url::has_query(u.target)) {
          out += out.find('?') == std::string::npos ? '?' : '&';
          out += url::query_of(u.target);
        }
        break;
    }
  }
  return out;
}

}  // namespace cutover
