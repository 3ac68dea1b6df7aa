#include "rewrite/url.h"

#include <cstdint>
#include <vector>

namespace cutover::url {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

constexpr char kHex[] = "0123456789ABCDEF";

void put_escape(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Removes "." and ".." segments and collapses empty segments; input starts with '/'.
std::string clean_path(std::string_view p) {
  std::vector<std::string_view> segs;
  size_t i = 1;
  bool trailing = false;
  while (i <= p.size()) {
    size_t slash = p.find('/', i);
    if (slash == std::string_view::npos) slash = p.size();
    std::string_view seg = p.substr(i, slash - i);
    trailing = false;
    if (seg.empty() || seg == ".") {
      trailing = true;
    } else if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
      trailing = true;
    } else {
      segs.push_back(seg);
    }
    i = slash + 1;
  }
  std::string out;
  out.reserve(p.size());
  for (auto s : segs) {
    out += '/';
    out += s;
  }
  if (out.empty() || trailing) out += '/';
  return out;
}

}  // namespace

std::string_view path_of(std::string_view t) { return t.substr(0, t.find('?')); }
std::string_view query_of(std::string_view t) {
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}
bool has_query(std::string_view t) { return t.find('?') != std::string_view::npos; }

bool normalize_target(std::string_view target, std::string& out) {
  if (target.empty() || target.front() != '/') {
    out.assign(target);
    return target == "*";
  }
  std::string_view path = path_of(target);
  bool q = has_query(target);
  std::string p;
  p.reserve(path.size());
  bool needs_clean = false;
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return false;
      int h = hexval(path[i + 1]), l = hexval(path[i + 2]);
      if (h < 0 || l < 0) return false;
      unsigned char d = static_cast<unsigned char>(h * 16 + l);
      if (d < 0x20 || d == 0x7f) return false;
      if (unreserved(d) || d == '/') {
        p += char(d);
        if (d == '.' || d == '/') needs_clean = true;
      } else {
        put_escape(p, d);
      }
      i += 2;
    } else {
      if (c < 0x20 || c == 0x7f) return false;
      p += char(c);
    }
  }
  if (!needs_clean) {
    needs_clean = p.find("/.") != std::string::npos || p.find("//") != std::string::npos;
  }
  out = needs_clean ? clean_path(p) : std::move(p);
  if (q) {
    out += '?';
    std::string_view query = query_of(target);
    for (size_t i = 0; i < query.size(); ++i) {
      unsigned char c = query[i];
      int h = -1, l = -1;
      if (c == '%' && i + 2 < query.size()) {
        h = hexval(query[i + 1]);
        l = hexval(query[i + 2]);
      }
      if (h >= 0 && l >= 0) {
        unsigned char d = static_cast<unsigned char>(h * 16 + l);
        if (unreserved(d)) out += char(d);
        else put_escape(out, d);
        i += 2;
      } else if (c == '%') {
        // A '%' that starts no escape is written as one: kept bare, it would make an escape
        // of what follows once an unreserved escape after it is decoded ("%%32d" -> "%2d"),
        // and the next normaliser (the backend's) would decode that again.
        out += "%25";
      } else {
        out += char(c);
      }
    }
  }
  return true;
}

std::string decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
      if (h >= 0 && l >= 0) {
        out += char(h * 16 + l);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

namespace {

std::string b64u_encode(std::string_view s) {
  static constexpr char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(s[i])) << 16 | uint32_t(uint8_t(s[i + 1])) << 8 | uint8_t(s[i + 2]);
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += a[v & 63];
  }
  if (i + 1 == s.size()) {
    uint32_t v = uint32_t(uint8_t(s[i])) << 16;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
  } else if (i + 2 == s.size()) {
    uint32_t v = uint32_t(uint8_t(s[i])) << 16 | uint32_t(uint8_t(s[i + 1])) << 8;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
  }
  return out;
}

std::string b64u_decode(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return {};
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

std::string encode(std::string_view s, Encoding e) {
  std::string out;
  switch (e) {
    case Encoding::raw:
      return std::string(s);
    case Encoding::tolower:
    case Encoding::toupper:
      out.assign(s);
      for (char& c : out) {
        if (e == Encoding::tolower && c >= 'A' && c <= 'Z') c = char(c | 0x20);
        if (e == Encoding::toupper && c >= 'a' && c <= 'z') c = char(c & ~0x20);
      }
      return out;
    case Encoding::b64u_enc:
      return b64u_encode(s);
    case Encoding::b64u_dec:
      return b64u_decode(s);
    default:
      break;
  }
  // Percent-encoding flavours (lighttpd keyvalue.c names): esc encodes all but unreserved;
  // escnde keeps existing escapes; psnde also keeps '/' and decodes escaped unreserved.
  out.reserve(s.size() * 3 / 2);
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (unreserved(c)) {
      out += char(c);
      continue;
    }
    if (c == '/' && e == Encoding::psnde) {
      out += '/';
      continue;
    }
    if (c == '%' && e != Encoding::esc && i + 2 < s.size() &&
        hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      unsigned char d = static_cast<unsigned char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      if (e == Encoding::psnde && unreserved(d)) out += char(d);
      else put_escape(out, d);
      i += 2;
      continue;
    }
    put_escape(out, c);
  }
  return out;
}

}  // namespace cutover::url
