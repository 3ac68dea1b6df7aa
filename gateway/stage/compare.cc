#include "stage/compare.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace cutover::stage {
namespace {

// Header names are ASCII tokens: fold A-Z only (std::tolower is a locale call per byte).
inline unsigned char fold(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 'A' && u <= 'Z' ? u + ('a' - 'A') : u;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = char(fold(c));
  return o;
}

std::string shorten(std::string_view s, size_t max = 200) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "... (" + std::to_string(s.size()) + " bytes)";
}

// Set-Cookie values carry sessions and expiry times: compare the cookie names only.
std::string cookie_names(const std::vector<std::string>& values) {
  std::vector<std::string> names;
  for (auto& v : values) names.push_back(v.substr(0, v.find('=')));
  std::sort(names.begin(), names.end());
  std::string out;
  for (auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive order of header names: the order of their lowercase forms.
inline int compare_names(std::string_view x, std::string_view y) {
  size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i)
    if (fold(x[i]) != fold(y[i])) return fold(x[i]) < fold(y[i]) ? -1 : 1;
  return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
}

bool listed(const std::vector<std::string>& lowercase_names, std::string_view name) {
  for (auto& l : lowercase_names)
    if (compare_names(l, name) == 0) return true;
  return false;
}

// The fields' positions sorted by name, case-insensitively; fields of one name keep the
// order they were received in.
std::vector<size_t> by_name(const Headers& h) {
  std::vector<size_t> order(h.size());
  for (size_t i = 0; i < h.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return compare_names(h[x].first, h[y].first) < 0; });
  return order;
}

// Headers compare name by name; the values of one name joined with ", " in the order
// received, Set-Cookie by cookie names only. Sorting positions instead of building maps of
// lowercased copies keeps a copy's compare cheap: it runs for every shadowed request.
void compare_headers(const Headers& a, const Headers& b, const CompareSpec& spec, std::vector<Difference>& out) {
  auto& defaults = default_ignored_headers();
  // The common case first: the same names in the same order, each value equal or ignored.
  // Then every name's joined values are equal as well, so there is nothing to report.
  bool alike = a.size() == b.size();
  for (size_t k = 0; alike && k < a.size(); ++k)
    alike = compare_names(a[k].first, b[k].first) == 0 &&
            (a[k].second == b[k].second || listed(defaults, a[k].first) || listed(spec.ignore_headers, a[k].first));
  if (alike) return;
  std::vector<size_t> oa = by_name(a), ob = by_name(b);
  size_t i = 0, j = 0;
  while (i < oa.size() || j < ob.size()) {
    // The next name in order, and the run of fields with it on each side.
    std::string_view name;
    if (j == ob.size() || (i < oa.size() && compare_names(a[oa[i]].first, b[ob[j]].first) <= 0))
      name = a[oa[i]].first;
    else
      name = b[ob[j]].first;
    size_t i2 = i, j2 = j;
    while (i2 < oa.size() && compare_names(a[oa[i2]].first, name) == 0) ++i2;
    while (j2 < ob.size() && compare_names(b[ob[j2]].first, name) == 0) ++j2;
    bool same = i2 - i == j2 - j;
    for (size_t k = 0; same && k < i2 - i; ++k) same = a[oa[i + k]].second == b[ob[j + k]].second;
    if (!same && !listed(defaults, name) && !listed(spec.ignore_headers, name)) {
      std::string lname = lower(name);
      auto join = [&](const Headers& h, const std::vector<size_t>& order, size_t from, size_t to) -> std::string {
        if (from == to) return "(absent)";
        std::vector<std::string> values;
        for (size_t k = from; k < to; ++k) values.push_back(h[order[k]].second);
        if (lname == "set-cookie") return "cookies: " + cookie_names(values);
        std::string s;
        for (auto& v : values) s += (s.empty() ? "" : ", ") + v;
        return s;
      };
      // Different as fields can still be equal once joined ("a, b" against "a" and "b").
      std::string x = join(a, oa, i, i2), y = join(b, ob, j, j2);
      if (x != y) out.push_back({"header:" + lname, shorten(x), shorten(y)});
    }
    i = i2;
    j = j2;
  }
}

std::string normalize_text(std::string s, const CompareSpec& spec) {
  for (auto& n : spec.normalizers) s = replace_all(n.pattern, s, n.replacement);
  if (spec.collapse_whitespace) {
    std::string o;
    bool space = false;
    for (char c : s) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = true;
        continue;
      }
      if (space && !o.empty()) o += ' ';
      space = false;
      o += c;
    }
    s = std::move(o);
  }
  return s;
}

bool ignored_path(const std::string& ptr, const CompareSpec& spec) {
  for (auto& p : spec.ignore_paths)
    if (ptr == p || (ptr.size() > p.size() && ptr.compare(0, p.size(), p) == 0 && ptr[p.size()] == '/')) return true;
  return false;
}

std::string escape_pointer(const std::string& key) {
  std::string o;
  for (char c : key) {
    if (c == '~') o += "~0";
    else if (c == '/') o += "~1";
    else o += c;
  }
  return o;
}

void diff_json(const nlohmann::json& a, const nlohmann::json& b, const std::string& ptr, const CompareSpec& spec,
               std::vector<Difference>& out) {
  if (ignored_path(ptr, spec)) return;
  if (a.type() != b.type()) {
    out.push_back({"json:" + (ptr.empty() ? "/" : ptr), shorten(a.dump()), shorten(b.dump())});
    return;
  }
  if (a.is_object()) {
    std::map<std::string, int> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys[it.key()] |= 1;
    for (auto it = b.begin(); it != b.end(); ++it) keys[it.key()] |= 2;
    for (auto& [k, where] : keys) {
      std::string p = ptr + "/" + escape_pointer(k);
      if (ignored_path(p, spec)) continue;
      if (where == 3) diff_json(a[k], b[k], p, spec, out);
      else out.push_back({"json:" + p, where & 1 ? shorten(a[k].dump()) : "(absent)", where & 2 ? shorten(b[k].dump()) : "(absent)"});
    }
    return;
  }
  if (a.is_array()) {
    size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      std::string p = ptr + "/" + std::to_string(i);
      if (i < a.size() && i < b.size()) diff_json(a[i], b[i], p, spec, out);
      else if (!ignored_path(p, spec))
        out.push_back({"json:" + p, i < a.size() ? shorten(a[i].dump()) : "(absent)", i < b.size() ? shorten(b[i].dump()) : "(absent)"});
    }
    return;
  }
  if (a.is_string()) {
    std::string x = a.get<std::string>(), y = b.get<std::string>();
    for (auto& nz : spec.normalizers) x = replace_all(nz.pattern, x, nz.replacement), y = replace_all(nz.pattern, y, nz.replacement);
    if (x != y) out.push_back({"json:" + (ptr.empty() ? "/" : ptr), shorten(a.dump()), shorten(b.dump())});
    return;
  }
  if (a != b) out.push_back({"json:" + (ptr.empty() ? "/" : ptr), shorten(a.dump()), shorten(b.dump())});
}

// Where two texts first differ, with some context on each side.
Difference text_difference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i > 40 ? i - 40 : 0;
  auto excerpt = [&](const std::string& s) {
    std::string e = (from ? "..." : "") + s.substr(from, 120);
    if (from + 120 < s.size()) e += "...";
    return e;
  };
  return {"body", excerpt(a), excerpt(b)};
}

}  // namespace

const std::vector<std::string>& default_ignored_headers() {
  static const std::vector<std::string> kDefaults = {
      "date", "server", "x-request-id", "x-correlation-id", "x-runtime", "x-powered-by", "etag", "last-modified",
      "expires", "age", "via", "content-length", "transfer-encoding", "connection", "keep-alive"};
  return kDefaults;
}

std::string replace_all(const Regex& re, std::string_view subject, std::string_view with) {
  std::string out;
  size_t pos = 0;
  Captures c;
  while (pos <= subject.size() && re.match(subject.substr(pos), &c)) {
    size_t start = c.ov[0], end = c.ov[1];
    out.append(subject.substr(pos, start));
    out.append(with);
    if (end == start) {  // an empty match: step over one character
      if (pos + end < subject.size()) out += subject[pos + end];
      pos += end + 1;
    } else {
      pos += end;
    }
  }
  if (pos < subject.size()) out.append(subject.substr(pos));
  return out;
}

bool builtin_normalizer(const std::string& name, Normalizer& out) {
  static const std::pair<const char*, const char*> kBuiltins[] = {
      {"uuid", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"},
      {"iso-time", "\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?:Z|[+-]\\d\\d:?\\d\\d)?"},
      {"epoch", "\\b1[5-9]\\d{8}(?:\\d{3})?\\b"},
      {"hex-id", "\\b[0-9a-f]{16,}\\b"},
  };
  for (auto& [n, pattern] : kBuiltins) {
    if (name != n) continue;
    std::string err;
    size_t off;
    auto re = Regex::compile(pattern, err, off);
    if (!re) return false;
    out = Normalizer{std::move(*re), "<" + name + ">"};
    return true;
  }
  return false;
}

std::vector<Difference> compare_answers(const Captured& a, const Captured& b, const CompareSpec& spec) {
  std::vector<Difference> out;
  if (a.status != b.status) out.push_back({"status", std::to_string(a.status), std::to_string(b.status)});
  if (spec.compare_headers) compare_headers(a.headers, b.headers, spec, out);
  // The same bytes are equal in every mode: most answers are, and parsing them as JSON was
  // half of what a copy cost.
  if (a.body == b.body) return out;
  if (spec.mode == BodyMode::json) {
    auto ja = nlohmann::json::parse(a.body, nullptr, false), jb = nlohmann::json::parse(b.body, nullptr, false);
    if (!ja.is_discarded() && !jb.is_discarded()) {
      diff_json(ja, jb, "", spec, out);
      return out;
    }
    if (ja.is_discarded() != jb.is_discarded()) {
      out.push_back({"body", ja.is_discarded() ? "(not JSON) " + shorten(a.body, 80) : "(JSON)",
                     jb.is_discarded() ? "(not JSON) " + shorten(b.body, 80) : "(JSON)"});
      return out;
    }
    // neither is JSON (an error page, say): compare as text
  }
  if (spec.mode == BodyMode::exact) {
    if (a.body != b.body) out.push_back(text_difference(a.body, b.body));
  } else {
    std::string x = normalize_text(a.body, spec), y = normalize_text(b.body, spec);
    if (x != y) out.push_back(text_difference(x, y));
  }
  return out;
}

std::vector<Difference> without_noise(std::vector<Difference> diffs, const std::vector<Difference>& noise) {
  std::erase_if(diffs, [&](const Difference& d) {
    for (auto& n : noise)
      if (n.field == d.field) return true;
    return false;
  });
  return diffs;
}

}  // namespace cutover::stage
