#include "static/listing.h"

#include <algorithm>
#include <cstdio>

namespace cutover::statics {
namespace {

std::string human_size(uint64_t n) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(n);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", (unsigned long long)n);
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string iso_time(time_t t) {
  tm g;
  gmtime_r(&t, &g);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &g);
  return buf;
}

std::string json_escape(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      case '\r': o += "\\r"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o += b;
        } else {
          o.push_back(char(c));
        }
    }
  }
  return o;
}

std::string_view query_param(std::string_view q, std::string_view name) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    if (kv.size() > name.size() && kv.substr(0, name.size()) == name && kv[name.size()] == '=')
      return kv.substr(name.size() + 1);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o.push_back(c);
    }
  }
  return o;
}

std::string encode_segment(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      o.push_back(char(c));
    } else {
      o.push_back('%');
      o.push_back(kHex[c >> 4]);
      o.push_back(kHex[c & 15]);
    }
  }
  return o;
}

ListingOrder listing_order(std::string_view query) {
  ListingOrder o;
  std::string_view k = query_param(query, "sort");
  if (k == "size") o.key = ListingOrder::Key::size;
  else if (k == "time") o.key = ListingOrder::Key::time;
  o.descending = query_param(query, "order") == "desc";
  return o;
}

void sort_entries(std::vector<DirEntry>& e, const ListingOrder& o) {
  std::stable_sort(e.begin(), e.end(), [&](const DirEntry& a, const DirEntry& b) {
    if (a.is_dir != b.is_dir) return a.is_dir;  // directories first, whatever the order
    auto by_name = [&] { return o.descending ? b.name < a.name : a.name < b.name; };
    switch (o.key) {
      case ListingOrder::Key::size:
        if (a.size != b.size) return o.descending ? a.size > b.size : a.size < b.size;
        return by_name();
      case ListingOrder::Key::time:
        if (a.mtime != b.mtime) return o.descending ? a.mtime > b.mtime : a.mtime < b.mtime;
        return by_name();
      case ListingOrder::Key::name: break;
    }
    return by_name();
  });
}

std::string render_listing_html(std::string_view url_path, const std::vector<DirEntry>& entries,
                                const ListingOrder& order, bool show_parent) {
  std::string title = html_escape(url_path);
  std::string h;
  h.reserve(1024 + entries.size() * 200);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Index of " + title +
       "</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.3em;font-weight:600}"
       "table{border-collapse:collapse;min-width:40em}th,td{padding:.3em .8em;text-align:left}"
       "th a{color:#222}td.s,th.s{text-align:right}tr:nth-child(even){background:#f6f6f6}"
       "a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}td.d a{font-weight:600}</style>\n"
       "</head><body>\n<h1>Index of " + title + "</h1>\n<table>\n<thead><tr>";
  auto header = [&](const char* label, const char* key, ListingOrder::Key k, const char* cls) {
    bool active = order.key == k;
    const char* next = active && !order.descending ? "desc" : "asc";
    h += std::string("<th") + cls + "><a href=\"?sort=" + key + "&amp;order=" + next + "\">" + label;
    if (active) h += order.descending ? " &#9660;" : " &#9650;";
    h += "</a></th>";
  };
  header("Name", "name", ListingOrder::Key::name, "");
  header("Size", "size", ListingOrder::Key::size, " class=\"s\"");
  header("Last modified (UTC)", "time", ListingOrder::Key::time, "");
  h += "</tr></thead>\n<tbody>\n";
  if (show_parent) h += "<tr><td class=\"d\"><a href=\"../\">../</a></td><td class=\"s\">-</td><td></td></tr>\n";
  for (const DirEntry& e : entries) {
    std::string name = html_escape(e.name) + (e.is_dir ? "/" : "");
    std::string href = encode_segment(e.name) + (e.is_dir ? "/" : "");
    h += std::string("<tr><td") + (e.is_dir ? " class=\"d\"" : "") + "><a href=\"" + href + "\">" + name +
         "</a></td><td class=\"s\">" + (e.is_dir ? "-" : human_size(e.size)) + "</td><td>" + iso_time(e.mtime) +
         "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n</body></html>\n";
  return h;
}

std::string render_listing_json(std::string_view url_path, const std::vector<DirEntry>& entries) {
  std::string j = "{\"path\":\"" + json_escape(url_path) + "\",\"entries\":[";
  bool first = true;
  for (const DirEntry& e : entries) {
    if (!first) j += ",";
    first = false;
    j += "{\"name\":\"" + json_escape(e.name) + "\",\"type\":\"" + (e.is_dir ? "dir" : "file") +
         "\",\"size\":" + std::to_string(e.size) + ",\"mtime\":" + std::to_string(e.mtime) + "}";
  }
  j += "]}\n";
  return j;
}

}  // namespace cutover::statics
