#include "stage/compare.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

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

// Text as tokens: runs of letters, digits and '_' (bytes >= 0x80 too: UTF-8 words), or one
// other character; whitespace separates and is not compared.
struct Token {
  std::string_view text;
  size_t at;     // byte offset
  size_t chunk;  // the run of tokens not parted by whitespace or markup punctuation it is in
  bool glued;    // no whitespace before it
  bool brk;      // markup punctuation: a chunk of its own
};
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto word = [](unsigned char c) { return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); };
  // Noise is learned per chunk: a timestamp or an id is one chunk however it tokenizes, so
  // a part of it that happened to repeat in the second reference call is noise too.
  auto breaker = [](unsigned char c) { return std::strchr("<>\"',;=(){}[]", c) != nullptr && c != 0; };
  size_t chunk = 0;
  bool space = true, broke = true;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      space = true;
      continue;
    }
    size_t j = i + 1;
    if (word(c))
      while (j < s.size() && word(static_cast<unsigned char>(s[j]))) ++j;
    bool b = breaker(c);
    if (!out.empty() && (space || b || broke)) ++chunk;
    out.push_back({s.substr(i, j - i), i, chunk, !space, b});
    broke = b;
    space = false;
    i = j;
  }
  return out;
}

// Myers' O((N+M)D) difference of two token lists: the runs of a replaced by runs of b.
struct Hunk {
  size_t a0, a1, b0, b1;
};
// Beyond these the texts are one difference (bounded work: a copy is compared on a serving
// thread's event loop).
constexpr int kMaxEdits = 500;
constexpr size_t kMaxTokens = 60000;
std::optional<std::vector<Hunk>> diff_tokens(const std::vector<Token>& ta, const std::vector<Token>& tb) {
  // The common head and tail first: most pairs differ in a few places.
  size_t head = 0;
  while (head < ta.size() && head < tb.size() && ta[head].text == tb[head].text) ++head;
  size_t tail = 0;
  while (tail < ta.size() - head && tail < tb.size() - head && ta[ta.size() - 1 - tail].text == tb[tb.size() - 1 - tail].text) ++tail;
  if (ta.size() + tb.size() - 2 * (head + tail) > kMaxTokens) return std::nullopt;
  const Token* a = ta.data() + head;
  const Token* b = tb.data() + head;
  const int n = int(ta.size() - head - tail), m = int(tb.size() - head - tail);
  auto eq = [&](int x, int y) { return a[x].text == b[y].text; };
  std::vector<std::vector<int>> trace;  // V of each step d, indexed k + d
  std::vector<int> v(3, 0);
  int found = -1;
  for (int d = 0; d <= std::min(n + m, kMaxEdits); ++d) {
    std::vector<int> next(size_t(2 * d + 3), 0);
    for (int k = -d; k <= d; k += 2) {
      auto at = [&](const std::vector<int>& w, int dd, int kk) { return w[size_t(kk + dd + 1)]; };
      int x;
      if (d == 0) x = 0;
      else if (k == -d || (k != d && at(v, d - 1, k - 1) < at(v, d - 1, k + 1))) x = at(v, d - 1, k + 1);
      else x = at(v, d - 1, k - 1) + 1;
      int y = x - k;
      while (x < n && y < m && eq(x, y)) ++x, ++y;
      next[size_t(k + d + 1)] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    trace.push_back(next);
    v = std::move(next);
    if (found >= 0) break;
  }
  if (found < 0) return std::nullopt;
  // Walk back from (n, m), collecting the edits, then group them into hunks.
  std::vector<std::pair<int, int>> snake_starts;  // (x, y) after each edit, backwards
  std::vector<Hunk> hunks;
  int x = n, y = m;
  for (int d = found; d > 0; --d) {
    const std::vector<int>& pv = trace[size_t(d - 1)];
    auto at = [&](int kk) { return pv[size_t(kk + (d - 1) + 1)]; };
    int k = x - y;
    bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    int pk = down ? k + 1 : k - 1;
    int px = at(pk), py = px - pk;
    int ex = down ? px : px + 1, ey = down ? py + 1 : py;  // after the edit, before the snake
    while (x > ex && y > ey) --x, --y;
    // the edit: (px, py) -> (ex, ey)
    Hunk h{head + size_t(px), head + size_t(ex), head + size_t(py), head + size_t(ey)};
    if (!hunks.empty() && hunks.back().a0 == h.a1 && hunks.back().b0 == h.b1) {
      hunks.back().a0 = h.a0;
      hunks.back().b0 = h.b0;
    } else {
      hunks.push_back(h);
    }
    x = px, y = py;
  }
  std::reverse(hunks.begin(), hunks.end());
  return hunks;
}

// The text of tokens [from, to) of `s`, with a little context before, for display.
std::string excerpt(std::string_view s, const std::vector<Token>& t, size_t from, size_t to) {
  size_t begin = from < t.size() ? t[from].at : s.size();
  size_t end = to > from ? t[to - 1].at + t[to - 1].text.size() : begin;
  size_t ctx = begin > 30 ? begin - 30 : 0;
  std::string e = (ctx ? "..." : "") + std::string(s.substr(ctx, begin - ctx)) + "[" + std::string(s.substr(begin, std::min<size_t>(end - begin, 160))) + "]";
  return e;
}

void diff_text(const std::string& x, const std::string& y, std::vector<Difference>& out) {
  std::vector<Token> a = tokenize(x), b = tokenize(y);
  auto hunks = diff_tokens(a, b);
  if (!hunks) {  // too different to align: one difference that no noise can hide
    Difference d = text_difference(x, y);
    d.keys = {"!text"};
    out.push_back(std::move(d));
    return;
  }
  auto chunk_key = [&](size_t i) { return "text:c" + std::to_string(a[i].chunk); };
  for (const Hunk& h : *hunks) {
    Difference d{"text:" + std::to_string(h.a0), excerpt(x, a, h.a0, h.a1), excerpt(y, b, h.b0, h.b1), {}};
    if (h.a0 == h.a1) {
      // Inserted text belongs to the chunk it is glued to; between chunks it is its own.
      bool to_prev = h.a0 > 0 && !a[h.a0 - 1].brk && h.b0 > 0 && h.b0 < b.size() && b[h.b0].glued && !b[h.b0].brk;
      bool to_next = h.a0 < a.size() && !a[h.a0].brk && h.b1 < b.size() && b[h.b1].glued && !b[h.b1 - 1].brk;
      if (to_prev) d.keys.push_back(chunk_key(h.a0 - 1));
      else if (to_next) d.keys.push_back(chunk_key(h.a0));
      else d.keys.push_back("text:" + std::to_string(h.a0) + "^");
    }
    for (size_t i = h.a0; i < h.a1; ++i) d.keys.push_back(chunk_key(i));
    out.push_back(std::move(d));
  }
}

bool reads_as_text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
      ++i;
      continue;
    }
    int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!len || i + size_t(len) > s.size()) return false;
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + size_t(k)]) & 0xc0) != 0x80) return false;
    i += size_t(len);
  }
  return true;
}

std::string content_type(const Captured& c) {
  for (auto& [n, v] : c.headers)
    if (compare_names(n, "content-type") == 0) return lower(v);
  return "";
}

}  // namespace

BodyMode detect_body_mode(const Captured& a, const Captured& b) {
  std::string ct = content_type(a);
  if (ct.empty()) ct = content_type(b);
  if (ct.find("json") != std::string::npos) return BodyMode::json;
  bool texty = ct.rfind("text/", 0) == 0 || ct.find("xml") != std::string::npos || ct.find("javascript") != std::string::npos ||
               ct.find("x-www-form-urlencoded") != std::string::npos;
  auto first = [](const std::string& s) {
    size_t i = s.find_first_not_of(" \t\r\n");
    return i == std::string::npos ? '\0' : s[i];
  };
  bool sniff = ct.empty() || ct.rfind("text/plain", 0) == 0 || ct.rfind("application/octet-stream", 0) == 0;
  if (sniff && (first(a.body) == '{' || first(a.body) == '[') && (first(b.body) == '{' || first(b.body) == '['))
    if (nlohmann::json::accept(a.body) && nlohmann::json::accept(b.body)) return BodyMode::json;
  if (texty) return BodyMode::text;
  if (sniff && reads_as_text(a.body) && reads_as_text(b.body)) return BodyMode::text;
  return BodyMode::exact;
}

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
  BodyMode mode = spec.mode == BodyMode::auto_ ? detect_body_mode(a, b) : spec.mode;
  if (mode == BodyMode::json) {
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
  if (mode == BodyMode::exact) {
    if (a.body != b.body) out.push_back(text_difference(a.body, b.body));
  } else {
    std::string x = a.body, y = b.body;
    for (auto& n : spec.normalizers) x = replace_all(n.pattern, x, n.replacement), y = replace_all(n.pattern, y, n.replacement);
    size_t before = out.size();
    diff_text(x, y, out);
    // Tokens skip whitespace: with collapse_whitespace off, a difference in spacing alone counts.
    if (!spec.collapse_whitespace && out.size() == before && x != y) out.push_back(text_difference(x, y));
  }
  return out;
}

std::vector<Difference> without_noise(std::vector<Difference> diffs, const std::vector<Difference>& noise) {
  std::set<std::string> noisy;
  for (auto& n : noise) {
    if (n.keys.empty()) noisy.insert(n.field);
    for (auto& k : n.keys) noisy.insert(k);
  }
  std::erase_if(diffs, [&](const Difference& d) {
    if (d.keys.empty()) return noisy.count(d.field) > 0;
    for (auto& k : d.keys)
      if (k[0] == '!' || !noisy.count(k)) return false;  // '!': never noise
    return true;
  });
  return diffs;
}

}  // namespace cutover::stage
