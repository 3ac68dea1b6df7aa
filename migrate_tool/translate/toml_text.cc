#include "migrate_tool/translate/translator.h"

namespace cutover::migrate::tr {

std::string tq(const std::string& s) {
  bool literal_ok = s.find('\'') == std::string::npos;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) literal_ok = false;
  if (literal_ok) return "'" + s + "'";
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o += '\\', o += char(c);
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else o += char(c);
  }
  return o + "\"";
}

std::string tlist(const std::vector<std::string>& v) {
  std::string o = "[";
  for (size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + tq(v[i]);
  return o + "]";
}

std::string where(const Pos& p) { return p.file + ":" + std::to_string(p.line); }

std::string regex_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) o += '\\';
    o += c;
  }
  return o;
}

std::string slug(const std::string& s) {
  std::string o;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) o += c;
    else if (c >= 'A' && c <= 'Z') o += char(c - 'A' + 'a');
    else if (!o.empty() && o.back() != '_') o += '_';
  }
  while (!o.empty() && o.back() == '_') o.pop_back();
  return o.empty() ? "root" : o;
}

std::vector<std::string> strings_of(const Value& v) {
  std::vector<std::string> out;
  if (v.kind == Value::Kind::string) out.push_back(v.str);
  for (auto& it : v.items)
    if (it.second.kind == Value::Kind::string) out.push_back(it.second.str);
  return out;
}

bool has_percent_capture(const std::string& s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '%' && s[i + 1] == '%') {
      ++i;
      continue;
    }
    if (s[i] == '%' && (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '{')) return true;
  }
  return false;
}

}  // namespace cutover::migrate::tr
