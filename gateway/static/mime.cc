#include "static/mime.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "static/path.h"

namespace cutover::statics {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// What a browser needs to read text right; lighttpd's Debian mime config does the same.
std::string with_charset(std::string_view type) {
  if (type.substr(0, 5) == "text/" || type == "application/javascript" || type == "application/json" ||
      type == "image/svg+xml" || type == "application/xml")
    return std::string(type) + "; charset=utf-8";
  return std::string(type);
}

}  // namespace

MimeTable::MimeTable() {
  add_mime_types(
      "text/html html htm\ntext/css css\ntext/javascript js mjs\napplication/json json\n"
      "text/plain txt\nimage/png png\nimage/jpeg jpg jpeg\nimage/gif gif\nimage/svg+xml svg\n"
      "image/x-icon ico\napplication/pdf pdf\napplication/xml xml\napplication/wasm wasm\n"
      "font/woff2 woff2\nfont/woff woff\nimage/webp webp\n");
}

void MimeTable::add_mime_types(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::istringstream words{std::string(line)};
    std::string type, ext;
    if (!(words >> type)) continue;
    std::string full = with_charset(type);
    while (words >> ext) types_[lower(ext)] = full;
  }
}

bool MimeTable::load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  add_mime_types(ss.str());
  return true;
}

void MimeTable::set(std::string_view ext, std::string type) {
  if (!ext.empty() && ext.front() == '.') ext.remove_prefix(1);
  types_[lower(ext)] = std::move(type);
}

void MimeTable::assign_lighttpd(std::vector<std::pair<std::string, std::string>> table) {
  lighttpd_ = true;
  types_.clear();
  ordered_.clear();
  for (auto& [suffix, type] : table) {
    std::string k = lower(suffix);
    types_.emplace(k, type);  // the first of equal keys, as lighttpd's array lookup finds
    ordered_.emplace_back(std::move(k), std::move(type));
  }
}

const std::string* MimeTable::lighttpd_type(std::string_view name) const {
  std::string n = lower(name);
  if (ordered_.size() < 16) {
    for (auto& [k, type] : ordered_)
      if (k.size() <= n.size() && n.compare(n.size() - k.size(), k.size(), k) == 0) return &type;
    return nullptr;
  }
  auto find = [&](std::string_view k) -> const std::string* {
    auto it = types_.find(std::string(k));
    return it == types_.end() ? nullptr : &it->second;
  };
  size_t s = n.rfind('/');
  s = s == std::string::npos ? 0 : s + 1;
  std::string_view v(n);
  if (auto* t = find(v.substr(s))) return t;
  while (++s < n.size()) {
    while (n[s] != '.' && ++s != n.size()) {
    }
    if (s == n.size()) break;
    if (auto* t = find(v.substr(s))) return t;  // ".ext2.ext1"
    if (++s < n.size()) {
      if (n[s] == '.') {
        --s;
        continue;
      }
      if (auto* t = find(v.substr(s))) return t;  // "ext2.ext1": keys written without their dot
    }
  }
  return find("");
}

const std::string& MimeTable::type_of(std::string_view name) const {
  if (lighttpd_) {
    const std::string* t = lighttpd_type(name);
    return t ? *t : fallback_;
  }
  std::string e = extension_of(name);
  if (e.empty()) return fallback_;
  auto it = types_.find(e.substr(1));
  return it == types_.end() ? fallback_ : it->second;
}

}  // namespace cutover::statics
